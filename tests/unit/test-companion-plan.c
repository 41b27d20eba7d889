/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-companion-plan.c: tests for src/daemon/companion-plan.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "companion-plan.h"
#include "ratelimit.h"
#include "strv.h"

#define SANDBOX                                                                                    \
        "/usr/bin/bwrap --unshare-all --die-with-parent --new-session --cap-drop ALL --clearenv "  \
        "--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/sbin /sbin "                     \
        "--symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev --tmpfs /tmp "  \
        "--bind /run/vmsilo/services/web /run/vmsilo/services/web "                                \
        "--setenv XDG_RUNTIME_DIR /run/vmsilo/services/web "

/* The host entries (read-only, where they exist yet): their names give windows app_ids. */
#define ENTRIES_BIND                                                                               \
        "--ro-bind-try /var/lib/vmsilo/exports/share/applications "                                \
        "/var/lib/vmsilo/exports/share/applications "
#define ENTRIES_OPTION "--entries /var/lib/vmsilo/exports/share/applications"

static const CompanionContext context = {
        .vm_name = "web",
        .dir = "/run/vmsilo/services/web",
        .compositor = "/run/user/1000/wayland-1",
        .fence_binary = "/usr/libexec/vmsilo/vmsilo-wayland",
        .color = "rgb(0, 80, 200)",
        .frame_width = 6,
        .entries_dir = "/var/lib/vmsilo/exports/share/applications",
};

static void assert_argv(CompanionKind k, const CompanionContext *ctx, const char *expected) {
        _cleanup_(strv_freep) char **argv = NULL;
        _cleanup_(freep) char *joined = NULL;

        assert_int_equal(companion_plan_argv(k, ctx, &argv), 0);
        joined = strv_join(argv, " ");
        assert_non_null(joined);
        assert_string_equal(joined, expected);
}

static void test_fence_alone_gets_the_compositor_socket_and_the_entries(void **state) {
        assert_argv(COMPANION_FENCE, &context,
                        SANDBOX
                        "--ro-bind /run/user/1000/wayland-1 /run/user/1000/wayland-1 " ENTRIES_BIND
                        "-- "
                        "/usr/libexec/vmsilo/vmsilo-wayland --vm web "
                        "--listen /run/vmsilo/services/web/fence.sock "
                        "--upstream /run/user/1000/wayland-1 "
                        "--color rgb(0, 80, 200) --frame-width 6 " ENTRIES_OPTION);
}

static void test_waypipe_draws_on_the_fence_never_the_compositor(void **state) {
        assert_argv(COMPANION_WAYPIPE, &context,
                        SANDBOX
                        "--setenv WAYLAND_DISPLAY /run/vmsilo/services/web/fence.sock -- "
                        "/usr/bin/waypipe --no-gpu --socket /run/vmsilo/services/web/wayland.sock "
                        "client");
}

static void test_fence_binary_outside_usr_is_bound_read_only(void **state) {
        CompanionContext ctx = context;

        ctx.fence_binary = "/work/build/src/wayland/vmsilo-wayland";
        assert_argv(COMPANION_FENCE, &ctx,
                        SANDBOX
                        "--ro-bind /work/build/src/wayland/vmsilo-wayland "
                        "/work/build/src/wayland/vmsilo-wayland "
                        "--ro-bind /run/user/1000/wayland-1 /run/user/1000/wayland-1 " ENTRIES_BIND
                        "-- "
                        "/work/build/src/wayland/vmsilo-wayland --vm web "
                        "--listen /run/vmsilo/services/web/fence.sock "
                        "--upstream /run/user/1000/wayland-1 "
                        "--color rgb(0, 80, 200) --frame-width 6 " ENTRIES_OPTION);
}

static void test_fence_reaches_the_clipboard_through_its_directory(void **state) {
        _cleanup_(strv_freep) char **argv = NULL;
        CompanionContext ctx = context;

        ctx.clipboard = "/run/user/1000/vmsilo/clipboard.sock";
        ctx.copy_key = "ctrl+Insert";
        ctx.paste_key = "shift+Insert";
        assert_argv(COMPANION_FENCE, &ctx,
                        SANDBOX
                        "--ro-bind /run/user/1000/vmsilo /run/user/1000/vmsilo "
                        "--ro-bind /run/user/1000/wayland-1 /run/user/1000/wayland-1 " ENTRIES_BIND
                        "-- "
                        "/usr/libexec/vmsilo/vmsilo-wayland --vm web "
                        "--listen /run/vmsilo/services/web/fence.sock "
                        "--upstream /run/user/1000/wayland-1 "
                        "--color rgb(0, 80, 200) --frame-width 6 " ENTRIES_OPTION " "
                        "--clipboard /run/user/1000/vmsilo/clipboard.sock "
                        "--control /run/vmsilo/services/web/control.sock "
                        "--copy-key ctrl+Insert --paste-key shift+Insert");
        /* waypipe never gets it */
        assert_argv(COMPANION_WAYPIPE, &ctx,
                        SANDBOX
                        "--setenv WAYLAND_DISPLAY /run/vmsilo/services/web/fence.sock -- "
                        "/usr/bin/waypipe --no-gpu --socket /run/vmsilo/services/web/wayland.sock "
                        "client");
        ctx.clipboard = "relative.sock";
        assert_int_equal(companion_plan_argv(COMPANION_FENCE, &ctx, &argv), -EINVAL);
}

static void test_clipboard_has_only_its_directory(void **state) {
        _cleanup_(strv_freep) char **argv = NULL, **dev = NULL;
        _cleanup_(freep) char *joined = NULL, *dev_joined = NULL;

        assert_int_equal(companion_plan_clipboard_argv("/usr/libexec/vmsilo/vmsilo-clipboard",
                                         "/run/user/1000/vmsilo", &argv),
                        0);
        joined = strv_join(argv, " ");
        assert_non_null(joined);
        assert_string_equal(joined,
                        "/usr/bin/bwrap --unshare-all --die-with-parent --new-session --cap-drop "
                        "ALL --clearenv --ro-bind /usr /usr --symlink usr/bin /bin --symlink "
                        "usr/sbin /sbin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc "
                        "/proc --dev /dev --tmpfs /tmp "
                        "--bind /run/user/1000/vmsilo /run/user/1000/vmsilo "
                        "--setenv XDG_RUNTIME_DIR /run/user/1000/vmsilo "
                        "--ro-bind-try /run/user/1000/bus /run/user/1000/bus "
                        "--setenv DBUS_SESSION_BUS_ADDRESS unix:path=/run/user/1000/bus -- "
                        "/usr/libexec/vmsilo/vmsilo-clipboard "
                        "--socket /run/user/1000/vmsilo/clipboard.sock");
        assert_int_equal(
                        companion_plan_clipboard_argv("/b/vmsilo-clipboard", "/r/vmsilo", &dev), 0);
        dev_joined = strv_join(dev, " ");
        assert_non_null(dev_joined);
        assert_non_null(strstr(dev_joined, "--ro-bind /b/vmsilo-clipboard /b/vmsilo-clipboard -- "
                                           "/b/vmsilo-clipboard --socket "
                                           "/r/vmsilo/clipboard.sock"));
}

static void test_clipboard_bus_address_escapes_the_path(void **state) {
        _cleanup_(strv_freep) char **argv = NULL, **none = NULL;
        _cleanup_(freep) char *joined = NULL;

        assert_int_equal(companion_plan_clipboard_argv("/usr/libexec/vmsilo/vmsilo-clipboard",
                                         "/tmp/a b,c=d;e_f-g.h/vmsilo", &argv),
                        0);
        joined = strv_join(argv, " ");
        assert_non_null(joined);
        assert_non_null(strstr(joined, "--ro-bind-try /tmp/a b,c=d;e_f-g.h/bus "
                                       "/tmp/a b,c=d;e_f-g.h/bus --setenv DBUS_SESSION_BUS_ADDRESS "
                                       "unix:path=/tmp/a%20b%2cc%3dd%3be_f-g.h/bus -- "));
        /* no runtime directory above dir: no bus to name */
        assert_int_equal(companion_plan_clipboard_argv(
                                         "/usr/libexec/vmsilo/vmsilo-clipboard", "/vmsilo", &none),
                        -EINVAL);
        assert_null(none);
}

static void test_display_names_are_what_clients_try(void **state) {
        assert_true(companion_is_display_name("wayland-0"));
        assert_true(companion_is_display_name("wayland-12"));
        assert_false(companion_is_display_name("wayland-"));
        assert_false(companion_is_display_name("wayland-0.lock"));
        assert_false(companion_is_display_name("wayland-x"));
        assert_false(companion_is_display_name("sway-ipc.1000.5.sock"));
        assert_false(companion_is_display_name("pipewire-0"));
}

static void test_exactly_one_live_display_is_picked(void **state) {
        char *sway[] = { "bus", "sway-ipc.999.1.sock", "wayland-1.lock", "wayland-1" };
        char *none[] = { "bus", "wayland-0.lock", "pipewire-0" };
        char *two[] = { "wayland-0", "wayland-0.lock", "wayland-1" };
        size_t i = 99;

        assert_int_equal(companion_pick_compositor(sway, ELEMENTSOF(sway), &i), COMPOSITOR_FOUND);
        assert_int_equal(i, 3);
        assert_int_equal(companion_pick_compositor(none, ELEMENTSOF(none), &i), COMPOSITOR_NONE);
        assert_int_equal(companion_pick_compositor(NULL, 0, &i), COMPOSITOR_NONE);
        assert_int_equal(companion_pick_compositor(two, ELEMENTSOF(two), &i), COMPOSITOR_MANY);
}

static void test_restarts_stop_after_the_limit_in_the_window(void **state) {
        Ratelimit rl = RATELIMIT_INIT(COMPANION_RESTART_WINDOW_USEC, COMPANION_RESTARTS_MAX);
        unsigned suppressed;
        uint64_t t = 1000;

        for (unsigned i = 0; i < COMPANION_RESTARTS_MAX; i++)
                assert_true(ratelimit_below(&rl, t + i, &suppressed));
        assert_false(ratelimit_below(&rl, t + COMPANION_RESTARTS_MAX, &suppressed));
        assert_true(ratelimit_below(&rl, t + COMPANION_RESTART_WINDOW_USEC, &suppressed));
}

static void test_kind_names(void **state) {
        assert_string_equal(companion_kind_to_string(COMPANION_FENCE), "fence");
        assert_string_equal(companion_kind_to_string(COMPANION_WAYPIPE), "waypipe");
        assert_null(companion_kind_to_string(_COMPANION_KIND_MAX));
        assert_string_equal(companion_socket_name(COMPANION_FENCE), "fence.sock");
        assert_string_equal(companion_socket_name(COMPANION_WAYPIPE), "wayland.sock");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fence_alone_gets_the_compositor_socket_and_the_entries),
                cmocka_unit_test(test_waypipe_draws_on_the_fence_never_the_compositor),
                cmocka_unit_test(test_fence_binary_outside_usr_is_bound_read_only),
                cmocka_unit_test(test_fence_reaches_the_clipboard_through_its_directory),
                cmocka_unit_test(test_clipboard_has_only_its_directory),
                cmocka_unit_test(test_clipboard_bus_address_escapes_the_path),
                cmocka_unit_test(test_display_names_are_what_clients_try),
                cmocka_unit_test(test_exactly_one_live_display_is_picked),
                cmocka_unit_test(test_restarts_stop_after_the_limit_in_the_window),
                cmocka_unit_test(test_kind_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

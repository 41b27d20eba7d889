/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-sound-plan.c: tests for src/daemon/sound-plan.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "sound-plan.h"
#include "strv.h"

#define DIR "/run/vmsilo/services/web"
#define PULSE "/run/user/1000/pulse"

static const SoundContext context = {
        .vm_name = "web",
        .dir = DIR,
        .bus_config = "/run/vmsilo/sound-bus.conf",
        .pulse_dir = PULSE,
        .sound_binary = "/usr/libexec/vmsilo/vmsilo-sound",
};

static char *joined_player(const SoundContext *ctx, LaunchPlan **ret) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        char *joined;

        assert_int_equal(sound_plan_player(ctx, &p), 0);
        assert_int_equal(p->n_argv, strv_length(p->argv));
        joined = strv_join(p->argv, " ");
        assert_non_null(joined);
        *ret = TAKE_PTR(p);
        return joined;
}

static void test_player_runs_contained_and_sees_only_the_bus_and_the_pulse_directory(void **state) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        _cleanup_(freep) char *argv = joined_player(&context, &p);

        /* The VMM's sandbox, not bubblewrap: the VMM's PID namespace is joined from outside. */
        assert_true(p->contained);
        assert_string_equal(argv,
                        "/usr/libexec/vmsilo/vmsilo-sound --bus unix:path=" DIR "/sound.bus "
                        "--name web --server unix:" PULSE "/native");
        assert_int_equal(p->n_fds, 0);
        assert_int_equal(p->n_paths, 2);
        assert_string_equal(p->paths[0].path, DIR "/sound.bus");
        assert_true(p->paths[0].writable);
        assert_string_equal(p->paths[1].path, PULSE);
        assert_false(p->paths[1].writable);
        assert_false(p->paths[0].device || p->paths[1].device);
}

static void test_player_records_only_with_capture(void **state) {
        SoundContext ctx = context;
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        _cleanup_(freep) char *argv = NULL;

        ctx.capture = true;
        argv = joined_player(&ctx, &p);
        assert_non_null(strstr(argv, " --capture"));
}

static void test_bus_address_is_escaped(void **state) {
        SoundContext ctx = context;
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        _cleanup_(freep) char *argv = NULL;

        ctx.dir = "/run/vmsilo/services/a b;c";
        argv = joined_player(&ctx, &p);
        assert_non_null(strstr(argv, "--bus unix:path=/run/vmsilo/services/a%20b%3bc/sound.bus "));
}

static void test_bus_sees_only_its_directory_config_and_user_database(void **state) {
        _cleanup_(strv_freep) char **argv = NULL;
        _cleanup_(freep) char *joined = NULL;
        const char *tail;

        assert_int_equal(sound_plan_bus_argv(&context, &argv), 0);
        joined = strv_join(argv, " ");
        assert_non_null(joined);
        assert_string_equal(argv[0], "/usr/bin/bwrap");
        assert_non_null(strstr(joined, " --unshare-all "));
        assert_non_null(strstr(joined, " --bind " DIR " " DIR " "));
        /* Nothing of the sound server: the bus never plays. */
        assert_null(strstr(joined, "pulse"));
        tail = strstr(joined, " -- ");
        assert_non_null(tail);
        assert_string_equal(tail,
                        " -- /usr/bin/dbus-daemon --nofork --nopidfile --nosyslog "
                        "--config-file /run/vmsilo/sound-bus.conf --address unix:path=" DIR
                        "/sound.bus");
        assert_non_null(strstr(joined, "--ro-bind /run/vmsilo/sound-bus.conf "
                                       "/run/vmsilo/sound-bus.conf --ro-bind /etc/passwd "
                                       "/etc/passwd --ro-bind /etc/group /etc/group "
                                       "--ro-bind-try /etc/machine-id /etc/machine-id -- "));
}

static void test_bus_config_allows_only_external_authentication(void **state) {
        assert_non_null(strstr(sound_plan_bus_config, "<auth>EXTERNAL</auth>"));
        assert_null(strstr(sound_plan_bus_config, "ANONYMOUS"));
        assert_non_null(strstr(sound_plan_bus_config, "<type>custom</type>"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(
                                test_player_runs_contained_and_sees_only_the_bus_and_the_pulse_directory),
                cmocka_unit_test(test_player_records_only_with_capture),
                cmocka_unit_test(test_bus_address_is_escaped),
                cmocka_unit_test(test_bus_sees_only_its_directory_config_and_user_database),
                cmocka_unit_test(test_bus_config_allows_only_external_authentication),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

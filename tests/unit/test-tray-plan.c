/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-tray-plan.c: tests for src/daemon/tray-plan.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "companion-plan.h"
#include "strv.h"
#include "tray-plan.h"

static const TrayContext context = {
        .vm_name = "web",
        .dir = "/run/vmsilo/services/web",
        .bus = "/run/user/1000/bus",
        .binary = "/usr/libexec/vmsilo/vmsilo-tray",
        .color = "rgb(0, 80, 200)",
        .log_level = "debug",
};

/* The argv is the companions' sandbox (test-companion-plan.c checks it) followed by expected. */
static void assert_argv(const TrayContext *ctx, const char *expected) {
        _cleanup_(strv_freep) char **argv = NULL, **sandbox = strv_new_empty();
        _cleanup_(freep) char *joined = NULL, *prefix = NULL;

        assert_int_equal(tray_plan_argv(ctx, &argv), 0);
        assert_int_equal(companion_sandbox_args(ctx->dir, &sandbox), 0);
        joined = strv_join(argv, " ");
        prefix = strv_join(sandbox, " ");
        assert_non_null(joined);
        assert_non_null(prefix);
        assert_memory_equal(joined, prefix, strlen(prefix));
        assert_string_equal(joined + strlen(prefix), expected);
}

static void test_host_half_sees_only_its_directory_and_the_session_bus(void **state) {
        assert_argv(&context, " --ro-bind /run/user/1000/bus /run/user/1000/bus "
                              "--setenv DBUS_SESSION_BUS_ADDRESS unix:path=/run/user/1000/bus -- "
                              "/usr/libexec/vmsilo/vmsilo-tray host --vm web "
                              "--color rgb(0, 80, 200) "
                              "--listen /run/vmsilo/services/web/tray.sock --log-level debug");
}

static void test_binary_outside_usr_is_bound_read_only(void **state) {
        TrayContext ctx = context;

        ctx.binary = "/build/src/tray/vmsilo-tray";
        ctx.log_level = "info";
        assert_argv(&ctx, " --ro-bind /build/src/tray/vmsilo-tray /build/src/tray/vmsilo-tray "
                          "--ro-bind /run/user/1000/bus /run/user/1000/bus "
                          "--setenv DBUS_SESSION_BUS_ADDRESS unix:path=/run/user/1000/bus -- "
                          "/build/src/tray/vmsilo-tray host --vm web "
                          "--color rgb(0, 80, 200) "
                          "--listen /run/vmsilo/services/web/tray.sock --log-level info");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_host_half_sees_only_its_directory_and_the_session_bus),
                cmocka_unit_test(test_binary_outside_usr_is_bound_read_only),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

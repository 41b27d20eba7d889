/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-service-paths.c: what vmsilod.service lets vmsilod use, and the warnings of `vmsilo
 * config check` for configured paths it would break. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "service-paths.h"
#include "strv.h"

static void test_access_follows_the_units_settings(void **state) {
        const char *setting;

        assert_int_equal(service_path_access("/var/lib/vmsilo/x.img", &setting),
                        SERVICE_PATH_WRITABLE);
        assert_null(setting);
        assert_int_equal(service_path_access("/shared/work", &setting), SERVICE_PATH_WRITABLE);
        assert_int_equal(service_path_access("/home/u/disk.img", &setting), SERVICE_PATH_READ_ONLY);
        assert_string_equal(setting, "ProtectHome=read-only");
        assert_int_equal(service_path_access("/tmp/disk.img", &setting), SERVICE_PATH_HIDDEN);
        assert_string_equal(setting, "PrivateTmp=yes");
        assert_int_equal(service_path_access("/dev/sdb", &setting), SERVICE_PATH_DEVICE);
        assert_int_equal(service_path_access("/srv/vm.img", &setting), SERVICE_PATH_READ_ONLY);
        assert_string_equal(setting, "ProtectSystem=strict");
        /* Component boundaries: /sharedx is not /shared, /tmpfoo is not /tmp. */
        assert_int_equal(service_path_access("/sharedx/a", &setting), SERVICE_PATH_READ_ONLY);
        assert_int_equal(service_path_access("/tmpfoo", &setting), SERVICE_PATH_READ_ONLY);
}

static char **check(const char *json) {
        ConfigErrors errors = {};
        Config *c = NULL;
        char **w = NULL;

        assert_int_equal(config_load_string(json, "test", &c, &errors), 0);
        assert_int_equal(service_paths_check(c, &w), 0);
        config_free(c);
        config_errors_finish(&errors);
        return w;
}

static void test_check_warns_only_where_the_vm_would_be_broken(void **state) {
        char **w = check("{\"enable\": true, \"user\": \"u\", \"nixosVms\": [{\"name\": \"a\", "
                         "\"kernel\": \"/home/u/vmlinuz\", \"sharedHome\": \"/home/u/h\", "
                         "\"additionalDisks\": [{\"path\": \"/home/u/ro.img\", \"ro\": true}, "
                         "{\"path\": \"/srv/rw.img\"}, {\"path\": \"/var/lib/vmsilo/ok.img\"}, "
                         "{\"path\": \"/tmp/gone.img\", \"ro\": true}], "
                         "\"sharedDirectories\": [{\"path\": \"/home/u/docs\", \"tag\": \"d\", "
                         "\"readonly\": true}, {\"path\": \"/shared/data\", \"tag\": \"s\"}]}]}");

        assert_int_equal(strv_length(w), 3);
        /* A kernel in /home is read: fine. A read-only disk or share in /home: fine. */
        assert_string_equal(w[0],
                        "nixosVms[0].additionalDisks.path: '/srv/rw.img' is read-only under "
                        "vmsilod.service (ProtectSystem=strict); add ReadWritePaths= for it in a "
                        "drop-in (systemctl edit vmsilod).");
        assert_non_null(strstr(w[1], "'/tmp/gone.img' is invisible to vmsilod.service "
                                     "(PrivateTmp=yes)"));
        assert_non_null(strstr(w[2], "nixosVms[0].sharedHome: '/home/u/h' is read-only under "
                                     "vmsilod.service (ProtectHome=read-only)"));
        strv_free(w);
}

static void test_check_is_quiet_for_the_defaults(void **state) {
        char **w = check("{\"enable\": true, \"user\": \"u\", \"nixosVms\": [{\"name\": \"a\", "
                         "\"sharedHome\": true}]}");

        assert_int_equal(strv_length(w), 0);
        strv_free(w);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_access_follows_the_units_settings),
                cmocka_unit_test(test_check_warns_only_where_the_vm_would_be_broken),
                cmocka_unit_test(test_check_is_quiet_for_the_defaults),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

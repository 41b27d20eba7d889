/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-balloon-status.c: balloond.json format (src/balloond/balloon-status.c), its atomic write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "balloon-status.h"
#include "fileio.h"

static const BalloonStatusHost host = {
        .mem_total_bytes = 8 << 20,
        .mem_available_bytes = 4 << 20,
        .critical_bytes = 409,
        .under_pressure = true,
        .policy = "vmsilo",
};

static const BalloonStatusVm vms[] = {
        { .name = "a",
                        .vmm = "qemu",
                        .state = "ballooning",
                        .memory_bytes = 1024,
                        .balloon_bytes = 256,
                        .guest_available_bytes = 700,
                        .guest_critical_bytes = 400,
                        .last_action = "inflate",
                        .target_bytes = 300 },
        { .name = "gpu",
                        .vmm = "crosvm",
                        .state = "passthrough",
                        .last_action = "skip-passthrough" },
};

static void test_format_holds_host_and_each_vm(void **state) {
        char *text = NULL;
        json_t *j, *a;

        assert_int_equal(balloon_status_format(&host, vms, 2, &text), 0);
        j = json_loads(text, 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "version")), BALLOON_STATUS_VERSION);
        assert_string_equal(json_string_value(json_object_get(j, "policy")), "vmsilo");
        assert_true(json_is_true(json_object_get(json_object_get(j, "host"), "under_pressure")));
        assert_int_equal(json_array_size(json_object_get(j, "vms")), 2);
        a = json_array_get(json_object_get(j, "vms"), 0);
        assert_string_equal(json_string_value(json_object_get(a, "name")), "a");
        assert_int_equal(json_integer_value(json_object_get(a, "balloon_bytes")), 256);
        assert_int_equal(json_integer_value(json_object_get(a, "guest_available_bytes")), 700);
        assert_string_equal(json_string_value(json_object_get(a, "last_action")), "inflate");
        a = json_array_get(json_object_get(j, "vms"), 1);
        assert_string_equal(json_string_value(json_object_get(a, "state")), "passthrough");
        json_decref(j);
        free(text);
}

static void test_write_replaces_the_file_atomically(void **state) {
        char dir[] = "/tmp/test-balloond-status-XXXXXX", path[128], *text = NULL;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(balloon_status_write_atomic(dir, "{\"x\": 1}"), 0);
        assert_int_equal(balloon_status_write_atomic(dir, "{\"x\": 2}"), 0);
        snprintf(path, sizeof(path), "%s/%s", dir, BALLOON_STATUS_FILE_NAME);
        assert_int_equal(read_full_file(path, 4096, &text, NULL), 0);
        assert_string_equal(text, "{\"x\": 2}\n");
        free(text);
        unlink(path);
        assert_int_equal(rmdir(dir), 0); /* no temp file left behind */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format_holds_host_and_each_vm),
                cmocka_unit_test(test_write_replaces_the_file_atomically),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

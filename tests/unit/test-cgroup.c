/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cgroup.c: tests for the pure parsers of src/agent/cgroup.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup.h"

static FILE *text_file(const char *text) {
        FILE *f = fmemopen((void *) text, strlen(text), "r");

        assert_non_null(f);
        return f;
}

static void test_cgroup_find_mount_picks_the_cgroup2_line(void **state) {
        FILE *f = text_file("22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
                            "30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                            "35 25 0:30 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 "
                            "cgroup2 rw\n");
        char *m = NULL;

        assert_int_equal(cgroup_find_mount(f, &m), 0);
        assert_string_equal(m, "/sys/fs/cgroup/unified");
        free(m);
        fclose(f);
}

static void test_cgroup_find_mount_without_cgroup2_is_enoent(void **state) {
        FILE *f = text_file("30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        char *m = NULL;

        assert_int_equal(cgroup_find_mount(f, &m), -ENOENT);
        assert_null(m);
        fclose(f);
}

static void test_cgroup_parse_self_reads_the_unified_line(void **state) {
        FILE *f = text_file("4:memory:/x\n0::/user.slice/session-1.scope\n");
        char *p = NULL;

        assert_int_equal(cgroup_parse_self(f, &p), 0);
        assert_string_equal(p, "/user.slice/session-1.scope");
        free(p);
        fclose(f);
}

static void test_cgroup_parse_self_maps_root_to_empty(void **state) {
        FILE *f = text_file("0::/\n");
        char *p = NULL;

        assert_int_equal(cgroup_parse_self(f, &p), 0);
        assert_string_equal(p, "");
        free(p);
        fclose(f);
}

static void test_cgroup_parse_self_without_unified_line_is_enoent(void **state) {
        FILE *f = text_file("1:name=systemd:/\n");
        char *p = NULL;

        assert_int_equal(cgroup_parse_self(f, &p), -ENOENT);
        fclose(f);
}

static void test_cgroup_session_name_parse_reads_the_agent_pid(void **state) {
        pid_t pid = 0;

        assert_int_equal(cgroup_session_name_parse("vmsilo-session-4242-7", &pid), 0);
        assert_int_equal(pid, 4242);
}

static void test_cgroup_session_name_parse_rejects_other_names(void **state) {
        static const char *const names[] = {
                "vmsilo-session-4242",
                "vmsilo-session-4242-7x",
                "vmsilo-session--1-2",
                "vmsilo-session-0-1",
                "user.slice",
                "vmsilo-session-99999999999-1",
        };
        pid_t pid = 65;

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                assert_int_equal(cgroup_session_name_parse(names[i], &pid), -EINVAL);
        assert_int_equal(pid, 65);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cgroup_find_mount_picks_the_cgroup2_line),
                cmocka_unit_test(test_cgroup_find_mount_without_cgroup2_is_enoent),
                cmocka_unit_test(test_cgroup_parse_self_reads_the_unified_line),
                cmocka_unit_test(test_cgroup_parse_self_maps_root_to_empty),
                cmocka_unit_test(test_cgroup_parse_self_without_unified_line_is_enoent),
                cmocka_unit_test(test_cgroup_session_name_parse_reads_the_agent_pid),
                cmocka_unit_test(test_cgroup_session_name_parse_rejects_other_names),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

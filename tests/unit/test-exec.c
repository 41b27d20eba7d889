/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-exec.c: tests for src/agent/exec.c decisions taken before fork. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec.h"

static const PasswdEntry root_entry = { .name = (char *) "root", .uid = 0, .home = (char *) "/" };
static const PasswdEntry toor_entry = { .name = (char *) "toor", .uid = 0, .home = (char *) "/" };
static const PasswdEntry user_entry = {
        .name = (char *) "user", .uid = 1000, .home = (char *) "/"
};

static void test_exec_check_user_allows_ordinary_users(void **state) {
        assert_int_equal(exec_check_user(NULL, &user_entry), 0);
        assert_int_equal(exec_check_user("user", &user_entry), 0);
}

static void test_exec_check_user_allows_root_requested_explicitly(void **state) {
        assert_int_equal(exec_check_user("root", &root_entry), 0);
}

static void test_exec_check_user_refuses_root_by_default(void **state) {
        /* --default-user root, request names no user */
        assert_int_equal(exec_check_user(NULL, &root_entry), -EPERM);
}

static void test_exec_check_user_refuses_other_names_for_uid_0(void **state) {
        assert_int_equal(exec_check_user("toor", &toor_entry), -EPERM);
}

static void test_exec_spawn_rejects_unknown_user_before_fork(void **state) {
        char dir[] = "/tmp/test-exec-XXXXXX";
        char path[64], *argv[] = { (char *) "true", NULL };
        FrameOpen req = {
                .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1, .user = (char *) "ghost"
        };
        ExecContext ctx = { .etc_dir = dir, .default_user = "user" };
        ExecChild c = { .pid = 65 };
        const char *reason = NULL;
        FILE *f;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/passwd", dir);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs("user:x:1000:1000::/home/user:/bin/sh\n", f);
        fclose(f);

        assert_int_equal(exec_spawn(&req, &ctx, &c, &reason), -ENOENT);
        assert_string_equal(reason, "no such user");
        assert_int_equal(c.pid, 65);
        unlink(path);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exec_check_user_allows_ordinary_users),
                cmocka_unit_test(test_exec_check_user_allows_root_requested_explicitly),
                cmocka_unit_test(test_exec_check_user_refuses_root_by_default),
                cmocka_unit_test(test_exec_check_user_refuses_other_names_for_uid_0),
                cmocka_unit_test(test_exec_spawn_rejects_unknown_user_before_fork),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-spawn-util.c: tests for src/basic/spawn-util.c: running a program to completion, and
 * waiting for a child with a deadline. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "spawn-util.h"

static void test_spawn_wait_reports_the_exit(void **state) {
        assert_int_equal(spawn_wait((char *const[]){ (char *) "true", NULL }, NULL, -1), 0);
        assert_int_equal(spawn_wait((char *const[]){ (char *) "false", NULL }, NULL, -1), -EIO);
        assert_int_equal(spawn_wait((char *const[]){ (char *) "/nonexistent/x", NULL }, NULL, -1),
                        -ENOENT);
}

static void test_spawn_child_writes_stdout_to_the_fd_and_leaves_the_wait(void **state) {
        int fds[2], status = -1;
        char buf[16] = {};
        pid_t pid = 0;

        assert_int_equal(pipe(fds), 0);
        assert_int_equal(spawn_child((char *const[]){ (char *) "echo", (char *) "out", NULL }, NULL,
                                         fds[1], &pid),
                        0);
        assert_int_equal(close(fds[1]), 0);
        assert_true(pid > 0);
        assert_int_equal(read(fds[0], buf, sizeof(buf) - 1), 4);
        assert_string_equal(buf, "out\n");
        assert_int_equal(close(fds[0]), 0);
        /* Not reaped yet: ours to wait for. */
        assert_int_equal(wait_child(pid, &status), 0);
        assert_int_equal(wait_status_to_errno(status), 0);
        assert_int_equal(spawn_child((char *const[]){ (char *) "/nonexistent/x", NULL }, NULL, -1,
                                         &pid),
                        -ENOENT);
}

static pid_t child(unsigned sleep_sec, int exit_status) {
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                if (sleep_sec > 0)
                        sleep(sleep_sec);
                _exit(exit_status);
        }
        return pid;
}

static void test_wait_child_deadline_kills_a_slow_child(void **state) {
        pid_t pid = child(30, 0);
        int pidfd = pidfd_open(pid, 0), status = 0;

        assert_true(pidfd >= 0);
        assert_int_equal(wait_child_deadline(pid, pidfd, 50 * 1000, &status), -ETIME);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        assert_int_equal(wait_status_to_errno(status), -EIO);
        close(pidfd);
}

static void test_wait_child_deadline_returns_a_quick_childs_status(void **state) {
        pid_t pid = child(0, 3);
        int pidfd = pidfd_open(pid, 0), status = 0;

        assert_true(pidfd >= 0);
        assert_int_equal(wait_child_deadline(pid, pidfd, 10 * 1000 * 1000, &status), 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);
        assert_int_equal(wait_status_to_errno(status), -EIO);
        close(pidfd);

        pid = child(0, 0);
        assert_int_equal(wait_child(pid, &status), 0);
        assert_int_equal(wait_status_to_errno(status), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_spawn_wait_reports_the_exit),
                cmocka_unit_test(test_spawn_child_writes_stdout_to_the_fd_and_leaves_the_wait),
                cmocka_unit_test(test_wait_child_deadline_kills_a_slow_child),
                cmocka_unit_test(test_wait_child_deadline_returns_a_quick_childs_status),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-fileio.c: tests for fileio.c. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "macro.h"

static void test_read_retry_reads_then_returns_zero_at_eof(void **state) {
        int p[2];
        char buf[8];

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(write_full_fd(p[1], "abc", 3), 0);
        safe_close(p[1]);
        assert_int_equal(read_retry(p[0], buf, sizeof(buf)), 3);
        assert_memory_equal(buf, "abc", 3);
        assert_int_equal(read_retry(p[0], buf, sizeof(buf)), 0);
        safe_close(p[0]);
}

static void test_read_retry_reports_errno(void **state) {
        int p[2];
        char buf[8];

        assert_int_equal(read_retry(-1, buf, sizeof(buf)), -EBADF);
        assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        assert_int_equal(read_retry(p[0], buf, sizeof(buf)), -EAGAIN);
        safe_close(p[0]);
        safe_close(p[1]);
}

static void on_alarm(int sig) {
}

/* A signal that interrupts a blocked read is not an error: the read goes on and returns the data
 * written after it. */
static void test_read_retry_goes_on_after_eintr(void **state) {
        struct sigaction sa = { .sa_handler = on_alarm }, old;
        struct itimerval t = { .it_value = { .tv_usec = 20000 } };
        int p[2];
        pid_t pid;
        char buf[8];

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                usleep(200000);
                _exit(write(p[1], "late", 4) == 4 ? 0 : 1);
        }
        safe_close(p[1]);
        /* No SA_RESTART: the kernel returns EINTR to read(). */
        assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
        assert_int_equal(setitimer(ITIMER_REAL, &t, NULL), 0);
        assert_int_equal(read_retry(p[0], buf, sizeof(buf)), 4);
        assert_memory_equal(buf, "late", 4);
        assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
        safe_close(p[0]);
}

static void test_read_full_fd_caps_the_size(void **state) {
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        int p[2];

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(write_full_fd(p[1], "12345", 5), 0);
        safe_close(p[1]);
        assert_int_equal(read_full_fd(p[0], 4, &text, &size), -EFBIG);
        safe_close(p[0]);

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(write_full_fd(p[1], "12345", 5), 0);
        safe_close(p[1]);
        assert_int_equal(read_full_fd(p[0], 5, &text, &size), 0);
        assert_int_equal(size, 5);
        assert_string_equal(text, "12345");
        safe_close(p[0]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read_retry_reads_then_returns_zero_at_eof),
                cmocka_unit_test(test_read_retry_reports_errno),
                cmocka_unit_test(test_read_retry_goes_on_after_eintr),
                cmocka_unit_test(test_read_full_fd_caps_the_size),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

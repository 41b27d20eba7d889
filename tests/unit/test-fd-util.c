/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-fd-util.c: tests for src/basic/fd-util.c: fd_set_nonblock() adds O_NONBLOCK and keeps the
 * other status flags. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "fd-util.h"

static void test_sets_nonblock_and_keeps_append(void **state) {
        char path[] = "/tmp/test-fd-util-XXXXXX";
        int fd = mkstemp(path);

        assert_true(fd >= 0);
        unlink(path);
        assert_int_equal(fcntl(fd, F_SETFL, O_APPEND), 0);
        assert_int_equal(fd_set_nonblock(fd), 0);
        assert_int_equal(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
        /* Twice is fine: nothing changes. */
        assert_int_equal(fd_set_nonblock(fd), 0);
        assert_int_equal(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
        close(fd);
}

static void test_a_pipe_read_no_longer_blocks(void **state) {
        int fds[2];
        char c;

        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        assert_int_equal(fd_set_nonblock(fds[0]), 0);
        assert_int_equal(read(fds[0], &c, 1), -1);
        assert_int_equal(errno, EAGAIN);
        /* Only the end it was given. */
        assert_int_equal(fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0);
        close(fds[0]);
        close(fds[1]);
}

static void test_a_closed_fd_is_ebadf(void **state) {
        assert_int_equal(fd_set_nonblock(-1), -EBADF);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sets_nonblock_and_keeps_append),
                cmocka_unit_test(test_a_pipe_read_no_longer_blocks),
                cmocka_unit_test(test_a_closed_fd_is_ebadf),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

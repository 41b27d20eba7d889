/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-buffer.c: tests for src/basic/buffer.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buffer.h"

static void test_buffer_keeps_fifo_order_across_compaction(void **state) {
        Buffer b = {};
        uint8_t chunk[3000];

        for (int i = 0; i < 10; i++) {
                memset(chunk, 'a' + i, sizeof(chunk));
                assert_int_equal(buffer_append(&b, chunk, sizeof(chunk)), 0);
                buffer_consume(&b, 2000);
        }
        assert_int_equal(buffer_size(&b), 10000);
        assert_int_equal(b.data[b.start], 'g'); /* byte 20000 of 30000: chunk 6 */
        assert_int_equal(b.data[b.end - 1], 'j');
        buffer_finish(&b);
}

static void test_buffer_write_to_stops_at_a_full_pipe(void **state) {
        Buffer b = {};
        static uint8_t big[1 << 20];
        int p[2];
        ssize_t n;

        assert_int_equal(pipe2(p, O_NONBLOCK), 0);
        assert_int_equal(buffer_append(&b, big, sizeof(big)), 0);
        n = buffer_write_to(&b, p[1]);
        assert_true(n > 0);
        assert_int_equal(buffer_size(&b), sizeof(big) - (size_t) n);
        assert_int_equal(buffer_write_to(&b, p[1]), 0);
        close(p[0]);
        assert_int_equal(buffer_write_to(&b, p[1]), -EPIPE);
        close(p[1]);
        buffer_finish(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_buffer_keeps_fifo_order_across_compaction),
                cmocka_unit_test(test_buffer_write_to_stops_at_a_full_pipe),
        };

        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-ring.c: the console scrollback ring keeps the newest bytes in order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"

static void assert_ring(const Ring *r, const char *want) {
        const uint8_t *a, *b;
        size_t alen, blen;
        char got[64] = {};

        ring_segments(r, &a, &alen, &b, &blen);
        assert_true(alen + blen < sizeof(got));
        memcpy(got, a, alen);
        memcpy(got + alen, b, blen);
        assert_string_equal(got, want);
}

static void test_ring_keeps_everything_below_capacity(void **state) {
        Ring r;
        assert_int_equal(ring_init(&r, 8), 0);
        assert_ring(&r, "");
        ring_append(&r, (const uint8_t *) "abc", 3);
        ring_append(&r, (const uint8_t *) "de", 2);
        assert_ring(&r, "abcde");
        ring_finish(&r);
}

static void test_ring_overwrites_oldest_bytes_when_full(void **state) {
        Ring r;
        assert_int_equal(ring_init(&r, 8), 0);
        ring_append(&r, (const uint8_t *) "abcdef", 6);
        ring_append(&r, (const uint8_t *) "ghijk", 5);
        assert_ring(&r, "defghijk");
        ring_append(&r, (const uint8_t *) "l", 1);
        assert_ring(&r, "efghijkl");
        ring_finish(&r);
}

static void test_ring_append_larger_than_capacity_keeps_the_tail(void **state) {
        Ring r;
        assert_int_equal(ring_init(&r, 4), 0);
        ring_append(&r, (const uint8_t *) "xy", 2);
        ring_append(&r, (const uint8_t *) "0123456789", 10);
        assert_ring(&r, "6789");
        ring_finish(&r);
}

static void test_ring_refuses_zero_capacity(void **state) {
        Ring r;
        assert_int_equal(ring_init(&r, 0), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ring_keeps_everything_below_capacity),
                cmocka_unit_test(test_ring_overwrites_oldest_bytes_when_full),
                cmocka_unit_test(test_ring_append_larger_than_capacity_keeps_the_tail),
                cmocka_unit_test(test_ring_refuses_zero_capacity),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

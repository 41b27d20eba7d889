/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-ratelimit.c: tests for src/daemon/ratelimit.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ratelimit.h"

#define SEC 1000000ULL

static void test_ratelimit_lets_burst_through_per_interval(void **state) {
        Ratelimit rl = RATELIMIT_INIT(10 * SEC, 2);
        unsigned suppressed = 99;

        assert_true(ratelimit_below(&rl, 100 * SEC, &suppressed));
        assert_int_equal(suppressed, 0);
        assert_true(ratelimit_below(&rl, 101 * SEC, &suppressed));
        assert_false(ratelimit_below(&rl, 102 * SEC, &suppressed));
        assert_false(ratelimit_below(&rl, 109 * SEC, &suppressed));
}

static void test_ratelimit_reports_what_it_suppressed_in_the_next_window(void **state) {
        Ratelimit rl = RATELIMIT_INIT(10 * SEC, 1);
        unsigned suppressed = 99;

        assert_true(ratelimit_below(&rl, 5 * SEC, &suppressed));
        for (int i = 0; i < 1000; i++)
                assert_false(ratelimit_below(&rl, 6 * SEC, &suppressed));
        assert_true(ratelimit_below(&rl, 15 * SEC, &suppressed));
        assert_int_equal(suppressed, 1000);
        assert_false(ratelimit_below(&rl, 16 * SEC, &suppressed));
        assert_true(ratelimit_below(&rl, 25 * SEC, &suppressed));
        assert_int_equal(suppressed, 1);
}

static void test_ratelimit_first_event_passes_at_time_zero(void **state) {
        Ratelimit rl = RATELIMIT_INIT(10 * SEC, 1);
        unsigned suppressed = 99;

        assert_true(ratelimit_below(&rl, 0, &suppressed));
        assert_int_equal(suppressed, 0);
        assert_false(ratelimit_below(&rl, 1, &suppressed));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ratelimit_lets_burst_through_per_interval),
                cmocka_unit_test(test_ratelimit_reports_what_it_suppressed_in_the_next_window),
                cmocka_unit_test(test_ratelimit_first_event_passes_at_time_zero),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

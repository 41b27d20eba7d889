/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-session.c: tests for the pure parts of src/cli/session.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "session.h"

static void test_session_exit_status_passes_exit_codes(void **state) {
        SessionResult r = { .how = EXIT_HOW_EXITED, .code = 42 };

        assert_int_equal(session_result_to_exit_status(&r), 42);
}

static void test_session_exit_status_maps_signals_to_128_plus(void **state) {
        SessionResult r = { .how = EXIT_HOW_SIGNALED, .code = 9 };

        assert_int_equal(session_result_to_exit_status(&r), 137);
}

static void test_session_exit_status_of_a_failed_session_is_255(void **state) {
        SessionResult r = { .error = -ECONNRESET, .how = EXIT_HOW_EXITED, .code = 0 };

        assert_int_equal(session_result_to_exit_status(&r), 255);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_session_exit_status_passes_exit_codes),
                cmocka_unit_test(test_session_exit_status_maps_signals_to_128_plus),
                cmocka_unit_test(test_session_exit_status_of_a_failed_session_is_255),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-selection.c: the copy key asks the guest's current selection source for its best text
 * type, and for nothing once the selection is gone or offered no text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "selection.h"

static void assert_asks(const Selection *s, uint32_t source, const char *mime) {
        uint32_t got = 0;

        assert_string_equal(selection_text_type(s, &got), mime);
        assert_int_equal(got, source);
}

static void test_the_best_text_type_of_the_selection(void **state) {
        Selection s = {};

        selection_offer(&s, 10, "image/png");
        selection_offer(&s, 10, "text/plain");
        selection_offer(&s, 10, "UTF8_STRING");
        selection_set(&s, 10);
        assert_asks(&s, 10, "UTF8_STRING");
        selection_offer(&s, 10, "text/plain;charset=utf-8"); /* late, still counted */
        assert_asks(&s, 10, "text/plain;charset=utf-8");
}

static void test_no_selection_no_text_no_request(void **state) {
        Selection s = {};
        uint32_t source;

        assert_null(selection_text_type(&s, &source));
        selection_offer(&s, 10, "image/png");
        selection_set(&s, 10);
        assert_null(selection_text_type(&s, &source));
        selection_offer(&s, 11, "text/plain");
        selection_set(&s, 11);
        assert_asks(&s, 11, "text/plain");
        selection_set(&s, 0); /* the guest cleared it */
        assert_null(selection_text_type(&s, &source));
        selection_set(&s, 11);
        selection_forget(&s, 11); /* destroyed */
        assert_null(selection_text_type(&s, &source));
        selection_set(&s, 11); /* a new object with the id: it offered nothing */
        assert_null(selection_text_type(&s, &source));
}

static void test_sources_are_bounded(void **state) {
        Selection s = {};
        uint32_t source;

        for (uint32_t id = 1; id <= SELECTION_SOURCES_MAX + 1; id++)
                selection_offer(&s, id, "text/plain");
        /* the oldest was forgotten, the newest kept */
        selection_set(&s, 1);
        assert_null(selection_text_type(&s, &source));
        selection_set(&s, SELECTION_SOURCES_MAX + 1);
        assert_asks(&s, SELECTION_SOURCES_MAX + 1, "text/plain");
        selection_set(&s, 2);
        assert_asks(&s, 2, "text/plain");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_the_best_text_type_of_the_selection),
                cmocka_unit_test(test_no_selection_no_text_no_request),
                cmocka_unit_test(test_sources_are_bounded),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

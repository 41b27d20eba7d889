/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-strv.c: tests for strv.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "strv.h"

static void test_strv_free_accepts_null(void **state) {
        assert_null(strv_free(NULL));
}

static void test_strv_length_counts_null_as_empty(void **state) {
        assert_int_equal(strv_length(NULL), 0);
}

static void test_strv_extend_appends_copies_in_order(void **state) {
        _cleanup_(strv_freep) char **l = NULL;
        char buf[] = "b";

        assert_int_equal(strv_extend(&l, "a"), 0);
        assert_int_equal(strv_extend(&l, buf), 0);
        buf[0] = 'x';
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[1], "b");
        assert_null(l[2]);
}

static void test_strv_consume_takes_ownership(void **state) {
        _cleanup_(strv_freep) char **l = NULL;
        char *s = strdup("owned");

        assert_non_null(s);
        assert_int_equal(strv_consume(&l, s), 0);
        assert_ptr_equal(l[0], s);
}

static void test_strv_extend_strv_appends_all(void **state) {
        _cleanup_(strv_freep) char **l = NULL;
        char *other[] = { "x", "y", NULL };

        assert_int_equal(strv_extend(&l, "w"), 0);
        assert_int_equal(strv_extend_strv(&l, other), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[2], "y");
}

static void test_strv_find_returns_index_or_enoent(void **state) {
        char *l[] = { "a", "b", "c", NULL };

        assert_int_equal(strv_find(l, "c"), 2);
        assert_int_equal(strv_find(l, "d"), -ENOENT);
        assert_int_equal(strv_find(NULL, "a"), -ENOENT);
}

static void test_strv_contains_matches_whole_strings(void **state) {
        char *l[] = { "abc", NULL };

        assert_true(strv_contains(l, "abc"));
        assert_false(strv_contains(l, "ab"));
}

static void test_strv_new_empty_is_empty_not_null(void **state) {
        _cleanup_(strv_freep) char **l = strv_new_empty();

        assert_non_null(l);
        assert_null(l[0]);
}

static void test_strv_copy_is_deep(void **state) {
        char a[] = "a";
        char *l[] = { a, NULL };
        _cleanup_(strv_freep) char **c = strv_copy(l);

        assert_non_null(c);
        assert_ptr_not_equal(c[0], a);
        assert_string_equal(c[0], "a");
}

static void test_strv_copy_of_null_is_empty(void **state) {
        _cleanup_(strv_freep) char **c = strv_copy(NULL);

        assert_non_null(c);
        assert_int_equal(strv_length(c), 0);
}

static void test_strv_sort_orders_by_strcmp(void **state) {
        char *l[] = { "b", "C", "a", NULL };

        strv_sort(l);
        assert_string_equal(l[0], "C");
        assert_string_equal(l[1], "a");
        assert_string_equal(l[2], "b");
}

static void test_strv_join_uses_separator_between_items(void **state) {
        char *l[] = { "a", "b", "c", NULL };
        _cleanup_(freep) char *j = strv_join(l, ", ");
        _cleanup_(freep) char *e = strv_join(NULL, ",");

        assert_string_equal(j, "a, b, c");
        assert_string_equal(e, "");
}

static void test_strv_equal_compares_items_and_length(void **state) {
        char *a[] = { "a", "b", NULL };
        char *b[] = { "a", "b", NULL };
        char *c[] = { "a", NULL };

        assert_true(strv_equal(a, b));
        assert_false(strv_equal(a, c));
        assert_true(strv_equal(NULL, (char *[]){ NULL }));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_strv_free_accepts_null),
                cmocka_unit_test(test_strv_length_counts_null_as_empty),
                cmocka_unit_test(test_strv_extend_appends_copies_in_order),
                cmocka_unit_test(test_strv_consume_takes_ownership),
                cmocka_unit_test(test_strv_extend_strv_appends_all),
                cmocka_unit_test(test_strv_find_returns_index_or_enoent),
                cmocka_unit_test(test_strv_contains_matches_whole_strings),
                cmocka_unit_test(test_strv_new_empty_is_empty_not_null),
                cmocka_unit_test(test_strv_copy_is_deep),
                cmocka_unit_test(test_strv_copy_of_null_is_empty),
                cmocka_unit_test(test_strv_sort_orders_by_strcmp),
                cmocka_unit_test(test_strv_join_uses_separator_between_items),
                cmocka_unit_test(test_strv_equal_compares_items_and_length),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

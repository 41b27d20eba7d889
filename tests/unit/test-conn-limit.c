/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-conn-limit.c: tests for src/daemon/conn-limit.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conn-limit.h"

static void test_conn_limit_caps_one_uid_below_the_socket_total(void **state) {
        ConnLimit l;

        conn_limit_init(&l, 4, 2);
        assert_int_equal(conn_limit_acquire(&l, 1000), 0);
        assert_int_equal(conn_limit_acquire(&l, 1000), 0);
        assert_int_equal(conn_limit_acquire(&l, 1000), -EUSERS);
        assert_int_equal(conn_limit_get(&l, 1000), 2);
        /* The user at its cap still leaves root room. */
        assert_int_equal(conn_limit_acquire(&l, 0), 0);
        assert_int_equal(conn_limit_get(&l, 0), 1);
        conn_limit_finish(&l);
}

static void test_conn_limit_caps_the_socket_total_across_uids(void **state) {
        ConnLimit l;

        conn_limit_init(&l, 3, 2);
        assert_int_equal(conn_limit_acquire(&l, 1), 0);
        assert_int_equal(conn_limit_acquire(&l, 2), 0);
        assert_int_equal(conn_limit_acquire(&l, 3), 0);
        assert_int_equal(conn_limit_acquire(&l, 4), -EMFILE);
        assert_int_equal(conn_limit_acquire(&l, 1), -EMFILE);
        assert_int_equal(conn_limit_get(&l, 4), 0);
        assert_int_equal(l.n_total, 3);
        conn_limit_finish(&l);
}

static void test_conn_limit_release_frees_the_slot_and_forgets_idle_uids(void **state) {
        ConnLimit l;

        conn_limit_init(&l, 2, 1);
        assert_int_equal(conn_limit_acquire(&l, 7), 0);
        assert_int_equal(conn_limit_acquire(&l, 8), 0);
        conn_limit_release(&l, 7);
        assert_int_equal(conn_limit_get(&l, 7), 0);
        assert_int_equal(l.n_uids, 1);
        assert_int_equal(conn_limit_get(&l, 8), 1);
        assert_int_equal(conn_limit_acquire(&l, 7), 0);
        assert_int_equal(l.n_total, 2);
        conn_limit_finish(&l);
}

static void test_conn_limit_zeroed_admits_nothing(void **state) {
        ConnLimit l = {};

        assert_int_equal(conn_limit_acquire(&l, 0), -EMFILE);
        conn_limit_finish(&l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_conn_limit_caps_one_uid_below_the_socket_total),
                cmocka_unit_test(test_conn_limit_caps_the_socket_total_across_uids),
                cmocka_unit_test(test_conn_limit_release_frees_the_slot_and_forgets_idle_uids),
                cmocka_unit_test(test_conn_limit_zeroed_admits_nothing),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

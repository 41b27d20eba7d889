/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-idmap.c: guest and compositor id spaces: dense upstream ids whatever the guest picks, the
 * fence's own objects between them, delete_id freeing both sides, the compositor's objects hidden,
 * the fence's dense in the guest's compositor range. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "idmap.h"
#include "wayland-client-protocol.h"
#include "wire.h"

static void test_idmap_display_is_one_in_both_spaces(void **state) {
        Idmap m;

        assert_int_equal(idmap_init(&m), 0);
        assert_int_equal(idmap_to_upstream(&m, 1), 1);
        assert_int_equal(idmap_to_guest(&m, 1, NULL), 1);
        assert_int_equal(idmap_to_upstream(&m, 2), 0);
        assert_int_equal(idmap_to_upstream(&m, 0), 0);
        idmap_finish(&m);
}

static void test_idmap_upstream_ids_are_dense_whatever_the_guest_picks(void **state) {
        const struct wl_interface *own;
        uint32_t up;
        Idmap m;

        assert_int_equal(idmap_init(&m), 0);
        /* libwayland-server refuses an id more than one past its highest: a guest's gap must
         * not reach it */
        assert_int_equal(idmap_add_guest(&m, 5000, &up), 0);
        assert_int_equal(up, 2);
        assert_int_equal(idmap_add_own(&m, &wl_surface_interface, &up), 0);
        assert_int_equal(up, 3);
        assert_int_equal(idmap_add_guest(&m, 3, &up), 0);
        assert_int_equal(up, 4);
        assert_int_equal(idmap_to_upstream(&m, 5000), 2);
        assert_int_equal(idmap_to_upstream(&m, 3), 4);
        assert_int_equal(idmap_to_guest(&m, 2, &own), 5000);
        assert_null(own);
        assert_int_equal(idmap_to_guest(&m, 3, &own), 0);
        assert_ptr_equal(own, &wl_surface_interface);
        assert_int_equal(idmap_to_guest(&m, 4, NULL), 3);
        assert_int_equal(idmap_to_guest(&m, 5, &own), 0);
        assert_null(own);
        idmap_finish(&m);
}

static void test_idmap_delete_id_frees_both_and_the_lowest_is_reused(void **state) {
        uint32_t up, guest;
        Idmap m;

        assert_int_equal(idmap_init(&m), 0);
        assert_int_equal(idmap_add_guest(&m, 2, &up), 0);
        assert_int_equal(idmap_add_own(&m, &wl_surface_interface, &up), 0);
        assert_int_equal(idmap_add_guest(&m, 4, &up), 0);
        assert_int_equal(idmap_delete(&m, 2, &guest), 0);
        assert_int_equal(guest, 2);
        assert_int_equal(idmap_to_upstream(&m, 2), 0);
        assert_int_equal(idmap_delete(&m, 3, &guest), 0);
        assert_int_equal(guest, 0); /* the fence's own: the guest never hears of it */
        assert_int_equal(idmap_delete(&m, 3, &guest), -ENOENT);
        assert_int_equal(idmap_delete(&m, 1, &guest), -ENOENT);
        assert_int_equal(idmap_delete(&m, 99, &guest), -ENOENT);
        /* the guest's id 2 may come back, and takes the lowest free upstream id */
        assert_int_equal(idmap_add_guest(&m, 2, &up), 0);
        assert_int_equal(up, 2);
        assert_int_equal(idmap_add_own(&m, &wl_surface_interface, &up), 0);
        assert_int_equal(up, 3);
        assert_int_equal(idmap_add_own(&m, &wl_surface_interface, &up), 0);
        assert_int_equal(up, 5);
        idmap_finish(&m);
}

static void test_idmap_refuses_live_zero_and_compositor_ids(void **state) {
        uint32_t up;
        Idmap m;

        assert_int_equal(idmap_init(&m), 0);
        assert_int_equal(idmap_add_guest(&m, 1, &up), -EEXIST);
        assert_int_equal(idmap_add_guest(&m, 0, &up), -EINVAL);
        assert_int_equal(idmap_add_guest(&m, WIRE_SERVER_ID_START, &up), -EINVAL);
        assert_int_equal(idmap_add_guest(&m, 7, &up), 0);
        assert_int_equal(idmap_add_guest(&m, 7, &up), -EEXIST);
        idmap_finish(&m);
}

static void test_idmap_compositor_objects_stay_hidden(void **state) {
        const struct wl_interface *own;
        Idmap m;

        assert_int_equal(idmap_init(&m), 0);
        assert_int_equal(idmap_add_hidden(&m, 7, &wl_data_offer_interface), -EINVAL);
        assert_int_equal(idmap_add_hidden(&m, WIRE_SERVER_ID_START + 3, &wl_data_offer_interface),
                        0);
        /* its events are decoded with its interface, but it has no id in the guest's space */
        assert_int_equal(idmap_to_guest(&m, WIRE_SERVER_ID_START + 3, &own), 0);
        assert_ptr_equal(own, &wl_data_offer_interface);
        assert_int_equal(idmap_to_guest(&m, WIRE_SERVER_ID_START + 2, &own), 0);
        assert_null(own);
        assert_int_equal(idmap_to_guest(&m, WIRE_SERVER_ID_START + 99, &own), 0);
        assert_null(own);
        /* and the guest cannot name it: its compositor-range ids go nowhere upstream */
        assert_int_equal(idmap_to_upstream(&m, WIRE_SERVER_ID_START + 3), 0);
        assert_false(idmap_is_own_server(&m, WIRE_SERVER_ID_START + 3));
        /* reused by the compositor without delete_id: replaced */
        assert_int_equal(idmap_add_hidden(&m, WIRE_SERVER_ID_START + 3, &wl_callback_interface), 0);
        assert_int_equal(idmap_to_guest(&m, WIRE_SERVER_ID_START + 3, &own), 0);
        assert_ptr_equal(own, &wl_callback_interface);
        assert_int_equal(idmap_add_hidden(&m, WIRE_SERVER_ID_START + IDMAP_SERVER_IDS_MAX,
                                         &wl_callback_interface),
                        -EMFILE);
        idmap_finish(&m);
}

static void test_idmap_own_compositor_range_ids_are_dense_for_the_guest(void **state) {
        uint32_t a, b, c;
        Idmap m;

        assert_int_equal(idmap_init(&m), 0);
        /* the compositor's hidden ids take none of the guest's */
        assert_int_equal(idmap_add_hidden(&m, WIRE_SERVER_ID_START, &wl_data_offer_interface), 0);
        /* libwayland-client takes a new server id only up to one past its highest */
        assert_int_equal(idmap_add_own_server(&m, &a), 0);
        assert_int_equal(a, WIRE_SERVER_ID_START);
        assert_int_equal(idmap_add_own_server(&m, &b), 0);
        assert_int_equal(b, WIRE_SERVER_ID_START + 1);
        assert_true(idmap_is_own_server(&m, a));
        assert_int_equal(idmap_to_upstream(&m, a), 0);
        assert_int_equal(idmap_delete_own_server(&m, a), 0);
        assert_false(idmap_is_own_server(&m, a));
        assert_int_equal(idmap_delete_own_server(&m, a), -ENOENT);
        assert_int_equal(idmap_delete_own_server(&m, 5), -ENOENT);
        assert_int_equal(idmap_add_own_server(&m, &c), 0);
        assert_int_equal(c, a);
        assert_int_equal(idmap_add_own_server(&m, &c), 0);
        assert_int_equal(c, WIRE_SERVER_ID_START + 2);
        idmap_finish(&m);
}

static void test_idmap_stops_at_its_cap(void **state) {
        uint32_t up = 0;
        Idmap m;
        int r = 0;

        assert_int_equal(idmap_init(&m), 0);
        for (uint32_t i = 0; i < IDMAP_IDS_MAX + 10 && r == 0; i++)
                r = idmap_add_own(&m, &wl_surface_interface, &up);
        assert_int_equal(r, -EMFILE);
        assert_int_equal(up, IDMAP_IDS_MAX);
        assert_int_equal(idmap_add_guest(&m, 2, &up), -EMFILE);
        idmap_finish(&m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_idmap_display_is_one_in_both_spaces),
                cmocka_unit_test(test_idmap_upstream_ids_are_dense_whatever_the_guest_picks),
                cmocka_unit_test(test_idmap_delete_id_frees_both_and_the_lowest_is_reused),
                cmocka_unit_test(test_idmap_refuses_live_zero_and_compositor_ids),
                cmocka_unit_test(test_idmap_compositor_objects_stay_hidden),
                cmocka_unit_test(test_idmap_own_compositor_range_ids_are_dense_for_the_guest),
                cmocka_unit_test(test_idmap_stops_at_its_cap),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

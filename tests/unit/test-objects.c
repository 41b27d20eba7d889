/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-objects.c: object ids per range, delete_id, reuse and the per-connection cap. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "objects.h"
#include "wayland-server-protocol.h"
#include "wire.h"

static void test_objects_start_with_the_display(void **state) {
        ObjectTable t;

        assert_int_equal(objects_init(&t, &wl_display_interface), 0);
        assert_ptr_equal(objects_get(&t, 1)->interface, &wl_display_interface);
        assert_null(objects_get(&t, 0));
        assert_null(objects_get(&t, 2));
        assert_null(objects_get(&t, WIRE_SERVER_ID_START));
        objects_finish(&t);
}

static void test_objects_new_ids_must_be_in_their_side_range(void **state) {
        ObjectTable t;

        assert_int_equal(objects_init(&t, &wl_display_interface), 0);
        assert_int_equal(objects_add(&t, WIRE_SERVER_ID_START, false, &wl_callback_interface, 1),
                        -EINVAL);
        assert_int_equal(objects_add(&t, 2, true, &wl_callback_interface, 1), -EINVAL);
        assert_int_equal(objects_add(&t, 0, false, &wl_callback_interface, 1), -EINVAL);
        assert_int_equal(objects_add(&t, 2, false, &wl_registry_interface, 1), 0);
        assert_int_equal(objects_add(&t, WIRE_SERVER_ID_START + 1, true, &wl_data_offer_interface,
                                         3),
                        0);
        assert_ptr_equal(objects_get(&t, 2)->interface, &wl_registry_interface);
        assert_int_equal(objects_get(&t, WIRE_SERVER_ID_START + 1)->version, 3);
        objects_finish(&t);
}

static void test_objects_client_id_is_reused_only_after_delete_id(void **state) {
        ObjectTable t;

        assert_int_equal(objects_init(&t, &wl_display_interface), 0);
        assert_int_equal(objects_add(&t, 3, false, &wl_callback_interface, 1), 0);
        assert_int_equal(objects_add(&t, 3, false, &wl_callback_interface, 1), -EEXIST);
        assert_int_equal(objects_delete(&t, 3), 0);
        assert_null(objects_get(&t, 3));
        assert_int_equal(objects_delete(&t, 3), -ENOENT);
        assert_int_equal(objects_add(&t, 3, false, &wl_registry_interface, 1), 0);
        objects_finish(&t);
}

static void test_objects_server_id_is_replaced_without_delete_id(void **state) {
        ObjectTable t;

        assert_int_equal(objects_init(&t, &wl_display_interface), 0);
        assert_int_equal(objects_add(&t, WIRE_SERVER_ID_START, true, &wl_data_offer_interface, 1),
                        0);
        assert_int_equal(objects_add(&t, WIRE_SERVER_ID_START, true, &wl_callback_interface, 1), 0);
        assert_ptr_equal(objects_get(&t, WIRE_SERVER_ID_START)->interface, &wl_callback_interface);
        /* the guest destroyed it (the fence's own offer): gone */
        assert_int_equal(objects_delete(&t, WIRE_SERVER_ID_START), 0);
        assert_null(objects_get(&t, WIRE_SERVER_ID_START));
        assert_int_equal(objects_delete(&t, WIRE_SERVER_ID_START), -ENOENT);
        objects_finish(&t);
}

static void test_objects_refuses_ids_past_the_cap(void **state) {
        ObjectTable t;

        assert_int_equal(objects_init(&t, &wl_display_interface), 0);
        for (uint32_t id = 2; id <= OBJECTS_MAX; id++)
                assert_int_equal(objects_add(&t, id, false, &wl_callback_interface, 1), 0);
        assert_int_equal(objects_add(&t, OBJECTS_MAX + 1, false, &wl_callback_interface, 1),
                        -EMFILE);
        assert_int_equal(objects_add(&t, 0xfe000000, false, &wl_callback_interface, 1), -EMFILE);
        assert_int_equal(objects_add(&t, WIRE_SERVER_ID_START + OBJECTS_MAX, true,
                                         &wl_callback_interface, 1),
                        -EMFILE);
        objects_finish(&t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_objects_start_with_the_display),
                cmocka_unit_test(test_objects_new_ids_must_be_in_their_side_range),
                cmocka_unit_test(test_objects_client_id_is_reused_only_after_delete_id),
                cmocka_unit_test(test_objects_server_id_is_replaced_without_delete_id),
                cmocka_unit_test(test_objects_refuses_ids_past_the_cap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-tray-wire.c: the messages between the halves of vmsilo-tray, and the pixmap border. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tray-border.h"
#include "tray-wire.h"

static TrayItem *sample_item(void) {
        TrayItem *item = calloc(1, sizeof(*item));

        item->id = strdup("mail");
        item->title = strdup("<b>Mail</b>");
        item->category = strdup("Communications");
        item->tooltip_text = strdup("3 new");
        item->has_menu = true;
        item->icon.pixmaps[0] = (TrayPixmap){ 2, 2, calloc(1, 16), 16 };
        item->icon.n = 1;
        item->menu = calloc(2, sizeof(TrayMenuNode));
        item->menu[0] = (TrayMenuNode){ .id = 1,
                .parent = TRAY_MENU_PARENT_ROOT,
                .enabled = true,
                .visible = true,
                .toggle_state = -1,
                .label = strdup("More") };
        item->menu[1] = (TrayMenuNode){ .id = 7,
                .parent = 0,
                .enabled = false,
                .visible = true,
                .toggle_type = TRAY_TOGGLE_CHECKMARK,
                .toggle_state = 1,
                .label = strdup("Sub") };
        item->n_menu = 2;
        return item;
}

static void test_item_round_trips_sanitised(void **state) {
        TrayItem *item = sample_item(), *got = NULL;
        const char *reason = NULL;
        uint8_t *msg, type;
        size_t size, framed;
        uint32_t key;

        assert_int_equal(tray_wire_encode_item(42, item, &msg, &size), 0);
        assert_int_equal(tray_wire_frame(msg, size, &framed), 0);
        assert_int_equal(framed, size);
        assert_int_equal(tray_wire_frame(msg, size - 1, &framed), -EAGAIN);
        assert_int_equal(tray_wire_peek(msg, size, &type, &key), 0);
        assert_int_equal(type, TRAY_MSG_ITEM);
        assert_int_equal(key, 42);
        assert_int_equal(tray_wire_decode_item(msg, size, &got, &reason), 0);
        assert_string_equal(got->title, "Mail");
        assert_string_equal(got->category, "Communications");
        assert_string_equal(got->status, "Active"); /* absent: the default */
        assert_true(got->has_menu);
        assert_int_equal(got->icon.n, 1);
        assert_int_equal(got->n_menu, 2);
        assert_int_equal(got->menu[1].id, 7);
        assert_int_equal(got->menu[1].parent, 0);
        assert_false(got->menu[1].enabled);
        assert_int_equal(got->menu[1].toggle_state, 1);
        assert_true(tray_menu_node_has_children(got, 0));
        free(msg);
        tray_item_free(got);
        tray_item_free(item);
}

static void test_item_breaking_a_bound_is_refused(void **state) {
        TrayItem *item = sample_item(), *got = NULL;
        const char *reason = NULL;
        uint8_t *msg;
        size_t size;

        item->icon.pixmaps[0].width = 20000; /* header only: 16 bytes of data */
        assert_int_equal(tray_wire_encode_item(1, item, &msg, &size), 0);
        assert_int_equal(tray_wire_decode_item(msg, size, &got, &reason), -EBADMSG);
        assert_null(got);
        assert_non_null(strstr(reason, "pixmap"));
        free(msg);
        tray_item_free(item);
}

static void test_truncated_and_padded_messages_are_refused(void **state) {
        TrayItem *item = sample_item(), *got = NULL;
        uint8_t *msg, *longer;
        size_t size;

        assert_int_equal(tray_wire_encode_item(1, item, &msg, &size), 0);
        for (size_t n = 0; n < size; n++)
                assert_int_equal(tray_wire_decode_item(msg, n, &got, NULL), -EBADMSG);
        longer = calloc(1, size + 1);
        memcpy(longer, msg, size);
        assert_int_equal(tray_wire_decode_item(longer, size + 1, &got, NULL), -EBADMSG);
        free(longer);
        free(msg);
        tray_item_free(item);
}

static void test_frame_refuses_zero_and_oversized_lengths(void **state) {
        uint8_t zero[8] = { 0 }, big[8] = { 0x01, 0x00, 0x30, 0x00 }; /* 3 MiB + 1 */
        size_t size;

        assert_int_equal(tray_wire_frame(zero, sizeof(zero), &size), -EBADMSG);
        assert_int_equal(tray_wire_frame(big, sizeof(big), &size), -EBADMSG);
        assert_int_equal(tray_wire_frame(zero, 3, &size), -EAGAIN);
}

static void test_actions_round_trip(void **state) {
        static const TrayAction actions[] = {
                { TRAY_MSG_ACTIVATE, 3, -10, 20 },
                { TRAY_MSG_SECONDARY_ACTIVATE, 3, 1, 2 },
                { TRAY_MSG_CONTEXT_MENU, 3, 5, 6 },
                { TRAY_MSG_SCROLL, 4, -120, 1 },
                { TRAY_MSG_MENU_EVENT, 5, 77, TRAY_MENU_EVENT_CLICKED },
                { TRAY_MSG_ABOUT_TO_SHOW, 6, 9, 0 },
        };

        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
                TrayAction got;
                uint8_t *msg;
                size_t size;

                assert_int_equal(tray_wire_encode_action(&actions[i], &msg, &size), 0);
                assert_int_equal(tray_wire_decode_action(msg, size, &got), 0);
                assert_memory_equal(&got, &actions[i], sizeof(got));
                free(msg);
        }
}

static void test_action_with_unknown_event_is_refused(void **state) {
        TrayAction a = { TRAY_MSG_MENU_EVENT, 1, 2, _TRAY_MENU_EVENT_MAX }, got;
        uint8_t *msg;
        size_t size;

        assert_int_equal(tray_wire_encode_action(&a, &msg, &size), 0);
        assert_int_equal(tray_wire_decode_action(msg, size, &got), -EBADMSG);
        free(msg);
        assert_int_equal(tray_wire_encode_remove(1, &msg, &size), 0);
        assert_int_equal(tray_wire_decode_action(msg, size, &got), -EBADMSG);
        free(msg);
}

static void test_border_frames_the_pixmap_in_the_vm_colour(void **state) {
        TrayPixmaps p = { .n = 1 };
        uint8_t *px = calloc(1, 32 * 32 * 4);

        p.pixmaps[0] = (TrayPixmap){ 32, 32, px, 32 * 32 * 4 };
        tray_border_draw(&p, 0x123456);
        assert_memory_equal(px, "\xff\x12\x34\x56", 4);                     /* corner */
        assert_memory_equal(px + (1 * 32 + 16) * 4, "\xff\x12\x34\x56", 4); /* 2 px wide */
        assert_memory_equal(px + (2 * 32 + 16) * 4, "\0\0\0\0", 4);         /* inside */
        assert_memory_equal(px + (31 * 32 + 31) * 4, "\xff\x12\x34\x56", 4);
        tray_pixmaps_finish(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_item_round_trips_sanitised),
                cmocka_unit_test(test_item_breaking_a_bound_is_refused),
                cmocka_unit_test(test_truncated_and_padded_messages_are_refused),
                cmocka_unit_test(test_frame_refuses_zero_and_oversized_lengths),
                cmocka_unit_test(test_actions_round_trip),
                cmocka_unit_test(test_action_with_unknown_event_is_refused),
                cmocka_unit_test(test_border_frames_the_pixmap_in_the_vm_colour),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-tray-sanitize.c: the host's rules for guest tray items. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tray-sanitize.h"

static void assert_text(const char *guest, size_t len, const char *want) {
        char *got = NULL;

        assert_int_equal(tray_sanitize_text(guest, len, &got), 0);
        assert_string_equal(got, want);
        free(got);
}

static void test_text_strips_markup_and_entities(void **state) {
        assert_text("<b>bold</b> &amp; <a href='x'>link</a>", 38, "bold  link");
        assert_text("a < b > c & d", 13, "a  c  d"); /* "< b >" is a tag */
        assert_text("&#x202e;x&lt;script&gt;", 23, "xscript");
        assert_text("<unterminated", 13, "");
        assert_text("AT&T;", 5, "AT"); /* looks like an entity: dropped whole */
}

static void test_text_drops_controls_bidi_and_invalid_utf8(void **state) {
        assert_text("a\tb\x1b[1m\xe2\x80\xae"
                    "c\xff",
                        12, "ab[1mc\xef\xbf\xbd");
}

static void test_text_is_cut_to_the_bound_on_a_character(void **state) {
        char in[600], *got = NULL;

        for (size_t i = 0; i < sizeof(in); i += 2)
                memcpy(in + i, "\xc3\xa9", 2); /* é */
        assert_int_equal(tray_sanitize_text(in, sizeof(in), &got), 0);
        assert_int_equal(strlen(got), TRAY_STRING_MAX);
        assert_string_equal(got + TRAY_STRING_MAX - 2, "\xc3\xa9");
        free(got);
}

static TrayItem *item_with_menu(size_t n) {
        TrayItem *item = calloc(1, sizeof(*item));
        item->menu = calloc(n ? n : 1, sizeof(TrayMenuNode));
        item->n_menu = n;
        for (size_t i = 0; i < n; i++)
                item->menu[i] = (TrayMenuNode){ .id = (int32_t) i + 1,
                        .parent = TRAY_MENU_PARENT_ROOT,
                        .toggle_state = -1,
                        .label = strdup("x") };
        return item;
}

static void assert_refused(TrayItem *item, const char *reason) {
        const char *got = NULL;

        assert_int_equal(tray_sanitize_item(item, &got), -EBADMSG);
        assert_string_equal(got, reason);
        tray_item_free(item);
}

static void test_item_menu_bounds(void **state) {
        const char *reason = NULL;
        TrayItem *item = item_with_menu(TRAY_MENU_ITEMS_MAX);

        assert_int_equal(tray_sanitize_item(item, &reason), 0);
        tray_item_free(item);
        assert_refused(item_with_menu(TRAY_MENU_ITEMS_MAX + 1), "menu has too many entries");

        item = item_with_menu(TRAY_MENU_DEPTH_MAX + 1);
        for (size_t i = 1; i < item->n_menu; i++)
                item->menu[i].parent = (uint16_t) (i - 1);
        assert_refused(item, "menu is too deep");

        item = item_with_menu(TRAY_MENU_DEPTH_MAX);
        for (size_t i = 1; i < item->n_menu; i++)
                item->menu[i].parent = (uint16_t) (i - 1);
        assert_int_equal(tray_sanitize_item(item, &reason), 0);
        tray_item_free(item);
}

static void test_item_menu_structure(void **state) {
        TrayItem *item = item_with_menu(2);
        item->menu[1].id = 1;
        assert_refused(item, "menu entry id is not unique");

        item = item_with_menu(2);
        item->menu[0].parent = 1;
        assert_refused(item, "menu entry comes before its parent");

        item = item_with_menu(1);
        item->menu[0].id = 0;
        assert_refused(item, "menu entry id is not positive");

        item = item_with_menu(1);
        item->menu[0].toggle_type = _TRAY_TOGGLE_TYPE_MAX;
        assert_refused(item, "menu entry has an unknown type or toggle");
}

static void test_item_pixmap_bounds(void **state) {
        static const struct {
                uint32_t w, h;
                size_t size;
                bool ok;
        } cases[] = {
                { 1, 1, 4, true },
                { 256, 256, 256 * 256 * 4, true },
                { 257, 1, 257 * 4, false },
                { 20000, 20000, 16, false },
                { 0, 0, 0, false },
                { 2, 2, 15, false },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                TrayItem *item = item_with_menu(0);
                const char *reason = NULL;
                item->attention.pixmaps[0] = (TrayPixmap){ cases[i].w, cases[i].h,
                        calloc(1, cases[i].size + 1), cases[i].size };
                item->attention.n = 1;
                assert_int_equal(tray_sanitize_item(item, &reason), cases[i].ok ? 0 : -EBADMSG);
                tray_item_free(item);
        }
}

static void test_item_category_and_status_are_whitelisted(void **state) {
        TrayItem *item = item_with_menu(0);

        item->category = strdup("Hardware");
        item->status = strdup("Blinking");
        assert_int_equal(tray_sanitize_item(item, NULL), 0);
        assert_string_equal(item->category, "Hardware");
        assert_string_equal(item->status, "Active");
        tray_item_free(item);
}

static void test_rate_allows_the_budget_per_second(void **state) {
        TrayRate rate = {};

        for (unsigned i = 0; i < TRAY_UPDATES_PER_SEC_MAX; i++)
                assert_true(tray_rate_allow(&rate, 5000000 + i * 1000));
        assert_false(tray_rate_allow(&rate, 5000000 + 999999));
        assert_true(tray_rate_allow(&rate, 6000000));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text_strips_markup_and_entities),
                cmocka_unit_test(test_text_drops_controls_bidi_and_invalid_utf8),
                cmocka_unit_test(test_text_is_cut_to_the_bound_on_a_character),
                cmocka_unit_test(test_item_menu_bounds),
                cmocka_unit_test(test_item_menu_structure),
                cmocka_unit_test(test_item_pixmap_bounds),
                cmocka_unit_test(test_item_category_and_status_are_whitelisted),
                cmocka_unit_test(test_rate_allows_the_budget_per_second),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-hotkey.c: the clipboard keys are spelled as documented and only their exact chord matches.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <xkbcommon/xkbcommon-keysyms.h>

#include "hotkey.h"

static const unsigned CTRL_SHIFT = HOTKEY_MOD_CTRL | HOTKEY_MOD_SHIFT;

static void defaults(Hotkey *copy, Hotkey *paste) {
        assert_int_equal(hotkey_parse(HOTKEY_COPY_DEFAULT, copy), 0);
        assert_int_equal(hotkey_parse(HOTKEY_PASTE_DEFAULT, paste), 0);
}

static void test_parse_defaults(void **state) {
        Hotkey copy, paste;

        const Hotkey copy_keys = HOTKEY_COPY_DEFAULT_KEYS, paste_keys = HOTKEY_PASTE_DEFAULT_KEYS;

        defaults(&copy, &paste);
        assert_int_equal(copy.mods, CTRL_SHIFT);
        assert_int_equal(copy.keysym, XKB_KEY_c);
        assert_int_equal(paste.mods, CTRL_SHIFT);
        assert_int_equal(paste.keysym, XKB_KEY_v);
        assert_memory_equal(&copy, &copy_keys, sizeof(Hotkey));
        assert_memory_equal(&paste, &paste_keys, sizeof(Hotkey));
}

static void test_parse_case_and_named_keys(void **state) {
        Hotkey k;

        assert_int_equal(hotkey_parse("Ctrl+ALT+Insert", &k), 0);
        assert_int_equal(k.mods, HOTKEY_MOD_CTRL | HOTKEY_MOD_ALT);
        assert_int_equal(k.keysym, XKB_KEY_Insert);
        assert_int_equal(hotkey_parse("logo+C", &k), 0);
        assert_int_equal(k.mods, HOTKEY_MOD_LOGO);
        assert_int_equal(k.keysym, XKB_KEY_c);
}

static void test_parse_refuses_malformed(void **state) {
        const char *bad[] = {
                "",
                "c",
                "ctrl+",
                "+c",
                "ctrl++c",
                "ctrl+ctrl+c",
                "hyper+c",
                "ctrl+nosuchkey",
                "ctrl+shift",
                "ctrlshift+c",
        };
        Hotkey k;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(hotkey_parse(bad[i], &k), -EINVAL);
        assert_int_equal(hotkey_parse(NULL, &k), -EINVAL);
}

static void test_match_exact_chord(void **state) {
        Hotkey copy, paste;

        defaults(&copy, &paste);
        /* Shift makes the keysym upper case: both cases are the key */
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_C, CTRL_SHIFT), HOTKEY_COPY);
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_c, CTRL_SHIFT), HOTKEY_COPY);
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_V, CTRL_SHIFT), HOTKEY_PASTE);
        /* the guest's own Ctrl+C, plain typing, and extra modifiers are not the keys */
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_c, HOTKEY_MOD_CTRL), HOTKEY_NONE);
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_C, HOTKEY_MOD_SHIFT), HOTKEY_NONE);
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_c, 0), HOTKEY_NONE);
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_C, CTRL_SHIFT | HOTKEY_MOD_ALT),
                        HOTKEY_NONE);
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_x, CTRL_SHIFT), HOTKEY_NONE);
}

static void test_match_configured_keys(void **state) {
        Hotkey copy, paste;

        assert_int_equal(hotkey_parse("ctrl+Insert", &copy), 0);
        assert_int_equal(hotkey_parse("shift+Insert", &paste), 0);
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_Insert, HOTKEY_MOD_CTRL), HOTKEY_COPY);
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_Insert, HOTKEY_MOD_SHIFT),
                        HOTKEY_PASTE);
        assert_int_equal(hotkey_match(&copy, &paste, XKB_KEY_C, CTRL_SHIFT), HOTKEY_NONE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_defaults),
                cmocka_unit_test(test_parse_case_and_named_keys),
                cmocka_unit_test(test_parse_refuses_malformed),
                cmocka_unit_test(test_match_exact_chord),
                cmocka_unit_test(test_match_configured_keys),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

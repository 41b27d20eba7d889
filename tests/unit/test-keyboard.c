/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-keyboard.c: on the compositor's keyboard events, the clipboard keys' press and release are
 * swallowed, every other key goes on, and nothing is a hotkey without a keymap. */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xkbcommon/xkbcommon.h>

#include "keyboard.h"
#include "wayland-client-protocol.h"

static const Hotkey copy_keys = HOTKEY_COPY_DEFAULT_KEYS, paste_keys = HOTKEY_PASTE_DEFAULT_KEYS;

enum {
        PRESS = WL_KEYBOARD_KEY_STATE_PRESSED,
        RELEASE = WL_KEYBOARD_KEY_STATE_RELEASED
};

typedef struct Fixture {
        char *keymap;         /* what a compositor sends: the us keymap as text */
        uint32_t ctrl, shift; /* their modifier masks in it */
        Keyboard kb;
} Fixture;

static int setup(void **state) {
        struct xkb_context *ctx = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
        struct xkb_rule_names us = { .layout = "us" };
        struct xkb_keymap *keymap;
        Fixture *f = calloc(1, sizeof(*f));

        assert_non_null(ctx);
        keymap = xkb_keymap_new_from_names(ctx, &us, XKB_KEYMAP_COMPILE_NO_FLAGS);
        assert_non_null(keymap);
        f->keymap = xkb_keymap_get_as_string(keymap, XKB_KEYMAP_FORMAT_TEXT_V1);
        f->ctrl = 1u << xkb_keymap_mod_get_index(keymap, XKB_MOD_NAME_CTRL);
        f->shift = 1u << xkb_keymap_mod_get_index(keymap, XKB_MOD_NAME_SHIFT);
        xkb_keymap_unref(keymap);
        xkb_context_unref(ctx);
        keyboard_init(&f->kb, &copy_keys, &paste_keys);
        assert_int_equal(keyboard_set_keymap(&f->kb, f->keymap, strlen(f->keymap) + 1), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        keyboard_finish(&f->kb);
        free(f->keymap);
        free(f);
        return 0;
}

static bool key(Fixture *f, uint32_t code, uint32_t how, HotkeyAction want) {
        HotkeyAction action;
        bool swallowed = keyboard_key(&f->kb, code, how, &action);

        assert_int_equal(action, want);
        return swallowed;
}

static void test_hotkey_press_and_release_are_swallowed(void **state) {
        Fixture *f = *state;

        keyboard_modifiers(&f->kb, f->ctrl | f->shift, 0, 0, 0);
        assert_true(key(f, KEY_C, PRESS, HOTKEY_COPY));
        /* the user lets go of Shift before C: the release is still the hotkey's */
        keyboard_modifiers(&f->kb, f->ctrl, 0, 0, 0);
        assert_true(key(f, KEY_C, RELEASE, HOTKEY_NONE));
        keyboard_modifiers(&f->kb, f->ctrl | f->shift, 0, 0, 0);
        assert_true(key(f, KEY_V, PRESS, HOTKEY_PASTE));
        assert_true(key(f, KEY_V, RELEASE, HOTKEY_NONE));
}

static void test_other_keys_go_on(void **state) {
        Fixture *f = *state;

        keyboard_modifiers(&f->kb, 0, 0, 0, 0);
        assert_false(key(f, KEY_C, PRESS, HOTKEY_NONE));
        assert_false(key(f, KEY_C, RELEASE, HOTKEY_NONE));
        keyboard_modifiers(&f->kb, f->ctrl, 0, 0, 0); /* the guest's own Ctrl+C */
        assert_false(key(f, KEY_C, PRESS, HOTKEY_NONE));
        assert_false(key(f, KEY_C, RELEASE, HOTKEY_NONE));
        keyboard_modifiers(&f->kb, f->ctrl | f->shift, 0, 0, 0);
        assert_false(key(f, KEY_X, PRESS, HOTKEY_NONE));
        /* a key pressed before the hotkey chord was complete is released to the guest */
        keyboard_modifiers(&f->kb, f->ctrl, 0, 0, 0);
        assert_false(key(f, KEY_V, PRESS, HOTKEY_NONE));
        keyboard_modifiers(&f->kb, f->ctrl | f->shift, 0, 0, 0);
        assert_false(key(f, KEY_V, RELEASE, HOTKEY_NONE));
}

static void test_leave_forgets_the_held_hotkey(void **state) {
        Fixture *f = *state;

        keyboard_modifiers(&f->kb, f->ctrl | f->shift, 0, 0, 0);
        assert_true(key(f, KEY_C, PRESS, HOTKEY_COPY));
        /* the focus moves while C is held: this client gets no release; a later plain C is the
         * guest's, press and release */
        keyboard_leave(&f->kb);
        keyboard_modifiers(&f->kb, 0, 0, 0, 0);
        assert_false(key(f, KEY_C, PRESS, HOTKEY_NONE));
        assert_false(key(f, KEY_C, RELEASE, HOTKEY_NONE));
}

static void test_no_keymap_no_hotkey(void **state) {
        Fixture *f = *state;

        assert_int_equal(keyboard_set_keymap(&f->kb, "not a keymap", 13), -EINVAL);
        keyboard_modifiers(&f->kb, f->ctrl | f->shift, 0, 0, 0);
        assert_false(key(f, KEY_C, PRESS, HOTKEY_NONE));
        assert_int_equal(keyboard_set_keymap(&f->kb, f->keymap, KEYBOARD_KEYMAP_MAX + 1), -EFBIG);
        assert_false(key(f, KEY_C, PRESS, HOTKEY_NONE));
        /* a keymap again: the modifiers come with the next event, as after wl_keyboard.keymap */
        assert_int_equal(keyboard_set_keymap(&f->kb, f->keymap, strlen(f->keymap)), 0);
        keyboard_modifiers(&f->kb, f->ctrl | f->shift, 0, 0, 0);
        assert_true(key(f, KEY_C, PRESS, HOTKEY_COPY));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(
                                test_hotkey_press_and_release_are_swallowed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_other_keys_go_on, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_leave_forgets_the_held_hotkey, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_keymap_no_hotkey, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* keyboard.c: hotkey detection on the compositor's keyboard events. Pure. */
#include <errno.h>
#include <string.h>

#include <xkbcommon/xkbcommon.h>

#include "keyboard.h"
#include "macro.h"
#include "wayland-client-protocol.h"

/* evdev codes are xkb keycodes less 8 (the X11 offset the Wayland protocol keeps) */
#define EVDEV_OFFSET 8u

void keyboard_init(Keyboard *k, const Hotkey *copy, const Hotkey *paste) {
        *k = (Keyboard){ .copy = copy, .paste = paste };
}

static void drop_keymap(Keyboard *k) {
        xkb_state_unref(k->state);
        xkb_keymap_unref(k->keymap);
        k->state = NULL;
        k->keymap = NULL;
}

void keyboard_finish(Keyboard *k) {
        drop_keymap(k);
        xkb_context_unref(k->context);
        k->context = NULL;
}

int keyboard_set_keymap(Keyboard *k, const char *text, size_t size) {
        drop_keymap(k);
        if (size > KEYBOARD_KEYMAP_MAX)
                return -EFBIG;
        if (!k->context) {
                /* no include paths, no environment: the compositor's keymap is complete */
                k->context = xkb_context_new(
                                XKB_CONTEXT_NO_DEFAULT_INCLUDES | XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
                if (!k->context)
                        return -ENOMEM;
        }
        /* the protocol's size counts the NUL; a keymap without one is taken to its size */
        size = strnlen(text, size);
        k->keymap = xkb_keymap_new_from_buffer(k->context, text, size, XKB_KEYMAP_FORMAT_TEXT_V1,
                        XKB_KEYMAP_COMPILE_NO_FLAGS);
        if (!k->keymap)
                return -EINVAL;
        k->state = xkb_state_new(k->keymap);
        if (!k->state) {
                drop_keymap(k);
                return -ENOMEM;
        }
        return 0;
}

void keyboard_modifiers(Keyboard *k, uint32_t depressed, uint32_t latched, uint32_t locked,
                uint32_t group) {
        if (k->state)
                xkb_state_update_mask(k->state, depressed, latched, locked, 0, 0, group);
}

void keyboard_leave(Keyboard *k) {
        /* else that key's next press would go to the guest and its release not */
        k->swallowed = 0;
}

static unsigned effective_mods(struct xkb_state *state) {
        static const struct {
                const char *name;
                HotkeyMod mod;
        } table[] = {
                { XKB_MOD_NAME_SHIFT, HOTKEY_MOD_SHIFT },
                { XKB_MOD_NAME_CTRL, HOTKEY_MOD_CTRL },
                { XKB_MOD_NAME_ALT, HOTKEY_MOD_ALT },
                { XKB_MOD_NAME_LOGO, HOTKEY_MOD_LOGO },
        };
        unsigned mods = 0;

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (xkb_state_mod_name_is_active(state, table[i].name, XKB_STATE_MODS_EFFECTIVE) >
                                0)
                        mods |= table[i].mod;
        return mods;
}

bool keyboard_key(Keyboard *k, uint32_t key, uint32_t state, HotkeyAction *ret_action) {
        HotkeyAction action;

        *ret_action = HOTKEY_NONE;
        if (state != WL_KEYBOARD_KEY_STATE_PRESSED) {
                if (k->swallowed == 0 || k->swallowed != key + 1)
                        return false;
                k->swallowed = 0;
                return true;
        }
        if (!k->state || !k->copy || !k->paste)
                return false;
        action = hotkey_match(k->copy, k->paste,
                        xkb_state_key_get_one_sym(k->state, key + EVDEV_OFFSET),
                        effective_mods(k->state));
        if (action == HOTKEY_NONE)
                return false;
        k->swallowed = key + 1;
        *ret_action = action;
        return true;
}

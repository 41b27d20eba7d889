/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* keyboard.h: the fence's view of one client's keyboard, fed only by the compositor's wl_keyboard
 * events (keymap, modifiers, key): which key presses are the clipboard keys (hotkey.h). The fence
 * swallows such a press and the release of the same key, so the guest never sees them; nothing
 * the guest sends reaches this state. Pure (libxkbcommon on bytes the caller read). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotkey.h"

/* A keymap larger than this is refused (Debian's are about 60 KiB). */
#define KEYBOARD_KEYMAP_MAX (1024u * 1024u)

struct xkb_context;
struct xkb_keymap;
struct xkb_state;

typedef struct Keyboard {
        const Hotkey *copy, *paste; /* not owned */
        struct xkb_context *context;
        struct xkb_keymap *keymap;
        struct xkb_state *state; /* NULL until a keymap was compiled: no key is a hotkey */
        uint32_t swallowed;      /* the evdev code + 1 of the hotkey being held, 0: none */
} Keyboard;

void keyboard_init(Keyboard *k, const Hotkey *copy, const Hotkey *paste);
void keyboard_finish(Keyboard *k);
/* Compiles a wl_keyboard.keymap (xkb_v1 text, size bytes, NUL-terminated or not). -EINVAL: not
 * a keymap (the old one is dropped: no key is a hotkey until the next), -EFBIG, -ENOMEM. */
int keyboard_set_keymap(Keyboard *k, const char *text, size_t size);
void keyboard_modifiers(
                Keyboard *k, uint32_t depressed, uint32_t latched, uint32_t locked, uint32_t group);
/* wl_keyboard.leave: no release of a key held now will come to this client. */
void keyboard_leave(Keyboard *k);
/* A wl_keyboard.key (evdev code, WL_KEYBOARD_KEY_STATE_*). Returns true when the event is
 * swallowed: a hotkey's press (*ret_action: which) or the release of the key that pressed it. */
bool keyboard_key(Keyboard *k, uint32_t key, uint32_t state, HotkeyAction *ret_action);

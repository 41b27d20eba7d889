/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hotkey.h: the clipboard keys (Ctrl+Shift+C copies the VM's selection to the global clipboard,
 * Ctrl+Shift+V offers it to the VM; docs/graphics.md "Global clipboard"): their "ctrl+shift+c"
 * spelling and the decision, from a key's keysym and the modifiers in effect, whether a key press
 * is one of them. Pure; the keysym and modifiers come from the compositor's wl_keyboard events,
 * never from the guest. */
#pragma once

#include <stdint.h>

#include <xkbcommon/xkbcommon-keysyms.h>

#include "hotkey-spec.h"

typedef struct Hotkey {
        unsigned mods;   /* HotkeyMod bits that must be in effect, and no others */
        uint32_t keysym; /* lower case: "c" matches both c and C (Shift makes it C) */
} Hotkey;

typedef enum HotkeyAction {
        HOTKEY_NONE,
        HOTKEY_COPY,
        HOTKEY_PASTE,
} HotkeyAction;

/* HOTKEY_COPY_DEFAULT and HOTKEY_PASTE_DEFAULT, parsed (test-hotkey checks they agree). */
#define HOTKEY_COPY_DEFAULT_KEYS                                                                   \
        { .mods = HOTKEY_MOD_CTRL | HOTKEY_MOD_SHIFT, .keysym = XKB_KEY_c }
#define HOTKEY_PASTE_DEFAULT_KEYS                                                                  \
        { .mods = HOTKEY_MOD_CTRL | HOTKEY_MOD_SHIFT, .keysym = XKB_KEY_v }

/* Parses "mod+mod+key" (hotkey_spec_split()), key an xkb keysym name ("c", "Insert"). -EINVAL
 * when malformed, without a modifier, or the key names no keysym. */
int hotkey_parse(const char *spec, Hotkey *ret);
/* What a key press with keysym and mods (HotkeyMod bits) in effect means. */
HotkeyAction hotkey_match(const Hotkey *copy, const Hotkey *paste, uint32_t keysym, unsigned mods);

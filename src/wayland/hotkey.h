/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hotkey.h: the clipboard keys (Ctrl+Shift+C copies the VM's selection to the global clipboard,
 * Ctrl+Shift+V offers it to the VM; docs/graphics.md "Global clipboard"): their "ctrl+shift+c"
 * spelling and the decision, from a key's keysym and the modifiers in effect, whether a key press
 * is one of them. Pure; the keysym and modifiers come from the compositor's wl_keyboard events,
 * never from the guest. */
#pragma once

#include <stdint.h>

#include <xkbcommon/xkbcommon-keysyms.h>

typedef enum HotkeyMod {
        HOTKEY_MOD_SHIFT = 1u << 0,
        HOTKEY_MOD_CTRL = 1u << 1,
        HOTKEY_MOD_ALT = 1u << 2,
        HOTKEY_MOD_LOGO = 1u << 3,
} HotkeyMod;

typedef struct Hotkey {
        unsigned mods;   /* HotkeyMod bits that must be in effect, and no others */
        uint32_t keysym; /* lower case: "c" matches both c and C (Shift makes it C) */
} Hotkey;

typedef enum HotkeyAction {
        HOTKEY_NONE,
        HOTKEY_COPY,
        HOTKEY_PASTE,
} HotkeyAction;

#define HOTKEY_COPY_DEFAULT "ctrl+shift+c"
#define HOTKEY_PASTE_DEFAULT "ctrl+shift+v"
/* The same, parsed (test-hotkey checks they agree). */
#define HOTKEY_COPY_DEFAULT_KEYS                                                                   \
        { .mods = HOTKEY_MOD_CTRL | HOTKEY_MOD_SHIFT, .keysym = XKB_KEY_c }
#define HOTKEY_PASTE_DEFAULT_KEYS                                                                  \
        { .mods = HOTKEY_MOD_CTRL | HOTKEY_MOD_SHIFT, .keysym = XKB_KEY_v }

/* Parses "mod+mod+key": mods among ctrl, shift, alt, logo (case-insensitive, each at most once),
 * key an xkb keysym name ("c", "Insert"). -EINVAL when malformed or without a modifier (a bare
 * key would take it from every VM window). */
int hotkey_parse(const char *spec, Hotkey *ret);
/* What a key press with keysym and mods (HotkeyMod bits) in effect means. */
HotkeyAction hotkey_match(const Hotkey *copy, const Hotkey *paste, uint32_t keysym, unsigned mods);

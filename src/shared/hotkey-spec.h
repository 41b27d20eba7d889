/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hotkey-spec.h: the spelling of the clipboard keys, "mod+mod+key" (the config's
 * clipboardCopyKey/clipboardPasteKey, vmsilo-wayland's --copy-key/--paste-key): the modifiers and
 * the key's name. The key name's meaning (an xkb keysym) is the fence's (src/wayland/hotkey.c).
 * Pure. */
#pragma once

typedef enum HotkeyMod {
        HOTKEY_MOD_SHIFT = 1u << 0,
        HOTKEY_MOD_CTRL = 1u << 1,
        HOTKEY_MOD_ALT = 1u << 2,
        HOTKEY_MOD_LOGO = 1u << 3,
} HotkeyMod;

#define HOTKEY_COPY_DEFAULT "ctrl+shift+c"
#define HOTKEY_PASTE_DEFAULT "ctrl+shift+v"

/* Splits spec: mods among ctrl, shift, alt, logo (case-insensitive, each at most once, at least
 * one: a bare key would be taken from every VM window), then a key name that is not a modifier.
 * *ret_key points into spec. -EINVAL when malformed. */
int hotkey_spec_split(const char *spec, unsigned *ret_mods, const char **ret_key);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hotkey.c: the clipboard keys' spelling and matching. Pure. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <xkbcommon/xkbcommon.h>

#include "hotkey.h"
#include "macro.h"

int hotkey_parse(const char *spec, Hotkey *ret) {
        const char *key;
        unsigned mods;
        xkb_keysym_t sym;
        int r;

        r = hotkey_spec_split(spec, &mods, &key);
        if (r < 0)
                return r;
        sym = xkb_keysym_from_name(key, XKB_KEYSYM_CASE_INSENSITIVE);
        if (sym == XKB_KEY_NoSymbol)
                return -EINVAL;
        *ret = (Hotkey){ .mods = mods, .keysym = xkb_keysym_to_lower(sym) };
        return 0;
}

static bool matches(const Hotkey *k, uint32_t keysym, unsigned mods) {
        return k->mods == mods && k->keysym == xkb_keysym_to_lower(keysym);
}

HotkeyAction hotkey_match(const Hotkey *copy, const Hotkey *paste, uint32_t keysym, unsigned mods) {
        if (matches(copy, keysym, mods))
                return HOTKEY_COPY;
        if (matches(paste, keysym, mods))
                return HOTKEY_PASTE;
        return HOTKEY_NONE;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hotkey.c: the clipboard keys' spelling and matching. Pure. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xkbcommon/xkbcommon.h>

#include "hotkey.h"
#include "macro.h"

static const struct {
        const char *name;
        HotkeyMod mod;
} mod_names[] = {
        { "shift", HOTKEY_MOD_SHIFT },
        { "ctrl", HOTKEY_MOD_CTRL },
        { "alt", HOTKEY_MOD_ALT },
        { "logo", HOTKEY_MOD_LOGO },
};

static int mod_from_name(const char *name, size_t len) {
        for (size_t i = 0; i < ELEMENTSOF(mod_names); i++)
                if (strlen(mod_names[i].name) == len &&
                                strncasecmp(mod_names[i].name, name, len) == 0)
                        return mod_names[i].mod;
        return -EINVAL;
}

int hotkey_parse(const char *spec, Hotkey *ret) {
        const char *key;
        unsigned mods = 0;
        xkb_keysym_t sym;

        if (!spec)
                return -EINVAL;
        key = strrchr(spec, '+');
        if (!key || key[1] == '\0')
                return -EINVAL;
        for (const char *p = spec; p <= key;) {
                size_t len = strcspn(p, "+");
                int mod = mod_from_name(p, len);

                if (len == 0 || mod < 0 || (mods & (unsigned) mod))
                        return -EINVAL;
                mods |= (unsigned) mod;
                p += len + 1;
        }
        sym = xkb_keysym_from_name(key + 1, XKB_KEYSYM_CASE_INSENSITIVE);
        /* a modifier is no key: "ctrl+shift" would match no press */
        if (sym == XKB_KEY_NoSymbol || mod_from_name(key + 1, strlen(key + 1)) >= 0)
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

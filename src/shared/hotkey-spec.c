/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hotkey-spec.c: "mod+mod+key", split. Pure. */
#include "hotkey-spec.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

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

int hotkey_spec_split(const char *spec, unsigned *ret_mods, const char **ret_key) {
        const char *key;
        unsigned mods = 0;

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
        /* a modifier is no key: "ctrl+shift" would match no press */
        if (mod_from_name(key + 1, strlen(key + 1)) >= 0)
                return -EINVAL;
        *ret_mods = mods;
        *ret_key = key + 1;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* utf8.c: strict UTF-8 decoding of untrusted bytes. Pure. */
#include <errno.h>

#include "utf8.h"

int utf8_decode(const char *s, size_t n, uint32_t *ret) {
        const unsigned char *u = (const unsigned char *) s;
        uint32_t cp, min;
        size_t len;

        if (n == 0)
                return -EILSEQ;
        if (u[0] < 0x80) {
                *ret = u[0];
                return 1;
        }
        if ((u[0] & 0xe0) == 0xc0) {
                len = 2;
                cp = u[0] & 0x1f;
                min = 0x80;
        } else if ((u[0] & 0xf0) == 0xe0) {
                len = 3;
                cp = u[0] & 0x0f;
                min = 0x800;
        } else if ((u[0] & 0xf8) == 0xf0) {
                len = 4;
                cp = u[0] & 0x07;
                min = 0x10000;
        } else
                return -EILSEQ;
        if (n < len)
                return -EILSEQ;
        for (size_t i = 1; i < len; i++) {
                if ((u[i] & 0xc0) != 0x80)
                        return -EILSEQ;
                cp = (cp << 6) | (u[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return -EILSEQ;
        *ret = cp;
        return (int) len;
}

bool utf8_is_valid(const char *s, size_t n) {
        while (n > 0) {
                uint32_t cp;
                int len = utf8_decode(s, n, &cp);

                if (len < 0)
                        return false;
                s += len;
                n -= (size_t) len;
        }
        return true;
}

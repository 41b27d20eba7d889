/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* text-clean.c: guest text made safe to display on the host. Pure. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <unictype.h>

#include "text-clean.h"
#include "utf8.h"

#define REPLACEMENT_CHARACTER "\xef\xbf\xbd"

/* The rule of menu labels (docs/desktop.md), without its brackets: window titles and tray
 * strings are prefixed, so a bracket cannot fake the prefix. Dropped, but for U+0020: controls,
 * format characters (bidi marks, embeddings, overrides, isolates), surrogates, private use and
 * unassigned code points (general category C*), every separator (Z*: other spaces, U+2028,
 * U+2029) and default-ignorable code points (invisible, such as the Hangul fillers). */
static bool codepoint_is_hidden(uint32_t c) {
        if (c == ' ')
                return false;
        return uc_is_general_category(c, uc_general_category_or(UC_CATEGORY_C, UC_CATEGORY_Z)) ||
               uc_is_property_default_ignorable_code_point(c);
}

size_t text_clean(const char *untrusted_text, size_t untrusted_len, size_t max, char *ret_buf) {
        size_t n = 0;

        /* sanitize start */
        for (size_t i = 0; untrusted_text && i < untrusted_len;) {
                const char *piece = untrusted_text + i;
                uint32_t c;
                int len = utf8_decode(piece, untrusted_len - i, &c);

                if (len < 0) {
                        piece = REPLACEMENT_CHARACTER;
                        len = (int) strlen(REPLACEMENT_CHARACTER);
                        i++;
                } else {
                        i += (size_t) len;
                        if (codepoint_is_hidden(c))
                                continue;
                }
                if (n + (size_t) len > max)
                        break; /* whole characters only */
                memcpy(ret_buf + n, piece, (size_t) len);
                n += (size_t) len;
        }
        ret_buf[n] = '\0';
        /* sanitize end */
        return n;
}

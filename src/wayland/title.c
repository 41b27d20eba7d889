/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* title.c: "[<vm>] " + the guest's window title, made safe to display. Pure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>

#include "macro.h"
#include "title.h"
#include "utf8.h"

#define REPLACEMENT_CHARACTER "\xef\xbf\xbd"

/* The rule of menu labels (docs/desktop.md), without its brackets: a title is prefixed, so a
 * bracket cannot fake the prefix. Dropped, but for U+0020: controls, format characters (bidi
 * marks, embeddings, overrides, isolates), surrogates, private use and unassigned code points
 * (general category C*), every separator (Z*: other spaces, U+2028, U+2029) and default-ignorable
 * code points (invisible, such as the Hangul fillers). */
static bool codepoint_is_hidden(uint32_t c) {
        if (c == ' ')
                return false;
        return uc_is_general_category(c, uc_general_category_or(UC_CATEGORY_C, UC_CATEGORY_Z)) ||
               uc_is_property_default_ignorable_code_point(c);
}

int title_format(const char *vm, const char *untrusted_title, size_t untrusted_len, char **ret) {
        char clean[TITLE_GUEST_MAX + 1];
        size_t n = 0;
        char *title;
        int r;

        /* sanitize start */
        for (size_t i = 0; untrusted_title && i < untrusted_len;) {
                const char *piece = untrusted_title + i;
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
                if (n + (size_t) len > TITLE_GUEST_MAX)
                        break; /* whole characters only */
                memcpy(clean + n, piece, (size_t) len);
                n += (size_t) len;
        }
        clean[n] = '\0';
        /* sanitize end */

        r = n > 0 ? asprintf(&title, "[%s] %s", vm, clean) : asprintf(&title, "[%s]", vm);
        if (r < 0)
                return -ENOMEM;
        *ret = title;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-term-filter.c: term_filter_feed() on guest output. Input: one byte choosing the mode
 * (bit 0: UTF-8 terminal) and the piece size for chunked feeding (bits 1-7, + 1), then the
 * output. Checks what the filter promises: chunked feeding gives the one-shot output, output is
 * never longer than input, contains no string introducer, C1 control or invalid UTF-8 (ASCII
 * only for a non-UTF-8 terminal), and filtering it again changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "macro.h"
#include "term-filter.h"
#include "utf8.h"

#define FUZZ_INPUT_MAX (256u * 1024u)

static size_t filter(const uint8_t *in, size_t n, bool utf8, size_t step, uint8_t *out) {
        TermFilter f;
        size_t out_n = 0;

        term_filter_init(&f, utf8);
        for (size_t i = 0; i < n; i += step) {
                size_t k = MIN(step, n - i), before = term_filter_pending(&f);
                size_t wrote = term_filter_feed(&f, in + i, k, out + out_n);

                CHECK(wrote <= before + k);
                CHECK(term_filter_pending(&f) <= TERM_FILTER_PENDING_MAX);
                out_n += wrote;
        }
        return out_n;
}

static void check_tame(const uint8_t *out, size_t n, bool utf8) {
        for (size_t i = 0; i < n;) {
                uint32_t cp;
                int len = utf8_decode((const char *) out + i, n - i, &cp);

                CHECK(len > 0);
                CHECK(utf8 || cp < 0x80);
                CHECK(cp < 0x80 || cp > 0x9f);
                if (cp == 0x1b) {
                        CHECK(i + 1 < n);
                        CHECK(!memchr("]P_^X%#c\\", out[i + 1], 9));
                }
                i += (size_t) len;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(freep) uint8_t *once = NULL, *chunked = NULL, *again = NULL;
        size_t n, once_n, chunked_n, again_n, step;
        const uint8_t *in;
        bool utf8;

        if (size == 0 || size > FUZZ_INPUT_MAX)
                return 0;
        utf8 = data[0] & 1;
        step = (data[0] >> 1) + 1u;
        in = data + 1;
        n = size - 1;
        once = malloc(n + 1);
        chunked = malloc(n + 1);
        again = malloc(n + 1);
        CHECK(once && chunked && again);

        once_n = filter(in, n, utf8, n + 1, once);
        chunked_n = filter(in, n, utf8, step, chunked);
        CHECK(once_n <= n);
        CHECK(chunked_n == once_n && memcmp(once, chunked, once_n) == 0);
        check_tame(once, once_n, utf8);
        again_n = filter(once, once_n, utf8, once_n + 1, again);
        CHECK(again_n == once_n && memcmp(once, again, once_n) == 0);
        return 0;
}

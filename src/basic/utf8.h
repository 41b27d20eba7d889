/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* utf8.h: strict UTF-8 decoding of untrusted bytes. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s (n > 0 bytes available) into *ret and returns its length in bytes,
 * or -EILSEQ for anything RFC 3629 refuses: overlong forms, surrogates, values past U+10FFFF,
 * truncated sequences. */
int utf8_decode(const char *s, size_t n, uint32_t *ret);
/* Whether all n bytes of s are valid UTF-8 (a NUL byte is valid UTF-8; callers that mind check
 * for it themselves). */
bool utf8_is_valid(const char *s, size_t n);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* text-clean.h: guest text made safe to display on the host (window titles, tray strings). Pure. */
#pragma once

#include <stddef.h>

/* Copies the untrusted_len bytes at untrusted_text (may be NULL when untrusted_len is 0) to
 * ret_buf (max + 1 bytes), cleaned: each invalid UTF-8 byte becomes U+FFFD; controls, format
 * (bidi) characters, separators but U+0020, private use, unassigned and default-ignorable code
 * points are dropped; the result is cut to max bytes on a character boundary and NUL-terminated.
 * Returns its length. */
size_t text_clean(const char *untrusted_text, size_t untrusted_len, size_t max, char *ret_buf);

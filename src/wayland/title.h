/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* title.h: the window title the compositor sees for a guest toplevel: "[<vm>] " and the guest's
 * title made safe to display. Pure. */
#pragma once

#include <stddef.h>

/* Bytes of the guest's part after sanitising; the whole title adds the VM name and 3. */
#define TITLE_GUEST_MAX 256u

/* Writes "[vm] <title>" (or "[vm]" when nothing of the title is left) to *ret. The guest's bytes
 * (untrusted_len of them; NULL for a toplevel that never set one) are cleaned: each invalid UTF-8
 * byte becomes U+FFFD; controls, format (bidi) characters, separators but U+0020, private use,
 * unassigned and default-ignorable code points are dropped; the result is cut to TITLE_GUEST_MAX
 * bytes on a character boundary. */
int title_format(const char *vm, const char *untrusted_title, size_t untrusted_len, char **ret);

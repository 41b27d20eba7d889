/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clipboard-notice.h: what the desktop notification of a copy or a paste says (docs/graphics.md
 * "Notifications"): the VM's name and the size, never the text. Pure. */
#pragma once

#include <stddef.h>

#include "clipboard-request.h"

typedef struct ClipboardNotice {
        const char *icon; /* an icon name of the freedesktop naming spec */
        char summary[32 + CLIPBOARD_SOURCE_MAX];
        char body[64 + CLIPBOARD_SOURCE_MAX];
} ClipboardNotice;

/* The notice for req, handled with reply (reply_size bytes: only its first line is read), into
 * *ret: "Copied from [vm]" "N bytes", "Pasted to [vm]" "N bytes from [source]". -ENODATA when
 * there is nothing to tell: status, clear, a refusal, an empty paste. */
int clipboard_notice_format(const ClipboardRequest *req, const char *reply, size_t reply_size,
                ClipboardNotice *ret);

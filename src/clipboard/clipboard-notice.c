/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clipboard-notice.c: the words of a copy's or a paste's desktop notification. Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clipboard-notice.h"
#include "macro.h"

int clipboard_notice_format(const ClipboardRequest *req, const char *reply, size_t reply_size,
                ClipboardNotice *ret) {
        char line[CLIPBOARD_REQUEST_LINE_MAX + 32], source[CLIPBOARD_SOURCE_MAX + 1];
        const char *nl = memchr(reply, '\n', MIN(reply_size, sizeof(line) - 1));
        size_t size, len;

        if (!IN_SET(req->verb, CLIPBOARD_COPY, CLIPBOARD_PASTE) || !nl)
                return -ENODATA;
        len = (size_t) (nl - reply);
        memcpy(line, reply, len);
        line[len] = 0;
        /* "ok <size> <source>": the clipboard took the copy or handed the text out */
        if (sscanf(line, "ok %zu %64s", &size, source) != 2)
                return -ENODATA;
        if (req->verb == CLIPBOARD_COPY) {
                *ret = (ClipboardNotice){ .icon = "edit-copy" };
                snprintf(ret->summary, sizeof(ret->summary), "Copied from [%s]", req->vm);
                snprintf(ret->body, sizeof(ret->body), "%zu %s", size,
                                size == 1 ? "byte" : "bytes");
        } else {
                *ret = (ClipboardNotice){ .icon = "edit-paste" };
                snprintf(ret->summary, sizeof(ret->summary), "Pasted to [%s]", req->vm);
                snprintf(ret->body, sizeof(ret->body), "%zu %s from [%s]", size,
                                size == 1 ? "byte" : "bytes", source);
        }
        return 0;
}

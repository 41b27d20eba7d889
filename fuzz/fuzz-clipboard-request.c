/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-clipboard-request.c: clipboard_request_answer() on a request as a fence or `vmsilo
 * clipboard` writes it (the text of a copy comes from a guest). Checks what the clipboard
 * promises: every reply is one of the protocol's, the contents are always valid UTF-8 without
 * NUL of at most CLIPBOARD_SIZE_MAX bytes, a paste of them gives them back once, and the
 * desktop notification of a copy is made for exactly the copies taken, naming the VM. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clipboard-notice.h"
#include "clipboard-request.h"
#include "fuzz.h"
#include "macro.h"
#include "utf8.h"

static bool has_prefix(const char *s, size_t n, const char *prefix) {
        return n >= strlen(prefix) && memcmp(s, prefix, strlen(prefix)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ClipboardState s = {};
        ClipboardRequest req;
        ClipboardNotice notice;
        char *reply = NULL, *pasted = NULL;
        size_t n, pasted_size;

        if (size > CLIPBOARD_REQUEST_MAX + 1)
                return 0;
        CHECK(clipboard_request_answer(&s, data, size, &req, &reply, &n) == 0);
        CHECK(memchr(reply, '\n', n));
        CHECK(has_prefix(reply, n, "ok ") || has_prefix(reply, n, "empty\n") ||
                        has_prefix(reply, n, "error "));
        if (clipboard_notice_format(&req, reply, n, &notice) == 0) {
                CHECK(IN_SET(req.verb, CLIPBOARD_COPY, CLIPBOARD_PASTE) && req.vm[0]);
                CHECK(strstr(notice.summary, req.vm));
        } else
                CHECK(req.verb != CLIPBOARD_COPY || !s.data);
        free(reply);
        if (s.data) {
                CHECK(s.size > 0 && s.size <= CLIPBOARD_SIZE_MAX);
                CHECK(!memchr(s.data, 0, s.size) && utf8_is_valid(s.data, s.size));
                CHECK(req.verb == CLIPBOARD_COPY && req.size == s.size);
                CHECK(memcmp(s.data, req.untrusted_data, s.size) == 0);
                CHECK(clipboard_state_paste(&s, "check", &pasted, &pasted_size) == 0);
                CHECK(pasted_size == req.size && !s.data);
                CHECK(clipboard_state_paste(&s, "check", &reply, &n) == -ENOENT);
                free(pasted);
        }
        clipboard_state_finish(&s);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clipboard-request.h"
#include "macro.h"

static const struct {
        const char *name;
        ClipboardVerb verb;
        bool takes_vm;
} verbs[] = {
        { "copy", CLIPBOARD_COPY, true },
        { "paste", CLIPBOARD_PASTE, true },
        { "status", CLIPBOARD_STATUS, false },
        { "clear", CLIPBOARD_CLEAR, false },
};

int clipboard_request_parse(const uint8_t *buf, size_t n, ClipboardRequest *ret) {
        const uint8_t *nl = memchr(buf, '\n', MIN(n, (size_t) CLIPBOARD_REQUEST_LINE_MAX));
        char line[CLIPBOARD_REQUEST_LINE_MAX + 1];
        size_t len;

        if (!nl)
                return -EBADMSG;
        len = (size_t) (nl - buf);
        memcpy(line, buf, len);
        line[len] = 0;
        if (memchr(line, 0, len))
                return -EBADMSG;
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                size_t vlen = strlen(verbs[i].name);
                const char *rest = line + vlen;

                if (strncmp(line, verbs[i].name, vlen) != 0)
                        continue;
                *ret = (ClipboardRequest){ .verb = verbs[i].verb };
                if (verbs[i].takes_vm) {
                        if (*rest != ' ' || !clipboard_source_is_valid(rest + 1))
                                return -EBADMSG;
                        strcpy(ret->vm, rest + 1);
                } else if (*rest != 0)
                        return -EBADMSG;
                if (verbs[i].verb == CLIPBOARD_COPY) {
                        ret->untrusted_data = nl + 1;
                        ret->size = n - len - 1;
                } else if (n != len + 1)
                        return -EBADMSG;
                return 0;
        }
        return -EBADMSG;
}

static const char *error_to_string(int error) {
        switch (error) {
        case -EFBIG:
                return "too large";
        case -EBADMSG:
                return "not UTF-8 text";
        case -EINVAL:
                return "invalid request";
        default:
                return "failed";
        }
}

static int reply(char **ret, size_t *ret_size, const char *format, ...)
                __attribute__((format(printf, 3, 4)));
static int reply(char **ret, size_t *ret_size, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(ret, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        *ret_size = (size_t) r;
        return 0;
}

int clipboard_request_handle(
                ClipboardState *s, const ClipboardRequest *req, char **ret, size_t *ret_size) {
        _cleanup_(freep) char *data = NULL;
        size_t size;
        char *out;
        int r;

        switch (req->verb) {
        case CLIPBOARD_COPY:
                r = clipboard_state_copy(s, req->vm, req->untrusted_data, req->size);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return reply(ret, ret_size, "error %s\n", error_to_string(r));
                break;
        case CLIPBOARD_PASTE: {
                char source[CLIPBOARD_SOURCE_MAX + 1];
                int len;

                strcpy(source, s->source);
                r = clipboard_state_paste(s, req->vm, &data, &size);
                if (r == -ENOENT)
                        return reply(ret, ret_size, "empty\n");
                if (r < 0)
                        return reply(ret, ret_size, "error %s\n", error_to_string(r));
                len = snprintf(NULL, 0, "ok %zu %s\n", size, source);
                out = malloc((size_t) len + size + 1);
                if (!out)
                        return -ENOMEM;
                snprintf(out, (size_t) len + 1, "ok %zu %s\n", size, source);
                memcpy(out + len, data, size);
                explicit_bzero(data, size);
                *ret = out;
                *ret_size = (size_t) len + size;
                return 0;
        }
        case CLIPBOARD_CLEAR:
                clipboard_state_clear(s);
                break;
        case CLIPBOARD_STATUS:
                break;
        }
        return reply(ret, ret_size, "ok %zu %s\n", s->size, s->data ? s->source : "-");
}

int clipboard_request_answer(ClipboardState *s, const uint8_t *buf, size_t n,
                ClipboardRequest *ret_req, char **ret, size_t *ret_size) {
        int r;

        *ret_req = (ClipboardRequest){};
        r = n > CLIPBOARD_REQUEST_MAX ? -EFBIG : clipboard_request_parse(buf, n, ret_req);
        if (r == -EBADMSG)
                r = -EINVAL; /* a malformed request, not a malformed text */
        if (r < 0) {
                *ret_req = (ClipboardRequest){};
                return reply(ret, ret_size, "error %s\n", error_to_string(r));
        }
        return clipboard_request_handle(s, ret_req, ret, ret_size);
}

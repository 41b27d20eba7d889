/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clipboard-request.h: vmsilo-clipboard's protocol, one request per connection on a unix stream
 * socket (docs/graphics.md "Global clipboard"). The client writes a request and shuts down its
 * writing side; the daemon answers and closes.
 *   request: "copy <vm>\n<text>" | "paste <vm>\n" | "status\n" | "clear\n"
 *   reply:   "ok <size> <source>\n<text>" (paste: the text; status: no text, "ok 0 -" when
 *            empty; copy, clear: "ok <size> <source>" of the new contents)
 *          | "empty\n" (paste of an empty clipboard) | "error <reason>\n"
 * Pure: parsing and answering, no I/O. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "clipboard-state.h"

/* The first line of a request, verb and name, is at most this long (the newline included). */
#define CLIPBOARD_REQUEST_LINE_MAX (8u + CLIPBOARD_SOURCE_MAX)
/* The most the daemon reads of one request: anything longer is refused as too large. */
#define CLIPBOARD_REQUEST_MAX (CLIPBOARD_REQUEST_LINE_MAX + CLIPBOARD_SIZE_MAX)

typedef enum ClipboardVerb {
        CLIPBOARD_COPY,
        CLIPBOARD_PASTE,
        CLIPBOARD_STATUS,
        CLIPBOARD_CLEAR,
} ClipboardVerb;

typedef struct ClipboardRequest {
        ClipboardVerb verb;
        char vm[CLIPBOARD_SOURCE_MAX + 1]; /* copy, paste */
        const uint8_t *untrusted_data;     /* copy: points into the parsed buffer */
        size_t size;
} ClipboardRequest;

/* Parses a whole request (n bytes, the peer done writing): -EBADMSG when malformed. */
int clipboard_request_parse(const uint8_t *buf, size_t n, ClipboardRequest *ret);
/* Applies req to s and formats the reply into *ret (malloc'd, *ret_size bytes). Refusals are
 * replies ("error …"); only -ENOMEM fails. */
int clipboard_request_handle(
                ClipboardState *s, const ClipboardRequest *req, char **ret, size_t *ret_size);
/* Parses and handles: the reply to n bytes of request from a client done writing, refusing
 * requests longer than CLIPBOARD_REQUEST_MAX (the caller reads one byte more to tell) and
 * malformed ones. *ret_req gets the request (its vm empty when malformed). Only -ENOMEM fails. */
int clipboard_request_answer(ClipboardState *s, const uint8_t *buf, size_t n,
                ClipboardRequest *ret_req, char **ret, size_t *ret_size);

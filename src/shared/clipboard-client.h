/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clipboard-client.h: a client of vmsilo-clipboard, the user's global clipboard: where its socket
 * is, one request, and what the reply says (the protocol: src/clipboard/clipboard-request.h,
 * docs/graphics.md "Global clipboard"). Used by `vmsilo clipboard` and the fences. */
#pragma once

#include <stddef.h>

/* What a reply may be at most: a 1 MiB text after its first line. */
#define CLIPBOARD_REPLY_MAX (1024u * 1024u + 128u)
#define CLIPBOARD_CLIENT_TIMEOUT_USEC (5u * 1000u * 1000u)

/* $XDG_RUNTIME_DIR/vmsilo/clipboard.sock; -ENXIO when XDG_RUNTIME_DIR is unset or relative. */
int clipboard_socket_path(char **ret);
/* Sends line (with its newline) and size bytes of data on a new connection to path, shuts down
 * writing and reads the whole reply (CLIPBOARD_REPLY_MAX at most; CLIPBOARD_CLIENT_TIMEOUT_USEC
 * for each send and receive). *ret is NUL-terminated. */
int clipboard_client_call(const char *path, const char *line, const void *data, size_t size,
                char **ret, size_t *ret_size);

typedef struct ClipboardReply {
        size_t size;        /* of the contents (after a copy, a status, or of text for a paste) */
        const char *source; /* where they came from ("-": empty); NUL-terminated in the reply */
        const char *text;   /* a paste's text (size bytes), else NULL */
} ClipboardReply;

/* Parses reply (n bytes, NUL-terminated at n; its first line is cut in place). Returns 0 for
 * "ok", -ENOENT for "empty", -EREMOTEIO for "error" (*ret_error: the reason) and -EBADMSG for
 * anything else. Pure. */
int clipboard_reply_parse(char *reply, size_t n, ClipboardReply *ret, const char **ret_error);

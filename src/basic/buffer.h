/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* buffer.h: a growable byte FIFO for data received and not yet written to a local fd. It has no
 * limit of its own: callers bound it (the agent and sessions by the credit window they granted,
 * never by the sender). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct Buffer {
        uint8_t *data;
        size_t start, end; /* unread bytes are data[start..end) */
        size_t cap;
} Buffer;

void buffer_finish(Buffer *b);
size_t buffer_size(const Buffer *b);
int buffer_append(Buffer *b, const uint8_t *data, size_t len);
void buffer_consume(Buffer *b, size_t n);
/* Writes what it can to the non-blocking fd: returns the bytes written (0 when fd is full) or
 * -errno on failure. On a socket a gone reader is -EPIPE, never SIGPIPE. */
ssize_t buffer_write_to(Buffer *b, int fd);

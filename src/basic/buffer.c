/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* buffer.c: byte FIFO with compaction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buffer.h"

void buffer_finish(Buffer *b) {
        free(b->data);
        *b = (Buffer){};
}

size_t buffer_size(const Buffer *b) {
        return b->end - b->start;
}

int buffer_append(Buffer *b, const uint8_t *data, size_t len) {
        size_t used = buffer_size(b);

        if (len > SIZE_MAX - used)
                return -ENOMEM;
        if (b->cap - b->end < len) {
                /* Compact first; grow only if the live bytes plus len still do not fit. */
                if (b->start > 0) {
                        memmove(b->data, b->data + b->start, used);
                        b->start = 0;
                        b->end = used;
                }
                if (b->cap - b->end < len) {
                        size_t cap = b->cap ? b->cap : 4096;
                        uint8_t *p;

                        while (cap - used < len) {
                                if (cap > SIZE_MAX / 2)
                                        return -ENOMEM;
                                cap *= 2;
                        }
                        p = realloc(b->data, cap);
                        if (!p)
                                return -ENOMEM;
                        b->data = p;
                        b->cap = cap;
                }
        }
        memcpy(b->data + b->end, data, len);
        b->end += len;
        return 0;
}

void buffer_consume(Buffer *b, size_t n) {
        b->start += n;
        if (b->start >= b->end)
                b->start = b->end = 0;
}

ssize_t buffer_write_to(Buffer *b, int fd) {
        size_t total = 0;

        while (buffer_size(b) > 0) {
                /* send() with MSG_NOSIGNAL: a socket whose reader went away is EPIPE, not a
                 * SIGPIPE that kills a daemon that does not ignore it. */
                ssize_t n = send(fd, b->data + b->start, buffer_size(b),
                                MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0 && errno == ENOTSOCK)
                        n = write(fd, b->data + b->start, buffer_size(b));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                break;
                        return -errno;
                }
                buffer_consume(b, (size_t) n);
                total += (size_t) n;
        }
        return (ssize_t) total;
}

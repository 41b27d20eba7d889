/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mux-io.c: read into and write out of a Mux over one fd. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "mux-io.h"

#define MUX_IO_READ_MAX (64 * 1024)

int mux_io_read(Mux *m, int fd, const char **reterr_reason) {
        uint8_t buf[MUX_IO_READ_MAX];
        ssize_t n;
        int r;

        n = read(fd, buf, sizeof(buf));
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                *reterr_reason = "read failed";
                return -errno;
        }
        if (n == 0) {
                *reterr_reason = "connection closed by peer";
                return -ECONNRESET;
        }
        r = mux_feed(m, buf, (size_t) n);
        if (r < 0) {
                *reterr_reason = "protocol error";
                return r;
        }
        return 1;
}

int mux_io_write(Mux *m, int fd) {
        const uint8_t *data;
        size_t len;
        ssize_t n;

        mux_peek_output(m, &data, &len);
        if (len == 0)
                return 0;
        n = send(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
                n = write(fd, data, len);
        if (n < 0)
                return IN_SET(errno, EAGAIN, EINTR) ? 0 : -errno;
        mux_consume_output(m, (size_t) n);
        return 0;
}

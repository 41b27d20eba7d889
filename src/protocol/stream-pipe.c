/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stream-pipe.c: a FORWARD stream relayed to a local socket (see stream-pipe.h). */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "stream-pipe.h"

size_t stream_pipe_send_min(uint32_t initial_window) {
        return MAX(1U, MIN(STREAM_PIPE_SEND_MIN_BYTES, initial_window / 4));
}

void stream_pipe_init(StreamPipe *p, Mux *mux, uint32_t id, int in_fd, int out_fd) {
        *p = (StreamPipe){
                .mux = mux, .id = id, .in_fd = in_fd, .out_fd = out_fd, .send_min = SIZE_MAX
        };
}

void stream_pipe_finish(StreamPipe *p) {
        buffer_finish(&p->to_fd);
}

void stream_pipe_start(StreamPipe *p) {
        p->send_min = stream_pipe_send_min((uint32_t) mux_stream_get_send_window(p->mux, p->id));
}

bool stream_pipe_wants_read(const StreamPipe *p) {
        return !p->eof_sent && mux_stream_get_send_window(p->mux, p->id) >= p->send_min;
}

bool stream_pipe_wants_write(const StreamPipe *p) {
        return buffer_size(&p->to_fd) > 0;
}

static bool stream_pipe_is_done(const StreamPipe *p) {
        return p->eof_sent && p->shut_down_write;
}

int stream_pipe_flush(StreamPipe *p) {
        ssize_t n;

        n = buffer_write_to(&p->to_fd, p->out_fd);
        if (n < 0)
                return (int) n;
        p->ungranted += (uint32_t) n;
        if (p->ungranted >= STREAM_PIPE_GRANT_BATCH_BYTES ||
                        (p->ungranted > 0 && buffer_size(&p->to_fd) == 0)) {
                (void) mux_stream_grant(p->mux, p->id, p->ungranted);
                p->ungranted = 0;
        }
        if (buffer_size(&p->to_fd) > 0 || !p->eof_received || p->shut_down_write)
                return 0;
        (void) shutdown(p->out_fd, SHUT_WR);
        p->shut_down_write = true;
        return stream_pipe_is_done(p);
}

int stream_pipe_on_data(StreamPipe *p, const uint8_t *data, size_t len) {
        int r;

        /* Bounded by the window we granted: the mux refuses DATA beyond it. */
        r = buffer_append(&p->to_fd, data, len);
        if (r < 0)
                return r;
        return stream_pipe_flush(p);
}

int stream_pipe_on_eof(StreamPipe *p) {
        p->eof_received = true;
        return stream_pipe_flush(p);
}

int stream_pipe_read(StreamPipe *p) {
        uint8_t buf[FRAME_DATA_MAX];
        size_t window = mux_stream_get_send_window(p->mux, p->id);
        ssize_t n;
        int r;

        if (p->eof_sent || window < p->send_min)
                return 0;
        n = read(p->in_fd, buf, MIN(window, sizeof(buf)));
        if (n < 0 && IN_SET(errno, EAGAIN, EINTR))
                return 0;
        if (n <= 0) {
                p->eof_sent = true;
                (void) mux_stream_send_eof(p->mux, p->id, STREAM_FD_STDIN);
                return stream_pipe_is_done(p);
        }
        r = mux_stream_send(p->mux, p->id, STREAM_FD_STDIN, buf, (size_t) n);
        if (r < 0)
                return r;
        return (size_t) r == (size_t) n ? 0 : -EIO;
}

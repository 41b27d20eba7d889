/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-stream.c: tray-wire messages over a non-blocking byte stream. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "buffer.h"
#include "fd-util.h"
#include "tray-stream.h"
#include "tray-wire.h"

#define READ_CHUNK (64u * 1024u)

struct TrayStream {
        int fd;
        sd_event_source *io;
        Buffer in, out;
        TrayStreamMessageFn on_message;
        TrayStreamCloseFn on_close;
        void *userdata;
        bool closed;
};

TrayStream *tray_stream_free(TrayStream *s) {
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->io);
        safe_close(s->fd);
        buffer_finish(&s->in);
        buffer_finish(&s->out);
        return mfree(s);
}

static void stream_close(TrayStream *s, int error) {
        if (s->closed)
                return;
        s->closed = true;
        (void) sd_event_source_set_enabled(s->io, SD_EVENT_OFF);
        s->on_close(error, s->userdata); /* may free s */
}

static int update_events(TrayStream *s) {
        return sd_event_source_set_io_events(
                        s->io, EPOLLIN | (buffer_size(&s->out) > 0 ? EPOLLOUT : 0));
}

/* Hands every whole message in the input buffer to on_message. */
static int dispatch_messages(TrayStream *s) {
        for (;;) {
                const uint8_t *data = s->in.data + s->in.start;
                size_t size;
                int r = tray_wire_frame(data, buffer_size(&s->in), &size);
                if (r == -EAGAIN)
                        return 0;
                if (r < 0)
                        return r;
                r = s->on_message(data, size, s->userdata);
                if (r < 0)
                        return r;
                buffer_consume(&s->in, size);
        }
}

static int on_stream_readable(TrayStream *s) {
        uint8_t chunk[READ_CHUNK];
        ssize_t n = read(s->fd, chunk, sizeof(chunk));

        if (n < 0)
                return IN_SET(errno, EAGAIN, EINTR) ? 1 : -errno;
        if (n == 0)
                return 0;
        int r = buffer_append(&s->in, chunk, (size_t) n);
        if (r < 0)
                return r;
        r = dispatch_messages(s);
        return r < 0 ? r : 1;
}

static int on_stream_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        TrayStream *s = userdata;
        int r = 1;

        if (revents & EPOLLOUT) {
                ssize_t n = buffer_write_to(&s->out, s->fd);
                if (n < 0) {
                        stream_close(s, (int) n);
                        return 0;
                }
        }
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                r = on_stream_readable(s);
        if (r <= 0) {
                stream_close(s, r);
                return 0;
        }
        r = update_events(s);
        if (r < 0)
                stream_close(s, r);
        return 0;
}

int tray_stream_new(sd_event *event, int fd, TrayStreamMessageFn on_message,
                TrayStreamCloseFn on_close, void *userdata, TrayStream **ret) {
        _cleanup_(tray_stream_freep) TrayStream *s = NULL;
        int r;

        r = fd_set_nonblock(fd);
        if (r < 0)
                return r;
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->fd = -EBADF;
        r = sd_event_add_io(event, &s->io, fd, EPOLLIN, on_stream_io, s);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(s->io, "tray-stream");
        s->fd = fd;
        s->on_message = on_message;
        s->on_close = on_close;
        s->userdata = userdata;
        *ret = TAKE_PTR(s);
        return 0;
}

int tray_stream_send(TrayStream *s, uint8_t *msg, size_t size) {
        _cleanup_(freep) uint8_t *m = msg;
        int r;

        if (s->closed)
                return -EPIPE;
        if (buffer_size(&s->out) + size > TRAY_STREAM_QUEUE_MAX)
                return -ENOBUFS;
        r = buffer_append(&s->out, m, size);
        if (r < 0)
                return r;
        return update_events(s);
}

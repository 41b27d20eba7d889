/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* forward.c: FORWARD streams: a byte relay between the host and a guest unix socket (the relay
 * itself is stream-pipe.c; this file watches the fds on the agent's loop). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "forward.h"
#include "log.h"
#include "socket-util.h"

ForwardStream *forward_stream_free(ForwardStream *f) {
        if (!f)
                return NULL;
        LIST_REMOVE(f->agent->forwards, f);
        f->in_source = event_source_free(f->in_source);
        f->out_source = event_source_free(f->out_source);
        f->fd = safe_close(f->fd);
        f->out_fd = safe_close(f->out_fd);
        stream_pipe_finish(&f->pipe);
        free(f);
        return NULL;
}

/* r from a stream_pipe_*() call: 0 goes on, 1 (done) or an error ends the stream and frees f.
 * Returns false if f was freed. */
static bool forward_stream_check(ForwardStream *f, int r) {
        if (r == 0)
                return true;
        if (r < 0)
                log_debug_errno(r, "Forward stream %u failed: %m", f->pipe.id);
        r = mux_stream_close(f->agent->mux, f->pipe.id, r < 0 ? r : 0);
        if (r < 0)
                log_debug_errno(r, "Cannot close forward stream %u, ignoring: %m", f->pipe.id);
        forward_stream_free(f);
        return false;
}

static void forward_stream_update_write(ForwardStream *f) {
        (void) event_source_set_events(
                        f->out_source, stream_pipe_wants_write(&f->pipe) ? EPOLLOUT : 0);
}

void forward_stream_on_data(ForwardStream *f, const uint8_t *data, size_t len) {
        agent_touch(f->agent);
        if (forward_stream_check(f, stream_pipe_on_data(&f->pipe, data, len)))
                forward_stream_update_write(f);
}

void forward_stream_on_eof(ForwardStream *f) {
        if (forward_stream_check(f, stream_pipe_on_eof(&f->pipe)))
                forward_stream_update_write(f);
}

void forward_stream_on_close(ForwardStream *f) {
        forward_stream_free(f);
}

static int on_service_writable(EventSource *source, int fd, uint32_t revents, void *userdata) {
        ForwardStream *f = userdata;

        if (forward_stream_check(f, stream_pipe_flush(&f->pipe)))
                forward_stream_update_write(f);
        return 0;
}

static int on_service_readable(EventSource *source, int fd, uint32_t revents, void *userdata) {
        ForwardStream *f = userdata;

        agent_touch(f->agent);
        if (forward_stream_check(f, stream_pipe_read(&f->pipe)))
                forward_stream_update(f);
        return 0;
}

void forward_stream_update(ForwardStream *f) {
        bool readable = !agent_output_is_full(f->agent) && stream_pipe_wants_read(&f->pipe);

        (void) event_source_set_events(f->in_source, readable ? EPOLLIN : 0);
}

/* Takes fd (a connected socket) on success; the stream id is set by the caller's open/accept. */
static int forward_stream_new(Agent *a, int fd, ForwardStream **ret) {
        _cleanup_(freep) ForwardStream *f = NULL;
        int r;

        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        *f = (ForwardStream){
                .header.kind = STREAM_KIND_FORWARD,
                .agent = a,
                .fd = -EBADF,
                .out_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3),
        };
        if (f->out_fd < 0)
                return -errno;
        /* Nothing is read before the stream is accepted (stream_pipe_start()). */
        r = event_loop_add_io(a->loop, fd, 0, on_service_readable, f, &f->in_source);
        if (r >= 0)
                r = event_loop_add_io(
                                a->loop, f->out_fd, 0, on_service_writable, f, &f->out_source);
        if (r < 0) {
                f->in_source = event_source_free(f->in_source);
                f->out_fd = safe_close(f->out_fd);
                return r;
        }
        f->fd = fd;
        stream_pipe_init(&f->pipe, a->mux, 0, f->fd, f->out_fd);
        LIST_PREPEND(a->forwards, f);
        *ret = TAKE_PTR(f);
        return 0;
}

int forward_stream_open_to_host(Agent *a, int fd, const char *service) {
        _cleanup_(closep) int conn = fd;
        FrameOpen req = {
                .kind = STREAM_KIND_FORWARD,
                .window = AGENT_STREAM_WINDOW_BYTES,
                .service = (char *) service,
        };
        ForwardStream *f = NULL;
        int r;

        r = forward_stream_new(a, conn, &f);
        if (r < 0)
                return log_warning_errno(r, "Cannot set up a '%s' stream: %m", service);
        conn = -EBADF; /* owned by f now */
        f->guest_opened = true;
        r = mux_stream_open(a->mux, &req, f, &f->pipe.id);
        if (r < 0) {
                forward_stream_free(f);
                return log_warning_errno(
                                r, "Cannot open a stream to the host service '%s': %m", service);
        }
        log_debug("Stream %u: opened to the host service '%s'.", f->pipe.id, service);
        agent_touch(a);
        return 0;
}

void forward_stream_on_accept(ForwardStream *f) {
        stream_pipe_start(&f->pipe);
        forward_stream_update(f);
}

static int forward_connect(const char *dir, const char *service, int *ret_fd) {
        _cleanup_(freep) char *path = NULL;

        if (asprintf(&path, "%s/%s.sock", dir, service) < 0)
                return -ENOMEM;
        return socket_connect_unix_nonblocking(path, ret_fd);
}

void forward_stream_on_open(Agent *a, uint32_t id, const FrameOpen *req) {
        _cleanup_(closep) int fd = -EBADF;
        ForwardStream *f = NULL;
        int r;

        r = forward_connect(a->args->services_dir, req->service, &fd);
        if (r < 0) {
                log_info_errno(r, "Stream %u: cannot connect to service '%s': %m", id,
                                req->service);
                (void) mux_stream_reject(a->mux, id, r, "cannot connect to the service");
                return;
        }
        r = forward_stream_new(a, fd, &f);
        if (r < 0) {
                (void) mux_stream_reject(a->mux, id, r, "cannot set up the forward");
                return;
        }
        fd = -EBADF; /* owned by f now */
        f->pipe.id = id;
        r = mux_stream_accept(a->mux, id, AGENT_STREAM_WINDOW_BYTES, f);
        if (r < 0) {
                forward_stream_free(f);
                return;
        }
        stream_pipe_start(&f->pipe);
        forward_stream_update(f);
        agent_touch(a);
}

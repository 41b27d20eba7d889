/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* forward.c: FORWARD streams: a byte relay between the host and a guest service's unix socket. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "forward.h"
#include "log.h"

static void forward_stream_unlink(ForwardStream *f) {
        Agent *a = f->agent;

        if (f->prev)
                f->prev->next = f->next;
        else if (a->forwards == f)
                a->forwards = f->next;
        if (f->next)
                f->next->prev = f->prev;
        f->next = f->prev = NULL;
}

ForwardStream *forward_stream_free(ForwardStream *f) {
        if (!f)
                return NULL;
        forward_stream_unlink(f);
        f->in_source = loop_source_free(f->in_source);
        f->out_source = loop_source_free(f->out_source);
        f->fd = safe_close(f->fd);
        f->out_fd = safe_close(f->out_fd);
        buffer_finish(&f->to_service);
        free(f);
        return NULL;
}

/* Ends the stream from our side with error (0: both directions finished) and frees f. */
static void forward_stream_end(ForwardStream *f, int error) {
        int r;

        r = mux_stream_close(f->agent->mux, f->id, error);
        if (r < 0)
                log_debug_errno(r, "Cannot close forward stream %u, ignoring: %m", f->id);
        forward_stream_free(f);
}

static bool forward_stream_is_done(const ForwardStream *f) {
        return f->eof_sent && f->shut_down_write;
}

static void forward_stream_flush(ForwardStream *f) {
        ssize_t n;

        n = buffer_write_to(&f->to_service, f->out_fd);
        if (n < 0) {
                log_debug_errno((int) n, "Forward stream %u: service write failed: %m", f->id);
                forward_stream_end(f, (int) n);
                return;
        }
        f->ungranted += (uint32_t) n;
        if (f->ungranted >= AGENT_GRANT_BATCH_BYTES || buffer_size(&f->to_service) == 0) {
                (void) mux_stream_grant(f->agent->mux, f->id, f->ungranted);
                f->ungranted = 0;
        }
        if (buffer_size(&f->to_service) > 0) {
                (void) loop_source_set_events(f->out_source, EPOLLOUT);
                return;
        }
        (void) loop_source_set_events(f->out_source, 0);
        if (!f->eof_received || f->shut_down_write)
                return;
        (void) shutdown(f->fd, SHUT_WR);
        f->shut_down_write = true;
        if (forward_stream_is_done(f))
                forward_stream_end(f, 0);
}

void forward_stream_on_data(ForwardStream *f, const uint8_t *data, size_t len) {
        int r;

        agent_touch(f->agent);
        r = buffer_append(&f->to_service, data, len);
        if (r < 0) {
                forward_stream_end(f, r);
                return;
        }
        forward_stream_flush(f);
}

void forward_stream_on_eof(ForwardStream *f) {
        f->eof_received = true;
        forward_stream_flush(f);
}

void forward_stream_on_close(ForwardStream *f) {
        forward_stream_free(f);
}

static int on_service_writable(LoopSource *source, int fd, uint32_t revents, void *userdata) {
        forward_stream_flush(userdata);
        return 0;
}

static int on_service_readable(LoopSource *source, int fd, uint32_t revents, void *userdata) {
        ForwardStream *f = userdata;
        uint8_t buf[FRAME_DATA_MAX];
        size_t window;
        ssize_t n;
        int r;

        window = mux_stream_get_send_window(f->agent->mux, f->id);
        if (window < f->send_min) {
                (void) loop_source_set_events(source, 0);
                return 0;
        }
        n = read(fd, buf, MIN(window, sizeof(buf)));
        if (n < 0 && IN_SET(errno, EAGAIN, EINTR))
                return 0;
        if (n <= 0) {
                f->in_source = loop_source_free(f->in_source);
                f->eof_sent = true;
                (void) mux_stream_send_eof(f->agent->mux, f->id, STREAM_FD_STDIN);
                if (forward_stream_is_done(f))
                        forward_stream_end(f, 0);
                return 0;
        }
        agent_touch(f->agent);
        r = mux_stream_send(f->agent->mux, f->id, STREAM_FD_STDIN, buf, (size_t) n);
        if (r < 0 || (size_t) r != (size_t) n)
                forward_stream_end(f, r < 0 ? r : -EIO);
        return 0;
}

void forward_stream_update(ForwardStream *f) {
        bool readable;

        if (!f->in_source)
                return;
        readable = !agent_output_is_full(f->agent) &&
                   mux_stream_get_send_window(f->agent->mux, f->id) >= f->send_min;
        (void) loop_source_set_events(f->in_source, readable ? EPOLLIN : 0);
}

static int forward_connect(const char *dir, const char *service, int *ret_fd) {
        _cleanup_(closep) int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", dir, service) >=
                        sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* A unix socket connect completes at once or fails (EAGAIN: backlog full). */
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

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
        r = loop_add_io(a->loop, fd, EPOLLIN, on_service_readable, f, &f->in_source);
        if (r >= 0)
                r = loop_add_io(a->loop, f->out_fd, 0, on_service_writable, f, &f->out_source);
        if (r < 0) {
                f->in_source = loop_source_free(f->in_source);
                f->out_fd = safe_close(f->out_fd);
                return r;
        }
        f->fd = fd;
        f->next = a->forwards;
        if (a->forwards)
                a->forwards->prev = f;
        a->forwards = f;
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
        f->send_min = SIZE_MAX; /* read nothing before ACCEPT: the window is 0 */
        r = mux_stream_open(a->mux, &req, f, &f->id);
        if (r < 0) {
                forward_stream_free(f);
                return log_warning_errno(
                                r, "Cannot open a stream to the host service '%s': %m", service);
        }
        log_debug("Stream %u: opened to the host service '%s'.", f->id, service);
        agent_touch(a);
        return 0;
}

void forward_stream_on_accept(ForwardStream *f) {
        f->send_min = agent_send_min((uint32_t) mux_stream_get_send_window(f->agent->mux, f->id));
        forward_stream_update(f);
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
        f->id = id;
        f->send_min = agent_send_min(req->window);
        r = mux_stream_accept(a->mux, id, AGENT_STREAM_WINDOW_BYTES, f);
        if (r < 0) {
                forward_stream_free(f);
                return;
        }
        agent_touch(a);
}

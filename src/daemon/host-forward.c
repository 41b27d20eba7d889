/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-forward.c: guest-opened FORWARD streams relayed to host service sockets. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "host-forward.h"
#include "host-services.h"
#include "log.h"

/* Credit goes back in batches of at least this, or when everything buffered was written; the
 * service is read only once the guest's window has send_min bytes (no 1-byte frames). */
#define HOST_FORWARD_GRANT_BATCH_BYTES (32U * 1024U)
#define HOST_FORWARD_SEND_MIN_BYTES (16U * 1024U)

struct HostForward {
        Vm *vm;
        uint32_t id;
        int fd; /* connected to the service socket */
        sd_event_source *io;
        sd_event_source *post; /* after every dispatch: re-evaluate the io events */
        Buffer to_service;
        uint32_t ungranted; /* written to the service, credit not yet returned */
        size_t send_min;
        bool eof_received; /* the guest sent EOF: shut down our write side once drained */
        bool shut_down_write;
        bool eof_sent; /* the service closed its end: we sent EOF */
        HostForward *next, *prev;
};

static Mux *forward_mux(HostForward *f) {
        return channel_get_mux(f->vm->agent);
}

static HostForward *host_forward_free(HostForward *f) {
        Vm *vm;

        if (!f)
                return NULL;
        vm = f->vm;
        if (f->prev)
                f->prev->next = f->next;
        else if (vm->host_forwards == f)
                vm->host_forwards = f->next;
        if (f->next)
                f->next->prev = f->prev;
        if (vm->n_host_forwards > 0)
                vm->n_host_forwards--;
        f->io = sd_event_source_disable_unref(f->io);
        f->post = sd_event_source_disable_unref(f->post);
        f->fd = safe_close(f->fd);
        buffer_finish(&f->to_service);
        free(f);
        return NULL;
}

/* Ends the stream from our side (error 0: both directions finished) and frees f. */
static void host_forward_end(HostForward *f, int error) {
        (void) mux_stream_close(forward_mux(f), f->id, error);
        host_forward_free(f);
}

static bool host_forward_is_done(const HostForward *f) {
        return f->eof_sent && f->shut_down_write;
}

static void host_forward_update(HostForward *f) {
        uint32_t events = 0;

        if (!f->eof_sent && !channel_is_congested(f->vm->agent) &&
                        mux_stream_get_send_window(forward_mux(f), f->id) >= f->send_min)
                events |= EPOLLIN;
        if (buffer_size(&f->to_service) > 0)
                events |= EPOLLOUT;
        /* Off rather than no events: epoll reports a hung-up socket whatever we ask for, and
         * a stream whose window is closed would spin on it. */
        if (events == 0) {
                (void) sd_event_source_set_enabled(f->io, SD_EVENT_OFF);
                return;
        }
        (void) sd_event_source_set_io_events(f->io, events);
        (void) sd_event_source_set_enabled(f->io, SD_EVENT_ON);
}

/* Returns false if f was freed. */
static bool host_forward_flush(HostForward *f) {
        ssize_t n;

        n = buffer_write_to(&f->to_service, f->fd);
        if (n < 0) {
                log_debug_errno((int) n, "VM '%s': stream %" PRIu32 ": service write failed: %m",
                                f->vm->config->name, f->id);
                host_forward_end(f, (int) n);
                return false;
        }
        f->ungranted += (uint32_t) n;
        if (f->ungranted >= HOST_FORWARD_GRANT_BATCH_BYTES ||
                        (f->ungranted > 0 && buffer_size(&f->to_service) == 0)) {
                (void) mux_stream_grant(forward_mux(f), f->id, f->ungranted);
                f->ungranted = 0;
        }
        if (buffer_size(&f->to_service) > 0 || !f->eof_received || f->shut_down_write)
                return true;
        (void) shutdown(f->fd, SHUT_WR);
        f->shut_down_write = true;
        if (host_forward_is_done(f)) {
                host_forward_end(f, 0);
                return false;
        }
        return true;
}

static void host_forward_read(HostForward *f) {
        uint8_t buf[FRAME_DATA_MAX];
        size_t window = mux_stream_get_send_window(forward_mux(f), f->id);
        ssize_t n;
        int r;

        if (window < f->send_min)
                return;
        n = read(f->fd, buf, MIN(window, sizeof(buf)));
        if (n < 0 && IN_SET(errno, EAGAIN, EINTR))
                return;
        if (n <= 0) {
                f->eof_sent = true;
                (void) mux_stream_send_eof(forward_mux(f), f->id, STREAM_FD_STDIN);
                if (host_forward_is_done(f))
                        host_forward_end(f, 0);
                return;
        }
        r = mux_stream_send(forward_mux(f), f->id, STREAM_FD_STDIN, buf, (size_t) n);
        if (r < 0 || (size_t) r != (size_t) n)
                host_forward_end(f, r < 0 ? r : -EIO);
}

static int on_service_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        HostForward *f = userdata;

        if ((revents & EPOLLOUT) && !host_forward_flush(f))
                return 0;
        if ((revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !f->eof_sent)
                host_forward_read(f);
        return 0;
}

static int on_post(sd_event_source *s, void *userdata) {
        host_forward_update(userdata);
        return 0;
}

char *host_forward_socket_path(const Vm *vm, const char *service) {
        char *path;

        if (asprintf(&path, "%s/%s.%s.sock", vm->manager->options.runtime_dir, vm->config->name,
                            service) < 0)
                return NULL;
        return path;
}

static int connect_service(const Vm *vm, const char *service, int *ret_fd) {
        _cleanup_(freep) char *path = host_forward_socket_path(vm, service);
        _cleanup_(closep) int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (!path)
                return -ENOMEM;
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* A unix socket connect completes at once or fails (EAGAIN: backlog full). */
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int host_forward_new(Vm *vm, uint32_t id, int fd, HostForward **ret) {
        HostForward *f;
        int r;

        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        *f = (HostForward){ .vm = vm, .id = id, .fd = -EBADF, .send_min = SIZE_MAX };
        r = sd_event_add_io(vm->manager->event, &f->io, fd, 0, on_service_io, f);
        if (r >= 0)
                r = sd_event_add_post(vm->manager->event, &f->post, on_post, f);
        if (r < 0) {
                f->io = sd_event_source_disable_unref(f->io);
                free(f);
                return r;
        }
        (void) sd_event_source_set_description(f->io, "host-forward");
        f->fd = fd;
        f->next = vm->host_forwards;
        if (vm->host_forwards)
                vm->host_forwards->prev = f;
        vm->host_forwards = f;
        vm->n_host_forwards++;
        *ret = f;
        return 0;
}

void host_forward_on_open(Vm *vm, uint32_t id, const FrameOpen *req) {
        Mux *m = channel_get_mux(vm->agent);
        _cleanup_(closep) int fd = -EBADF;
        const char *reason;
        HostForward *f;
        size_t window;
        int r;

        r = host_service_check_open(vm->config, req->service, vm->n_host_forwards, &reason);
        if (r < 0) {
                log_info("VM '%s': guest stream to '%s' refused: %s.", vm->config->name,
                                req->service, reason);
                (void) mux_stream_reject(m, id, r, reason);
                return;
        }
        r = connect_service(vm, req->service, &fd);
        if (r < 0) {
                log_info_errno(r, "VM '%s': no host service '%s' listening (%m).", vm->config->name,
                                req->service);
                (void) mux_stream_reject(m, id, r, "no host service listening");
                return;
        }
        r = host_forward_new(vm, id, fd, &f);
        if (r < 0) {
                (void) mux_stream_reject(m, id, r, "cannot set up the stream");
                return;
        }
        fd = -EBADF; /* owned by f now */
        r = mux_stream_accept(m, id, HOST_FORWARD_WINDOW_BYTES, f);
        if (r < 0) {
                host_forward_free(f);
                return;
        }
        window = mux_stream_get_send_window(m, id);
        f->send_min = MAX(1U, MIN(HOST_FORWARD_SEND_MIN_BYTES, window / 4));
        host_forward_update(f);
        log_debug("VM '%s': stream %" PRIu32 " relayed to the host service '%s'.", vm->config->name,
                        id, req->service);
}

void host_forward_on_data(HostForward *f, const uint8_t *data, size_t len) {
        int r;

        /* Bounded: the guest may send at most the window we granted before the service took it. */
        r = buffer_append(&f->to_service, data, len);
        if (r < 0) {
                host_forward_end(f, r);
                return;
        }
        if (host_forward_flush(f))
                host_forward_update(f);
}

void host_forward_on_eof(HostForward *f) {
        f->eof_received = true;
        if (host_forward_flush(f))
                host_forward_update(f);
}

void host_forward_on_writable(HostForward *f) {
        host_forward_update(f);
}

void host_forward_on_close(HostForward *f) {
        host_forward_free(f);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-forward.c: guest-opened FORWARD streams relayed to host service sockets. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host-forward.h"
#include "host-services.h"
#include "log.h"
#include "manager.h"
#include "safe-open.h"
#include "socket-util.h"
#include "wayland-layout.h"

struct HostForward {
        Vm *vm;
        int fd; /* connected to the service socket */
        sd_event_source *io;
        sd_event_source *post; /* after every dispatch: re-evaluate the io events */
        StreamPipe pipe;
        HostForward *next, *prev;
};

static HostForward *host_forward_free(HostForward *f) {
        Vm *vm;

        if (!f)
                return NULL;
        vm = f->vm;
        LIST_REMOVE(vm->host_forwards, f);
        vm->n_host_forwards--;
        f->io = sd_event_source_disable_unref(f->io);
        f->post = sd_event_source_disable_unref(f->post);
        f->fd = safe_close(f->fd);
        stream_pipe_finish(&f->pipe);
        free(f);
        return NULL;
}

/* r from a stream_pipe_*() call: 0 goes on, 1 (done) or an error ends the stream and frees f.
 * Returns false if f was freed. */
static bool host_forward_check(HostForward *f, int r) {
        if (r == 0)
                return true;
        if (r < 0)
                log_debug_errno(r, "VM '%s': stream %" PRIu32 " to a host service failed: %m",
                                f->vm->config->name, f->pipe.id);
        (void) mux_stream_close(f->pipe.mux, f->pipe.id, r < 0 ? r : 0);
        host_forward_free(f);
        return false;
}

static void host_forward_update(HostForward *f) {
        uint32_t events = 0;

        if (!channel_is_congested(f->vm->agent) && stream_pipe_wants_read(&f->pipe))
                events |= EPOLLIN;
        if (stream_pipe_wants_write(&f->pipe))
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

static int on_service_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        HostForward *f = userdata;

        if ((revents & EPOLLOUT) && !host_forward_check(f, stream_pipe_flush(&f->pipe)))
                return 0;
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                (void) host_forward_check(f, stream_pipe_read(&f->pipe));
        return 0;
}

static int on_post(sd_event_source *s, void *userdata) {
        host_forward_update(userdata);
        return 0;
}

char *host_forward_socket_path(const Vm *vm, const char *service) {
        char *path;

        if (asprintf(&path, "%s/" WAYLAND_SERVICES_DIR "/%s/%s.sock",
                            vm->manager->options.runtime_dir, vm->config->name, service) < 0)
                return NULL;
        return path;
}

int host_forward_prepare_dir(const Vm *vm) {
        const Manager *m = vm->manager;
        _cleanup_(freep) char *top = NULL;
        _cleanup_(closep) int top_fd = -EBADF, fd = -EBADF;
        int r;

        if (asprintf(&top, "%s/" WAYLAND_SERVICES_DIR, m->options.runtime_dir) < 0)
                return -ENOMEM;
        r = safe_prepare_root_dir(top, "host services directory");
        if (r < 0)
                return r;
        top_fd = safe_open_dir(top);
        if (top_fd < 0)
                return top_fd;
        if (mkdirat(top_fd, vm->config->name, 0700) < 0 && errno != EEXIST)
                return -errno;
        /* Only root can make entries in top: what is there is ours; still, follow no link. */
        fd = safe_openat2(top_fd, vm->config->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
                        RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH);
        if (fd < 0)
                return fd;
        if (fchown(fd, m->user_uid, m->user_gid) < 0 || fchmod(fd, 0700) < 0)
                return -errno;
        return 0;
}

/* Connects to the companion's socket; the listener must be the configured user. The directory
 * is the user's: its entry is never followed (socket_connect_unix_at()), so root connects to
 * nothing a symlink there points at, and the socket itself must be the user's. */
static int connect_service(const Vm *vm, const char *service, int *ret_fd) {
        _cleanup_(freep) char *path = host_forward_socket_path(vm, service), *name = NULL;
        _cleanup_(closep) int dir_fd = -EBADF, fd = -EBADF;
        struct ucred peer;
        int r;

        if (!path || asprintf(&name, "%s.sock", service) < 0)
                return -ENOMEM;
        /* <runtime>/services is root's: the VM's entry there is ours to open. */
        *strrchr(path, '/') = 0;
        dir_fd = safe_open_dir(path);
        if (dir_fd < 0)
                return dir_fd;
        r = socket_connect_unix_at(dir_fd, name, vm->manager->user_uid, &fd, NULL);
        if (IN_SET(r, -ELOOP, -ENOTSOCK, -EPERM))
                log_warning("VM '%s': '%s/%s' is not a socket of the vmsilo user; refusing.",
                                vm->config->name, path, name);
        if (r < 0)
                return r;
        r = socket_peer_cred(fd, &peer);
        if (r < 0)
                return r;
        if (peer.uid != vm->manager->user_uid) {
                log_warning("VM '%s': '%s/%s' is served by uid %u, not the vmsilo user; refusing.",
                                vm->config->name, path, name, (unsigned) peer.uid);
                return -EPERM;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int host_forward_new(Vm *vm, uint32_t id, int fd, HostForward **ret) {
        HostForward *f;
        int r;

        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        *f = (HostForward){ .vm = vm, .fd = -EBADF };
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
        stream_pipe_init(&f->pipe, channel_get_mux(vm->agent), id, fd, fd);
        LIST_PREPEND(vm->host_forwards, f);
        vm->n_host_forwards++;
        *ret = f;
        return 0;
}

void host_forward_on_open(Vm *vm, uint32_t id, const FrameOpen *req) {
        Mux *m = channel_get_mux(vm->agent);
        _cleanup_(closep) int fd = -EBADF;
        const char *reason;
        HostForward *f;
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
        stream_pipe_start(&f->pipe);
        host_forward_update(f);
        log_debug("VM '%s': stream %" PRIu32 " relayed to the host service '%s'.", vm->config->name,
                        id, req->service);
}

void host_forward_on_data(HostForward *f, const uint8_t *data, size_t len) {
        if (host_forward_check(f, stream_pipe_on_data(&f->pipe, data, len)))
                host_forward_update(f);
}

void host_forward_on_eof(HostForward *f) {
        if (host_forward_check(f, stream_pipe_on_eof(&f->pipe)))
                host_forward_update(f);
}

void host_forward_on_writable(HostForward *f) {
        host_forward_update(f);
}

void host_forward_on_close(HostForward *f) {
        host_forward_free(f);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fence-control.c: the fence's control socket, for the clipboard commands of scripts. */
#include "fence-control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "socket-util.h"

typedef struct Request {
        FenceControl *control;
        int fd; /* -EBADF: a free slot */
        sd_event_source *io, *timer;
        char line[8]; /* "paste\n" is the longest */
        size_t len;
        bool asked; /* handed to the proxy: its reply ends the request */
} Request;

struct FenceControl {
        Proxy *proxy;
        sd_event *event;
        int listen_fd;
        sd_event_source *listen_io;
        Request requests[FENCE_CONTROL_REQUESTS_MAX];
};

static void request_end(Request *q) {
        q->io = sd_event_source_disable_unref(q->io);
        q->timer = sd_event_source_disable_unref(q->timer);
        q->fd = safe_close(q->fd);
        q->len = 0;
        q->asked = false;
}

static void on_reply(const char *line, void *userdata) {
        Request *q = userdata;

        (void) send(q->fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
        request_end(q);
}

static void request_dispatch(Request *q) {
        HotkeyAction action;

        if (q->len == 5 && memcmp(q->line, "copy\n", 5) == 0)
                action = HOTKEY_COPY;
        else if (q->len == 6 && memcmp(q->line, "paste\n", 6) == 0)
                action = HOTKEY_PASTE;
        else {
                on_reply("error invalid request\n", q);
                return;
        }
        /* the guest's copy can take a while: the proxy's own timeout ends it, not ours */
        q->io = sd_event_source_disable_unref(q->io);
        q->timer = sd_event_source_disable_unref(q->timer);
        q->asked = true;
        proxy_clipboard(q->control->proxy, action, on_reply, q);
}

static int on_request_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Request *q = userdata;
        ssize_t n;

        n = read(fd, q->line + q->len, sizeof(q->line) - q->len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                request_end(q); /* gone before a whole line */
                return 0;
        }
        q->len += (size_t) n;
        if (memchr(q->line, '\n', q->len) || q->len == sizeof(q->line))
                request_dispatch(q);
        return 0;
}

static int on_request_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        request_end(userdata);
        return 0;
}

static int request_start(FenceControl *c, Request *q, int fd) {
        int r;

        *q = (Request){ .control = c, .fd = -EBADF };
        r = sd_event_add_io(c->event, &q->io, fd, EPOLLIN, on_request_io, q);
        if (r >= 0)
                r = sd_event_add_time_relative(c->event, &q->timer, CLOCK_MONOTONIC,
                                FENCE_CONTROL_TIMEOUT_USEC, 0, on_request_timeout, q);
        if (r < 0) {
                request_end(q);
                return r;
        }
        q->fd = fd;
        return 0;
}

static int on_listen_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        FenceControl *c = userdata;
        _cleanup_(closep) int conn = -EBADF;
        struct ucred cred = {};
        Request *free_slot = NULL;

        conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0)
                return 0;
        /* the socket's mode says the same; this makes it certain */
        if (socket_peer_cred(conn, &cred) < 0 || cred.uid != getuid()) {
                log_warning("Control: refused a connection from uid %u.", (unsigned) cred.uid);
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(c->requests) && !free_slot; i++)
                if (c->requests[i].fd < 0)
                        free_slot = &c->requests[i];
        if (!free_slot)
                return 0; /* closed unanswered: too many at once */
        if (request_start(c, free_slot, conn) < 0)
                return log_warning_errno(ENOMEM, "Control: cannot take a request: %m"), 0;
        TAKE_FD(conn);
        return 0;
}

int fence_control_new(sd_event *event, int listen_fd, Proxy *proxy, FenceControl **ret) {
        _cleanup_(fence_control_freep) FenceControl *c = NULL;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->listen_fd = -EBADF;
        for (size_t i = 0; i < ELEMENTSOF(c->requests); i++)
                c->requests[i].fd = -EBADF;
        c->proxy = proxy;
        c->event = sd_event_ref(event);
        r = sd_event_add_io(event, &c->listen_io, listen_fd, EPOLLIN, on_listen_io, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->listen_io, "control-listen");
        c->listen_fd = listen_fd;
        *ret = TAKE_PTR(c);
        return 0;
}

FenceControl *fence_control_free(FenceControl *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(c->requests); i++)
                request_end(&c->requests[i]);
        c->listen_io = sd_event_source_disable_unref(c->listen_io);
        safe_close(c->listen_fd);
        sd_event_unref(c->event);
        free(c);
        return NULL;
}

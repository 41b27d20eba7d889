/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* loop.c: epoll loop with deferred source destruction. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define LOOP_EVENTS_MAX 64

struct LoopSource {
        Loop *loop;
        int fd;
        uint32_t events; /* currently registered with epoll; 0 = not in the epoll set */
        bool dead;       /* freed by its owner; memory released after the current batch */
        LoopIoHandler handler;
        void *userdata;
        LoopSource *dead_next;
};

struct Loop {
        int epoll_fd;
        bool exit_requested;
        int exit_code;
        LoopSource *dead; /* singly linked via dead_next */
        unsigned n_sources;
        LoopPostHandler post;
        void *post_userdata;
};

int loop_new(Loop **ret) {
        _cleanup_(loop_freep) Loop *l = NULL;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (l->epoll_fd < 0)
                return -errno;
        *ret = TAKE_PTR(l);
        return 0;
}

static void loop_reap_dead(Loop *l) {
        while (l->dead) {
                LoopSource *s = l->dead;
                l->dead = s->dead_next;
                free(s);
        }
}

Loop *loop_free(Loop *l) {
        if (!l)
                return NULL;
        /* Owners free their sources before the loop; anything still alive here leaks on purpose
         * rather than leaving an owner with a dangling pointer. */
        loop_reap_dead(l);
        l->epoll_fd = safe_close(l->epoll_fd);
        free(l);
        return NULL;
}

int loop_add_io(Loop *l, int fd, uint32_t events, LoopIoHandler handler, void *userdata,
                LoopSource **ret) {
        _cleanup_(freep) LoopSource *s = NULL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = (LoopSource){
                .loop = l,
                .fd = fd,
                .handler = handler,
                .userdata = userdata,
        };
        if (events != 0) {
                struct epoll_event ev = { .events = events, .data.ptr = s };
                if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
                        return -errno;
                s->events = events;
        }
        l->n_sources++;
        *ret = TAKE_PTR(s);
        return 0;
}

int loop_source_set_events(LoopSource *s, uint32_t events) {
        struct epoll_event ev = { .events = events, .data.ptr = s };
        int op;

        if (s->dead || s->events == events)
                return 0;
        if (events == 0)
                op = EPOLL_CTL_DEL;
        else if (s->events == 0)
                op = EPOLL_CTL_ADD;
        else
                op = EPOLL_CTL_MOD;
        if (epoll_ctl(s->loop->epoll_fd, op, s->fd, &ev) < 0)
                return -errno;
        s->events = events;
        return 0;
}

uint32_t loop_source_get_events(const LoopSource *s) {
        return s->events;
}

LoopSource *loop_source_free(LoopSource *s) {
        if (!s)
                return NULL;
        if (s->events != 0)
                (void) epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
        s->events = 0;
        s->dead = true;
        s->dead_next = s->loop->dead;
        s->loop->dead = s;
        s->loop->n_sources--;
        return NULL;
}

void loop_set_post(Loop *l, LoopPostHandler handler, void *userdata) {
        l->post = handler;
        l->post_userdata = userdata;
}

void loop_exit(Loop *l, int code) {
        l->exit_requested = true;
        l->exit_code = code;
}

static void loop_dispatch(Loop *l, const struct epoll_event *events, int n) {
        for (int i = 0; i < n && !l->exit_requested; i++) {
                LoopSource *s = events[i].data.ptr;
                int r;

                /* A handler earlier in this batch may have freed or disabled this source. */
                if (s->dead || s->events == 0)
                        continue;
                r = s->handler(s, s->fd, events[i].events, s->userdata);
                if (r < 0)
                        log_debug_errno(r, "Event handler for fd %d failed, ignoring: %m", s->fd);
        }
        loop_reap_dead(l);
}

int loop_run(Loop *l) {
        struct epoll_event events[LOOP_EVENTS_MAX];

        while (!l->exit_requested) {
                int n;

                if (l->post)
                        l->post(l->post_userdata);
                if (l->exit_requested)
                        break;
                n = epoll_wait(l->epoll_fd, events, LOOP_EVENTS_MAX, -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "epoll_wait() failed: %m");
                }
                loop_dispatch(l, events, n);
        }
        return l->exit_code;
}

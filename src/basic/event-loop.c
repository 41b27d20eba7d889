/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* event-loop.c: epoll loop with timerfd, signalfd, defer and post sources and deferred source
 * destruction. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "event-loop.h"
#include "log.h"
#include "time-util.h"

#define EVENT_LOOP_EVENTS_MAX 64

typedef enum EventSourceKind {
        EVENT_SOURCE_IO,
        EVENT_SOURCE_TIME,
        EVENT_SOURCE_SIGNAL,
        EVENT_SOURCE_DEFER,
        EVENT_SOURCE_POST,
} EventSourceKind;

struct EventSource {
        EventLoop *loop;
        EventSourceKind kind;
        int fd;          /* io: watched, not owned; time, signal: its own timerfd/signalfd */
        uint32_t events; /* currently registered with epoll; 0 = not in the epoll set */
        bool enabled;    /* time, signal, defer, post */
        bool dead;       /* freed by its owner; memory released after the current batch */
        union {
                EventIoHandler io;
                EventTimeHandler time;
                EventSignalHandler signal;
                EventHandler plain; /* defer, post */
        } handler;
        void *userdata;
        EventSource *next, *prev; /* defer and post sources: in the loop's list of their kind */
        EventSource *dead_next;
};

struct EventLoop {
        int epoll_fd;
        bool exit_requested;
        int exit_code;
        EventSource *defers, *posts;
        EventSource *dead; /* singly linked via dead_next */
};

int event_loop_new(EventLoop **ret) {
        _cleanup_(event_loop_freep) EventLoop *l = NULL;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (l->epoll_fd < 0)
                return -errno;
        *ret = TAKE_PTR(l);
        return 0;
}

static EventSource **event_loop_list_of(EventLoop *l, EventSourceKind kind) {
        if (kind == EVENT_SOURCE_DEFER)
                return &l->defers;
        if (kind == EVENT_SOURCE_POST)
                return &l->posts;
        return NULL;
}

static void event_source_unlink(EventSource *s) {
        EventSource **head = event_loop_list_of(s->loop, s->kind);

        if (!head)
                return;
        if (s->prev)
                s->prev->next = s->next;
        else
                *head = s->next;
        if (s->next)
                s->next->prev = s->prev;
        s->next = s->prev = NULL;
}

static void event_loop_reap_dead(EventLoop *l) {
        while (l->dead) {
                EventSource *s = l->dead;
                l->dead = s->dead_next;
                event_source_unlink(s);
                free(s);
        }
}

EventLoop *event_loop_free(EventLoop *l) {
        if (!l)
                return NULL;
        /* Owners free their sources before the loop; anything still alive here leaks on purpose
         * rather than leaving an owner with a dangling pointer. */
        event_loop_reap_dead(l);
        l->epoll_fd = safe_close(l->epoll_fd);
        free(l);
        return NULL;
}

static int event_source_new(
                EventLoop *l, EventSourceKind kind, int fd, void *userdata, EventSource **ret) {
        EventSource *s;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = (EventSource){
                .loop = l,
                .kind = kind,
                .fd = fd,
                .userdata = userdata,
        };
        *ret = s;
        return 0;
}

/* Frees a source that was never handed out (its constructor failed half-way). */
static void event_source_discard(EventSource **s) {
        if (!*s)
                return;
        if ((*s)->kind != EVENT_SOURCE_IO)
                (void) safe_close((*s)->fd);
        *s = mfree(*s);
}

int event_source_set_events(EventSource *s, uint32_t events) {
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

uint32_t event_source_get_events(const EventSource *s) {
        return s->events;
}

int event_loop_add_io(EventLoop *l, int fd, uint32_t events, EventIoHandler handler, void *userdata,
                EventSource **ret) {
        _cleanup_(freep) EventSource *s = NULL;
        int r;

        r = event_source_new(l, EVENT_SOURCE_IO, fd, userdata, &s);
        if (r < 0)
                return r;
        s->handler.io = handler;
        r = event_source_set_events(s, events);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

/* time and signal sources: their own fd, in epoll while enabled. */
static int event_loop_add_fd_source(
                EventLoop *l, EventSourceKind kind, int fd, void *userdata, EventSource **ret) {
        _cleanup_(event_source_discard) EventSource *s = NULL;
        int r;

        r = event_source_new(l, kind, fd, userdata, &s);
        if (r < 0) {
                (void) safe_close(fd);
                return r;
        }
        r = event_source_set_events(s, EPOLLIN);
        if (r < 0)
                return r;
        s->enabled = true;
        *ret = TAKE_PTR(s);
        return 0;
}

int event_loop_add_time(EventLoop *l, uint64_t usec, EventTimeHandler handler, void *userdata,
                EventSource **ret) {
        struct itimerspec its = {
                .it_value.tv_sec = (time_t) (usec / USEC_PER_SEC),
                .it_value.tv_nsec = (long) (usec % USEC_PER_SEC * NSEC_PER_USEC),
        };
        int fd, r;

        /* A zero it_value disarms the timer: time 0 means "now", so 1 ns. */
        if (usec == 0)
                its.it_value.tv_nsec = 1;
        fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
                r = -errno;
                (void) safe_close(fd);
                return r;
        }
        r = event_loop_add_fd_source(l, EVENT_SOURCE_TIME, fd, userdata, ret);
        if (r < 0)
                return r;
        (*ret)->handler.time = handler;
        return 0;
}

int event_loop_add_signal(EventLoop *l, int signo, EventSignalHandler handler, void *userdata,
                EventSource **ret) {
        sigset_t mask;
        int fd, r;

        if (sigemptyset(&mask) < 0 || sigaddset(&mask, signo) < 0)
                return -EINVAL;
        fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = event_loop_add_fd_source(l, EVENT_SOURCE_SIGNAL, fd, userdata, ret);
        if (r < 0)
                return r;
        (*ret)->handler.signal = handler;
        return 0;
}

static int event_loop_add_listed(EventLoop *l, EventSourceKind kind, EventHandler handler,
                void *userdata, EventSource **ret) {
        EventSource **head = event_loop_list_of(l, kind), *s;
        int r;

        r = event_source_new(l, kind, -EBADF, userdata, &s);
        if (r < 0)
                return r;
        s->handler.plain = handler;
        s->enabled = true;
        s->next = *head;
        if (*head)
                (*head)->prev = s;
        *head = s;
        *ret = s;
        return 0;
}

int event_loop_add_defer(EventLoop *l, EventHandler handler, void *userdata, EventSource **ret) {
        return event_loop_add_listed(l, EVENT_SOURCE_DEFER, handler, userdata, ret);
}

int event_loop_add_post(EventLoop *l, EventHandler handler, void *userdata, EventSource **ret) {
        return event_loop_add_listed(l, EVENT_SOURCE_POST, handler, userdata, ret);
}

void event_source_set_enabled(EventSource *s, bool enabled) {
        if (s->dead || s->kind == EVENT_SOURCE_IO || s->enabled == enabled)
                return;
        s->enabled = enabled;
        if (IN_SET(s->kind, EVENT_SOURCE_TIME, EVENT_SOURCE_SIGNAL))
                (void) event_source_set_events(s, enabled ? EPOLLIN : 0);
}

bool event_source_get_enabled(const EventSource *s) {
        return s->enabled;
}

EventSource *event_source_free(EventSource *s) {
        if (!s)
                return NULL;
        if (s->events != 0)
                (void) epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
        s->events = 0;
        s->enabled = false;
        if (s->kind != EVENT_SOURCE_IO)
                s->fd = safe_close(s->fd);
        s->dead = true;
        s->dead_next = s->loop->dead;
        s->loop->dead = s;
        return NULL;
}

void event_loop_exit(EventLoop *l, int code) {
        l->exit_requested = true;
        l->exit_code = code;
}

static void event_source_log_failure(const EventSource *s, int r) {
        if (r < 0)
                log_debug_errno(r, "Event handler (kind %d, fd %d) failed, ignoring: %m",
                                (int) s->kind, s->fd);
}

/* A timer is one-shot: it is disabled before its handler runs, which may re-enable or free it. */
static int event_source_dispatch_time(EventSource *s) {
        uint64_t expirations;

        if (read(s->fd, &expirations, sizeof(expirations)) < 0)
                return errno == EAGAIN ? 0 : -errno;
        event_source_set_enabled(s, false);
        return s->handler.time(s, now_usec(), s->userdata);
}

static int event_source_dispatch_signal(EventSource *s) {
        struct signalfd_siginfo si;
        ssize_t n;

        n = read(s->fd, &si, sizeof(si));
        if (n < 0)
                return errno == EAGAIN ? 0 : -errno;
        if ((size_t) n != sizeof(si))
                return -EIO;
        return s->handler.signal(s, &si, s->userdata);
}

static int event_source_dispatch_fd(EventSource *s, uint32_t revents) {
        switch (s->kind) {
        case EVENT_SOURCE_IO:
                return s->handler.io(s, s->fd, revents, s->userdata);
        case EVENT_SOURCE_TIME:
                return event_source_dispatch_time(s);
        case EVENT_SOURCE_SIGNAL:
                return event_source_dispatch_signal(s);
        default:
                return -EINVAL;
        }
}

/* Runs every live, enabled source of a list. One added meanwhile is prepended, so it waits for
 * the next round; one freed meanwhile stays linked (dead) until the batch is reaped. */
static void event_loop_dispatch_list(EventLoop *l, EventSource *head) {
        for (EventSource *s = head; s && !l->exit_requested; s = s->next)
                if (!s->dead && s->enabled)
                        event_source_log_failure(s, s->handler.plain(s, s->userdata));
}

static bool event_loop_has_enabled_defer(const EventLoop *l) {
        for (const EventSource *s = l->defers; s; s = s->next)
                if (!s->dead && s->enabled)
                        return true;
        return false;
}

static void event_loop_dispatch(EventLoop *l, const struct epoll_event *events, int n) {
        for (int i = 0; i < n && !l->exit_requested; i++) {
                EventSource *s = events[i].data.ptr;

                /* A handler earlier in this batch may have freed or disabled this source. */
                if (s->dead || s->events == 0)
                        continue;
                event_source_log_failure(s, event_source_dispatch_fd(s, events[i].events));
        }
        event_loop_dispatch_list(l, l->defers);
        event_loop_reap_dead(l);
}

int event_loop_run(EventLoop *l) {
        struct epoll_event events[EVENT_LOOP_EVENTS_MAX];

        l->exit_requested = false;
        while (!l->exit_requested) {
                int n;

                event_loop_dispatch_list(l, l->posts);
                event_loop_reap_dead(l);
                if (l->exit_requested)
                        break;
                n = epoll_wait(l->epoll_fd, events, EVENT_LOOP_EVENTS_MAX,
                                event_loop_has_enabled_defer(l) ? 0 : -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "epoll_wait() failed: %m");
                }
                event_loop_dispatch(l, events, n);
        }
        return l->exit_code;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* event-loop.h: a small epoll event loop for the guest agent and the vm-run client.
 *
 * Why not sd-event, which the daemons use: the agent is one static binary in a minimal guest
 * (libsystemd cannot be linked statically, and the guest has none), and the client is started
 * once per `vm-run`, where loading libsystemd and its dependencies is most of its cost: on the
 * development machine (2026-12-06) /bin/true took 0.81 ms to spawn and run, a hello-world linked
 * with -lsystemd 1.68 ms, `vmsilo --version` 1.78 ms (issue #18); on this loop the client's own
 * start is 0.3-0.5 ms over /bin/true's, 0.8-1.4 ms before (docs/benchmarks.md). Both need
 * only fd readiness, one-shot timers, a few signals, deferred work and a hook after each
 * dispatch, which this covers. Single-threaded.
 *
 * Sources: io (an fd's epoll readiness), time (a one-shot CLOCK_MONOTONIC deadline, a timerfd),
 * signal (a signalfd; the caller blocks the signal first, as with sd-event), defer (runs on every
 * iteration while enabled, without waiting) and post (runs before every wait, after what was
 * dispatched). Every source is freed by its owner with event_source_free(), also from inside any
 * handler: the memory is released only after the current batch is dispatched. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "macro.h"

typedef struct EventLoop EventLoop;
typedef struct EventSource EventSource;

/* A negative return of any handler is logged at debug and ignored: each handler deals with its
 * own failure (close its stream, drop its connection). */
/* Called with the epoll revents of fd. */
typedef int (*EventIoHandler)(EventSource *s, int fd, uint32_t revents, void *userdata);
/* Called once the deadline passed; the source stays allocated (disabled) until freed. */
typedef int (*EventTimeHandler)(EventSource *s, uint64_t usec, void *userdata);
typedef int (*EventSignalHandler)(
                EventSource *s, const struct signalfd_siginfo *si, void *userdata);
/* defer and post sources. */
typedef int (*EventHandler)(EventSource *s, void *userdata);

int event_loop_new(EventLoop **ret);
EventLoop *event_loop_free(EventLoop *l);
DEFINE_FREE_FUNC(EventLoop *, event_loop_free);

/* Watches fd (not owned) for events. events == 0 adds the source disabled. epoll refuses regular
 * files: -EPERM. */
int event_loop_add_io(EventLoop *l, int fd, uint32_t events, EventIoHandler handler, void *userdata,
                EventSource **ret);
/* Fires once at usec (CLOCK_MONOTONIC, µs; a past time fires on the next iteration). */
int event_loop_add_time(EventLoop *l, uint64_t usec, EventTimeHandler handler, void *userdata,
                EventSource **ret);
/* signo must be blocked by the caller (sigprocmask), or it keeps its default action. */
int event_loop_add_signal(EventLoop *l, int signo, EventSignalHandler handler, void *userdata,
                EventSource **ret);
/* Enabled when added; see event_source_set_enabled(). */
int event_loop_add_defer(EventLoop *l, EventHandler handler, void *userdata, EventSource **ret);
int event_loop_add_post(EventLoop *l, EventHandler handler, void *userdata, EventSource **ret);

/* io sources only: changes the watched events; 0 takes the fd out of epoll entirely, so not even
 * EPOLLHUP wakes us (that is how a stream stops reading a pipe whose window is closed). */
int event_source_set_events(EventSource *s, uint32_t events);
uint32_t event_source_get_events(const EventSource *s);
/* defer, post, time and signal sources: whether the source is dispatched. */
void event_source_set_enabled(EventSource *s, bool enabled);
bool event_source_get_enabled(const EventSource *s);
/* Accepts NULL, returns NULL; closes a time or signal source's own fd. */
EventSource *event_source_free(EventSource *s);
DEFINE_FREE_FUNC(EventSource *, event_source_free);

/* Runs until event_loop_exit(); returns the exit code given there, or -errno if epoll failed.
 * May run again afterwards. */
int event_loop_run(EventLoop *l);
void event_loop_exit(EventLoop *l, int code);

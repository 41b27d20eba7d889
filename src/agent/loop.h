/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* loop.h: the agent's small epoll event loop.
 *
 * Why not sd-event: the agent is one static binary in a minimal guest and may link only
 * libbasic and libprotocol (no libsystemd there, and libsystemd cannot be linked statically
 * anyway). It needs only fd readiness and one periodic timer, which this covers in ~200 lines.
 * Single-threaded.
 */
#pragma once

#include <stdint.h>
#include <sys/epoll.h>

#include "macro.h"

typedef struct Loop Loop;
typedef struct LoopSource LoopSource;

/* Called with the epoll revents of fd. A negative return is logged and ignored: each handler
 * deals with its own failure (close its stream, drop its connection). */
typedef int (*LoopIoHandler)(LoopSource *s, int fd, uint32_t revents, void *userdata);

int loop_new(Loop **ret);
Loop *loop_free(Loop *l);
DEFINE_FREE_FUNC(Loop *, loop_free);

/* Watches fd (not owned) for events. events == 0 adds the source disabled. */
int loop_add_io(Loop *l, int fd, uint32_t events, LoopIoHandler handler, void *userdata,
                LoopSource **ret);
/* Changes the watched events; 0 takes the fd out of epoll entirely, so not even EPOLLHUP wakes
 * us (that is how a stream stops reading a pipe whose window is closed). */
int loop_source_set_events(LoopSource *s, uint32_t events);
uint32_t loop_source_get_events(const LoopSource *s);
/* Safe from inside any handler, including the source's own: freeing is deferred until the
 * current batch of events is dispatched. Accepts NULL, returns NULL. */
LoopSource *loop_source_free(LoopSource *s);
DEFINE_FREE_FUNC(LoopSource *, loop_source_free);

/* Called after every batch of dispatched events, before waiting again: where the owner flushes
 * output and re-evaluates which sources should be enabled. */
typedef void (*LoopPostHandler)(void *userdata);
void loop_set_post(Loop *l, LoopPostHandler handler, void *userdata);

/* Runs until loop_exit(); returns the exit code given there. */
int loop_run(Loop *l);
void loop_exit(Loop *l, int code);

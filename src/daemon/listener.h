/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* listener.h: one listening unix socket of vmsilod's (docs/daemon-sockets.md). Accepts, asks
 * SO_PEERCRED who connected and whether that uid may use vmsilod, logs refusals (rate-limited),
 * and when the daemon is out of fds pauses accepting for a moment instead of spinning on a
 * readable socket it cannot accept from. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "macro.h"
#include "manager.h"

/* Pause after accept() fails for want of fds or memory; new connections wait in the backlog. */
#define LISTENER_BACKOFF_USEC (100 * 1000)
/* Connections accepted per wakeup, so one busy socket cannot starve the rest of the loop. */
#define LISTENER_ACCEPT_BURST 32

typedef struct Listener Listener;

/* Takes fd (connected, non-blocking, close-on-exec) from uid. refusal: NULL when the peer may use
 * vmsilod, else why not (manager_peer_refusal(): static text, "is neither root nor …"); a
 * refusal has been logged already. */
typedef void (*ListenerHandler)(int fd, uid_t uid, const char *refusal, void *userdata);

/* Listens on path (mode 0666: every uid may connect and be told no by SO_PEERCRED). */
int listener_new(Manager *m, const char *path, const char *description, ListenerHandler handler,
                void *userdata, Listener **ret);
/* Writes one line of answer to fd, a connection just handed to a ListenerHandler, and closes it.
 * Its send buffer is empty, so a short line always fits and nothing waits; a peer already gone
 * costs no SIGPIPE. */
void listener_refuse(int fd, const char *format, ...) _printf_(2, 3);
/* Closes the socket and unlinks its path. */
Listener *listener_free(Listener *l);
DEFINE_FREE_FUNC(Listener *, listener_free);

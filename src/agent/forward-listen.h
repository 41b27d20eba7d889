/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* forward-listen.h: the guest end of GUEST_FORWARD streams (docs/protocol.md §3.2). For each
 * host service named on the kernel command line (vmsilo.forward=, forward-cmdline.h) the agent
 * listens on <forward dir>/<service>.sock, owned by the default user, mode 0600; every
 * connection becomes one FORWARD stream the agent opens to the host service. For "wayland" it
 * also gives every session WAYLAND_DISPLAY (docs/guest-image.md). */
#pragma once

#include "agent.h"

/* The display name `waypipe server` creates in the user's XDG_RUNTIME_DIR (vmsilo-waypipe.service).
 */
#define FORWARD_LISTEN_WAYLAND_DISPLAY "wayland-0"
/* Guest-opened streams at once; more connections are closed at once. The host caps them too. */
#define FORWARD_LISTEN_STREAMS_MAX 64

typedef struct ForwardListener ForwardListener;

/* Reads args->kernel_cmdline and listens for each service it names. Failures are logged and
 * cost only that service. */
void forward_listen_start(Agent *a);
/* Closes every listening socket (the socket files stay; the next start replaces them). */
void forward_listen_stop(Agent *a);

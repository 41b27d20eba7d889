/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fence-control.h: vmsilo-wayland's control socket (--control PATH, mode 0600, answering only
 * its own uid), for `vmsilo clipboard copy-from VM` and `paste-to VM`: one request per
 * connection, "copy\n" or "paste\n", answered with proxy_clipboard()'s line ("ok <size>\n",
 * "empty\n", "error <why>\n"), then closed. Nothing of the VM reaches it: only the user's own
 * processes can connect (docs/graphics.md "Scripts"). */
#pragma once

#include <systemd/sd-event.h>

#include "macro.h"
#include "proxy.h"

/* Requests at once, and how long one may take to arrive and be answered (a copy waits for the
 * guest, PROXY_COPY_TIMEOUT_USEC at most). */
#define FENCE_CONTROL_REQUESTS_MAX 4u
#define FENCE_CONTROL_TIMEOUT_USEC (5u * 1000u * 1000u)

typedef struct FenceControl FenceControl;

/* Serves listen_fd (taken on success) for proxy, which must outlive it... or be freed first:
 * proxy_free() answers every copy under way. */
int fence_control_new(sd_event *event, int listen_fd, Proxy *proxy, FenceControl **ret);
FenceControl *fence_control_free(FenceControl *c);
DEFINE_FREE_FUNC(FenceControl *, fence_control_free);

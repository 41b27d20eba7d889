/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clipboard-service.h: the user's vmsilo-clipboard (the global clipboard, docs/graphics.md),
 * supervised by vmsilod: one per daemon, which has one configured user. It is started as that
 * user in a bubblewrap sandbox (companion-plan.c) the first time a fence needs it, its socket
 * in the user's runtime dir where `vmsilo clipboard` finds it, restarted when it dies
 * (rate-limited like the companions), and killed with the daemon. */
#pragma once

#include "macro.h"
#include "manager.h"

typedef struct ClipboardService ClipboardService;

/* The socket a fence passes as --clipboard: starts m's vmsilo-clipboard first if it is not
 * running. NULL when it cannot run (no user runtime dir yet, a root user, out of memory: logged);
 * the fence's keys then do nothing. The string lives as long as m. */
const char *clipboard_service_acquire(Manager *m);

/* Kills it (reaped by the loop, or by the kernel as the daemon exits: bwrap dies with it). */
ClipboardService *clipboard_service_free(ClipboardService *s);
DEFINE_FREE_FUNC(ClipboardService *, clipboard_service_free);

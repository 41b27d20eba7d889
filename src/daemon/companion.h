/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* companion.h: a running VM's Wayland companions (vmsilo-wayland and waypipe client), started
 * as the configured user in bubblewrap sandboxes once the user's compositor is found, restarted
 * (rate-limited) when they die, stopped with the VM (docs/graphics.md). */
#pragma once

#include <jansson.h>

#include "config.h"
#include "macro.h"
#include "manager.h"

typedef struct Companions Companions;

/* For a VM that just started running with its GPU on: prepares <runtime>/services/<name> and starts the
 * companions as soon as (and whenever) a compositor is found. */
int companions_new(Manager *m, const Config *config, const VmConfig *vm, Companions **ret);
/* Kills the companions (reaped later by the event loop) and removes their directory. */
Companions *companions_free(Companions *c);
DEFINE_FREE_FUNC(Companions *, companions_free);

/* Runs argv (a bubblewrap line of companion-plan.c) as the configured user, sandbox_spawn()'s
 * way, reaped by handler(userdata) through *ret_child. Shared with clipboard-service.c. */
int companion_spawn(Manager *m, char **argv, sd_event_child_handler_t handler, void *userdata,
                sd_event_source **ret_child, pid_t *ret_pid);
/* SIGKILLs child's process; its source stays in the loop until the reap, where the handler gets
 * NULL userdata and must sd_event_source_set_floating(s, false). Returns NULL. */
sd_event_source *companion_kill(sd_event_source *child);
/* CLOCK_MONOTONIC now, for the restart limits. */
uint64_t companion_now_usec(void);

/* The "gui" object of a VM in the control protocol (docs/daemon-sockets.md). */
json_t *companions_to_json(const Companions *c);

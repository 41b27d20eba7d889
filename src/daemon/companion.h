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

/* For a VM that just started running with its GPU on: prepares <runtime>/services/<name> and starts
 * the companions as soon as (and whenever) a compositor is found. */
int companions_new(Manager *m, const Config *config, const VmConfig *vm, Companions **ret);
/* Kills the companions (reaped later by the event loop) and removes their directory. */
Companions *companions_free(Companions *c);
DEFINE_FREE_FUNC(Companions *, companions_free);

/* The "gui" object of a VM in the control protocol (docs/daemon-sockets.md). */
json_t *companions_to_json(const Companions *c);

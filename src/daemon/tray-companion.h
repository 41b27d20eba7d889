/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-companion.h: a running VM's tray host half (`vmsilo-tray host`, docs/tray.md), started
 * as the configured user in the companion sandbox once the user's session bus is found,
 * restarted (rate-limited) when it exits, stopped with the VM. It listens on the VM's
 * services/<vm>/tray.sock, where vmsilod relays the guest's FORWARD stream to service "tray". */
#pragma once

#include <jansson.h>

#include "macro.h"
#include "vm.h"

typedef struct TrayCompanion TrayCompanion;

/* For a VM that just started running with tray on: prepares <runtime>/services/<name> and starts
 * the host half as soon as (and whenever) <user runtime dir>/bus is a live socket. */
int tray_companion_new(Vm *vm, TrayCompanion **ret);
/* Kills the host half (reaped later by the event loop), its items go with its bus connections. */
TrayCompanion *tray_companion_free(TrayCompanion *t);
DEFINE_FREE_FUNC(TrayCompanion *, tray_companion_free);

/* The "tray" object of a VM in the control protocol (docs/daemon-sockets.md). */
json_t *tray_companion_to_json(const TrayCompanion *t);

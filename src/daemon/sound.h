/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sound.h: a QEMU VM's sound (docs/sound.md): its private D-Bus bus and vmsilo-sound, started as
 * the configured user in bubblewrap before the VMM (QEMU joins the bus when it starts) and
 * stopped with it. A missing sound server is a log line and a status field, never a failed VM. */
#pragma once

#include <jansson.h>
#include <sys/types.h>

#include "config.h"
#include "macro.h"
#include "manager.h"

typedef struct Sound Sound;

/* For a QEMU VM with sound on, about to start: starts its bus (the player comes with
 * sound_start_player()). *ret is NULL (and 0
 * returned) when sound is off. A bus that does not come up is logged and kept in status; the VM
 * then starts without a sound device (sound_bus_path() NULL). */
int sound_new(Manager *m, const VmConfig *vm, Sound **ret);
/* Kills the bus and the player (reaped later by the event loop; the player dies with the VMM
 * anyway). */
Sound *sound_free(Sound *s);
DEFINE_FREE_FUNC(Sound *, sound_free);

/* Once the VMM (pid vmm) runs: starts vmsilo-sound in the VMM's PID namespace, where QEMU sees
 * it (docs/sound.md). Nothing when sound is off or the bus is not up. A failure is logged and
 * kept in status, never the VM's. */
int sound_start_player(Sound *s, pid_t vmm);

/* The bus socket for the launch plan, or NULL when the bus is not up. */
const char *sound_bus_path(const Sound *s);

/* The "sound" object of a VM in the control protocol (docs/daemon-sockets.md). */
json_t *sound_to_json(const Sound *s);

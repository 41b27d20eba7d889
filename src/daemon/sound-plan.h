/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sound-plan.h: how a QEMU VM's sound runs: its private D-Bus bus (dbus-daemon, in bubblewrap)
 * and vmsilo-sound (in the VMM's own sandbox, in the VMM's PID namespace) (docs/sound.md). Pure:
 * no I/O. */
#pragma once

#include <stdbool.h>

#include "plan.h"

#define SOUND_DBUS_DAEMON_BINARY "/usr/bin/dbus-daemon"
/* In the VM's companion directory: QEMU's and vmsilo-sound's meeting point. */
#define SOUND_BUS_SOCKET "sound.bus"
/* In vmsilod's runtime directory (root's): the bus configuration, read-only to the bus. */
#define SOUND_BUS_CONFIG "sound-bus.conf"

typedef struct SoundContext {
        const char *vm_name;
        const char *dir;          /* absolute: the VM's companion directory */
        const char *bus_config;   /* absolute: SOUND_BUS_CONFIG */
        const char *pulse_dir;    /* absolute: the user's <runtime>/pulse (may not exist yet) */
        const char *sound_binary; /* absolute: vmsilo-sound */
        bool capture;
} SoundContext;

/* The bus: a dbus-daemon whose only socket is <dir>/SOUND_BUS_SOCKET. */
int sound_plan_bus_argv(const SoundContext *ctx, char ***ret);
/* The player: vmsilo-sound on that bus, a contained plan (sandbox.h) that sees the bus socket and
 * the user's Pulse directory (if it exists when it starts) and nothing else of the host; the only
 * process given that directory, and given --capture only when ctx->capture. */
int sound_plan_player(const SoundContext *ctx, LaunchPlan **ret);

/* The bus configuration vmsilod writes to SOUND_BUS_CONFIG. */
extern const char sound_plan_bus_config[];

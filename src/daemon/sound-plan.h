/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sound-plan.h: the bubblewrap command lines of a QEMU VM's sound: its private D-Bus bus
 * (dbus-daemon) and vmsilo-sound (docs/sound.md). Pure: no I/O. */
#pragma once

#include <stdbool.h>

#define SOUND_DBUS_DAEMON_BINARY "/usr/bin/dbus-daemon"
/* In the VM's companion directory: QEMU's and vmsilo-sound's meeting point. */
#define SOUND_BUS_SOCKET "sound.bus"
/* In vmsilod's runtime directory (root's): the bus configuration, read-only to the bus. */
#define SOUND_BUS_CONFIG "sound-bus.conf"
/* Where vmsilo-sound sees the user's Pulse directory inside its sandbox. */
#define SOUND_PULSE_DIR_INSIDE "/run/vmsilo-pulse"

typedef struct SoundContext {
        const char *vm_name;
        const char *dir;           /* absolute: the VM's companion directory */
        const char *bus_config;    /* absolute: SOUND_BUS_CONFIG */
        const char *pulse_dir;     /* absolute: the user's <runtime>/pulse (may not exist yet) */
        const char *sound_binary;  /* absolute: vmsilo-sound */
        bool capture;
} SoundContext;

/* The bus: a dbus-daemon whose only socket is <dir>/SOUND_BUS_SOCKET. */
int sound_plan_bus_argv(const SoundContext *ctx, char ***ret);
/* The player: vmsilo-sound on that bus; the only process given the user's Pulse directory, and
 * given --capture only when ctx->capture. */
int sound_plan_player_argv(const SoundContext *ctx, char ***ret);

/* The bus configuration vmsilod writes to SOUND_BUS_CONFIG. */
extern const char sound_plan_bus_config[];

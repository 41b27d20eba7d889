/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch-context.h: the one place a VM's LaunchContext is made, for vmsilod's start, `vmsilo
 * config plan` (what vmsilod would run) and vm-start-debug (a foreground launch). Pure: it names
 * files and checks none; the caller checks what it must and owns the I/O. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "plan.h"

/* The launch's circumstances. */
typedef struct LaunchSetup {
        VmmKind vmm;
        const char *state_dir;
        /* vmsilod's runtime dir; a debug launch's own socket directory. */
        const char *runtime_dir;
        /* A foreground debug launch: the VMM makes its own sockets and uses stdio, there is no
         * overlay disk (the root's upper layer is tmpfs) and crosvm draws on host_wayland
         * directly. Otherwise vmsilod passes every socket as an fd and crosvm draws on the VM's
         * fence. */
        bool debug;
        const char *host_wayland; /* debug + crosvm: the compositor's socket, or NULL */
        const char *binary;       /* the VMM executable, or NULL (looked up in PATH) */
        AccelKind accel;          /* QEMU: resolved (never ACCEL_AUTO) */
        uint32_t tsc_khz;
        const char *sound_bus; /* QEMU: the VM's private audio bus (sound.c), or NULL */
} LaunchSetup;

/* The paths a LaunchContext points into. */
typedef struct LaunchPaths {
        char *kernel;
        char *initramfs;
        char *built_root_disk;
        char *overlay_disk;
        char *vmm_dir; /* crosvm under vmsilod: <runtime>/<name>.vmm, its control socket's home */
        char *wayland_socket;
} LaunchPaths;

void launch_paths_finish(LaunchPaths *p);

/* Fills *ret (pointing into *paths, which the caller finishes): the kernel and initramfs the
 * VM names, else the default image's (no initramfs for a kernel of its own without one); the
 * built root image its guestPrograms ask for; the qcow2 overlay of a readonly root with a qcow2
 * overlay; crosvm's socket directory and Wayland socket. -ENOMEM only. */
int launch_context_build(
                const VmConfig *vm, const LaunchSetup *s, LaunchPaths *paths, LaunchContext *ret);

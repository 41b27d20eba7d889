/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rootfs-build.h: builds a VM's Debian root image (mmdebstrap + the agent + guestConfig, as an
 * ext4 file) into a content-addressed directory of the state dir, and points the VM at it. The
 * decisions are rootfs-plan.c's; this does the I/O and logs. Layout: rootfs-layout.h. */
#pragma once

#include <stdbool.h>

typedef struct RootfsBuildOptions {
        const char *state_dir;
        const char *vm_name;
        char *const *programs;       /* the VM's guestPrograms: Debian package names */
        char *const *guest_config;   /* the VM's guestConfig: absolute paths */
        const char *suite;           /* e.g. "bookworm" */
        const char *mirror;          /* e.g. "http://deb.debian.org/debian" */
        const char *agent_path;      /* static vmsilo-agent */
        const char *agent_unit_path; /* image/vmsilo-agent.service */
        const char *tray_path;       /* vmsilo-tray, for the guest half */
        bool wayland;                /* gpu on: waypipe and vmsilo-waypipe.service */
        bool tray;                   /* tray on: vmsilo-tray and vmsilo-tray.service */
        bool force;                  /* rebuild even when an image with these inputs exists */
} RootfsBuildOptions;

/* Returns 1 if it built an image, 0 if one with equal inputs existed (the VM's pointer is set
 * either way), or a logged -errno; on failure the previous image and pointer are left as they
 * were. Progress goes to stderr, the result line to stdout. */
int rootfs_build(const RootfsBuildOptions *o);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-root.h: a VM's root disk at start: the built image its guestPrograms ask for (resolved
 * through <state>/images/vms/NAME), and the blank qcow2 upper layer made for every start and
 * deleted at stop (<state>/overlays/NAME.qcow2). Layout and rules: rootfs-layout.h. */
#pragma once

#include <sys/types.h>

#include "config.h"

typedef struct VmRoot {
        char *built_root_disk; /* the VM's built root.ext4 (canonical path), or NULL */
        char *overlay_disk;    /* this start's qcow2 upper layer, or NULL */
} VmRoot;

void vm_root_finish(VmRoot *r);

/* The programs that format an overlay disk: absolute paths (meson options, or vmsilod's
 * --mkfs-ext4 and --qemu-img), never looked up in $PATH. */
typedef struct VmRootTools {
        const char *mkfs_ext4;
        const char *qemu_img;
} VmRootTools;

/* Creates the VM's overlay disk for this start, formatted as ext4 of rootOverlay.size and owned
 * by uid:gid, the VMM's user. Synchronous (it runs tools): vmsilod calls it in a helper child.
 * On failure returns -errno, sets *ret_reason to a sentence that says what to do, and leaves
 * nothing behind. */
int vm_root_make_overlay(const VmConfig *vm, const char *state_dir, const VmRootTools *tools,
                uid_t uid, gid_t gid, char **ret_reason);

/* Fills ret for one start: resolves the built image (if the VM needs one) and names the overlay
 * disk that vm_root_make_overlay() made (if the VM needs one). On failure returns -errno and sets
 * *ret_reason to a sentence that says what to do. */
int vm_root_prepare(const VmConfig *vm, const char *state_dir, VmRoot *ret, char **ret_reason);

/* Deletes the VM's overlay disk, and the temp files of one being made, if there are any. */
void vm_root_release(const VmConfig *vm, const char *state_dir);

/* At daemon start: deletes overlay disks left by a previous run and warns about every VM whose
 * built image is missing, naming the command that builds it. */
void vm_root_check_all(const Config *c, const char *state_dir);

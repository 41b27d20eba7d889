/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rootfs-layout.h: where built root images live in the state dir, and which VMs get one. Shared
 * by the builder (vmsilo image build NAME) and its user (vmsilod). docs/guest-image.md. */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "strv.h"

/* Relative to the state dir. Content-addressed images: ROOTFS_IMAGES_DIR/<sha256 of inputs>/
 * holding ROOTFS_IMAGE_NAME and ROOTFS_MANIFEST_NAME (and, filled by the desktop-entry
 * extractor, applications/ and icons/). ROOTFS_VMS_DIR/<vm name> is a relative symlink to the
 * VM's current image directory, replaced atomically. */
#define ROOTFS_IMAGES_DIR "images/rootfs"
#define ROOTFS_VMS_DIR "images/vms"
#define ROOTFS_IMAGE_NAME "root.ext4"
#define ROOTFS_MANIFEST_NAME "manifest"
/* Per-VM qcow2 upper layers, made at each start and removed at stop (vm-root.c). */
#define ROOTFS_OVERLAYS_DIR "overlays"

/* A VM boots a built image when it lists guestPrograms and brings no rootDisk of its own. */
static inline bool rootfs_vm_needs_image(const VmConfig *vm) {
        return !vm->root_disk && strv_length(vm->guest_programs) > 0;
}

/* Whether the VM boots from a disk root (its own rootDisk or a built image) rather than only
 * the initramfs. */
static inline bool rootfs_vm_has_root(const VmConfig *vm) {
        return vm->root_disk || rootfs_vm_needs_image(vm);
}

/* A read-only root with rootOverlay.type = qcow2 gets a fresh qcow2 upper layer at every start;
 * a writable root needs none, and tmpfs lives in the guest's RAM. */
static inline bool rootfs_vm_needs_overlay_disk(const VmConfig *vm) {
        return rootfs_vm_has_root(vm) && vm->root_disk_readonly &&
               vm->root_overlay_type == OVERLAY_QCOW2;
}

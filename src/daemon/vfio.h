/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfio.h: PCI passthrough I/O: reading PCI devices and IOMMU groups from sysfs, binding
 * isolatedPciDevices to vfio-pci with the writes vfio-plan.c computes, checking a VM's devices
 * before its start and giving its VMM's uid the /dev/vfio nodes for the VM's life.
 *
 * Every path is under a root ("/" normally; vmsilod --sys-root or $VMSILO_SYSFS_ROOT points the
 * tests at a fake tree): <root>/sys/bus/pci/…, <root>/sys/kernel/iommu_groups/…,
 * <root>/dev/vfio/…. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "plan.h"
#include "vfio-plan.h"

/* Reads address's driver, driver_override and class. -ENOENT: no such device. */
int vfio_read_device(const char *root, const char *address, VfioDevice *ret);

/* Binds address to vfio-pci (loading the module first if the root is "/" and vfio-pci is not
 * there), checking each step's effect through the device's `driver` link. Idempotent. On
 * failure *ret_reason (if not NULL) says why, naming the device. */
int vfio_isolate(const char *root, const char *address, char **ret_reason);

/* Gives a device vfio-pci holds back to the host (a reload dropped it from isolatedPciDevices).
 * 1 if it did, 0 if vfio-pci did not hold it (or there is no such device), -errno (logged). */
int vfio_release(const char *root, const char *address);

/* The IOMMU groups of vm's pciDevices, once each, after checking that every device is bound to
 * vfio-pci and every group is viable (vfio_group_check()). failures: strv of "ADDRESS: reason"
 * from isolation, quoted when a device is not bound. On failure *ret_reason names the device,
 * or the group and the member that makes it unusable. */
int vfio_check_vm(const char *root, const VmConfig *vm, char *const *failures,
                unsigned **ret_groups, size_t *ret_n, char **ret_reason);

/* A /dev/vfio node handed to the VMM's uid, with the owner it had before. */
typedef struct VfioGrant {
        char node[16]; /* under /dev/vfio: "vfio" or a group number */
        char *path;
        uid_t uid;
        gid_t gid;
} VfioGrant;

/* chowns <root>/dev/vfio/<node> to uid:gid (its mode stays) and records the old owner in *grant.
 * The container is node "vfio". */
int vfio_grant(const char *root, const char *node, uid_t uid, gid_t gid, VfioGrant *ret);
/* Puts the old owner back and frees the path; a zeroed grant is a no-op. */
void vfio_revoke(VfioGrant *g);

/* Adds to plan what the VMM of vm needs of its passthrough devices inside the sandbox: the
 * container and each granted group's node as devices, and read-only each device's sysfs
 * directory as /sys/bus/pci/devices/ADDRESS and where that link leads, and its IOMMU group's
 * directory. Taken from under root, shown at the paths the VMM uses. Nothing for a VM without
 * pciDevices. 0, or -errno (-EXDEV: a link in the tree leads out of sysfs). */
int vfio_sandbox_paths(const char *root, const VmConfig *vm, const VfioGrant *grants, size_t n,
                LaunchPlan *plan);

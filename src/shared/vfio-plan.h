/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfio-plan.h: the decisions of PCI passthrough, with no I/O: which sysfs writes bind a device
 * to vfio-pci or give it back to the host, whether an IOMMU group may be handed to a VM, which
 * devices a reload releases, and the udev rule that claims devices at boot. The daemon's
 * vfio.c reads the state these functions take and applies the writes they return. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse-util.h"

#define VFIO_PCI_DRIVER "vfio-pci"
/* A PCI driver name is a kernel identifier; sysfs paths here stay well below this. */
#define VFIO_DRIVER_NAME_MAX 64
#define VFIO_PATH_MAX 128
#define VFIO_STEPS_MAX 3
/* PCI base class 06 (bridge), subclass 04 (PCI-to-PCI): bridges stay with the host. */
#define VFIO_PCI_CLASS_BRIDGE 0x0604u

/* What sysfs says of one PCI function. driver and override are "" when there is none. */
typedef struct VfioDevice {
        char address[PCI_ADDRESS_STR_MAX];
        char driver[VFIO_DRIVER_NAME_MAX];
        char override[VFIO_DRIVER_NAME_MAX];
        uint32_t class_code; /* the 24-bit class register, e.g. 0x0c0330 (xHCI) */
} VfioDevice;

/* What must hold after a write before the next one is made (the kernel does it during the
 * write; the daemon checks it through the `driver` link). */
typedef enum VfioExpect {
        VFIO_EXPECT_NOTHING,
        VFIO_EXPECT_UNBOUND,
        VFIO_EXPECT_VFIO,
} VfioExpect;

/* One write: value into the file at path, relative to the root ("sys/bus/pci/drivers_probe"). */
typedef struct VfioStep {
        char path[VFIO_PATH_MAX];
        char value[VFIO_DRIVER_NAME_MAX];
        VfioExpect expect;
} VfioStep;

bool vfio_device_is_isolated(const VfioDevice *d);

/* The writes that leave d bound to vfio-pci with driver_override set, in order: override,
 * unbind from the current driver, drivers_probe. None for a device already there (idempotent).
 * Returns how many were put into ret. */
size_t vfio_bind_steps(const VfioDevice *d, VfioStep ret[static VFIO_STEPS_MAX]);

/* The writes that give a device back to the host: clear driver_override, unbind from vfio-pci,
 * drivers_probe (whatever host driver matches takes it). None for a device vfio-pci does not
 * hold. */
size_t vfio_release_steps(const VfioDevice *d, VfioStep ret[static VFIO_STEPS_MAX]);

/* Whether an IOMMU group can go to a VM: every member is bound to vfio-pci, has no driver, or is
 * a PCI-to-PCI bridge. 0, or -EBUSY with *ret_offender pointing at the first member that is
 * none of these (a host driver still drives it, so the group cannot be detached). */
int vfio_group_check(const VfioDevice *members, size_t n, const VfioDevice **ret_offender);

/* The addresses of old that new no longer lists (a reload releases them): a new strv. */
int vfio_removed_devices(char *const *old, char *const *new, char ***ret);

/* The udev rules file claiming exactly these addresses for vfio-pci at boot: a new string. */
int vfio_udev_rules(char *const *addresses, char **ret);

/* Where the VMM sees a sysfs path the sandbox shows it: resolved (a real path, links followed)
 * without the sys root's real path root_real ("/" normally; a test's fake tree). A new string, or
 * -EXDEV when resolved is not under root_real + "/sys/": a link in the tree that leads out of
 * sysfs is never followed into the VMM's view. */
int vfio_sandbox_target(const char *root_real, const char *resolved, char **ret);

/* RLIMIT_MEMLOCK for a VMM with VFIO devices: VFIO pins all guest RAM, plus what the VMM maps
 * for ROMs and MMIO (libvirt's margin: 1 GiB). */
uint64_t vfio_memlock_bytes(uint64_t memory_mib);

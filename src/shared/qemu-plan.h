/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qemu-plan.h: the qemu-system-x86_64 launch plan of one VM. Pure. */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "plan.h"

#define QEMU_PLAN_BINARY_DEFAULT "qemu-system-x86_64"
/* The longest virtio-blk serial (VIRTIO_BLK_ID_BYTES); crosvm's `id` has the same limit. */
#define QEMU_PLAN_DISK_ID_MAX 20
#define QEMU_PLAN_BLOCK_SIZE_MIN 512
#define QEMU_PLAN_BLOCK_SIZE_MAX (2 * 1024 * 1024)
/* QEMU runs as the configured user, so it cannot chown: with "none" or "passthrough" the guest
 * would see every file owned by that user's host uid (not the guest user's 1000) and could not
 * change owners. "mapped-xattr" keeps the owner and mode the guest sets in user.virtfs.* xattrs
 * while the host files stay the configured user's (mode 0600/0700). Cost: the host file system
 * needs user xattrs, and files made on the host without them show their host owner in the
 * guest. docs/launch-plans.md, "Shared directories". */
#define QEMU_PLAN_9P_SECURITY_MODEL "mapped-xattr"
/* The one sound backend: PCM goes over QEMU's D-Bus display to vmsilo-sound, which plays it
 * (and records, with capture = true) through the user's PulseAudio. docs/sound.md. */
#define QEMU_PLAN_SOUND_BACKEND "pulse"
#define QEMU_PLAN_AUDIODEV_ID "snd0"

/* What `sound` means for a QEMU VM. */
typedef struct QemuSound {
        bool playback; /* an intel-hda controller with an output codec */
        bool capture;  /* the codec has an input too (hda-duplex) */
} QemuSound;

/* Builds the plan. c supplies nothing QEMU uses today but keeps both VMM builders alike; vm must
 * be one of c's VMs and have passed plan_validate() for QEMU. -EINVAL for a context the plan
 * cannot use (ACCEL_AUTO, missing kernel or runtime dir) or an option validation should have
 * rejected; -ENOMEM. */
int qemu_plan_build(
                const Config *c, const VmConfig *vm, const LaunchContext *ctx, LaunchPlan **ret);

/* q35 instead of microvm: only when the VM needs a PCI bus for passthrough (pciDevices). Sound's
 * intel-hda sits on microvm's own PCIe host bridge (pcie=on), see docs/sound.md. */
bool qemu_plan_needs_pci(const VmConfig *vm);

/* Whether a pciDevices `iommu` value has a QEMU mapping: "on"/"viommu" (a virtio-iommu-pci for
 * the machine) or "off". It is the only pciDevices key that has one. */
bool qemu_plan_iommu_known(const char *value);

/* Whether a disk option (additionalDisks/rootDisk key other than path) has a QEMU mapping. */
bool qemu_plan_disk_key_is_supported(const char *key);
/* Whether a sharedDirectories option has a QEMU (9p) mapping. */
bool qemu_plan_shared_dir_key_is_supported(const char *key);

/* Whether a key of a `sound` attribute set has a QEMU meaning (capture, backend). */
bool qemu_plan_sound_key_is_supported(const char *key);
/* `sound` → QemuSound. -EINVAL for a key without QEMU meaning, a capture that is no boolean or a
 * backend other than QEMU_PLAN_SOUND_BACKEND (plan_validate() names each). */
int qemu_plan_sound(const VmConfig *vm, QemuSound *ret);

/* "qcow2" for a path ending in ".qcow2", else "raw": the plan never probes files, and QEMU must
 * not guess (a guessed raw image has its first sector write-protected). */
const char *qemu_plan_disk_format(const char *path);

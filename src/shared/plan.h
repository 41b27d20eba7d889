/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan.h: launch plans, the VMM command line plus the fds the VMM must inherit, built by pure
 * functions (qemu-plan.c, crosvm-plan.c) from one validated VM and a LaunchContext describing
 * what the daemon provides. Nothing here opens, probes or logs anything.
 *
 * Inherited fds have fixed numbers in the VMM process, whichever subset a plan uses, so "fd 4"
 * always means the agent channel when reading a process listing:
 *   3      QMP control socket                  (QEMU only)
 *   4      agent channel (virtio-serial port)  (QEMU only; crosvm uses vsock)
 *   5      serial console                      (both)
 *   6      listening QMP socket for vmsilo-balloond (QEMU only)
 *   7 + i  TAP of interface i, i = NetInterface.index, in the VM's interface order (both)
 * The daemon dup2()s each fd listed in LaunchPlan.fds to its target_fd before exec and closes
 * everything else. docs/launch-plans.md has the full option → argument mapping. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "macro.h"

#define PLAN_FD_QMP 3
#define PLAN_FD_AGENT 4
#define PLAN_FD_CONSOLE 5
#define PLAN_FD_BALLOON_QMP 6
#define PLAN_FD_TAP_BASE 7

/* The virtio-serial port name of the agent channel (QEMU). */
#define PLAN_AGENT_PORT_NAME "org.vmsilo.agent"
/* The guest vsock port the agent listens on (crosvm); the host end is CID 2. */
#define PLAN_AGENT_VSOCK_PORT 5000
/* The mount tag of the shared home (9p on both VMMs). */
#define PLAN_SHARED_HOME_TAG "home"
/* uid/gid of the guest user; the shared home maps it to the host user (crosvm). */
#define PLAN_GUEST_UID 1000
#define PLAN_GUEST_GID 1000

typedef enum PlanFdRole {
        PLAN_FD_ROLE_QMP,
        PLAN_FD_ROLE_AGENT,
        PLAN_FD_ROLE_CONSOLE,
        PLAN_FD_ROLE_BALLOON_QMP,
        PLAN_FD_ROLE_TAP,
        _PLAN_FD_ROLE_MAX,
        _PLAN_FD_ROLE_INVALID = -EINVAL,
} PlanFdRole;

typedef struct PlanFd {
        PlanFdRole role;
        unsigned index; /* TAP: the interface index; 0 for the other roles */
        int target_fd;  /* the fd number the VMM expects, see the table above */
} PlanFd;

/* A host file or directory the VMM opens by name (kernel, disk, share, socket directory, a
 * passthrough device's sysfs directory), or a device node it opens (VFIO, vsock). The sandbox
 * (sandbox.h) shows the VMM nothing else of the host file system, each at its own path. */
typedef struct PlanPath {
        char *path;   /* where the VMM sees it */
        char *source; /* the host path shown there; NULL: path itself (a test's fake sysfs differs)
                       */
        bool writable;
        /* A character device node (plan_device_is_allowed()): bound without nodev. Every other
         * path is bound nodev, so no file a plan names can act as a device. */
        bool device;
} PlanPath;

typedef struct LaunchPlan {
        char **argv; /* strv; argv[0] is the VMM binary */
        size_t n_argv;
        PlanFd *fds; /* in ascending target_fd order */
        size_t n_fds;
        /* RLIMIT_MEMLOCK (soft and hard) the VMM needs, 0 = leave it: VFIO pins guest RAM. */
        uint64_t memlock_bytes;
        PlanPath *paths; /* each path once; writable if any use needs it */
        size_t n_paths;
        /* The process runs in the sandbox's namespaces and minimal root. Every plan_new() plan
         * (every VMM, QEMU and crosvm alike) is; only a hand-made plan for a program that builds
         * its own jail (the bubblewrap companions) is not. */
        bool contained;
} LaunchPlan;

/* What the daemon provides for one launch. Every pointer is borrowed for the duration of the
 * build call only. */
typedef struct LaunchContext {
        /* "/run/vmsilo" or the test's; never NULL. */
        const char *runtime_dir;
        /* VMM executable; NULL = "qemu-system-x86_64" / "crosvm" (looked up in PATH). */
        const char *binary;
        /* Resolved guest kernel (VmConfig.kernel or the default image's); never NULL. */
        const char *kernel;
        /* Resolved initramfs, or NULL for none. */
        const char *initramfs;
        /* Root image used when the VM sets no rootDisk; NULL = none (initramfs-only guest). */
        const char *built_root_disk;
        /* The qcow2 upper layer for rootOverlay.type = qcow2, or NULL (then tmpfs). */
        const char *overlay_disk;
        /* QEMU sound: the VM's private D-Bus socket, on which QEMU's D-Bus display meets
         * vmsilo-sound (docs/sound.md). NULL: nothing plays the VM's sound, so it gets no sound
         * device whatever `sound` says. */
        const char *sound_bus;
        /* crosvm GPU: the host Wayland socket for cross-domain, or NULL. */
        const char *wayland_socket;
        /* QEMU: ACCEL_KVM or ACCEL_TCG, never ACCEL_AUTO. Ignored by crosvm (always KVM). */
        AccelKind accel;
        /* Host TSC frequency in kHz, 0 = unknown. Under TCG the guest TSC runs at the host's rate,
         * and microvm offers the guest no HPET or ACPI PM timer to calibrate it against: on a
         * busy host the PIT calibration fails and the guest hangs early in boot with no clock.
         * QEMU microvm + TCG therefore passes tsc_early_khz=<this> when it is known. */
        uint32_t tsc_khz;
        /* true: the daemon passes that socket as an inherited fd (the normal case). false: the
         * VMM creates it itself (QMP, agent: a listening socket in runtime_dir; console: stdio),
         * which is what a foreground debug launch wants. */
        bool qmp_fd;
        bool agent_fd;
        bool console_fd;
        /* QEMU: a second QMP monitor on a socket the daemon listens on and passes as an fd (a
         * listening one: QEMU accepts vmsilo-balloond on it). false: no second monitor. */
        bool balloon_qmp_fd;
        /* true: one opened TAP fd per interface. false: the VMM opens the persistent TAP by
         * its name (NetInterface.tap_name). */
        bool tap_fds;
} LaunchContext;

LaunchPlan *plan_free(LaunchPlan *p);
DEFINE_FREE_FUNC(LaunchPlan *, plan_free);

/* The fixed fd number for a role; index is the interface index for PLAN_FD_ROLE_TAP. */
int plan_fd_target(PlanFdRole role, unsigned index);
const char *plan_fd_role_to_string(PlanFdRole r);

/* Builders shared by qemu-plan.c and crosvm-plan.c. All return 0 or -ENOMEM. */
int plan_new(LaunchPlan **ret);
int plan_append(LaunchPlan *p, const char *arg);
int plan_appendf(LaunchPlan *p, const char *format, ...) _printf_(2, 3);
int plan_append_strv(LaunchPlan *p, char *const *args);
/* Records that role/index must be inherited; returns the target fd number (>= 3) or -ENOMEM. */
int plan_add_fd(LaunchPlan *p, PlanFdRole role, unsigned index);

/* Whether the VM gets a balloon device (and, on QEMU, vmsilo-balloond's monitor): not with PCI
 * passthrough, whose VFIO mappings pin every guest page, so reclaiming any is impossible. */
bool plan_vm_has_balloon(const VmConfig *vm);

/* Sets memlock_bytes for a VM with PCI devices (vfio_memlock_bytes()). */
void plan_set_memlock(LaunchPlan *p, const VmConfig *vm);
/* Records a host path the VMM opens; a second use of the same path can only add writability.
 * 0 or -ENOMEM. */
int plan_add_path(LaunchPlan *p, const char *path, bool writable);
/* The same, shown at path but taken from source on the host (vmsilod --sys-root). */
int plan_add_path_from(LaunchPlan *p, const char *path, const char *source, bool writable);

/* The device nodes a plan may hand a VMM, besides /dev/kvm and the harmless ones the sandbox
 * always has: the VFIO container /dev/vfio/vfio, a VFIO group /dev/vfio/<number>, and
 * /dev/vhost-vsock (crosvm's vsock). Nothing else: no disk, no /dev/mem, no /dev/net/tun. */
bool plan_device_is_allowed(const char *path);
/* Records a device node the VMM opens read-write, taken from source (NULL: path) on the host.
 * -EPERM for a path plan_device_is_allowed() refuses, -EEXIST for one already recorded as a
 * plain path; 0 or -ENOMEM. The sandbox also refuses to start a VMM whose node is not a
 * character device. */
int plan_add_device(LaunchPlan *p, const char *path, const char *source);

/* Appends text to the string *s (may be NULL), putting separator first unless *s is empty. */
int plan_extendf(char **s, const char *separator, const char *format, ...) _printf_(3, 4);

/* "52:54:00:12:34:56": lowercase, ret must hold PLAN_MAC_STRING_MAX bytes. Returns ret. */
#define PLAN_MAC_STRING_MAX 18
char *plan_format_mac(const uint8_t mac[6], char ret[static PLAN_MAC_STRING_MAX]);

/* Kernel command line words vmsilo adds for the guest, shared by both VMMs, in this order:
 * vmsilo.agent=<agent_transport>, vmsilo.hostname=<VM name>,
 * vmsilo.root=overlay-disk|overlay-tmpfs|rw (only with a root disk: rw when rootDiskReadonly is
 * false, else overlay-disk with ctx->overlay_disk, else overlay-tmpfs),
 * vmsilo.home=<home_fs> (only with a shared home), one vmsilo.ifname=<name>,<mac> per interface.
 * The VM's kernelParams follow last, so they can override anything before them. */
int plan_guest_params(const VmConfig *vm, const LaunchContext *ctx, const char *agent_transport,
                const char *home_fs, char **ret);

typedef enum PlanSharedDirType {
        PLAN_SHARED_DIR_FS, /* virtio-fs */
        PLAN_SHARED_DIR_9P,
        _PLAN_SHARED_DIR_TYPE_MAX,
        _PLAN_SHARED_DIR_TYPE_INVALID = -EINVAL,
} PlanSharedDirType;

/* A sharedDirectories `type` value in crosvm's spellings: fs, FS → FS; p9, 9p, 9P, P9 → 9P. */
PlanSharedDirType plan_shared_dir_type_from_string(const char *s);

/* "true"/"false" → 1/0; anything else -EINVAL. */
int plan_parse_bool(const char *s);

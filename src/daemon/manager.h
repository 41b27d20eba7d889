/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* manager.h: the daemon's root object: the event loop, the configuration, every VM and the
 * control socket. */
#pragma once

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "helper.h"
#include "macro.h"
#include "vfio.h"

typedef struct Vm Vm;
typedef struct ControlServer ControlServer;

typedef struct ManagerOptions {
        const char *config_path; /* read again on reload */
        const char *runtime_dir;
        const char *state_dir;
        const char *image_builder;     /* vmsilo-image: builds the default image */
        const char *accel_override;    /* VMSILO_ACCEL or NULL */
        const char *mkfs_ext4;         /* absolute: --mkfs-ext4 or the build's */
        const char *qemu_img;          /* absolute: --qemu-img or the build's */
        const char *qemu_system;       /* absolute: --qemu-system or the build's */
        const char *crosvm;            /* absolute: --crosvm or the build's */
        uint64_t helper_timeout_usec;  /* deadline of a start's preparation (helper.h) */
        const char *wayland_binary;    /* vmsilo-wayland: VMSILO_WAYLAND or the installed one */
        const char *tray_binary;       /* vmsilo-tray: VMSILO_TRAY or the installed one */
        const char *user_runtime_base; /* VMSILO_USER_RUNTIME_BASE or /run/user */
        const char *clipboard_binary;  /* vmsilo-clipboard: VMSILO_CLIPBOARD or the installed one */
        const char *sound_binary;      /* vmsilo-sound: VMSILO_SOUND or the installed one */
        const char *sys_root;          /* "/" or a test's fake tree: sysfs and /dev/vfio (vfio.h) */
        uint64_t start_timeout_usec;
        uint64_t stop_timeout_usec;
} ManagerOptions;

typedef struct Manager {
        sd_event *event;
        Config *config;
        ManagerOptions options; /* strings borrowed from main() */
        uid_t user_uid;         /* the configured user: VMMs run as it, it may use the sockets */
        gid_t user_gid;
        bool crosvm_available;
        Vm **vms; /* one per config->vms[i], same order */
        size_t n_vms;
        /* Reload: VMs that left the configuration, stopping, and the configurations they still
         * point into. Freed once the VMs are at rest (manager_collect_retired()). */
        Vm **retired;
        size_t n_retired;
        Config **old_configs;
        size_t n_old_configs;
        sd_event_source *collect; /* deferred: frees what is no longer used */
        ControlServer *control;
        bool exiting; /* SIGTERM: stop every VM, then leave the loop */
        /* isolatedPciDevices that could not be bound: "ADDRESS: reason", quoted to the VMs that
         * use them when they refuse to start. */
        char **pci_failures;
        /* /dev/vfio/vfio, handed to the VM user while any passthrough VM runs. */
        VfioGrant vfio_container;
        unsigned vfio_container_users;
        /* The default image's build (default-image.h), while it runs; whether the last one
         * failed (VMs booting it then refuse to start until a reload builds it again). */
        Helper *image_build;
        bool image_build_failed;
        /* The user's vmsilo-clipboard, from the first fence on (clipboard-service.h). */
        struct ClipboardService *clipboard;
} Manager;

/* Takes config on success. */
int manager_new(sd_event *e, Config *config, const ManagerOptions *options, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_FREE_FUNC(Manager *, manager_free);

/* Creates the runtime dir and every socket, starts autoStart VMs, installs signal handlers. */
int manager_start(Manager *m);

Vm *manager_find_vm(Manager *m, const char *name);
/* Whether a peer may use vmsilod's sockets: root or the configured user, running in our PID
 * namespace (a contained VMM runs as the user, in one of its own: docs/sandbox.md). NULL when
 * it may, else why not ("uid N <reason>", static text). */
const char *manager_peer_refusal(const Manager *m, const struct ucred *peer);
/* Called by each VM when it reaches a resting state: frees retired VMs (later, from the loop,
 * not under the caller's feet) and, during shutdown, leaves the loop once every VM rests. */
void manager_check_exit(Manager *m);

/* Binds every isolatedPciDevices entry to vfio-pci (daemon start and reload); failures are logged
 * and kept in pci_failures. Entries of previous the configuration no longer lists go back to the
 * host unless a VM with a VMM still uses them. */
void manager_isolate_pci(Manager *m, char *const *previous);

/* Reads the configuration file again (reload.c). On any problem nothing changes: the running
 * configuration stays and *reterr (if not NULL) says what was wrong. Otherwise VMs are added,
 * retired or re-pointed, and the network is brought in line. */
int manager_reload(Manager *m, char **reterr);

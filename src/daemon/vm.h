/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm.h: one configured VM: its state, VMM process, agent channel, console and sockets. What
 * only one VMM needs is the backend's (vmm.h). */
#pragma once

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "channel.h"
#include "config.h"
#include "conn-limit.h"
#include "console.h"
#include "helper.h"
#include "macro.h"
#include "manager.h"
#include "vm-state.h"

typedef struct Client Client;
typedef struct Companions Companions;
typedef struct TrayCompanion TrayCompanion;
typedef struct Listener Listener;
typedef struct Relay Relay;
typedef struct HostForward HostForward;
typedef struct VmWaiter VmWaiter;
typedef struct VmmLog VmmLog;
typedef struct VmmOps VmmOps;

/* Something that must hear about every state change (a control request waiting for "running",
 * a vm-run OPEN waiting for the boot). The callback may unlink and free the waiter. */
struct VmWaiter {
        Vm *vm; /* NULL while not on a list */
        void (*on_state)(VmWaiter *w, Vm *vm);
        VmWaiter *next;
};

/* Starts more often than this within VM_RESTART_WINDOW_USEC are refused. */
#define VM_RESTARTS_MAX 5
#define VM_RESTART_WINDOW_USEC ((uint64_t) 60 * 1000000)
/* Command-socket (vm-run) connections: one uid gets half, so the vmsilo user cannot lock root
 * out. */
#define VM_CLIENTS_MAX 512
#define VM_CLIENTS_PER_UID_MAX 256
/* Refused connections kept until their OPEN is answered with the reason (CLIENT_REFUSED_
 * TIMEOUT_USEC at most); beyond this they are closed at once without it. */
#define VM_REFUSED_CLIENTS_MAX 8

struct Vm {
        Manager *manager;
        const VmConfig *config; /* owned by manager->config, or an older one if retired */
        size_t index;           /* in config->vms */
        VmState state;
        char *failure_reason; /* set on entering VM_FAILED */
        const VmmOps *ops;    /* chosen at each start */
        void *backend;        /* the ops' own state, from ops->prepare to ops->release */

        pid_t pid; /* VMM, 0 when none */
        sd_event_source *child;
        Helper *prepare;   /* the start's preparation before the VMM exists (vm_needs_prepare()) */
        bool awaits_image; /* starting, waiting for the default image's build */
        Channel *agent;    /* host side of the guest channel */
        bool agent_lost;   /* the VMM closed the channel: it is exiting, not yet reaped */
        /* PCI passthrough: /dev/vfio/<group> nodes given to the VM user while the VMM runs, and
         * whether it counts among the users of /dev/vfio/vfio (Manager.vfio_container). */
        VfioGrant *vfio_grants;
        size_t n_vfio_grants;
        bool vfio_container;
        /* The PCI addresses the running VMM was given (a reload may change the config's). */
        char **vfio_devices;
        VmmLog *log; /* the VMM's output, while it runs */
        Console *console;
        sd_event_source *timer; /* start timeout, stop escalation */
        unsigned stop_step;     /* escalation: 0 agent power-off, 1 VMM quit, 2 SIGKILL */
        sd_event_source *idle_timer;

        Companions *companions; /* while running with the GPU on: waypipe client, vmsilo-wayland */
        TrayCompanion *tray;    /* while running with tray on: vmsilo-tray host */
        uint32_t live_sessions; /* from the agent's STATUS */
        Relay *relays;          /* active vm-run streams on this VM; Relay::vm_next */
        size_t n_relays;
        HostForward *host_forwards; /* guest-opened streams (host-forward.h) */
        size_t n_host_forwards;
        VmWaiter *waiters;
        Client *clients;             /* command-socket connections; Client::next */
        uint64_t running_since_usec; /* CLOCK_MONOTONIC */
        uint64_t start_times_usec[VM_RESTARTS_MAX];
        size_t n_start_times;

        Listener *command_listener; /* <name>-command.socket */
        Listener *console_listener; /* <name>-console */
        ConnLimit clients_limit;    /* authorised clients, by uid */
        ConnLimit refused_limit;    /* refused clients awaiting their answer */
};

/* The VM configured at c->vms[index]; c must outlive it (or be replaced by vm_set_config()). */
int vm_new(Manager *m, const Config *c, size_t index, Vm **ret);
Vm *vm_free(Vm *vm);
DEFINE_FREE_FUNC(Vm *, vm_free);

/* Reload: the VM left the configuration. Removes its sockets, ends its clients and stops it; the
 * manager frees it once it is at rest. */
void vm_retire(Vm *vm);
/* Reload: the VM's configuration is now c->vms[index]. A running VMM keeps what it was started
 * with; the next start uses the new settings. autoShutdown applies at once. */
void vm_set_config(Vm *vm, const Config *c, size_t index);
/* Asks for the VM (and its dependsOn) to run. Returns 0 if starting or running, -errno if the
 * start was refused at once (the reason is in vm->failure_reason). */
int vm_start(Vm *vm);
/* The default image's build ended (result as helper_done_t): a VM waiting for it goes on with
 * its start, or fails. */
void vm_default_image_done(Vm *vm, int result);
/* Whether the VM's VMM was given the PCI device at address (it holds it until it exits). */
bool vm_uses_pci_device(const Vm *vm, const char *address);
/* Graceful stop: agent power-off, then VMM quit, then SIGKILL. No-op when not running. */
void vm_stop(Vm *vm);

void vm_add_waiter(Vm *vm, VmWaiter *w);
void vm_remove_waiter(VmWaiter *w);

/* Relays opened/closed on this VM: idle shutdown counts them with the agent's sessions. */
void vm_relay_added(Vm *vm, Relay *relay);
void vm_relay_removed(Vm *vm, Relay *relay);

/* For the VMM backends (vmm.h): the reason of a failing start, shown in status. */
void vm_set_failure(Vm *vm, const char *format, ...) _printf_(2, 3);
/* For the VMM backends: the agent channel on fd (taken on success). */
int vm_open_agent(Vm *vm, int fd);

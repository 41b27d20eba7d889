/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* balloon-vm.h: one running VM as vmsilo-balloond sees it: its VMM connection (QMP for QEMU, the
 * crosvm CLI for crosvm), its last sanitised stats, and what the policy learned about it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "crosvm-control.h"
#include "guest-stats.h"
#include "policy.h"
#include "qmp.h"

typedef struct BalloonVm BalloonVm;

/* A stats round was fully answered (vm->answered_round == the round asked for). */
typedef void (*BalloonVmAnsweredCallback)(BalloonVm *vm, void *userdata);

typedef struct BalloonVmSettings {
        const char *crosvm_binary;    /* "crosvm" or a path */
        uint64_t stats_interval_usec; /* QEMU guest-stats-polling-interval (rounded up to 1 s) */
        uint64_t crosvm_timeout_usec; /* deadline of one crosvm CLI call */
        BalloonVmAnsweredCallback cb;
        BalloonVmAnsweredCallback resized_cb; /* a resize request was answered (or failed) */
        void *userdata;
} BalloonVmSettings;

struct BalloonVm {
        char *name;
        VmmKind vmm;
        char *socket_path;
        uint64_t memory_bytes; /* configured RAM */
        bool passthrough;      /* PCI passthrough: never ballooned, never connected */
        sd_event *event;       /* not owned */
        BalloonVmSettings settings;

        Qmp *qmp;                /* QEMU; NULL until connected */
        bool qmp_broken;         /* reconnect on the next round */
        char *balloon_qom_path;  /* NULL while probing */
        unsigned probe;          /* which QOM container is being listed */
        bool no_balloon;         /* the VMM has no balloon device: never ballooned */
        CrosvmCall *stats_call;  /* crosvm */
        CrosvmCall *resize_call; /* crosvm */

        uint64_t round;       /* the round whose answers are awaited */
        unsigned outstanding; /* replies still expected for round */
        bool round_failed;
        uint64_t answered_round; /* last round answered in full; stats below are from it */
        GuestStats stats;
        uint64_t balloon_bytes;

        BalloonVmMemory memory; /* learned by the policy */
        BalloonAction last_action;
        uint64_t last_target_bytes;
        bool warned_unanswered;
        unsigned resizes_pending; /* resize requests not yet answered by the VMM */
};

/* vm_config may be NULL (a VM the config does not name): then memory_bytes is 0 and the VM is
 * never ballooned. */
int balloon_vm_new(sd_event *e, const char *name, VmmKind vmm, const char *socket_path,
                const VmConfig *vm_config, const BalloonVmSettings *settings, BalloonVm **ret);
BalloonVm *balloon_vm_free(BalloonVm *vm);
DEFINE_FREE_FUNC(BalloonVm *, balloon_vm_free);

/* Asks for stats and the balloon size for round. 0: asked; settings.cb follows when answered.
 * -EBUSY: the previous round is still unanswered (the VMM hangs); -EPERM: never ballooned;
 * other -errno: could not ask (connection failed). */
int balloon_vm_request_stats(BalloonVm *vm, uint64_t round);
/* Asks the VMM to move the balloon to target_bytes. */
int balloon_vm_set_balloon(BalloonVm *vm, uint64_t target_bytes);

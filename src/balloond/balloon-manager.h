/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* balloon-manager.h: vmsilo-balloond's loop: finds VMs (vm-watch.c), runs a round per tick and on
 * host memory pressure (stats from every VM with a 100 ms deadline, then policy.c, then the new
 * balloon sizes), and keeps balloond.json up to date. */
#pragma once

#include <systemd/sd-event.h>

#include "balloon-vm.h"
#include "config.h"
#include "host-memory.h"
#include "policy.h"
#include "vm-watch.h"

#define BALLOON_MANAGER_STATS_TIMEOUT_USEC (100 * 1000ULL)
/* PSI trigger: 50 ms of "some" stall within 500 ms (the shortest window the kernel takes). */
#define BALLOON_MANAGER_PSI_STALL_USEC (50 * 1000ULL)
#define BALLOON_MANAGER_PSI_WINDOW_USEC (500 * 1000ULL)
/* "some avg10" at or above this (hundredths of a percent) counts as pressure too. */
#define BALLOON_MANAGER_PSI_AVG10_CENTI_MIN 1000
/* --once: give up after this many rounds without a usable VM. */
#define BALLOON_MANAGER_ONCE_ROUNDS_MAX 40
#define BALLOON_MANAGER_ONCE_RETRY_USEC (250 * 1000ULL)

typedef struct BalloonManagerOptions {
        const char *runtime_dir;
        const char *meminfo_path;
        bool meminfo_watch; /* the file is a stand-in (tests): a change counts as pressure */
        const char *psi_path;
        const char *crosvm_binary;
        uint64_t poll_interval_usec;
        BalloonPolicyKind policy;
        bool once;
} BalloonManagerOptions;

typedef struct BalloonManager {
        sd_event *event; /* not owned */
        Config *config;
        BalloonManagerOptions options; /* strings borrowed for the manager's lifetime */
        BalloonConfig policy;
        VmWatch *watch;
        BalloonVm *vms[BALLOON_VMS_MAX]; /* in discovery order; the policy sorts by name */
        size_t n_vms;

        sd_event_source *tick;     /* every poll interval */
        sd_event_source *deadline; /* a round's stats deadline */
        sd_event_source *kick;     /* a round requested from inside another callback */
        sd_event_source *psi;      /* PSI trigger fd, when the file supports triggers */
        sd_event_source *meminfo_changed;
        int psi_fd;

        uint64_t round;
        bool in_round, round_under_pressure, pressure_pending, kick_under_pressure;
        size_t waiting;            /* VMs whose stats the current round still awaits */
        uint64_t pressure_at_usec; /* CLOCK_MONOTONIC when the pending pressure was seen; 0 none */
        HostMemory host;
        uint64_t host_critical_bytes;
        bool host_under_pressure;
        char *last_status;
        unsigned once_rounds;
        bool once_done; /* --once: the round is done; exit once its resizes are answered */
        int exit_code;
} BalloonManager;

/* Takes config on success. */
int balloon_manager_new(sd_event *e, Config *config, const BalloonManagerOptions *options,
                BalloonManager **ret);
int balloon_manager_start(BalloonManager *m);
BalloonManager *balloon_manager_free(BalloonManager *m);
DEFINE_FREE_FUNC(BalloonManager *, balloon_manager_free);

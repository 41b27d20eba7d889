/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* policy.h: the balloon policy ("balance available memory", as ChromeOS's VM concierge does,
 * plus vmsilo's responsive rules). Pure: inputs in, balloon targets out; no I/O, no clock, no
 * globals, no logging. The daemon (vmsilo-balloond.c) and the simulator (bench/balloon-sim) both
 * call balloon_policy_compute(), so what the simulator measures is what the daemon runs.
 *
 * All sizes are bytes. Arithmetic inside is signed 64-bit and saturating: a huge input or a
 * large negative difference clamps instead of wrapping. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define BALLOON_MIB (UINT64_C(1024) * 1024)
/* Where the learned guest critical level starts; it is only ever lowered (ChromeOS: above the
 * zone min margin and Android LMKD's kill level). */
#define BALLOON_GUEST_CRITICAL_INITIAL_BYTES (400 * BALLOON_MIB)
/* A step may push either side at most this far below its critical level. */
#define BALLOON_CRITICAL_OVERDRAW_BYTES (10 * BALLOON_MIB)
/* A side this close to its critical level makes any step count (dead band bypass). */
#define BALLOON_NEAR_CRITICAL_BYTES (1 * BALLOON_MIB)
/* Dead band: a step must be at least this percentage of the smaller positive margin. */
#define BALLOON_DEAD_BAND_PERCENT 2
/* Samples taken with the balloon at least this full never teach the guest critical level. */
#define BALLOON_LEARN_FULL_PERCENT_MAX 95
/* The balloon never leaves the guest less than this (the VM's memory minus this is its cap). */
#define BALLOON_GUEST_FLOOR_BYTES (192 * BALLOON_MIB)
/* vmsilo rule: when the host is under critical, the guests together inflate at least enough to
 * bring it this far above critical, each by its share (proportional to its margin). */
#define BALLOON_HOST_HEADROOM_BYTES (16 * BALLOON_MIB)
#define BALLOON_VMS_MAX 256

typedef enum BalloonPolicyKind {
        BALLOON_POLICY_CHROMEOS, /* the plain "balance available" policy, each VM on its own */
        BALLOON_POLICY_VMSILO,   /* + host-deficit and guest-deficit rules, VMs see each other */
        _BALLOON_POLICY_KIND_MAX,
        _BALLOON_POLICY_KIND_INVALID = -EINVAL,
} BalloonPolicyKind;

typedef enum BalloonAction {
        BALLOON_ACTION_HOLD,             /* inside the dead band, or nothing to do */
        BALLOON_ACTION_INFLATE,          /* memory goes to the host */
        BALLOON_ACTION_DEFLATE,          /* memory goes to the guest */
        BALLOON_ACTION_SKIP_PASSTHROUGH, /* PCI passthrough pins guest RAM: never ballooned */
        BALLOON_ACTION_SKIP_NO_STATS,    /* the VMM did not answer in time this tick */
        _BALLOON_ACTION_MAX,
        _BALLOON_ACTION_INVALID = -EINVAL,
} BalloonAction;

typedef struct BalloonConfig {
        BalloonPolicyKind kind;
        unsigned critical_host_percent;      /* of MemTotal, 0–100 */
        uint64_t guest_available_bias_bytes; /* scaled by how full the balloon is */
} BalloonConfig;

/* What the policy learns about a VM; carried from one evaluation to the next by the caller
 * (zeroed for a new VM). */
typedef struct BalloonVmMemory {
        uint64_t critical_bytes;    /* learned guest critical level; 0 = not yet set */
        uint64_t max_balloon_bytes; /* denominator of "how full"; 0 = not yet set */
        uint64_t prev_available_bytes;
        bool prev_low; /* the previous sample was low with the balloon < 95 % */
} BalloonVmMemory;

typedef struct BalloonHostInput {
        uint64_t mem_total_bytes;
        uint64_t mem_available_bytes;
        /* A host memory pressure trigger (PSI) fired since the last evaluation, or PSI "some
         * avg10" is above the daemon's threshold: step now, whatever the dead band says. Only
         * BALLOON_POLICY_VMSILO uses it. */
        bool under_pressure;
} BalloonHostInput;

/* One VM, sanitised by the caller (guest-stats.c) before it gets here. */
typedef struct BalloonVmInput {
        const char *name; /* the stable evaluation order: by name, then by index */
        bool passthrough;
        bool stats_valid;
        uint64_t memory_bytes;  /* configured guest RAM */
        uint64_t balloon_bytes; /* the balloon's actual size */
        uint64_t guest_free_bytes;
        uint64_t guest_cache_bytes;
        BalloonVmMemory memory; /* from the previous evaluation's plan */
} BalloonVmInput;

typedef struct BalloonVmPlan {
        size_t index; /* into the input array */
        BalloonAction action;
        uint64_t target_bytes;          /* the balloon size to ask for (== balloon_bytes on hold) */
        int64_t delta_bytes;            /* target − actual */
        uint64_t guest_available_bytes; /* free + cache, as used */
        BalloonVmMemory memory;         /* give back as input next time */
} BalloonVmPlan;

typedef struct BalloonPlan {
        BalloonVmPlan *vms; /* n_vms entries, in evaluation order */
        size_t n_vms;
        uint64_t host_critical_bytes;
        uint64_t host_available_after_bytes; /* host available if every step takes full effect */
} BalloonPlan;

void balloon_plan_finish(BalloonPlan *p);

/* -EINVAL for more than BALLOON_VMS_MAX VMs or a bad config, -ENOMEM; *ret untouched then. */
int balloon_policy_compute(const BalloonHostInput *host, const BalloonVmInput *vms, size_t n_vms,
                const BalloonConfig *config, BalloonPlan *ret);

/* One VM's step: the signed delta before the balloon's own bounds apply; *memory is updated as
 * a new sample. responsive selects the vmsilo rules; host_deficit_share is this VM's part of the
 * host's deficit (plus headroom) when the host is under critical, else 0. */
int64_t balloon_policy_step(int64_t host_available, int64_t host_critical, const BalloonVmInput *vm,
                const BalloonConfig *config, bool responsive, bool under_pressure,
                int64_t host_deficit_share, BalloonVmMemory *memory);

int64_t balloon_sat_add(int64_t a, int64_t b);
int64_t balloon_sat_sub(int64_t a, int64_t b);
int64_t balloon_sat_from_u64(uint64_t v);

const char *balloon_action_to_string(BalloonAction a);
BalloonAction balloon_action_from_string(const char *s);
const char *balloon_policy_kind_to_string(BalloonPolicyKind k);
BalloonPolicyKind balloon_policy_kind_from_string(const char *s);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* crosvm-plan.h: the crosvm launch plan of one VM. Pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "plan.h"

#define CROSVM_PLAN_BINARY_DEFAULT "crosvm"
/* Used for `gpu = true`: cross-domain Wayland forwarding plus virgl 3D. */
#define CROSVM_PLAN_GPU_DEFAULT "context-types=cross-domain:virgl2"
/* Used for `sound = true`. Upstream crosvm has no PulseAudio/PipeWire backend (only null, file
 * and, when built with it, cras), so the default is a playback-only device every build accepts;
 * an attribute set (e.g. backend=pulse for a patched crosvm) replaces it verbatim. */
#define CROSVM_PLAN_SOUND_DEFAULT "backend=null,capture=false"
/* The lowest guest CID: 0–2 are reserved (hypervisor, local, host). */
#define CROSVM_PLAN_CID_BASE 3

/* Builds the plan for vm, which must be one of c's VMs (its index gives the vsock CID) and have
 * passed plan_validate() for crosvm. -EINVAL for an unusable context (no kernel or runtime dir,
 * vm not in c); -ENOMEM. ctx->accel is ignored: crosvm always uses KVM. */
int crosvm_plan_build(
                const Config *c, const VmConfig *vm, const LaunchContext *ctx, LaunchPlan **ret);

/* The guest vsock CID of the VM at position vm_index of nixosVms: CROSVM_PLAN_CID_BASE + index.
 * Stable across restarts and unique per config, so the daemon computes the same number. */
uint32_t crosvm_plan_guest_cid(size_t vm_index);

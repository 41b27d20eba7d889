/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* balloon-status.h: vmsilo-balloond's view, written to <runtime_dir>/balloond.json for `vmsilo
 * status` (format in docs/balloond.md). Formatting is pure; balloon_status_write_atomic() does the
 * I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BALLOON_STATUS_FILE_NAME "balloond.json"
#define BALLOON_STATUS_VERSION 1

typedef struct BalloonStatusVm {
        const char *name;
        const char *vmm;   /* "qemu" | "crosvm" */
        const char *state; /* "ballooning" | "passthrough" | "not-answering" | "unknown-vm" |
                              "no-balloon" */
        uint64_t memory_bytes;
        uint64_t balloon_bytes;
        uint64_t guest_available_bytes;
        uint64_t guest_critical_bytes;
        const char *last_action; /* balloon_action_to_string() */
        uint64_t target_bytes;
} BalloonStatusVm;

typedef struct BalloonStatusHost {
        uint64_t mem_total_bytes;
        uint64_t mem_available_bytes;
        uint64_t critical_bytes;
        bool under_pressure;
        const char *policy;
} BalloonStatusHost;

/* Renders the JSON document (VMs in the given order). *ret is owned by the caller. */
int balloon_status_format(const BalloonStatusHost *host, const BalloonStatusVm *vms, size_t n_vms,
                char **ret);
/* Writes text to dir/BALLOON_STATUS_FILE_NAME through a temp file and rename(), mode 0644. */
int balloon_status_write_atomic(const char *dir, const char *text);

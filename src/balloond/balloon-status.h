/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* status.h: vmsilo-balloond's view, written to <runtime_dir>/balloond.json for `vmsilo status`
 * (format in docs/balloond.md). Formatting is pure; status_write_atomic() does the I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATUS_FILE_NAME "balloond.json"
#define STATUS_VERSION 1

typedef struct StatusVm {
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
} StatusVm;

typedef struct StatusHost {
        uint64_t mem_total_bytes;
        uint64_t mem_available_bytes;
        uint64_t critical_bytes;
        bool under_pressure;
        const char *policy;
} StatusHost;

/* Renders the JSON document (VMs in the given order). *ret is owned by the caller. */
int status_format(const StatusHost *host, const StatusVm *vms, size_t n_vms, char **ret);
/* Writes text to dir/STATUS_FILE_NAME through a temp file and rename(), mode 0644. */
int status_write_atomic(const char *dir, const char *text);

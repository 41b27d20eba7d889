/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* guest-stats.h: decoding of guest memory statistics and balloon sizes as QEMU (QMP) and crosvm
 * (`crosvm balloon_stats`) report them. Pure. Every figure comes from the guest or the VMM and is
 * checked here; the policy only ever sees a sanitised GuestStats. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Larger `crosvm balloon_stats` output is refused. */
#define GUEST_STATS_CROSVM_OUTPUT_MAX (64 * 1024)

typedef struct GuestStats {
        uint64_t free_bytes;      /* MemFree */
        uint64_t cache_bytes;     /* page cache (NR_FILE_PAGES) */
        uint64_t available_bytes; /* guest MemAvailable, or free + cache if not reported */
        uint64_t balloon_bytes;   /* the balloon's actual size; crosvm only (QEMU: query-balloon) */
} GuestStats;

/* `qom-get <balloon> guest-stats` return value: {"stats": {"stat-free-memory": N, …},
 * "last-update": T}. -ENODATA while the guest has not reported (last-update 0 or the stats are
 * QEMU's "unset" value), -EBADMSG for a malformed answer. Figures are clamped to memory_bytes. */
int guest_stats_parse_qemu(json_t *untrusted_return, uint64_t memory_bytes, GuestStats *ret);

/* `query-balloon` return value {"actual": N}: N is the guest's RAM with the balloon taken out.
 * Gives the balloon size, memory_bytes − N (never negative). */
int guest_stats_parse_qemu_balloon(
                json_t *untrusted_return, uint64_t memory_bytes, uint64_t *ret_balloon_bytes);

/* The text `crosvm balloon_stats SOCKET` prints: {"BalloonStats":{"stats":{"free_memory": N,
 * "disk_caches": N, …},"balloon_actual": N}}. */
int guest_stats_parse_crosvm(const char *untrusted_text, size_t untrusted_len,
                uint64_t memory_bytes, GuestStats *ret);

/* The QEMU `balloon` argument (guest RAM left) for a balloon size. */
uint64_t guest_stats_qemu_balloon_value(uint64_t memory_bytes, uint64_t balloon_bytes);

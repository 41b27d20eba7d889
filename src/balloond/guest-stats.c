/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* guest-stats.c: decoding of VMM balloon statistics. Pure. */
#include "guest-stats.h"
#include "macro.h"

/* QEMU's "the guest never sent this stat": (uint64_t) -1, decoded as a real past 2^63 or as -1. */
static int get_u64(json_t *untrusted_obj, const char *key, uint64_t *ret) {
        json_t *untrusted_v = json_object_get(untrusted_obj, key);

        if (!untrusted_v || json_is_null(untrusted_v))
                return -ENODATA;
        if (json_is_integer(untrusted_v)) {
                json_int_t untrusted_i = json_integer_value(untrusted_v);
                if (untrusted_i < 0)
                        return -ENODATA;
                *ret = (uint64_t) untrusted_i;
                return 0;
        }
        if (json_is_real(untrusted_v)) {
                double untrusted_d = json_real_value(untrusted_v);
                if (!(untrusted_d >= 0) || untrusted_d >= 9223372036854775807.0)
                        return -ENODATA;
                *ret = (uint64_t) untrusted_d;
                return 0;
        }
        return -EBADMSG;
}

static int stats_from_fields(json_t *untrusted_stats, const char *free_key, const char *cache_key,
                const char *available_key, uint64_t memory_bytes, GuestStats *ret) {
        uint64_t untrusted_free, untrusted_cache, untrusted_available;
        int r;

        if (!json_is_object(untrusted_stats))
                return -EBADMSG;
        r = get_u64(untrusted_stats, free_key, &untrusted_free);
        if (r < 0)
                return r;
        r = get_u64(untrusted_stats, cache_key, &untrusted_cache);
        if (r < 0)
                return r;
        r = get_u64(untrusted_stats, available_key, &untrusted_available);
        if (r == -EBADMSG)
                return r;

        /* sanitize start: a guest cannot have more free or cached memory than it has RAM */
        uint64_t free_bytes = MIN(untrusted_free, memory_bytes);
        uint64_t cache_bytes = MIN(untrusted_cache, memory_bytes - free_bytes);
        uint64_t available_bytes =
                        r < 0 ? free_bytes + cache_bytes : MIN(untrusted_available, memory_bytes);
        /* sanitize end */

        *ret = (GuestStats){
                .free_bytes = free_bytes,
                .cache_bytes = cache_bytes,
                .available_bytes = available_bytes,
        };
        return 0;
}

int guest_stats_parse_qemu(json_t *untrusted_return, uint64_t memory_bytes, GuestStats *ret) {
        uint64_t untrusted_last_update = 0;
        int r;

        if (!json_is_object(untrusted_return))
                return -EBADMSG;
        r = get_u64(untrusted_return, "last-update", &untrusted_last_update);
        if (r == -EBADMSG)
                return r;
        if (r < 0 || untrusted_last_update == 0)
                return -ENODATA;
        return stats_from_fields(json_object_get(untrusted_return, "stats"), "stat-free-memory",
                        "stat-disk-caches", "stat-available-memory", memory_bytes, ret);
}

int guest_stats_parse_qemu_balloon(
                json_t *untrusted_return, uint64_t memory_bytes, uint64_t *ret_balloon_bytes) {
        uint64_t untrusted_actual;
        int r;

        if (!json_is_object(untrusted_return))
                return -EBADMSG;
        r = get_u64(untrusted_return, "actual", &untrusted_actual);
        if (r < 0)
                return -EBADMSG;
        /* sanitize start */
        *ret_balloon_bytes = untrusted_actual >= memory_bytes ? 0 : memory_bytes - untrusted_actual;
        /* sanitize end */
        return 0;
}

int guest_stats_parse_crosvm(const char *untrusted_text, size_t untrusted_len,
                uint64_t memory_bytes, GuestStats *ret) {
        json_t *untrusted_doc, *untrusted_bs;
        uint64_t untrusted_actual;
        GuestStats s;
        int r;

        if (untrusted_len > GUEST_STATS_CROSVM_OUTPUT_MAX)
                return -EBADMSG;
        untrusted_doc = json_loadb(untrusted_text, untrusted_len,
                        JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL);
        if (!untrusted_doc)
                return -EBADMSG;
        untrusted_bs = json_object_get(untrusted_doc, "BalloonStats");
        if (!json_is_object(untrusted_bs)) {
                json_decref(untrusted_doc);
                return -EBADMSG;
        }
        r = stats_from_fields(json_object_get(untrusted_bs, "stats"), "free_memory", "disk_caches",
                        "available_memory", memory_bytes, &s);
        if (r >= 0)
                r = get_u64(untrusted_bs, "balloon_actual", &untrusted_actual) < 0 ? -EBADMSG : 0;
        json_decref(untrusted_doc);
        if (r < 0)
                return r;
        /* sanitize start */
        s.balloon_bytes = MIN(untrusted_actual, memory_bytes);
        /* sanitize end */
        *ret = s;
        return 0;
}

uint64_t guest_stats_qemu_balloon_value(uint64_t memory_bytes, uint64_t balloon_bytes) {
        return balloon_bytes >= memory_bytes ? 0 : memory_bytes - balloon_bytes;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-pcm-ring.c: the ring that carries a VMM's Write payloads and Read sizes (pcm-ring.c).
 * Input: frame bytes (1..16), capacity (u16 LE), then operations of 3 bytes each: bit 0 of the
 * first says push or pop, the next two are the length (u16 LE); a push's bytes are a counter.
 * Checks against a plain model: the bound holds, whole frames come out, in order, and every
 * byte offered is either kept or counted as dropped. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pcm-ring.h"

#define OPS_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t in[65536], out[65536];
        uint64_t pushed = 0, popped = 0, dropped = 0;
        uint8_t next_in = 0, next_out = 0;
        PcmRing r;

        if (size < 3 || size > 3 + 3 * OPS_MAX)
                return 0;
        if (pcm_ring_init(&r, 1 + data[0] % 16, (size_t) data[1] | (size_t) data[2] << 8) < 0)
                return 0;
        for (size_t i = 3; i + 3 <= size; i += 3) {
                size_t n = (size_t) data[i + 1] | (size_t) data[i + 2] << 8, got;

                if (data[i] & 1) {
                        for (size_t k = 0; k < n; k++)
                                in[k] = (uint8_t) (next_in + k);
                        got = pcm_ring_push(&r, in, n);
                        CHECK(got <= n);
                        next_in = (uint8_t) (next_in + got);
                        pushed += got;
                        dropped += n - got;
                } else {
                        got = pcm_ring_pop(&r, out, n);
                        CHECK(got <= n && got % r.frame_bytes == 0);
                        for (size_t k = 0; k < got; k++)
                                CHECK(out[k] == (uint8_t) (next_out + k));
                        next_out = (uint8_t) (next_out + got);
                        popped += got;
                }
                CHECK(r.used_bytes <= r.capacity_bytes);
                CHECK(r.used_bytes == pushed - popped);
                CHECK(r.dropped_bytes == dropped);
        }
        pcm_ring_finish(&r);
        return 0;
}

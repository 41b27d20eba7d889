/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-pcm-format.c: pcm_format_to_spec() on the Init arguments a VMM sends vmsilo-sound. Input:
 * bits, flags (bit 0 signed, 1 float, 2 big-endian), channels, then rate and bytes_per_frame as
 * little-endian u32. Checks what an accepted format promises: a valid PulseAudio sample spec
 * whose frame size is the announced one, so every Write/Read splits into whole frames. */
#include <string.h>

#include "fuzz.h"
#include "pcm-format.h"

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
               (uint32_t) p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        pa_sample_spec spec;
        PcmFormat f;

        if (size < 11)
                return 0;
        f = (PcmFormat){
                .bits = data[0],
                .is_signed = data[1] & 1,
                .is_float = data[1] & 2,
                .big_endian = data[1] & 4,
                .channels = data[2],
                .rate = le32(data + 3),
                .bytes_per_frame = le32(data + 7),
        };
        if (pcm_format_to_spec(&f, &spec) < 0)
                return 0;
        CHECK(pa_sample_spec_valid(&spec));
        CHECK(pa_frame_size(&spec) == f.bytes_per_frame);
        CHECK(spec.rate == f.rate && spec.channels == f.channels);
        return 0;
}

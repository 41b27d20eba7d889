/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pcm-format.h: the PCM format of a QEMU audio voice (AudioOutListener/AudioInListener.Init),
 * checked and turned into PulseAudio's sample spec. Pure. */
#pragma once

#include <pulse/sample.h>
#include <stdbool.h>
#include <stdint.h>

/* Far above any rate or frame a guest sound card asks for; bounds what the VMM may claim. */
#define PCM_FORMAT_RATE_MAX 384000u

/* Init's arguments, as the VMM sent them: untrusted. */
typedef struct PcmFormat {
        uint8_t bits;
        bool is_signed;
        bool is_float;
        uint32_t rate;
        uint8_t channels;
        uint32_t bytes_per_frame;
        bool big_endian;
} PcmFormat;

/* -EINVAL for a format PulseAudio cannot play as sent (an unknown sample type, a rate or channel
 * count out of range, or bytes_per_frame that disagrees with bits × channels). */
int pcm_format_to_spec(const PcmFormat *f, pa_sample_spec *ret);

/* The byte that fills silence in spec's format (0x80 for unsigned 8-bit, 0 for the others). */
uint8_t pcm_format_silence_byte(const pa_sample_spec *spec);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pcm-format.c: QEMU voice format → pa_sample_spec. Pure.
 *
 * QEMU's audio layer knows u8/s8, u16/s16, u32/s32 and f32 in either byte order; PulseAudio has
 * u8, s16, s32 and float32. The other combinations never come from QEMU's HDA codec (s16 by
 * default) and are refused rather than converted. */
#include <errno.h>

#include "pcm-format.h"

static pa_sample_format_t sample_format(const PcmFormat *f) {
        if (f->is_float)
                return f->bits == 32 && f->is_signed
                                       ? (f->big_endian ? PA_SAMPLE_FLOAT32BE : PA_SAMPLE_FLOAT32LE)
                                       : PA_SAMPLE_INVALID;
        switch (f->bits) {
        case 8:
                return f->is_signed ? PA_SAMPLE_INVALID : PA_SAMPLE_U8;
        case 16:
                if (!f->is_signed)
                        return PA_SAMPLE_INVALID;
                return f->big_endian ? PA_SAMPLE_S16BE : PA_SAMPLE_S16LE;
        case 32:
                if (!f->is_signed)
                        return PA_SAMPLE_INVALID;
                return f->big_endian ? PA_SAMPLE_S32BE : PA_SAMPLE_S32LE;
        default:
                return PA_SAMPLE_INVALID;
        }
}

int pcm_format_to_spec(const PcmFormat *f, pa_sample_spec *ret) {
        pa_sample_format_t format = sample_format(f);

        if (format == PA_SAMPLE_INVALID)
                return -EINVAL;
        if (f->rate == 0 || f->rate > PCM_FORMAT_RATE_MAX)
                return -EINVAL;
        if (f->channels == 0 || f->channels > PA_CHANNELS_MAX)
                return -EINVAL;
        if (f->bytes_per_frame != (uint32_t) f->bits / 8 * f->channels)
                return -EINVAL;
        *ret = (pa_sample_spec){ .format = format, .rate = f->rate, .channels = f->channels };
        return 0;
}

uint8_t pcm_format_silence_byte(const pa_sample_spec *spec) {
        return spec->format == PA_SAMPLE_U8 ? 0x80 : 0;
}

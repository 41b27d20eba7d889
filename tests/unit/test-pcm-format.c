/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-pcm-format.c: which voice formats the VMM may announce, and what PulseAudio gets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "macro.h"
#include "pcm-format.h"

/* QEMU's HDA codec default: s16le, 44.1 kHz stereo. */
static const PcmFormat hda = {
        .bits = 16,
        .is_signed = true,
        .rate = 44100,
        .channels = 2,
        .bytes_per_frame = 4,
};

static void test_hda_default_is_s16le_stereo(void **state) {
        pa_sample_spec spec;

        assert_int_equal(pcm_format_to_spec(&hda, &spec), 0);
        assert_int_equal(spec.format, PA_SAMPLE_S16LE);
        assert_int_equal(spec.rate, 44100);
        assert_int_equal(spec.channels, 2);
}

static void test_sample_types(void **state) {
        static const struct {
                uint8_t bits;
                bool is_signed, is_float, big_endian;
                pa_sample_format_t expected; /* PA_SAMPLE_INVALID: refused */
        } table[] = {
                { 8, false, false, false, PA_SAMPLE_U8 },
                { 8, true, false, false, PA_SAMPLE_INVALID },
                { 16, true, false, true, PA_SAMPLE_S16BE },
                { 16, false, false, false, PA_SAMPLE_INVALID },
                { 32, true, false, false, PA_SAMPLE_S32LE },
                { 32, true, false, true, PA_SAMPLE_S32BE },
                { 32, false, false, false, PA_SAMPLE_INVALID },
                { 32, true, true, false, PA_SAMPLE_FLOAT32LE },
                { 32, true, true, true, PA_SAMPLE_FLOAT32BE },
                { 16, true, true, false, PA_SAMPLE_INVALID },
                { 24, true, false, false, PA_SAMPLE_INVALID },
                { 0, true, false, false, PA_SAMPLE_INVALID },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                PcmFormat f = {
                        .bits = table[i].bits,
                        .is_signed = table[i].is_signed,
                        .is_float = table[i].is_float,
                        .big_endian = table[i].big_endian,
                        .rate = 48000,
                        .channels = 1,
                        .bytes_per_frame = table[i].bits / 8,
                };
                pa_sample_spec spec = { .format = PA_SAMPLE_INVALID };
                int r = pcm_format_to_spec(&f, &spec);

                if (table[i].expected == PA_SAMPLE_INVALID)
                        assert_int_equal(r, -EINVAL);
                else {
                        assert_int_equal(r, 0);
                        assert_int_equal(spec.format, table[i].expected);
                }
        }
}

static void test_out_of_range_is_refused(void **state) {
        pa_sample_spec spec;
        PcmFormat f;

        f = hda;
        f.rate = 0;
        assert_int_equal(pcm_format_to_spec(&f, &spec), -EINVAL);
        f.rate = PCM_FORMAT_RATE_MAX + 1;
        assert_int_equal(pcm_format_to_spec(&f, &spec), -EINVAL);
        f.rate = PCM_FORMAT_RATE_MAX;
        assert_int_equal(pcm_format_to_spec(&f, &spec), 0);
        f = hda;
        f.channels = 0;
        assert_int_equal(pcm_format_to_spec(&f, &spec), -EINVAL);
        f.channels = PA_CHANNELS_MAX + 1;
        f.bytes_per_frame = 2 * f.channels;
        assert_int_equal(pcm_format_to_spec(&f, &spec), -EINVAL);
        /* A frame size that disagrees with bits × channels would misalign every Read. */
        f = hda;
        f.bytes_per_frame = 3;
        assert_int_equal(pcm_format_to_spec(&f, &spec), -EINVAL);
}

static void test_silence_is_0x80_for_u8_and_zero_otherwise(void **state) {
        pa_sample_spec u8 = { .format = PA_SAMPLE_U8 }, s16 = { .format = PA_SAMPLE_S16LE },
                       f32 = { .format = PA_SAMPLE_FLOAT32BE };

        assert_int_equal(pcm_format_silence_byte(&u8), 0x80);
        assert_int_equal(pcm_format_silence_byte(&s16), 0);
        assert_int_equal(pcm_format_silence_byte(&f32), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hda_default_is_s16le_stereo),
                cmocka_unit_test(test_sample_types),
                cmocka_unit_test(test_out_of_range_is_refused),
                cmocka_unit_test(test_silence_is_0x80_for_u8_and_zero_otherwise),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-pcm-ring.c: the bounded ring between QEMU's side and the sound server's side. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "pcm-ring.h"

static void test_pcm_ring_rejects_zero_and_huge_frames(void **state) {
        PcmRing r = { .capacity_bytes = 7 };

        assert_int_equal(pcm_ring_init(&r, 0, 64), -EINVAL);
        assert_int_equal(pcm_ring_init(&r, PCM_RING_CAPACITY_MAX + 1, 64), -EINVAL);
        assert_int_equal(r.capacity_bytes, 7); /* untouched on failure */
}

static void test_pcm_ring_capacity_is_whole_frames_and_capped(void **state) {
        PcmRing r;

        assert_int_equal(pcm_ring_init(&r, 4, 10), 0);
        assert_int_equal(r.capacity_bytes, 8);
        pcm_ring_finish(&r);
        assert_int_equal(pcm_ring_init(&r, 4, 1), 0);
        assert_int_equal(r.capacity_bytes, 4);
        pcm_ring_finish(&r);
        assert_int_equal(pcm_ring_init(&r, 4, SIZE_MAX), 0);
        assert_int_equal(r.capacity_bytes, PCM_RING_CAPACITY_MAX);
        pcm_ring_finish(&r);
}

static void test_pcm_ring_full_ring_drops_and_counts(void **state) {
        uint8_t in[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, out[12] = {};
        PcmRing r;

        assert_int_equal(pcm_ring_init(&r, 4, 8), 0);
        assert_int_equal(pcm_ring_push(&r, in, 12), 8);
        assert_int_equal(r.dropped_bytes, 4);
        assert_int_equal(pcm_ring_push(&r, in, 4), 0);
        assert_int_equal(r.dropped_bytes, 8);
        assert_int_equal(pcm_ring_pop(&r, out, sizeof(out)), 8);
        assert_memory_equal(out, in, 8);
        pcm_ring_finish(&r);
}

static void test_pcm_ring_pops_whole_frames_only(void **state) {
        uint8_t in[6] = { 1, 2, 3, 4, 5, 6 }, out[6] = {};
        PcmRing r;

        assert_int_equal(pcm_ring_init(&r, 4, 16), 0);
        assert_int_equal(pcm_ring_push(&r, in, 6), 6);
        assert_int_equal(pcm_ring_available(&r), 4);
        assert_int_equal(pcm_ring_pop(&r, out, 3), 0);
        assert_int_equal(pcm_ring_pop(&r, out, 6), 4);
        assert_memory_equal(out, in, 4);
        assert_int_equal(pcm_ring_available(&r), 0);
        assert_int_equal(r.used_bytes, 2);
        pcm_ring_finish(&r);
}

static void test_pcm_ring_wraps_around_in_order(void **state) {
        uint8_t out[8];
        PcmRing r;

        assert_int_equal(pcm_ring_init(&r, 2, 8), 0);
        for (uint8_t round = 0; round < 20; round++) {
                uint8_t in[6] = { round, 1, round, 2, round, 3 };
                assert_int_equal(pcm_ring_push(&r, in, 6), 6);
                assert_int_equal(pcm_ring_pop(&r, out, 6), 6);
                assert_memory_equal(out, in, 6);
        }
        assert_int_equal(r.dropped_bytes, 0);
        pcm_ring_finish(&r);
}

static void test_pcm_ring_finished_ring_takes_nothing(void **state) {
        uint8_t b[4] = {};
        PcmRing r = {};

        pcm_ring_finish(&r);
        assert_int_equal(pcm_ring_push(&r, b, 4), 0);
        assert_int_equal(r.dropped_bytes, 4);
        assert_int_equal(pcm_ring_pop(&r, b, 4), 0);
}

/* A capture voice clears its ring when the guest starts recording: the next pop is what came
 * after, never the frames kept from before, and the ring still wraps correctly. */
static void test_pcm_ring_clear_forgets_the_frames_and_keeps_the_drop_count(void **state) {
        uint8_t in[12] = { 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6 }, out[12];
        PcmRing r;

        assert_int_equal(pcm_ring_init(&r, 2, 8), 0);
        assert_int_equal(pcm_ring_push(&r, in, 12), 8);
        assert_int_equal(r.dropped_bytes, 4);
        assert_int_equal(pcm_ring_pop(&r, out, 2), 2); /* head moves off 0 */
        pcm_ring_clear(&r);
        assert_int_equal(pcm_ring_available(&r), 0);
        assert_int_equal(pcm_ring_pop(&r, out, 12), 0);
        assert_int_equal(r.dropped_bytes, 4);
        assert_int_equal(pcm_ring_push(&r, in + 8, 4), 4);
        assert_int_equal(pcm_ring_pop(&r, out, 12), 4);
        assert_memory_equal(out, in + 8, 4);
        pcm_ring_finish(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pcm_ring_clear_forgets_the_frames_and_keeps_the_drop_count),
                cmocka_unit_test(test_pcm_ring_rejects_zero_and_huge_frames),
                cmocka_unit_test(test_pcm_ring_capacity_is_whole_frames_and_capped),
                cmocka_unit_test(test_pcm_ring_full_ring_drops_and_counts),
                cmocka_unit_test(test_pcm_ring_pops_whole_frames_only),
                cmocka_unit_test(test_pcm_ring_wraps_around_in_order),
                cmocka_unit_test(test_pcm_ring_finished_ring_takes_nothing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

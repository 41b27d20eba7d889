/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-guest-stats.c: decoding of QEMU and crosvm balloon statistics (untrusted input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "guest-stats.h"
#include "macro.h"

#define MIB (UINT64_C(1024) * 1024)

static json_t *parse(const char *text) {
        json_t *j = json_loads(text, 0, NULL);
        assert_non_null(j);
        return j;
}

static void test_qemu_stats_give_free_cache_and_available(void **state) {
        json_t *j = parse("{\"stats\": {\"stat-free-memory\": 104857600, \"stat-disk-caches\": "
                          "52428800, \"stat-available-memory\": 157286400}, \"last-update\": 5}");
        GuestStats s;

        assert_int_equal(guest_stats_parse_qemu(j, 1024 * MIB, &s), 0);
        assert_int_equal(s.free_bytes, 100 * MIB);
        assert_int_equal(s.cache_bytes, 50 * MIB);
        assert_int_equal(s.available_bytes, 150 * MIB);
        json_decref(j);
}

static void test_qemu_stats_before_the_first_report_are_no_data(void **state) {
        json_t *j = parse("{\"stats\": {\"stat-free-memory\": 1, \"stat-disk-caches\": 1}, "
                          "\"last-update\": 0}");
        GuestStats s = { .free_bytes = 65 };

        assert_int_equal(guest_stats_parse_qemu(j, 1024 * MIB, &s), -ENODATA);
        assert_int_equal(s.free_bytes, 65);
        json_decref(j);
}

static void test_qemu_unset_stat_is_no_data(void **state) {
        /* QEMU prints (uint64_t) -1 for a stat the guest never sent; decoded as a real. */
        json_t *j = json_loads("{\"stats\": {\"stat-free-memory\": 18446744073709551615, "
                               "\"stat-disk-caches\": 5}, \"last-update\": 3}",
                        JSON_DECODE_INT_AS_REAL, NULL);
        GuestStats s;

        assert_non_null(j);
        assert_int_equal(guest_stats_parse_qemu(j, 1024 * MIB, &s), -ENODATA);
        json_decref(j);
}

static void test_qemu_stats_are_clamped_to_guest_memory(void **state) {
        json_t *j = parse("{\"stats\": {\"stat-free-memory\": 9000000000000, \"stat-disk-caches\": "
                          "9000000000000}, \"last-update\": 5}");
        GuestStats s;

        assert_int_equal(guest_stats_parse_qemu(j, 512 * MIB, &s), 0);
        assert_int_equal(s.free_bytes, 512 * MIB);
        assert_int_equal(s.cache_bytes, 0);
        assert_int_equal(s.available_bytes, 512 * MIB);
        json_decref(j);
}

static void test_qemu_malformed_stats_are_rejected(void **state) {
        static const char *const bad[] = {
                "[]",
                "{\"stats\": 5, \"last-update\": 5}",
                ("{\"stats\": {\"stat-free-memory\": \"x\", \"stat-disk-caches\": 1}, "
                 "\"last-update\": 5}"),
                "{\"stats\": {\"stat-free-memory\": 1}, \"last-update\": \"soon\"}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                json_t *j = parse(bad[i]);
                GuestStats s;
                int r = guest_stats_parse_qemu(j, 512 * MIB, &s);
                if (r != -EBADMSG)
                        fail_msg("case %zu: %d", i, r);
                json_decref(j);
        }
}

static void test_qemu_balloon_size_is_memory_minus_actual(void **state) {
        json_t *j = parse("{\"actual\": 805306368}");
        uint64_t b = 0;

        assert_int_equal(guest_stats_parse_qemu_balloon(j, 1024 * MIB, &b), 0);
        assert_int_equal(b, 256 * MIB);
        json_decref(j);
        j = parse("{\"actual\": 99999999999999}");
        assert_int_equal(guest_stats_parse_qemu_balloon(j, 1024 * MIB, &b), 0);
        assert_int_equal(b, 0);
        json_decref(j);
        j = parse("{\"actual\": -5}");
        assert_int_equal(guest_stats_parse_qemu_balloon(j, 1024 * MIB, &b), -EBADMSG);
        json_decref(j);
}

static void test_qemu_balloon_value_is_memory_left(void **state) {
        assert_int_equal(guest_stats_qemu_balloon_value(1024 * MIB, 256 * MIB), 768 * MIB);
        assert_int_equal(guest_stats_qemu_balloon_value(1024 * MIB, 2048 * MIB), 0);
}

static void test_crosvm_stats_give_stats_and_balloon(void **state) {
        const char *text = "{\"BalloonStats\":{\"stats\":{\"swap_in\":null,\"free_memory\":"
                           "104857600,\"disk_caches\":52428800,\"total_memory\":1073741824},"
                           "\"balloon_actual\":268435456}}\n";
        GuestStats s;

        assert_int_equal(guest_stats_parse_crosvm(text, strlen(text), 1024 * MIB, &s), 0);
        assert_int_equal(s.free_bytes, 100 * MIB);
        assert_int_equal(s.cache_bytes, 50 * MIB);
        assert_int_equal(s.available_bytes, 150 * MIB);
        assert_int_equal(s.balloon_bytes, 256 * MIB);
}

static void test_crosvm_bad_output_is_rejected(void **state) {
        static const char *const bad[] = {
                "",
                "not json",
                "{\"BalloonStats\": 1}",
                "{\"Other\":{}}",
                "{\"BalloonStats\":{\"stats\":{\"free_memory\":1,\"disk_caches\":1}}}",
                ("{\"BalloonStats\":{\"stats\":{\"free_memory\":1,\"disk_caches\":1},"
                 "\"balloon_actual\":\"big\"}}"),
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                GuestStats s;
                int r = guest_stats_parse_crosvm(bad[i], strlen(bad[i]), 1024 * MIB, &s);
                if (r >= 0)
                        fail_msg("case %zu accepted", i);
        }
}

static void test_crosvm_oversized_output_is_rejected_before_parsing(void **state) {
        GuestStats s;

        assert_int_equal(guest_stats_parse_crosvm(
                                         "{}", GUEST_STATS_CROSVM_OUTPUT_MAX + 1, 1024 * MIB, &s),
                        -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_qemu_stats_give_free_cache_and_available),
                cmocka_unit_test(test_qemu_stats_before_the_first_report_are_no_data),
                cmocka_unit_test(test_qemu_unset_stat_is_no_data),
                cmocka_unit_test(test_qemu_stats_are_clamped_to_guest_memory),
                cmocka_unit_test(test_qemu_malformed_stats_are_rejected),
                cmocka_unit_test(test_qemu_balloon_size_is_memory_minus_actual),
                cmocka_unit_test(test_qemu_balloon_value_is_memory_left),
                cmocka_unit_test(test_crosvm_stats_give_stats_and_balloon),
                cmocka_unit_test(test_crosvm_bad_output_is_rejected),
                cmocka_unit_test(test_crosvm_oversized_output_is_rejected_before_parsing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-status-table.c: tests for src/cli/status-table.c. The golden table is
 * data/status-table/vms.txt for vms.json; UPDATE_GOLDEN=1 rewrites it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "fileio.h"
#include "macro.h"
#include "status-table.h"

#define DATA TEST_DATA_DIR "/status-table/"

static void test_status_table_matches_golden_output(void **state) {
        _cleanup_(freep) char *text = NULL, *expected = NULL;
        _cleanup_(json_decrefp) json_t *vms = NULL;
        json_error_t e;

        vms = json_load_file(DATA "vms.json", 0, &e);
        assert_non_null(vms);
        assert_int_equal(status_table_format(vms, &text), 0);
        if (getenv("UPDATE_GOLDEN")) {
                FILE *f = fopen(DATA "vms.txt", "we");

                assert_non_null(f);
                fputs(text, f);
                assert_int_equal(fclose(f), 0);
        }
        assert_int_equal(read_full_file(DATA "vms.txt", 1024 * 1024, &expected, NULL), 0);
        assert_string_equal(text, expected);
}

static void test_status_table_of_no_vms_is_the_header(void **state) {
        _cleanup_(json_decrefp) json_t *vms = json_array();
        _cleanup_(freep) char *text = NULL;

        assert_int_equal(status_table_format(vms, &text), 0);
        assert_string_equal(text,
                        "NAME  STATE  UPTIME  MEMORY  CPUS  SESSIONS  VMM  ACCEL  BALLOON  "
                        "AVAIL\n");
}

static void test_status_table_prints_missing_and_mistyped_fields_as_dash(void **state) {
        _cleanup_(json_decrefp) json_t *vms = NULL;
        _cleanup_(freep) char *text = NULL;

        vms = json_loads("[{\"name\": \"x\", \"state\": 7, \"memory_mib\": -1, \"cpus\": \"2\"}]",
                        0, NULL);
        assert_non_null(vms);
        assert_int_equal(status_table_format(vms, &text), 0);
        assert_string_equal(text,
                        "NAME  STATE  UPTIME  MEMORY  CPUS  SESSIONS  VMM  ACCEL  BALLOON  "
                        "AVAIL\n"
                        "x     -      -       -       -     -         -    -      -        "
                        "-\n");
}

static void test_status_merge_balloond_adds_balloon_and_available_by_name(void **state) {
        _cleanup_(json_decrefp) json_t *vms = NULL, *balloond = NULL;

        vms = json_loads("[{\"name\": \"a\"}, {\"name\": \"b\"}, {\"state\": \"x\"}]", 0, NULL);
        balloond = json_loads("{\"vms\": [{\"name\": \"b\", \"balloon_bytes\": 314572800, "
                              "\"guest_available_bytes\": 104857600}, {\"name\": \"a\", "
                              "\"balloon_bytes\": \"lots\", \"guest_available_bytes\": -5}]}",
                        0, NULL);
        assert_non_null(vms);
        assert_non_null(balloond);
        status_merge_balloond(vms, balloond);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(vms, 1), "balloon_mib")),
                        300);
        assert_int_equal(json_integer_value(json_object_get(
                                         json_array_get(vms, 1), "guest_available_mib")),
                        100);
        assert_null(json_object_get(json_array_get(vms, 0), "balloon_mib"));
        assert_null(json_object_get(json_array_get(vms, 0), "guest_available_mib"));
        assert_null(json_object_get(json_array_get(vms, 2), "balloon_mib"));
}

static void test_status_table_replaces_control_characters(void **state) {
        _cleanup_(json_decrefp) json_t *vms = NULL;
        _cleanup_(freep) char *text = NULL;

        vms = json_loads("[{\"name\": \"a\\u001b[2Jb\", \"reason\": \"x\\ny\"}]", 0, NULL);
        assert_non_null(vms);
        assert_int_equal(status_table_format(vms, &text), 0);
        assert_non_null(strstr(text, "a?[2Jb"));
        assert_non_null(strstr(text, "a?[2Jb: failed: x?y\n"));
        assert_null(strchr(text, '\x1b'));
}

static void test_status_table_rejects_a_non_array(void **state) {
        _cleanup_(json_decrefp) json_t *obj = json_object();
        char *text = NULL;

        assert_int_equal(status_table_format(obj, &text), -EINVAL);
        assert_int_equal(status_table_format(NULL, &text), -EINVAL);
        assert_null(text);
}

static void test_status_list_prints_valid_names_in_order(void **state) {
        _cleanup_(json_decrefp) json_t *vms = json_pack("[{s:s}, {s:i}, {s:s}, {}, {s:s}]", "name",
                        "work", "name", 7, "name", "bad\nname", "name", "banking");
        _cleanup_(freep) char *text = NULL, *json = NULL;

        assert_non_null(vms);
        assert_int_equal(status_list_format(vms, false, &text), 0);
        assert_string_equal(text, "work\nbanking\n");
        assert_int_equal(status_list_format(vms, true, &json), 0);
        assert_string_equal(json, "[\"work\",\"banking\"]\n");
}

static void test_status_list_of_no_vms_is_empty(void **state) {
        _cleanup_(json_decrefp) json_t *vms = json_array(), *obj = json_object();
        _cleanup_(freep) char *text = NULL, *json = NULL;

        assert_int_equal(status_list_format(vms, false, &text), 0);
        assert_string_equal(text, "");
        assert_int_equal(status_list_format(vms, true, &json), 0);
        assert_string_equal(json, "[]\n");
        assert_int_equal(status_list_format(obj, false, &text), -EINVAL);
}

static void test_status_format_uptime_uses_the_two_largest_units(void **state) {
        static const struct {
                json_int_t sec;
                const char *text;
        } cases[] = {
                { 0, "0s" },
                { 59, "59s" },
                { 60, "1m00s" },
                { 187, "3m07s" },
                { 3599, "59m59s" },
                { 3600, "1h00m" },
                { 7500, "2h05m" },
                { 86399, "23h59m" },
                { 86400, "1d00h" },
                { 356400, "4d03h" },
        };
        char buf[STATUS_UPTIME_MAX];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(json_decrefp) json_t *v = json_integer(cases[i].sec);

                assert_string_equal(status_format_uptime(v, buf), cases[i].text);
        }
}

static void test_status_format_uptime_of_null_or_negative_is_dash(void **state) {
        _cleanup_(json_decrefp) json_t *null = json_null(), *negative = json_integer(-5);
        char buf[STATUS_UPTIME_MAX];

        assert_string_equal(status_format_uptime(null, buf), "-");
        assert_string_equal(status_format_uptime(negative, buf), "-");
        assert_string_equal(status_format_uptime(NULL, buf), "-");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_status_table_matches_golden_output),
                cmocka_unit_test(test_status_table_of_no_vms_is_the_header),
                cmocka_unit_test(test_status_table_prints_missing_and_mistyped_fields_as_dash),
                cmocka_unit_test(test_status_table_replaces_control_characters),
                cmocka_unit_test(test_status_merge_balloond_adds_balloon_and_available_by_name),
                cmocka_unit_test(test_status_table_rejects_a_non_array),
                cmocka_unit_test(test_status_list_prints_valid_names_in_order),
                cmocka_unit_test(test_status_list_of_no_vms_is_empty),
                cmocka_unit_test(test_status_format_uptime_uses_the_two_largest_units),
                cmocka_unit_test(test_status_format_uptime_of_null_or_negative_is_dash),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

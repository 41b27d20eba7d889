/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-log.c: tests for the journal decision and line format of src/basic/log.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "log.h"

static void test_log_stream_is_journal_matches_device_and_inode(void **state) {
        assert_true(log_stream_is_journal("8:12345", 8, 12345));
        assert_true(log_stream_is_journal("65025:4294967296", 65025, 4294967296));
        assert_false(log_stream_is_journal("8:12345", 8, 12346));
        assert_false(log_stream_is_journal("9:12345", 8, 12345));
}

static void test_log_stream_is_journal_refuses_unset_or_malformed(void **state) {
        static const char *const bad[] = { "", "8", "8:", ":12345", "8:12345x", "8:12345:1", "x:y",
                "8 12345" };

        assert_false(log_stream_is_journal(NULL, 8, 12345));
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_false(log_stream_is_journal(bad[i], 8, 12345));
}

static void test_log_format_line_prefixes_the_priority_for_the_journal(void **state) {
        static const struct {
                LogLevel level;
                const char *line;
        } cases[] = {
                { LOG_LEVEL_ERROR, "<3>vmsilod: boom\n" },
                { LOG_LEVEL_WARN, "<4>vmsilod: boom\n" },
                { LOG_LEVEL_INFO, "<6>vmsilod: boom\n" },
                { LOG_LEVEL_DEBUG, "<7>vmsilod: boom\n" },
                { LOG_LEVEL_TRACE, "<7>vmsilod: boom\n" },
        };
        char buf[128];

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                assert_int_equal(log_format_line(buf, sizeof(buf), cases[i].level, true, "vmsilod",
                                                 false, "f.c", 1, "f", "boom"),
                                strlen(cases[i].line));
                assert_string_equal(buf, cases[i].line);
        }
}

static void test_log_format_line_without_journal_has_no_prefix(void **state) {
        char buf[128];

        log_format_line(buf, sizeof(buf), LOG_LEVEL_ERROR, false, "vmsilo", false, "f.c", 1, "f",
                        "no VM named 'x'");
        assert_string_equal(buf, "vmsilo: no VM named 'x'\n");
        log_format_line(buf, sizeof(buf), LOG_LEVEL_WARN, false, NULL, false, "f.c", 1, "f", "m");
        assert_string_equal(buf, "m\n");
        log_format_line(buf, sizeof(buf), LOG_LEVEL_DEBUG, true, "vmsilod", true, "vm.c", 42,
                        "vm_start", "m");
        assert_string_equal(buf, "<7>vmsilod: [debug] vm.c:42 vm_start(): m\n");
}

static void test_log_format_line_keeps_the_newline_when_truncated(void **state) {
        char buf[8];

        assert_int_equal(log_format_line(buf, sizeof(buf), LOG_LEVEL_ERROR, true, "vmsilod", false,
                                         "f.c", 1, "f", "long message"),
                        strlen("<3>vmsilod: long message\n"));
        assert_string_equal(buf, "<3>vms\n");
}

/* The choice vmsilod makes for itself and its VMMs' output: the fd $JOURNAL_STREAM names. */
static void test_log_fd_is_journal_names_that_fd_only(void **state) {
        char stream[64];
        struct stat st;
        FILE *named = tmpfile(), *other = tmpfile();

        assert_non_null(named);
        assert_non_null(other);
        assert_int_equal(fstat(fileno(named), &st), 0);
        snprintf(stream, sizeof(stream), "%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
        assert_true(log_fd_is_journal(fileno(named), stream));
        assert_false(log_fd_is_journal(fileno(other), stream));
        assert_false(log_fd_is_journal(fileno(named), NULL));
        assert_false(log_fd_is_journal(-1, stream));
        fclose(named);
        fclose(other);
}

static void test_log_parse_level_arg_takes_only_the_five_names(void **state) {
        LogLevel l = LOG_LEVEL_INFO;

        assert_int_equal(log_parse_level_arg("debug", &l), 0);
        assert_int_equal(l, LOG_LEVEL_DEBUG);
        assert_int_equal(log_parse_level_arg("error", &l), 0);
        assert_int_equal(l, LOG_LEVEL_ERROR);
        assert_int_equal(log_parse_level_arg("loud", &l), -EINVAL);
        assert_int_equal(log_parse_level_arg("", &l), -EINVAL);
        assert_int_equal(l, LOG_LEVEL_ERROR); /* untouched by a refusal */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_log_stream_is_journal_matches_device_and_inode),
                cmocka_unit_test(test_log_stream_is_journal_refuses_unset_or_malformed),
                cmocka_unit_test(test_log_format_line_prefixes_the_priority_for_the_journal),
                cmocka_unit_test(test_log_format_line_without_journal_has_no_prefix),
                cmocka_unit_test(test_log_format_line_keeps_the_newline_when_truncated),
                cmocka_unit_test(test_log_parse_level_arg_takes_only_the_five_names),
                cmocka_unit_test(test_log_fd_is_journal_names_that_fd_only),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

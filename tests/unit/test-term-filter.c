/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-term-filter.c: tests for term-filter.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "term-filter.h"
#include "utf8.h"

/* Filters in pieces of `step` bytes (0: all at once); returns an allocated buffer. */
static uint8_t *filter_in_steps(
                const uint8_t *in, size_t n, bool utf8, size_t step, size_t *ret_n) {
        TermFilter f;
        uint8_t *out = malloc(n + TERM_FILTER_PENDING_MAX);
        size_t out_n = 0;

        assert_non_null(out);
        term_filter_init(&f, utf8);
        for (size_t i = 0; i < n || (i == 0 && n == 0);) {
                size_t k = step == 0 ? n : MIN(step, n - i);

                out_n += term_filter_feed(&f, in + i, k, out + out_n);
                assert_true(term_filter_pending(&f) <= TERM_FILTER_PENDING_MAX);
                i += k;
                if (k == 0)
                        break;
        }
        *ret_n = out_n;
        return out;
}

/* The same output at once, byte by byte and in threes: sequences and characters split anywhere. */
static void assert_filters_to(
                const char *in, size_t in_n, bool utf8, const char *expected, size_t expected_n) {
        static const size_t steps[] = { 0, 1, 3 };

        for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
                size_t n;
                _cleanup_(freep) uint8_t *out =
                                filter_in_steps((const uint8_t *) in, in_n, utf8, steps[i], &n);

                assert_memory_equal(out, expected, MIN(n, expected_n));
                assert_int_equal(n, expected_n);
        }
}

#define FILTERS_TO(in, expected)                                                                   \
        assert_filters_to(in, sizeof(in) - 1, true, expected, sizeof(expected) - 1)
#define FILTERS_TO_ASCII(in, expected)                                                             \
        assert_filters_to(in, sizeof(in) - 1, false, expected, sizeof(expected) - 1)
#define KEEPS(in) FILTERS_TO(in, in)

static void test_keeps_text_and_harmless_c0_controls(void **state) {
        KEEPS("plain text\tand tabs\r\nback\bspace, bell\a, vt\v, ff\f");
}

static void test_keeps_sgr_colours(void **state) {
        KEEPS("\e[0m\e[1;31mred\e[38;2;10;20;30m\e[38:5:200m\e[48;5;17;4m\e[m");
}

static void test_keeps_cursor_movement_erase_and_scrolling(void **state) {
        KEEPS("\e[H\e[10;20H\e[3A\e[B\e[2C\e[D\e[E\e[F\e[5G\e[7d\e[4`\e[2;2f\e[2J\e[K\e[1K"
              "\e[5;20r\e[r\e[2S\e[T\e[4@\e[3P\e[X\e[2L\e[M\e[I\e[Z\e[3g\e[s\e[u\e[4h\e[4l");
}

static void test_keeps_safe_dec_private_modes(void **state) {
        KEEPS("\e[?25l\e[?25h\e[?1049h\e[?1049l\e[?1;2004h\e[?1000;1006h\e[?7l\e[?47h");
}

static void test_keeps_short_escape_sequences_and_charsets(void **state) {
        KEEPS("\e7\e8\e=\e>\eM\eD\eE\eH\e(0q\e(B\e)0\e(A");
}

static void test_keeps_cursor_shape(void **state) {
        KEEPS("\e[2 q\e[ q");
}

static void test_keeps_utf8_split_anywhere(void **state) {
        KEEPS("grüße ✓ 🙂 \xc2\xa0 \xf4\x8f\xbf\xbf");
}

static void test_drops_invalid_utf8(void **state) {
        /* a lone 0xff, a cut 2-byte character, a surrogate, an overlong form, past U+10FFFF */
        FILTERS_TO("a\xff"
                   "b\xc3(c\xed\xa0\x80"
                   "d\xe0\x80\x80"
                   "e\xf4\x90\x80\x80"
                   "f",
                        "ab(cdef");
}

static void test_drops_osc52_clipboard_write_ended_by_bel(void **state) {
        FILTERS_TO("a\e]52;c;aGVsbG8=\ab", "ab");
}

static void test_drops_osc52_clipboard_write_ended_by_st(void **state) {
        FILTERS_TO("a\e]52;c;aGVsbG8=\e\\b", "ab");
}

static void test_drops_osc_titles_and_hyperlinks(void **state) {
        FILTERS_TO("\e]0;evil\a\e]2;evil\e\\\e]8;;http://x\e\\link\e]8;;\e\\x", "linkx");
}

static void test_drops_window_ops_and_title_reports(void **state) {
        FILTERS_TO("\e[21t\e[22;0t\e[8;1;1t\e[14tx", "x");
}

static void test_drops_dcs_including_decrqss_and_xtgettcap(void **state) {
        FILTERS_TO("a\eP$qm\e\\b\eP+q544e\e\\c", "abc");
}

static void test_drops_apc_pm_and_sos(void **state) {
        FILTERS_TO("\e_Gf=100;AAAA\e\\\e^pm\e\\\eXsos\e\\x", "x");
}

static void test_drops_c1_csi_code_point_with_its_sequence(void **state) {
        FILTERS_TO("\xc2\x9b"
                   "6nx",
                        "x");
}

static void test_drops_c1_osc_code_point_with_its_string(void **state) {
        FILTERS_TO("\xc2\x9d"
                   "52;c;AAAA\ax\xc2\x90$qm\xc2\x9cy",
                        "xy");
}

static void test_drops_raw_c1_bytes(void **state) {
        /* Invalid UTF-8 to a UTF-8 terminal: the byte goes, the rest is text. */
        FILTERS_TO("\x9b"
                   "6n\x9d"
                   "0;t\x07x",
                        "6n0;t\ax");
        /* To an 8-bit terminal they are C1 controls, dropped with what they start. */
        FILTERS_TO_ASCII("\x9b"
                         "6n\x9d"
                         "0;t\x07x",
                        "x");
}

static void test_drops_report_requests(void **state) {
        FILTERS_TO("\e[6n\e[5n\e[c\e[0c\e[>c\e[=c\e[x\e[?1$p\e[2$p\e[?6n\eZ\e[?u\e[>qx", "x");
}

static void test_drops_keyboard_font_and_mode_changes(void **state) {
        FILTERS_TO("\e[>4;2m\e[?1034h\e%@\e%G\e#8\ec\e[?3h\e[?2l\e[2h\e[20h\e[1;2;3;4;5T"
                   "\e[!p\e[\"p\e[1;2s\e[?1001h\e[?25;1001h\e(K\e*0\e[?25:1h\e[i\e[5ix",
                        "x");
}

static void test_drops_other_c0_controls_and_del(void **state) {
        assert_filters_to("a\x05\x0e\x0f\x00\x7f\x01\x1f"
                          "b",
                        10, true, "ab", 2);
}

static void test_can_and_sub_cancel_a_sequence(void **state) {
        FILTERS_TO("\e[31\x18m\e]52;\x1a"
                   "x",
                        "mx");
}

static void test_c0_controls_act_inside_a_sequence(void **state) {
        FILTERS_TO("\e[3\n1m\e(\rB", "\n\e[31m\r\e(B");
}

static void test_escape_restarts_an_unfinished_sequence(void **state) {
        FILTERS_TO("\e[31\e[32m\e\e7", "\e[32m\e7");
}

static void test_non_ascii_inside_a_sequence_drops_it(void **state) {
        FILTERS_TO("\e[3ü1mx\eüy", "xy");
}

static void test_non_utf8_terminal_gets_only_ascii(void **state) {
        FILTERS_TO_ASCII("a\xc3\xa9"
                         "b\xff\e[1mc",
                        "ab\e[1mc");
}

static void test_holds_an_unfinished_sequence_until_its_final_byte(void **state) {
        TermFilter f;
        uint8_t out[16 + TERM_FILTER_PENDING_MAX];

        term_filter_init(&f, true);
        assert_int_equal(term_filter_feed(&f, (const uint8_t *) "\e[3", 3, out), 0);
        assert_int_equal(term_filter_pending(&f), 3);
        assert_int_equal(term_filter_feed(&f, (const uint8_t *) "1mA\xe2\x9c", 5, out), 6);
        assert_memory_equal(out, "\e[31mA", 6);
        assert_int_equal(term_filter_pending(&f), 2);
        assert_int_equal(term_filter_feed(&f, (const uint8_t *) "\x93", 1, out), 3);
        assert_memory_equal(out, "\xe2\x9c\x93", 3);
        assert_int_equal(term_filter_pending(&f), 0);
}

static void test_drops_an_over_long_sequence_whole(void **state) {
        char in[2 + 2 * TERM_FILTER_SEQUENCE_MAX + 2];

        memcpy(in, "\e[", 2);
        for (size_t i = 0; i < TERM_FILTER_SEQUENCE_MAX; i++)
                memcpy(in + 2 + 2 * i, "1;", 2);
        memcpy(in + sizeof(in) - 2, "mx", 2);
        assert_filters_to(in, sizeof(in), true, "x", 1);
}

static void test_huge_unterminated_osc_is_skipped_in_fixed_memory(void **state) {
        static const size_t chunk_n = 64 * 1024, chunks = 256; /* 16 MiB */
        _cleanup_(freep) uint8_t *chunk = malloc(chunk_n),
                                 *out = malloc(chunk_n + TERM_FILTER_PENDING_MAX);
        TermFilter f;

        assert_non_null(chunk);
        assert_non_null(out);
        memset(chunk, 'A', chunk_n);
        term_filter_init(&f, true);
        assert_int_equal(term_filter_feed(&f, (const uint8_t *) "\e]52;c;", 7, out), 0);
        for (size_t i = 0; i < chunks; i++) {
                assert_int_equal(term_filter_feed(&f, chunk, chunk_n, out), 0);
                assert_int_equal(term_filter_pending(&f), 0);
        }
        assert_int_equal(term_filter_feed(&f, (const uint8_t *) "\aok", 3, out), 2);
        assert_memory_equal(out, "ok", 2);
}

/* Whether out could make a terminal start a string, run a C1 control or leave UTF-8. */
static void assert_output_is_tame(const uint8_t *out, size_t n) {
        assert_true(utf8_is_valid((const char *) out, n));
        for (size_t i = 0; i < n; i++) {
                uint32_t cp;
                int len = utf8_decode((const char *) out + i, n - i, &cp);

                assert_true(len > 0);
                assert_false(cp >= 0x80 && cp <= 0x9f);
                if (cp == 0x1b) {
                        assert_true(i + 1 < n);
                        assert_null(memchr("]P_^X%#c", out[i + 1], 8));
                }
                i += (size_t) len - 1;
        }
}

static void test_garbage_comes_out_tame_and_no_longer(void **state) {
        static const char alphabet[] = "\e\e\e[]P_^X?;0123456789m\a\\\x9b\x9d\xc2\xe2\x80\x90"
                                       "ab\n";
        const size_t n = 1 << 20;
        _cleanup_(freep) uint8_t *in = malloc(n), *once = NULL, *bytewise = NULL;
        uint32_t seed = 12345;
        size_t once_n, bytewise_n;

        assert_non_null(in);
        for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                in[i] = (uint8_t) alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        once = filter_in_steps(in, n, true, 0, &once_n);
        bytewise = filter_in_steps(in, n, true, 7, &bytewise_n);
        assert_true(once_n > 0);
        assert_true(once_n < n);
        assert_int_equal(once_n, bytewise_n);
        assert_memory_equal(once, bytewise, once_n);
        assert_output_is_tame(once, once_n);
}

static void test_locale_is_utf8_by_the_first_set_variable(void **state) {
        assert_true(term_filter_locale_is_utf8(NULL, NULL, "C.UTF-8"));
        assert_true(term_filter_locale_is_utf8("", NULL, "en_US.utf8"));
        assert_true(term_filter_locale_is_utf8(NULL, "de_DE.UTF-8", "C"));
        assert_false(term_filter_locale_is_utf8("C", "de_DE.UTF-8", "en_US.UTF-8"));
        assert_false(term_filter_locale_is_utf8(NULL, NULL, "en_US.ISO-8859-1"));
        assert_false(term_filter_locale_is_utf8(NULL, NULL, NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_keeps_text_and_harmless_c0_controls),
                cmocka_unit_test(test_keeps_sgr_colours),
                cmocka_unit_test(test_keeps_cursor_movement_erase_and_scrolling),
                cmocka_unit_test(test_keeps_safe_dec_private_modes),
                cmocka_unit_test(test_keeps_short_escape_sequences_and_charsets),
                cmocka_unit_test(test_keeps_cursor_shape),
                cmocka_unit_test(test_keeps_utf8_split_anywhere),
                cmocka_unit_test(test_drops_invalid_utf8),
                cmocka_unit_test(test_drops_osc52_clipboard_write_ended_by_bel),
                cmocka_unit_test(test_drops_osc52_clipboard_write_ended_by_st),
                cmocka_unit_test(test_drops_osc_titles_and_hyperlinks),
                cmocka_unit_test(test_drops_window_ops_and_title_reports),
                cmocka_unit_test(test_drops_dcs_including_decrqss_and_xtgettcap),
                cmocka_unit_test(test_drops_apc_pm_and_sos),
                cmocka_unit_test(test_drops_c1_csi_code_point_with_its_sequence),
                cmocka_unit_test(test_drops_c1_osc_code_point_with_its_string),
                cmocka_unit_test(test_drops_raw_c1_bytes),
                cmocka_unit_test(test_drops_report_requests),
                cmocka_unit_test(test_drops_keyboard_font_and_mode_changes),
                cmocka_unit_test(test_drops_other_c0_controls_and_del),
                cmocka_unit_test(test_can_and_sub_cancel_a_sequence),
                cmocka_unit_test(test_c0_controls_act_inside_a_sequence),
                cmocka_unit_test(test_escape_restarts_an_unfinished_sequence),
                cmocka_unit_test(test_non_ascii_inside_a_sequence_drops_it),
                cmocka_unit_test(test_non_utf8_terminal_gets_only_ascii),
                cmocka_unit_test(test_holds_an_unfinished_sequence_until_its_final_byte),
                cmocka_unit_test(test_drops_an_over_long_sequence_whole),
                cmocka_unit_test(test_huge_unterminated_osc_is_skipped_in_fixed_memory),
                cmocka_unit_test(test_garbage_comes_out_tame_and_no_longer),
                cmocka_unit_test(test_locale_is_utf8_by_the_first_set_variable),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

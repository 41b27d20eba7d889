/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-title.c: every guest title is "[vm] " and text that cannot hide or fake anything. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "title.h"
#include "utf8.h"

static void assert_title(const char *guest, size_t len, const char *want) {
        char *got = NULL;

        assert_int_equal(title_format("gui", guest, len, &got), 0);
        assert_string_equal(got, want);
        free(got);
}

static void test_title_prefixes_the_vm_name(void **state) {
        assert_title("hello", 5, "[gui] hello");
        assert_title("[bank] pay", 10, "[gui] [bank] pay");
}

static void test_title_without_guest_text_is_the_vm_name(void **state) {
        assert_title(NULL, 0, "[gui]");
        assert_title("", 0, "[gui]");
        assert_title("\x1b\n\xe2\x80\xae", 5, "[gui]");
}

static void test_title_replaces_invalid_utf8(void **state) {
        assert_title("a\xff"
                     "b",
                        3,
                        "[gui] a\xef\xbf\xbd"
                        "b");
        assert_title("\xc0\xaf", 2, "[gui] \xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
        assert_title("\xed\xa0\x80", 3, "[gui] \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
        assert_title("caf\xc3", 4, "[gui] caf\xef\xbf\xbd"); /* truncated */
}

static void test_title_drops_controls_and_bidi(void **state) {
        assert_title("a\tb\x1b[31mc\x7f", 10, "[gui] ab[31mc");
        /* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LRI, U+200F RLM, U+061C ALM, U+2028 LS */
        assert_title("x\xe2\x80\xaey\xe2\x81\xa6z\xe2\x80\x8f\xd8\x9c\xe2\x80\xa8!", 18,
                        "[gui] xyz!");
        assert_title("\xc2\x85"
                     "c1",
                        4, "[gui] c1"); /* NEL, a C1 control */
        assert_title("na\xc3\xafve \xe2\x9c\x93", 10, "[gui] na\xc3\xafve \xe2\x9c\x93");
        /* NBSP (Zs), U+E000 (private use), U+3164 HANGUL FILLER (default-ignorable), U+0378
         * (unassigned), U+00AD SOFT HYPHEN (Cf) */
        assert_title("a\xc2\xa0"
                     "b\xee\x80\x80"
                     "c\xe3\x85\xa4"
                     "d\xcd\xb8"
                     "e\xc2\xad"
                     "f",
                        18, "[gui] abcdef");
}

static void test_title_is_cut_on_a_character_boundary(void **state) {
        char guest[1000], *got = NULL, want[TITLE_GUEST_MAX + 16];

        /* 3-byte characters: 85 fit in 256 bytes, the 86th would not */
        for (size_t i = 0; i < 300; i++)
                memcpy(guest + 3 * i, "\xe2\x9c\x93", 3);
        assert_int_equal(title_format("gui", guest, 900, &got), 0);
        assert_int_equal(strlen(got), strlen("[gui] ") + 255);
        assert_true(utf8_is_valid(got, strlen(got)));
        free(got);

        memset(guest, 'a', sizeof(guest));
        assert_int_equal(title_format("gui", guest, sizeof(guest), &got), 0);
        memset(want, 0, sizeof(want));
        memcpy(want, "[gui] ", 6);
        memset(want + 6, 'a', TITLE_GUEST_MAX);
        assert_string_equal(got, want);
        free(got);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_title_prefixes_the_vm_name),
                cmocka_unit_test(test_title_without_guest_text_is_the_vm_name),
                cmocka_unit_test(test_title_replaces_invalid_utf8),
                cmocka_unit_test(test_title_drops_controls_and_bidi),
                cmocka_unit_test(test_title_is_cut_on_a_character_boundary),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

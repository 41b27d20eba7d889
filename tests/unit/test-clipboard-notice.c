/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The desktop notifications' words (clipboard-notice.c), from the daemon's own replies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clipboard-notice.h"
#include "clipboard-request.h"
#include "clipboard-state.h"
#include "macro.h"

/* Handles n bytes of request as vmsilo-clipboard does and formats its notice: the result of
 * clipboard_notice_format(). */
static int notice_of_n(ClipboardState *s, const char *request, size_t n, ClipboardNotice *ret) {
        ClipboardRequest req;
        _cleanup_(freep) char *reply = NULL;
        size_t size;

        assert_int_equal(clipboard_request_answer(
                                         s, (const uint8_t *) request, n, &req, &reply, &size),
                        0);
        return clipboard_notice_format(&req, reply, size, ret);
}

static int notice_of(ClipboardState *s, const char *request, ClipboardNotice *ret) {
        return notice_of_n(s, request, strlen(request), ret);
}

static void assert_no_text(const ClipboardNotice *n, const char *text) {
        assert_null(strstr(n->summary, text));
        assert_null(strstr(n->body, text));
}

static void test_notice_of_a_copy_names_the_vm_and_the_size_never_the_text(void **state) {
        ClipboardState s = {};
        ClipboardNotice n;

        assert_int_equal(notice_of(&s, "copy banking\nhunter2 pin", &n), 0);
        assert_string_equal(n.summary, "Copied from [banking]");
        assert_string_equal(n.body, "11 bytes");
        assert_string_equal(n.icon, "edit-copy");
        assert_no_text(&n, "hunter2");
        clipboard_state_finish(&s);
}

static void test_notice_of_a_paste_names_both_vms_never_the_text(void **state) {
        ClipboardState s = {};
        ClipboardNotice n;

        assert_int_equal(notice_of(&s, "copy banking\nhunter2 pin", &n), 0);
        /* the paste's reply carries the text after its first line */
        assert_int_equal(notice_of(&s, "paste work\n", &n), 0);
        assert_string_equal(n.summary, "Pasted to [work]");
        assert_string_equal(n.body, "11 bytes from [banking]");
        assert_string_equal(n.icon, "edit-paste");
        assert_no_text(&n, "hunter2");
        clipboard_state_finish(&s);
}

static void test_notice_of_one_byte_is_singular(void **state) {
        ClipboardState s = {};
        ClipboardNotice n;

        assert_int_equal(notice_of(&s, "copy a\nx", &n), 0);
        assert_string_equal(n.body, "1 byte");
        assert_int_equal(notice_of(&s, "paste b\n", &n), 0);
        assert_string_equal(n.body, "1 byte from [a]");
        clipboard_state_finish(&s);
}

static void test_notice_of_the_longest_names_is_whole(void **state) {
        char name[CLIPBOARD_SOURCE_MAX + 1], request[2 * CLIPBOARD_SOURCE_MAX + 32], want[128];
        ClipboardState s = {};
        ClipboardNotice n;

        memset(name, 'v', CLIPBOARD_SOURCE_MAX);
        name[CLIPBOARD_SOURCE_MAX] = 0;
        snprintf(request, sizeof(request), "copy %s\nx", name);
        assert_int_equal(notice_of(&s, request, &n), 0);
        snprintf(want, sizeof(want), "Copied from [%s]", name);
        assert_string_equal(n.summary, want);
        snprintf(request, sizeof(request), "paste %s\n", name);
        assert_int_equal(notice_of(&s, request, &n), 0);
        snprintf(want, sizeof(want), "Pasted to [%s]", name);
        assert_string_equal(n.summary, want);
        snprintf(want, sizeof(want), "1 byte from [%s]", name);
        assert_string_equal(n.body, want);
        clipboard_state_finish(&s);
}

static void test_no_notice_without_a_copy_or_paste_done(void **state) {
        static const struct {
                const char *label, *request;
                size_t size;
        } cases[] = {
                { "status", "status\n", 7 },
                { "clear", "clear\n", 6 },
                { "empty paste", "paste work\n", 11 },
                { "refused binary copy", "copy banking\n\xff", 14 },
                { "refused NUL", "copy banking\na\0b", 16 },
                { "malformed", "copy ../x\nx", 11 },
        };
        ClipboardState s = {};
        ClipboardNotice n;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                print_message("%s\n", cases[i].label);
                assert_int_equal(notice_of_n(&s, cases[i].request, cases[i].size, &n), -ENODATA);
        }
        clipboard_state_finish(&s);
}

static void test_no_notice_from_a_reply_without_its_first_line(void **state) {
        const ClipboardRequest req = { .verb = CLIPBOARD_COPY, .vm = "banking" };
        ClipboardNotice n;

        assert_int_equal(clipboard_notice_format(&req, "ok 3 banking", 12, &n), -ENODATA);
        assert_int_equal(clipboard_notice_format(&req, "okay\n", 5, &n), -ENODATA);
        assert_int_equal(clipboard_notice_format(&req, "ok 3 banking\n", 13, &n), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_notice_of_a_copy_names_the_vm_and_the_size_never_the_text),
                cmocka_unit_test(test_notice_of_a_paste_names_both_vms_never_the_text),
                cmocka_unit_test(test_notice_of_one_byte_is_singular),
                cmocka_unit_test(test_notice_of_the_longest_names_is_whole),
                cmocka_unit_test(test_no_notice_without_a_copy_or_paste_done),
                cmocka_unit_test(test_no_notice_from_a_reply_without_its_first_line),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

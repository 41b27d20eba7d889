/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The global clipboard's rules (clipboard-state.c) and its protocol (clipboard-request.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clipboard-request.h"
#include "clipboard-state.h"
#include "macro.h"

static void test_clipboard_copy_then_paste_once(void **state) {
        ClipboardState s = {};
        char *data = NULL;
        size_t size = 0;

        assert_int_equal(clipboard_state_copy(&s, "work", "héllo", strlen("héllo")), 0);
        assert_string_equal(s.source, "work");
        assert_int_equal(clipboard_state_paste(&s, "personal", &data, &size), 0);
        assert_int_equal(size, strlen("héllo"));
        assert_memory_equal(data, "héllo", size);
        assert_int_equal(data[size], 0);
        free(data);
        /* Qubes: pasted once, then gone */
        assert_null(s.data);
        assert_int_equal(s.size, 0);
        assert_string_equal(s.source, "");
        assert_int_equal(clipboard_state_paste(&s, "personal", &data, &size), -ENOENT);
        clipboard_state_finish(&s);
}

static void test_clipboard_refuses_big_binary_and_empty_copies_keeping_the_old(void **state) {
        ClipboardState s = {};
        char *big = malloc(CLIPBOARD_SIZE_MAX + 1);

        assert_non_null(big);
        memset(big, 'a', CLIPBOARD_SIZE_MAX + 1);
        assert_int_equal(clipboard_state_copy(&s, "work", "old", 3), 0);
        assert_int_equal(clipboard_state_copy(&s, "work", big, CLIPBOARD_SIZE_MAX + 1), -EFBIG);
        assert_int_equal(clipboard_state_copy(&s, "work", "a\0b", 3), -EBADMSG);
        assert_int_equal(clipboard_state_copy(&s, "work", "\xff\xfe", 2), -EBADMSG);
        assert_int_equal(clipboard_state_copy(&s, "work", "\xc3", 1), -EBADMSG); /* truncated */
        assert_int_equal(clipboard_state_copy(&s, "work", "x", 0), -EINVAL);
        assert_int_equal(clipboard_state_copy(&s, "", "x", 1), -EINVAL);
        assert_int_equal(clipboard_state_copy(&s, "a/b", "x", 1), -EINVAL);
        assert_int_equal(s.size, 3);
        assert_memory_equal(s.data, "old", 3);
        /* exactly the limit is fine */
        assert_int_equal(clipboard_state_copy(&s, "other", big, CLIPBOARD_SIZE_MAX), 0);
        assert_int_equal(s.size, CLIPBOARD_SIZE_MAX);
        assert_string_equal(s.source, "other");
        clipboard_state_clear(&s);
        assert_null(s.data);
        free(big);
}

/* One request of n bytes through parse and handle, as the daemon does: the reply must be
 * expected. */
static void assert_answer(ClipboardState *s, const char *request, size_t n, const char *expected) {
        ClipboardRequest req;
        char *reply = NULL;
        size_t size;

        assert_int_equal(clipboard_request_answer(
                                         s, (const uint8_t *) request, n, &req, &reply, &size),
                        0);
        assert_int_equal(size, strlen(expected));
        assert_memory_equal(reply, expected, size);
        free(reply);
}

static void assert_reply(ClipboardState *s, const char *request, const char *expected) {
        assert_answer(s, request, strlen(request), expected);
}

static void test_clipboard_protocol(void **state) {
        ClipboardState s = {};
        static const char nul_copy[] = "copy work\na\0b";

        assert_reply(&s, "status\n", "ok 0 -\n");
        assert_reply(&s, "paste b\n", "empty\n");
        assert_reply(&s, "copy work\nsecret\n", "ok 7 work\n");
        assert_reply(&s, "status\n", "ok 7 work\n");
        assert_reply(&s, "paste personal\n", "ok 7 work\nsecret\n");
        assert_reply(&s, "paste personal\n", "empty\n");
        assert_reply(&s, "copy work\nx", "ok 1 work\n");
        assert_reply(&s, "clear\n", "ok 0 -\n");
        assert_reply(&s, "paste personal\n", "empty\n");

        assert_answer(&s, nul_copy, sizeof(nul_copy) - 1, "error not UTF-8 text\n");

        /* malformed requests; the last has nothing to copy */
        static const char *const malformed[] = { "copy\nx", "copy ../x\nx", "paste\n",
                "status now\n", "status\nextra", "statusx\n", "steal work\n", "status", "",
                "copy work\n" };
        for (size_t i = 0; i < ELEMENTSOF(malformed); i++)
                assert_reply(&s, malformed[i], "error invalid request\n");
        assert_null(s.data);
        clipboard_state_finish(&s);
}

static void test_clipboard_protocol_refuses_oversized_requests(void **state) {
        ClipboardState s = {};
        size_t n = CLIPBOARD_REQUEST_MAX + 1;
        char *request = malloc(n);

        assert_non_null(request);
        memset(request, 'a', n);
        memcpy(request, "copy work\n", 10);
        assert_answer(&s, request, n, "error too large\n");
        /* 1 MiB + 1 of text fits in a request but not in the clipboard */
        assert_answer(&s, request, 10 + CLIPBOARD_SIZE_MAX + 1, "error too large\n");
        assert_answer(&s, request, 10 + CLIPBOARD_SIZE_MAX, "ok 1048576 work\n");
        /* a first line too long to be a request */
        memset(request, 'a', n);
        memcpy(request, "copy ", 5);
        request[200] = '\n';
        assert_answer(&s, request, 300, "error invalid request\n");
        clipboard_state_finish(&s);
        free(request);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clipboard_copy_then_paste_once),
                cmocka_unit_test(
                                test_clipboard_refuses_big_binary_and_empty_copies_keeping_the_old),
                cmocka_unit_test(test_clipboard_protocol),
                cmocka_unit_test(test_clipboard_protocol_refuses_oversized_requests),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-clipboard-client.c: the replies of vmsilo-clipboard as its clients read them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clipboard-client.h"

static int parse(const char *reply, size_t n, ClipboardReply *ret, const char **ret_error) {
        static char buf[256];

        assert_true(n < sizeof(buf));
        memcpy(buf, reply, n);
        buf[n] = 0;
        return clipboard_reply_parse(buf, n, ret, ret_error);
}

static void test_clipboard_reply_parse(void **state) {
        ClipboardReply r;
        const char *error = NULL;

        assert_int_equal(parse("ok 0 -\n", 7, &r, &error), 0);
        assert_int_equal(r.size, 0);
        assert_string_equal(r.source, "-");
        assert_null(r.text);
        assert_int_equal(parse("ok 5 work\nhello", 15, &r, &error), 0);
        assert_int_equal(r.size, 5);
        assert_string_equal(r.source, "work");
        assert_memory_equal(r.text, "hello", 5);
        assert_int_equal(parse("empty\n", 6, &r, &error), -ENOENT);
        assert_int_equal(parse("error too large\n", 16, &r, &error), -EREMOTEIO);
        assert_string_equal(error, "too large");

        assert_int_equal(parse("ok 5 work\nhell", 14, &r, &error), -EBADMSG); /* short */
        assert_int_equal(parse("ok 5 work\nhello!", 16, &r, &error), -EBADMSG);
        assert_int_equal(parse("ok -5 work\n", 11, &r, &error), -EBADMSG);
        assert_int_equal(parse("ok 5\n", 5, &r, &error), -EBADMSG);
        assert_int_equal(parse("ok 5 \n", 6, &r, &error), -EBADMSG);
        assert_int_equal(parse("ok 999999999 x\n", 15, &r, &error), -EBADMSG);
        assert_int_equal(parse("empty\nx", 7, &r, &error), -EBADMSG);
        assert_int_equal(parse("ok 0 -", 6, &r, &error), -EBADMSG);
        assert_int_equal(parse("what\n", 5, &r, &error), -EBADMSG);
}

static void test_clipboard_socket_path(void **state) {
        char *path = NULL;

        assert_int_equal(setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1), 0);
        assert_int_equal(clipboard_socket_path(&path), 0);
        assert_string_equal(path, "/run/user/1000/vmsilo/clipboard.sock");
        free(path);
        assert_int_equal(setenv("XDG_RUNTIME_DIR", "relative", 1), 0);
        assert_int_equal(clipboard_socket_path(&path), -ENXIO);
        assert_int_equal(unsetenv("XDG_RUNTIME_DIR"), 0);
        assert_int_equal(clipboard_socket_path(&path), -ENXIO);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clipboard_reply_parse),
                cmocka_unit_test(test_clipboard_socket_path),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

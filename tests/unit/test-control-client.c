/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-control-client.c: tests for the pure parts of src/cli/control-client.c, and one
 * request/reply round trip over a socketpair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "control-client.h"

static int parse(const char *line, json_t **ret, char **reterr) {
        return control_reply_parse(line, strlen(line), ret, reterr);
}

static void test_reply_ok_returns_the_object(void **state) {
        _cleanup_(json_decrefp) json_t *reply = NULL;
        char *error = NULL;

        assert_int_equal(parse("{\"ok\": true, \"vms\": []}", &reply, &error), 0);
        assert_null(error);
        assert_true(json_is_array(json_object_get(reply, "vms")));
}

static void test_reply_not_ok_returns_the_daemon_error(void **state) {
        json_t *reply = NULL;
        char *error = NULL;

        assert_int_equal(parse("{\"ok\": false, \"error\": \"no VM named 'x'\"}", &reply, &error),
                        -EREMOTEIO);
        assert_null(reply);
        assert_string_equal(error, "no VM named 'x'");
        free(error);
}

static void test_reply_not_ok_without_text_still_has_a_message(void **state) {
        json_t *reply = NULL;
        char *error = NULL;

        assert_int_equal(parse("{\"ok\": false}", &reply, &error), -EREMOTEIO);
        assert_string_equal(error, "unspecified error");
        free(error);
}

static void test_reply_rejects_malformed_lines(void **state) {
        static const char *const cases[] = {
                "",
                "not json",
                "[1, 2]",
                "{\"vms\": []}",
                "{\"ok\": 1}",
                "{\"ok\": true, \"ok\": true}",
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_t *reply = NULL;
                char *error = NULL;

                print_message("line: %s\n", cases[i]);
                assert_int_equal(parse(cases[i], &reply, &error), -EBADMSG);
                assert_null(reply);
                assert_non_null(error);
                free(error);
        }
}

static void test_request_carries_wait_only_for_start_and_stop(void **state) {
        _cleanup_(json_decrefp) json_t *start = control_request_new("start", "work", false);
        _cleanup_(json_decrefp) json_t *status = control_request_new("status", NULL, true);

        assert_string_equal(json_string_value(json_object_get(start, "method")), "start");
        assert_string_equal(json_string_value(json_object_get(start, "vm")), "work");
        assert_true(json_is_false(json_object_get(start, "wait")));
        assert_string_equal(json_string_value(json_object_get(status, "method")), "status");
        assert_null(json_object_get(status, "vm"));
        assert_null(json_object_get(status, "wait"));
}

/* A client over one end of a socketpair, as control_client_connect() would build it. */
static ControlClient *client_on(int fd) {
        ControlClient *c = calloc(1, sizeof(*c));

        assert_non_null(c);
        c->fd = fd;
        return c;
}

static void test_call_reads_replies_in_order_across_one_read(void **state) {
        _cleanup_(control_client_freep) ControlClient *c = NULL;
        _cleanup_(json_decrefp) json_t *request = control_request_new("status", NULL, false);
        _cleanup_(json_decrefp) json_t *first = NULL, *second = NULL;
        _cleanup_(closep) int peer = -EBADF;
        const char replies[] = "{\"ok\":true,\"n\":1}\n{\"ok\":true,\"n\":2}\n";
        char buf[256];
        char *error = NULL;
        int fds[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        c = client_on(fds[0]);
        peer = fds[1];
        assert_int_equal(write(peer, replies, sizeof(replies) - 1), (ssize_t) sizeof(replies) - 1);

        assert_int_equal(control_client_call(c, request, CONTROL_TIMEOUT_USEC, &first, &error), 0);
        assert_int_equal(control_client_call(c, request, CONTROL_TIMEOUT_USEC, &second, &error), 0);
        assert_int_equal(json_integer_value(json_object_get(first, "n")), 1);
        assert_int_equal(json_integer_value(json_object_get(second, "n")), 2);
        assert_true(read(peer, buf, sizeof(buf)) > 0);
        assert_non_null(strstr(buf, "{\"method\":\"status\"}\n"));
}

static void test_call_reports_a_closed_connection(void **state) {
        _cleanup_(control_client_freep) ControlClient *c = NULL;
        _cleanup_(json_decrefp) json_t *request = control_request_new("status", NULL, false);
        json_t *reply = NULL;
        char *error = NULL;
        int fds[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        c = client_on(fds[0]);
        assert_int_equal(write(fds[1], "{\"ok\":", 6), 6);
        (void) close(fds[1]);
        assert_int_equal(control_client_call(c, request, CONTROL_TIMEOUT_USEC, &reply, &error),
                        -ECONNRESET);
        assert_null(reply);
}

static void test_call_times_out_on_a_silent_daemon(void **state) {
        _cleanup_(control_client_freep) ControlClient *c = NULL;
        _cleanup_(json_decrefp) json_t *request = control_request_new("status", NULL, false);
        _cleanup_(closep) int peer = -EBADF;
        json_t *reply = NULL;
        char *error = NULL;
        int fds[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        c = client_on(fds[0]);
        peer = fds[1];
        assert_int_equal(control_client_call(c, request, 20000, &reply, &error), -ETIMEDOUT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_reply_ok_returns_the_object),
                cmocka_unit_test(test_reply_not_ok_returns_the_daemon_error),
                cmocka_unit_test(test_reply_not_ok_without_text_still_has_a_message),
                cmocka_unit_test(test_reply_rejects_malformed_lines),
                cmocka_unit_test(test_request_carries_wait_only_for_start_and_stop),
                cmocka_unit_test(test_call_reads_replies_in_order_across_one_read),
                cmocka_unit_test(test_call_reports_a_closed_connection),
                cmocka_unit_test(test_call_times_out_on_a_silent_daemon),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-mux-io.c: tests for src/protocol/mux-io.c over a socketpair: HELLO goes out, the peer's
 * bytes come in, and each way a connection ends is told apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "mux-io.h"

typedef struct Pair {
        Mux *host, *agent;
        int fds[2]; /* [0] the host's end, [1] the agent's */
} Pair;

static int pair_setup(void **state) {
        Pair *p = calloc(1, sizeof(*p));
        MuxConfig host = { .role = MUX_ROLE_HOST }, agent = { .role = MUX_ROLE_AGENT };

        assert_non_null(p);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fds), 0);
        assert_int_equal(mux_new(&host, &p->host), 0);
        assert_int_equal(mux_new(&agent, &p->agent), 0);
        *state = p;
        return 0;
}

static int pair_teardown(void **state) {
        Pair *p = *state;

        mux_free(p->host);
        mux_free(p->agent);
        (void) safe_close(p->fds[0]);
        (void) safe_close(p->fds[1]);
        free(p);
        return 0;
}

static void test_mux_io_moves_hello_both_ways(void **state) {
        Pair *p = *state;
        const char *reason = NULL;

        assert_int_equal(mux_io_write(p->host, p->fds[0]), 0);
        assert_int_equal(mux_output_size(p->host), 0);
        assert_int_equal(mux_io_write(p->agent, p->fds[1]), 0);
        assert_true(mux_io_read(p->agent, p->fds[1], &reason) > 0);
        assert_true(mux_io_read(p->host, p->fds[0], &reason) > 0);
        assert_true(mux_is_ready(p->host));
        assert_true(mux_is_ready(p->agent));
        assert_null(reason);
}

static void test_mux_io_read_with_nothing_sent_returns_zero(void **state) {
        Pair *p = *state;
        const char *reason = NULL;

        assert_int_equal(mux_io_read(p->host, p->fds[0], &reason), 0);
        assert_null(reason);
}

static void test_mux_io_read_of_a_closed_peer_is_a_reset(void **state) {
        Pair *p = *state;
        const char *reason = NULL;

        p->fds[1] = safe_close(p->fds[1]);
        assert_int_equal(mux_io_read(p->host, p->fds[0], &reason), -ECONNRESET);
        assert_string_equal(reason, "connection closed by peer");
}

static void test_mux_io_read_of_garbage_is_a_protocol_error(void **state) {
        Pair *p = *state;
        /* A header announcing a payload over FRAME_PAYLOAD_MAX. */
        const uint8_t garbage[12] = { 0xff, 0xff, 0xff, 0xff, 0x01, 0x00 };
        const char *reason = NULL;

        assert_int_equal(write(p->fds[1], garbage, sizeof(garbage)), (ssize_t) sizeof(garbage));
        assert_true(mux_io_read(p->host, p->fds[0], &reason) < 0);
        assert_string_equal(reason, "protocol error");
}

static void test_mux_io_write_to_a_closed_peer_fails_without_sigpipe(void **state) {
        Pair *p = *state;

        p->fds[1] = safe_close(p->fds[1]);
        /* MSG_NOSIGNAL: a test process killed by SIGPIPE would fail here, not pass. */
        assert_int_equal(mux_io_write(p->host, p->fds[0]), -EPIPE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(
                                test_mux_io_moves_hello_both_ways, pair_setup, pair_teardown),
                cmocka_unit_test_setup_teardown(test_mux_io_read_with_nothing_sent_returns_zero,
                                pair_setup, pair_teardown),
                cmocka_unit_test_setup_teardown(test_mux_io_read_of_a_closed_peer_is_a_reset,
                                pair_setup, pair_teardown),
                cmocka_unit_test_setup_teardown(test_mux_io_read_of_garbage_is_a_protocol_error,
                                pair_setup, pair_teardown),
                cmocka_unit_test_setup_teardown(
                                test_mux_io_write_to_a_closed_peer_fails_without_sigpipe,
                                pair_setup, pair_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

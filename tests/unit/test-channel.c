/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-channel.c: channel_drain() answers what the peer has sent without the event loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "channel.h"

/* The refusing end (vmsilod's side of a refused vm-run client). */
static void on_refused_open(Mux *m, uint32_t id, const FrameOpen *req, void *userdata) {
        (void) mux_stream_reject(m, id, -EACCES, "permission denied: refused");
}

typedef struct Opener {
        bool closed;
        int error;
        char reason[128];
} Opener;

static void on_opener_close(
                Mux *m, uint32_t id, void *stream_userdata, int error, const char *reason) {
        Opener *o = stream_userdata;

        o->closed = true;
        o->error = error;
        (void) snprintf(o->reason, sizeof(o->reason), "%s", reason ?: "");
}

/* Moves everything m has queued into fd. */
static void write_output(Mux *m, int fd) {
        const uint8_t *data;
        size_t len;

        mux_peek_output(m, &data, &len);
        assert_int_equal(write(fd, data, len), (ssize_t) len);
        mux_consume_output(m, len);
}

/* Feeds m whatever fd has (non-blocking: nothing there is a test failure of its own). */
static void read_input(Mux *m, int fd) {
        uint8_t buf[4096];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

        assert_true(n > 0);
        assert_int_equal(mux_feed(m, buf, (size_t) n), 0);
}

static void test_drain_answers_an_open_without_the_event_loop(void **state) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(channel_freep) Channel *ch = NULL;
        _cleanup_(mux_freep) Mux *opener = NULL;
        char *argv[] = { (char *) "true", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .window = 4096, .argv = argv, .n_argv = 1 };
        MuxConfig refuser = {
                .role = MUX_ROLE_AGENT,
                .capabilities = PROTOCOL_CAPABILITIES,
                .callbacks = { .on_open = on_refused_open },
        };
        MuxConfig host = {
                .role = MUX_ROLE_HOST,
                .capabilities = PROTOCOL_CAPABILITIES,
                .callbacks = { .on_close = on_opener_close },
        };
        Opener o = {};
        int fds[2];
        uint32_t id;

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(channel_new(e, fds[0], &refuser, "test-refuser", &ch), 0);
        assert_int_equal(mux_new(&host, &opener), 0);

        /* Nothing to read yet: the channel only sends its HELLO. */
        assert_true(channel_drain(ch));
        read_input(opener, fds[1]);
        assert_true(mux_is_ready(opener));

        /* HELLO and OPEN arrive; the loop never runs, the drain answers. */
        assert_int_equal(mux_stream_open(opener, &req, &o, &id), 0);
        write_output(opener, fds[1]);
        assert_true(channel_drain(ch));
        read_input(opener, fds[1]);
        assert_true(o.closed);
        assert_int_equal(o.error, -EACCES);
        assert_string_equal(o.reason, "permission denied: refused");
        (void) close(fds[1]);
}

static bool disconnected;

static void on_disconnect(Channel *ch, int error, const char *reason, void *userdata) {
        disconnected = true;
}

static void test_drain_reports_a_peer_that_is_gone(void **state) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(channel_freep) Channel *ch = NULL;
        MuxConfig config = {
                .role = MUX_ROLE_AGENT,
                .capabilities = PROTOCOL_CAPABILITIES,
                .callbacks = { .on_open = on_refused_open },
        };
        int fds[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(channel_new(e, fds[0], &config, "test-gone", &ch), 0);
        channel_set_disconnect_handler(ch, on_disconnect, NULL);
        (void) close(fds[1]);
        assert_false(channel_drain(ch));
        assert_true(disconnected);
        assert_false(channel_drain(ch));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_drain_answers_an_open_without_the_event_loop),
                cmocka_unit_test(test_drain_reports_a_peer_that_is_gone),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

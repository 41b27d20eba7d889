/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-stream-pipe.c: a FORWARD stream between two muxes back to back, one end relayed to a
 * socketpair by stream-pipe.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "stream-pipe.h"

typedef struct Side {
        Mux *mux;
        uint8_t got[4096];
        size_t n_got;
        bool eof, closed;
        uint32_t open_id;
} Side;

static void on_open(Mux *m, uint32_t id, const FrameOpen *req, void *userdata) {
        Side *s = userdata;
        s->open_id = id;
        assert_int_equal(mux_stream_accept(m, id, 1000, s), 0);
}

static void on_data(Mux *m, uint32_t id, void *u, uint8_t fd, const uint8_t *d, size_t len) {
        Side *s = mux_get_userdata(m);
        assert_true(s->n_got + len <= sizeof(s->got));
        memcpy(s->got + s->n_got, d, len);
        s->n_got += len;
}

static void on_eof(Mux *m, uint32_t id, void *u, uint8_t fd) {
        ((Side *) mux_get_userdata(m))->eof = true;
}

static void on_close(Mux *m, uint32_t id, void *u, int error, const char *reason) {
        ((Side *) mux_get_userdata(m))->closed = true;
}

static const MuxCallbacks callbacks = {
        .on_open = on_open, .on_data = on_data, .on_eof = on_eof, .on_close = on_close
};

static void transfer(Side *from, Side *to) {
        const uint8_t *d;
        size_t n;

        for (;;) {
                mux_peek_output(from->mux, &d, &n);
                if (n == 0)
                        return;
                uint8_t copy[FRAME_SIZE_MAX * 2];
                n = MIN(n, sizeof(copy));
                memcpy(copy, d, n);
                mux_consume_output(from->mux, n);
                assert_int_equal(mux_feed(to->mux, copy, n), 0);
        }
}

static void pump(Side *a, Side *b) {
        while (mux_output_size(a->mux) > 0 || mux_output_size(b->mux) > 0) {
                transfer(a, b);
                transfer(b, a);
        }
}

typedef struct Fixture {
        Side host, agent; /* the agent opens; the host's end is the pipe */
        StreamPipe pipe;
        int local[2]; /* [0]: the pipe's socket, [1]: the test plays the local service */
        uint32_t id;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));
        MuxConfig h = { .role = MUX_ROLE_HOST,
                .capabilities = PROTOCOL_CAP_GUEST_FORWARD,
                .callbacks = callbacks,
                .userdata = &f->host };
        MuxConfig a = { .role = MUX_ROLE_AGENT,
                .capabilities = PROTOCOL_CAP_GUEST_FORWARD,
                .callbacks = callbacks,
                .userdata = &f->agent };
        FrameOpen req = { .kind = STREAM_KIND_FORWARD, .window = 100, .service = "wayland" };

        assert_non_null(f);
        assert_int_equal(mux_new(&h, &f->host.mux), 0);
        assert_int_equal(mux_new(&a, &f->agent.mux), 0);
        pump(&f->host, &f->agent);
        assert_int_equal(mux_stream_open(f->agent.mux, &req, NULL, &f->id), 0);
        pump(&f->agent, &f->host);
        assert_int_equal(f->host.open_id, f->id);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                                         f->local),
                        0);
        stream_pipe_init(&f->pipe, f->host.mux, f->id, f->local[0], f->local[0]);
        assert_false(stream_pipe_wants_read(&f->pipe)); /* not started */
        stream_pipe_start(&f->pipe);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        stream_pipe_finish(&f->pipe);
        safe_close(f->local[0]);
        safe_close(f->local[1]);
        mux_free(f->host.mux);
        mux_free(f->agent.mux);
        free(f);
        return 0;
}

static void test_send_min_is_a_quarter_up_to_16k(void **state) {
        assert_int_equal(stream_pipe_send_min(0), 1);
        assert_int_equal(stream_pipe_send_min(100), 25);
        assert_int_equal(stream_pipe_send_min(STREAM_WINDOW_MAX), STREAM_PIPE_SEND_MIN_BYTES);
}

/* Reads only what the peer's window allows: 100 bytes, then nothing until credit comes. */
static void test_reads_within_the_window(void **state) {
        Fixture *f = *state;
        uint8_t big[300];

        memset(big, 'x', sizeof(big));
        assert_int_equal(write(f->local[1], big, sizeof(big)), (ssize_t) sizeof(big));
        assert_true(stream_pipe_wants_read(&f->pipe));
        assert_int_equal(stream_pipe_read(&f->pipe), 0);
        assert_false(stream_pipe_wants_read(&f->pipe));
        assert_int_equal(stream_pipe_read(&f->pipe), 0); /* nothing: the window is 0 */
        pump(&f->host, &f->agent);
        assert_int_equal(f->agent.n_got, 100);
        assert_int_equal(mux_stream_grant(f->agent.mux, f->id, 100), 0);
        pump(&f->agent, &f->host);
        assert_true(stream_pipe_wants_read(&f->pipe));
        assert_int_equal(stream_pipe_read(&f->pipe), 0);
        pump(&f->host, &f->agent);
        assert_int_equal(f->agent.n_got, 200);
}

/* Peer data goes to the socket; credit comes back once the socket took it all. */
static void test_data_is_written_and_credited(void **state) {
        Fixture *f = *state;
        uint8_t buf[64];

        assert_int_equal(mux_stream_send(f->agent.mux, f->id, STREAM_FD_STDIN,
                                         (const uint8_t *) "hello", 5),
                        5);
        size_t before = mux_stream_get_send_window(f->agent.mux, f->id);
        pump(&f->agent, &f->host);
        /* on_data of the host side is the test's; hand the bytes to the pipe as an owner would. */
        assert_int_equal(stream_pipe_on_data(&f->pipe, f->host.got, f->host.n_got), 0);
        assert_false(stream_pipe_wants_write(&f->pipe));
        assert_int_equal(read(f->local[1], buf, sizeof(buf)), 5);
        assert_memory_equal(buf, "hello", 5);
        pump(&f->host, &f->agent);
        assert_int_equal(mux_stream_get_send_window(f->agent.mux, f->id), before + 5);
}

/* EOF both ways finishes the pipe (1); the socket sees the peer's EOF as a shutdown. */
static void test_eof_both_ways_is_done(void **state) {
        Fixture *f = *state;
        uint8_t buf[8];

        assert_int_equal(stream_pipe_on_eof(&f->pipe), 0);
        assert_int_equal(read(f->local[1], buf, sizeof(buf)), 0);
        assert_int_equal(shutdown(f->local[1], SHUT_WR), 0);
        assert_int_equal(stream_pipe_read(&f->pipe), 1);
        pump(&f->host, &f->agent);
        assert_true(f->agent.eof);
}

/* A service that went away is an error for this stream, not a SIGPIPE. */
static void test_write_to_a_closed_socket_is_epipe(void **state) {
        Fixture *f = *state;

        f->local[1] = safe_close(f->local[1]);
        assert_int_equal(stream_pipe_on_data(&f->pipe, (const uint8_t *) "x", 1), -EPIPE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_send_min_is_a_quarter_up_to_16k),
                cmocka_unit_test_setup_teardown(test_reads_within_the_window, setup, teardown),
                cmocka_unit_test_setup_teardown(test_data_is_written_and_credited, setup, teardown),
                cmocka_unit_test_setup_teardown(test_eof_both_ways_is_done, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_write_to_a_closed_socket_is_epipe, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

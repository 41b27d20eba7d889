/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-mux.c: arbitrary bytes from a hostile agent fed to a host-side mux that has seen a valid
 * HELLO offering PROTOCOL_CAP_GUEST_FORWARD (so guest OPENs reach the owner) and has three streams:
 * 1 EXEC (accepted; windows 1000 both ways), 2 EXEC with PTY (accepted; send window 0, receive
 * window 10), 3 FORWARD (not yet answered; receive window 100). The host's callbacks use the stream
 * API the way the daemon does (grant credit, write stdin, close on EXIT, answer guest OPENs).
 * Everything the host queues is fed to an agent-side mux as an oracle: our own output must never
 * break a channel. Input: byte 0 picks the feed chunk size (0: all at once), the rest is the
 * agent's byte stream; after a channel error the host is reset once and the rest of the input is a
 * new session. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "mux.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MUX_INPUT_MAX (4u * FRAME_SIZE_MAX)

static const uint8_t stdin_bytes[] = "stdin from the host\n";

/* Set once the harness has built its streams; reset for every input. */
static bool setup_done;

static void on_hello(Mux *m, const FrameHello *peer, void *userdata) {
        char *argv[] = { "true", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .window = 64, .argv = argv, .n_argv = 1 };

        /* After a restart the daemon opens again from inside the callback. */
        if (setup_done)
                (void) mux_stream_open(m, &req, NULL, NULL);
}

/* Guest-opened streams: accepted, rejected, or left unanswered (PENDING) by the id's low bits. */
static void on_open(Mux *m, uint32_t id, const FrameOpen *req, void *userdata) {
        switch (id % 3) {
        case 0:
                (void) mux_stream_accept(m, id, 128, NULL);
                break;
        case 1:
                (void) mux_stream_reject(m, id, -EOPNOTSUPP, "guest streams are not accepted");
                break;
        default:
                break;
        }
}

static void on_accept(Mux *m, uint32_t id, void *stream_userdata) {
        (void) mux_stream_send(m, id, STREAM_FD_STDIN, stdin_bytes, sizeof(stdin_bytes) - 1);
}

static void on_data(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd, const uint8_t *d,
                size_t len) {
        (void) mux_stream_grant(m, id, (uint32_t) MIN(len, (size_t) STREAM_WINDOW_MAX));
        (void) mux_stream_send(m, id, STREAM_FD_STDIN, stdin_bytes, sizeof(stdin_bytes) - 1);
}

static void on_eof(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd) {
        (void) mux_stream_send_eof(m, id, STREAM_FD_STDIN);
}

static void on_writable(Mux *m, uint32_t id, void *stream_userdata, size_t window) {
        (void) mux_stream_send(m, id, STREAM_FD_STDIN, stdin_bytes, sizeof(stdin_bytes) - 1);
        (void) mux_stream_send_resize(m, id, 24, 80);
}

static void on_exit_(Mux *m, uint32_t id, void *stream_userdata, const FrameExit *e) {
        (void) mux_stream_send_signal(m, id, 15);
        if (e->code % 2 == 0) /* odd codes leave the stream open, for late DATA or a second EXIT */
                (void) mux_stream_close(m, id, 0);
}

/* Valid only on guest-opened EXEC streams the host accepted; answers with the acceptor's frames. */
static void on_signal(Mux *m, uint32_t id, void *stream_userdata, uint32_t signo) {
        (void) mux_stream_send_exit(
                        m, id, &(FrameExit){ .how = EXIT_HOW_SIGNALED, .code = (int32_t) signo });
}

static void on_resize(Mux *m, uint32_t id, void *stream_userdata, uint16_t rows, uint16_t cols) {
        (void) mux_stream_send(m, id, STREAM_FD_STDOUT, stdin_bytes,
                        MIN((size_t) rows, sizeof(stdin_bytes) - 1));
        (void) mux_stream_send_eof(m, id, STREAM_FD_STDERR);
}

static void on_status(Mux *m, const FrameStatus *status, void *userdata) {
        (void) mux_send_ping(m, (const uint8_t *) status, sizeof(*status));
}

static void on_close(Mux *m, uint32_t id, void *stream_userdata, int error, const char *reason) {
        if (!reason || error > 0)
                abort();
        /* The id is dead for the owner: sending on it must fail cleanly. */
        if (mux_stream_send(m, id, STREAM_FD_STDIN, stdin_bytes, 1) >= 0)
                abort();
}

static void on_ping(Mux *m, const uint8_t *payload, size_t len, void *userdata) {
        (void) mux_send_power(m, POWER_REBOOT);
}

static void on_oracle_error(Mux *m, int error, const char *reason, void *userdata) {
        fprintf(stderr, "host output broke the agent's channel: %s\n", reason);
        abort();
}

static void oracle_accept(Mux *m, uint32_t id, const FrameOpen *req, void *userdata) {
        (void) mux_stream_accept(m, id, 4096, NULL);
}

/* Hands everything the host queued to the oracle and discards the oracle's answers. */
static void flush(Mux *host, Mux *oracle) {
        const uint8_t *d;
        size_t n;

        mux_peek_output(host, &d, &n);
        if (n > 0 && !mux_is_broken(oracle))
                (void) mux_feed(oracle, d, n);
        mux_consume_output(host, n);
        mux_peek_output(oracle, &d, &n);
        mux_consume_output(oracle, n);
}

static void feed_frame(Mux *m, uint16_t type, uint32_t id, const uint8_t *payload, size_t len) {
        uint8_t hdr[FRAME_HEADER_SIZE];

        frame_header_encode(&(FrameHeader){ .size = (uint32_t) len, .type = type, .stream_id = id },
                        hdr);
        (void) mux_feed(m, hdr, sizeof(hdr));
        (void) mux_feed(m, payload, len);
}

static void feed_accept(Mux *m, uint32_t id, uint32_t window) {
        uint8_t b[FRAME_ACCEPT_SIZE];
        (void) frame_accept_encode(window, b, sizeof(b));
        feed_frame(m, FRAME_ACCEPT, id, b, sizeof(b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const MuxCallbacks host_cb = {
                .on_hello = on_hello,
                .on_open = on_open,
                .on_accept = on_accept,
                .on_data = on_data,
                .on_eof = on_eof,
                .on_writable = on_writable,
                .on_signal = on_signal,
                .on_resize = on_resize,
                .on_exit = on_exit_,
                .on_close = on_close,
                .on_status = on_status,
                .on_ping = on_ping,
        };
        static const MuxCallbacks oracle_cb = {
                .on_open = oracle_accept,
                .on_channel_error = on_oracle_error,
        };
        _cleanup_(mux_freep) Mux *host = NULL;
        _cleanup_(mux_freep) Mux *oracle = NULL;
        char *argv[] = { "sh", "-c", "x", NULL };
        FrameOpen exec = { .kind = STREAM_KIND_EXEC, .window = 1000, .argv = argv, .n_argv = 3 };
        FrameOpen pty = { .kind = STREAM_KIND_EXEC,
                .window = 10,
                .argv = argv,
                .n_argv = 1,
                .pty = true,
                .pty_rows = 24,
                .pty_cols = 80,
                .term = "xterm" };
        FrameOpen fwd = { .kind = STREAM_KIND_FORWARD, .window = 100, .service = "tray" };
        uint8_t hello[FRAME_HELLO_SIZE];
        bool reset_done = false;
        size_t chunk;

        if (size < 1 || size > FUZZ_MUX_INPUT_MAX)
                return 0;
        setup_done = false;
        if (mux_new(&(MuxConfig){ .role = MUX_ROLE_HOST,
                                    .capabilities = PROTOCOL_CAP_GUEST_FORWARD,
                                    .callbacks = host_cb },
                            &host) < 0 ||
                        mux_new(&(MuxConfig){ .role = MUX_ROLE_AGENT,
                                                .capabilities = PROTOCOL_CAP_GUEST_FORWARD,
                                                .callbacks = oracle_cb },
                                        &oracle) < 0)
                return 0;

        (void) frame_hello_encode(&(FrameHello){ .version_major = PROTOCOL_VERSION_MAJOR,
                                                  .capabilities = PROTOCOL_CAP_GUEST_FORWARD },
                        hello, sizeof(hello));
        feed_frame(host, FRAME_HELLO, STREAM_ID_CONTROL, hello, sizeof(hello));
        if (mux_stream_open(host, &exec, NULL, NULL) < 0 ||
                        mux_stream_open(host, &pty, NULL, NULL) < 0 ||
                        mux_stream_open(host, &fwd, NULL, NULL) < 0)
                abort();
        feed_accept(host, 1, 1000);
        feed_accept(host, 2, 0);
        flush(host, oracle);
        setup_done = true;

        /* After the first channel error the host resets once, as the daemon does when it
         * reconnects, and the rest of the input plays a new session (which must start with
         * HELLO, or be discarded). */
        chunk = data[0] == 0 ? size : data[0];
        for (size_t off = 1; off < size; off += chunk) {
                if (mux_is_broken(host)) {
                        if (reset_done || mux_reset(host) < 0)
                                break;
                        reset_done = true;
                }
                (void) mux_feed(host, data + off, MIN(chunk, size - off));
                flush(host, oracle);
        }
        return 0;
}

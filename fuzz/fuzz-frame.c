/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-frame.c: the frame header decoder and every payload decoder of protocol.c on the same
 * bytes. Input: a 12-byte header followed by the payload (what the channel carries). Every
 * successful decode is re-encoded and decoded again; a mismatch is our bug and aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "macro.h"
#include "protocol.h"

static bool streq_or_null(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_open_round_trip(const FrameOpen *o) {
        _cleanup_(frame_open_finish) FrameOpen again = {};
        _cleanup_(freep) uint8_t *buf = NULL;
        int n;

        n = frame_open_encode(o, NULL, 0);
        CHECK(n >= FRAME_OPEN_FIXED_SIZE && n <= FRAME_PAYLOAD_MAX);
        buf = malloc((size_t) n);
        CHECK(buf);
        CHECK(frame_open_encode(o, buf, (size_t) n) == n);
        CHECK(frame_open_decode(buf, (size_t) n, &again) == 0);
        CHECK(again.kind == o->kind && again.window == o->window);
        CHECK(again.n_argv == o->n_argv && again.n_env == o->n_env);
        for (size_t i = 0; i < o->n_argv; i++)
                CHECK(streq(again.argv[i], o->argv[i]));
        for (size_t i = 0; i < o->n_env; i++)
                CHECK(streq(again.env[i], o->env[i]));
        CHECK(streq_or_null(again.cwd, o->cwd) && streq_or_null(again.user, o->user));
        CHECK(again.pty == o->pty && again.pty_rows == o->pty_rows &&
                        again.pty_cols == o->pty_cols);
        CHECK(streq_or_null(again.term, o->term) && streq_or_null(again.service, o->service));
}

static void fuzz_payload(const uint8_t *p, size_t n) {
        uint8_t buf[FRAME_REJECT_FIXED_SIZE + FRAME_REJECT_MESSAGE_MAX];
        FrameHello hello, hello2;
        FrameStatus status, status2;
        PowerAction action;
        FrameExit ex, ex2;
        FrameReject rej, rej2;
        FrameData d;
        FrameOpen o = {};
        uint32_t u, u2;
        uint16_t rows, cols;
        int32_t e, e2;
        uint8_t fd;
        int k;

        if (frame_hello_decode(p, n, &hello) >= 0) {
                CHECK(frame_hello_encode(&hello, buf, sizeof(buf)) == FRAME_HELLO_SIZE);
                CHECK(frame_hello_decode(buf, FRAME_HELLO_SIZE, &hello2) == 0);
                CHECK(hello.version_major == hello2.version_major &&
                                hello.version_minor == hello2.version_minor &&
                                hello.capabilities == hello2.capabilities);
        }
        if (frame_status_decode(p, n, &status) >= 0) {
                CHECK(frame_status_encode(&status, buf, sizeof(buf)) == FRAME_STATUS_SIZE);
                CHECK(frame_status_decode(buf, FRAME_STATUS_SIZE, &status2) == 0);
                CHECK(status.live_sessions == status2.live_sessions &&
                                status.last_activity_usec == status2.last_activity_usec);
        }
        if (frame_power_decode(p, n, &action) >= 0)
                CHECK(frame_power_encode(action, buf, sizeof(buf)) == FRAME_POWER_SIZE);
        if (frame_accept_decode(p, n, &u) >= 0) {
                CHECK(u <= STREAM_WINDOW_MAX);
                CHECK(frame_accept_encode(u, buf, sizeof(buf)) == FRAME_ACCEPT_SIZE);
                CHECK(frame_credit_decode(buf, FRAME_CREDIT_SIZE, &u2) == 0 && u == u2);
        }
        if (frame_eof_decode(p, n, &fd) >= 0)
                CHECK(fd < STREAM_FDS_MAX && frame_eof_encode(fd, buf, sizeof(buf)) == 1);
        if (frame_signal_decode(p, n, &u) >= 0) {
                CHECK(frame_signal_encode(u, buf, sizeof(buf)) == FRAME_SIGNAL_SIZE);
                CHECK(frame_signal_decode(buf, FRAME_SIGNAL_SIZE, &u2) == 0 && u == u2);
        }
        if (frame_resize_decode(p, n, &rows, &cols) >= 0)
                CHECK(frame_resize_encode(rows, cols, buf, sizeof(buf)) == FRAME_RESIZE_SIZE);
        if (frame_exit_decode(p, n, &ex) >= 0) {
                CHECK(frame_exit_encode(&ex, buf, sizeof(buf)) == FRAME_EXIT_SIZE);
                CHECK(frame_exit_decode(buf, FRAME_EXIT_SIZE, &ex2) == 0);
                CHECK(ex.how == ex2.how && ex.core_dumped == ex2.core_dumped &&
                                ex.code == ex2.code);
        }
        if (frame_close_decode(p, n, &e) >= 0) {
                CHECK(frame_close_encode(e, buf, sizeof(buf)) == FRAME_CLOSE_SIZE);
                CHECK(frame_close_decode(buf, FRAME_CLOSE_SIZE, &e2) == 0 && e == e2);
        }
        if (frame_reject_decode(p, n, &rej) >= 0) {
                CHECK(strlen(rej.message) <= FRAME_REJECT_MESSAGE_MAX);
                for (const char *c = rej.message; *c; c++)
                        CHECK(*c >= 0x20 && *c <= 0x7e);
                k = frame_reject_encode(rej.error, rej.message, buf, sizeof(buf));
                CHECK(k >= FRAME_REJECT_FIXED_SIZE);
                CHECK(frame_reject_decode(buf, (size_t) k, &rej2) == 0);
                CHECK(rej.error == rej2.error && streq(rej.message, rej2.message));
        }
        if (frame_data_decode(p, n, &d) >= 0) {
                CHECK(d.fd < STREAM_FDS_MAX && d.len >= 1 && d.len <= FRAME_DATA_MAX);
                CHECK(d.data == p + 1 && d.len == n - 1);
        }
        if (frame_open_decode(p, n, &o) >= 0) {
                check_open_round_trip(&o);
                frame_open_finish(&o);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FrameHeader h, h2;
        uint8_t hdr[FRAME_HEADER_SIZE];

        if (size > FRAME_SIZE_MAX)
                return 0;
        if (frame_header_decode(data, size, &h) >= 0) {
                CHECK(h.size <= FRAME_PAYLOAD_MAX);
                frame_header_encode(&h, hdr);
                CHECK(memcmp(hdr, data, FRAME_HEADER_SIZE) == 0);
                CHECK(frame_header_decode(hdr, sizeof(hdr), &h2) == 0);
                (void) frame_type_to_string(h.type);
        }
        if (size >= FRAME_HEADER_SIZE)
                fuzz_payload(data + FRAME_HEADER_SIZE, size - FRAME_HEADER_SIZE);
        else
                fuzz_payload(data, size);
        return 0;
}

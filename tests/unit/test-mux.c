/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-mux.c: tests for mux.c: two muxes wired back to back, and hand-made hostile frames fed to
 * a host-side mux. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "mux.h"

#define RECS_MAX 1100
#define REC_DATA_MAX 512

/* What one side saw of one stream. */
typedef struct Rec {
        uint32_t id;
        uint8_t data[REC_DATA_MAX];
        size_t len;
        size_t bytes;     /* counted even past REC_DATA_MAX */
        uint8_t fds_seen; /* bit per fd */
        bool eof[STREAM_FDS_MAX];
        bool accepted, closed, exited, auto_grant;
        int close_error;
        char close_reason[300];
        FrameExit exit;
} Rec;

typedef struct Peer {
        Mux *mux;
        Rec recs[RECS_MAX];
        size_t n_recs;
        bool auto_accept;
        uint32_t accept_window;
        bool close_on_data; /* closes the stream from inside on_data */

        int events; /* every callback */
        int hellos, opens, closes, channel_errors, writables, signals, resizes, pings, pongs;
        int statuses, powers;
        uint32_t last_open_id, last_signo;
        uint16_t last_rows, last_cols;
        int last_channel_error;
        char last_channel_reason[300];
        FrameStatus last_status;
        PowerAction last_power;
        size_t last_pong_len;
        FrameOpen last_open; /* copy of scalar fields only */
        int feed_result_in_callback;
} Peer;

static Rec *rec_new(Peer *p, uint32_t id) {
        assert_true(p->n_recs < RECS_MAX);
        Rec *r = &p->recs[p->n_recs++];
        r->id = id;
        return r;
}

static void on_hello(Mux *m, const FrameHello *peer, void *userdata) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = userdata;
        p->hellos++;
        p->feed_result_in_callback = mux_feed(m, NULL, 0);
}

static void on_open(Mux *m, uint32_t id, const FrameOpen *req, void *userdata) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = userdata;
        p->opens++;
        p->last_open_id = id;
        p->last_open = (FrameOpen){
                .kind = req->kind, .window = req->window, .n_argv = req->n_argv
        };
        if (p->auto_accept)
                assert_int_equal(mux_stream_accept(m, id, p->accept_window, rec_new(p, id)), 0);
}

static void on_accept(Mux *m, uint32_t id, void *stream_userdata) {
        ((Peer *) mux_get_userdata(m))->events++;
        Rec *r = stream_userdata;
        assert_int_equal(r->id, id);
        r->accepted = true;
}

static void on_data(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd, const uint8_t *data,
                size_t len) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = mux_get_userdata(m);
        Rec *r = stream_userdata;

        assert_non_null(r);
        assert_int_equal(r->id, id);
        size_t k = MIN(len, REC_DATA_MAX - r->len);
        memcpy(r->data + r->len, data, k);
        r->len += k;
        r->bytes += len;
        r->fds_seen |= (uint8_t) (1u << fd);
        if (r->auto_grant)
                assert_int_equal(mux_stream_grant(m, id, (uint32_t) len), 0);
        if (p->close_on_data)
                assert_int_equal(mux_stream_close(m, id, 0), 0);
}

static void on_eof(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd) {
        ((Peer *) mux_get_userdata(m))->events++;
        Rec *r = stream_userdata;
        r->eof[fd] = true;
}

static void on_writable(Mux *m, uint32_t id, void *stream_userdata, size_t window) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = mux_get_userdata(m);
        p->writables++;
        assert_true(window > 0);
}

static void on_signal(Mux *m, uint32_t id, void *stream_userdata, uint32_t signo) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = mux_get_userdata(m);
        p->signals++;
        p->last_signo = signo;
}

static void on_resize(Mux *m, uint32_t id, void *stream_userdata, uint16_t rows, uint16_t cols) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = mux_get_userdata(m);
        p->resizes++;
        p->last_rows = rows;
        p->last_cols = cols;
}

static void on_exit_(Mux *m, uint32_t id, void *stream_userdata, const FrameExit *e) {
        ((Peer *) mux_get_userdata(m))->events++;
        Rec *r = stream_userdata;
        r->exited = true;
        r->exit = *e;
}

static void on_close(Mux *m, uint32_t id, void *stream_userdata, int error, const char *reason) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = mux_get_userdata(m);
        Rec *r = stream_userdata;

        p->closes++;
        assert_non_null(reason);
        if (!r)
                return; /* a stream closed before we accepted it */
        assert_int_equal(r->id, id);
        assert_false(r->closed);
        r->closed = true;
        r->close_error = error;
        snprintf(r->close_reason, sizeof(r->close_reason), "%s", reason);
}

static void on_status(Mux *m, const FrameStatus *status, void *userdata) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = userdata;
        p->statuses++;
        p->last_status = *status;
}

static void on_power(Mux *m, PowerAction action, void *userdata) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = userdata;
        p->powers++;
        p->last_power = action;
}

static void on_ping(Mux *m, const uint8_t *payload, size_t len, void *userdata) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = userdata;
        p->pings++;
}

static void on_pong(Mux *m, const uint8_t *payload, size_t len, void *userdata) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = userdata;
        p->pongs++;
        p->last_pong_len = len;
}

static void on_channel_error(Mux *m, int error, const char *reason, void *userdata) {
        ((Peer *) mux_get_userdata(m))->events++;
        Peer *p = userdata;
        p->channel_errors++;
        p->last_channel_error = error;
        snprintf(p->last_channel_reason, sizeof(p->last_channel_reason), "%s", reason);
}

static const MuxCallbacks callbacks = {
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
        .on_power = on_power,
        .on_ping = on_ping,
        .on_pong = on_pong,
        .on_channel_error = on_channel_error,
};

static Peer *peer_new_offering(MuxRole role, uint64_t capabilities) {
        Peer *p = calloc(1, sizeof(Peer));
        assert_non_null(p);
        p->auto_accept = true;
        p->accept_window = 65536;
        MuxConfig c = {
                .role = role, .capabilities = capabilities, .callbacks = callbacks, .userdata = p
        };
        assert_int_equal(mux_new(&c, &p->mux), 0);
        return p;
}

/* Both ends of an agent channel offer guest-opened FORWARD streams. */
static Peer *peer_new(MuxRole role) {
        return peer_new_offering(role, PROTOCOL_CAP_GUEST_FORWARD);
}

static Peer *peer_free(Peer *p) {
        if (p) {
                mux_free(p->mux);
                free(p);
        }
        return NULL;
}
DEFINE_FREE_FUNC(Peer *, peer_free);

/* Moves a's output into b in chunks of at most chunk bytes. */
static int transfer(Peer *a, Peer *b, size_t chunk) {
        const uint8_t *d;
        size_t n;
        int r = 0;

        mux_peek_output(a->mux, &d, &n);
        if (n == 0)
                return 0;
        /* Copy first: feeding b may make b queue output, never a, but keep the test honest. */
        uint8_t *copy = malloc(n);
        assert_non_null(copy);
        memcpy(copy, d, n);
        mux_consume_output(a->mux, n);
        for (size_t off = 0; off < n && r >= 0; off += chunk)
                r = mux_feed(b->mux, copy + off, MIN(chunk, n - off));
        free(copy);
        return r < 0 ? r : 1;
}

static void pump_chunked(Peer *a, Peer *b, size_t chunk) {
        for (;;) {
                int x = transfer(a, b, chunk), y = transfer(b, a, chunk);
                if (x <= 0 && y <= 0)
                        return;
        }
}

static void pump(Peer *a, Peer *b) {
        pump_chunked(a, b, SIZE_MAX);
}

static void connect_pair(Peer **ret_host, Peer **ret_agent) {
        Peer *h = peer_new(MUX_ROLE_HOST), *a = peer_new(MUX_ROLE_AGENT);
        pump(h, a);
        assert_int_equal(h->hellos, 1);
        assert_int_equal(a->hellos, 1);
        *ret_host = h;
        *ret_agent = a;
}

static uint32_t open_exec(Peer *h, uint32_t window, const char *arg0) {
        char *argv[] = { (char *) arg0, NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .window = window, .argv = argv, .n_argv = 1 };
        uint32_t id;
        Rec *r = rec_new(h, 0);

        assert_int_equal(mux_stream_open(h->mux, &req, r, &id), 0);
        r->id = id;
        return id;
}

static Rec *rec_find(Peer *p, uint32_t id) {
        for (size_t i = p->n_recs; i > 0; i--)
                if (p->recs[i - 1].id == id)
                        return &p->recs[i - 1];
        return NULL;
}

/* Feeds one hand-made frame. */
static int feed_frame(Peer *p, uint16_t type, uint32_t id, const void *payload, size_t len) {
        uint8_t hdr[FRAME_HEADER_SIZE];
        int r;

        frame_header_encode(&(FrameHeader){ .size = (uint32_t) len, .type = type, .stream_id = id },
                        hdr);
        r = mux_feed(p->mux, hdr, sizeof(hdr));
        if (r < 0 || len == 0)
                return r;
        return mux_feed(p->mux, payload, len);
}

static int feed_u32(Peer *p, uint16_t type, uint32_t id, uint32_t v) {
        uint8_t b[4] = { (uint8_t) v, (uint8_t) (v >> 8), (uint8_t) (v >> 16),
                (uint8_t) (v >> 24) };
        return feed_frame(p, type, id, b, 4);
}

static void feed_hello(Peer *p, uint16_t major) {
        uint8_t b[FRAME_HELLO_SIZE];
        (void) frame_hello_encode(&(FrameHello){ .version_major = major }, b, sizeof(b));
        (void) feed_frame(p, FRAME_HELLO, 0, b, sizeof(b));
}

/* Pops the next frame from p's output; false when empty. payload must hold FRAME_PAYLOAD_MAX. */
static bool pop_frame(Peer *p, FrameHeader *h, uint8_t *payload) {
        const uint8_t *d;
        size_t n;

        mux_peek_output(p->mux, &d, &n);
        if (n == 0)
                return false;
        assert_true(n >= FRAME_HEADER_SIZE);
        assert_int_equal(frame_header_decode(d, n, h), 0);
        assert_true(n >= FRAME_HEADER_SIZE + h->size);
        if (payload)
                memcpy(payload, d + FRAME_HEADER_SIZE, h->size);
        mux_consume_output(p->mux, FRAME_HEADER_SIZE + h->size);
        return true;
}

static void drain(Peer *p) {
        const uint8_t *d;
        size_t n;
        mux_peek_output(p->mux, &d, &n);
        mux_consume_output(p->mux, n);
}

/* A host-side mux that has seen the agent's HELLO; its own output drained. */
static Peer *host_ready(void) {
        Peer *h = peer_new(MUX_ROLE_HOST);
        feed_hello(h, PROTOCOL_VERSION_MAJOR);
        assert_int_equal(h->hellos, 1);
        drain(h);
        return h;
}

/* Expects the next output frame to be CLOSE(error) for id. */
static void expect_close(Peer *p, uint32_t id, int error) {
        static uint8_t payload[FRAME_PAYLOAD_MAX];
        FrameHeader h;
        int32_t e;

        assert_true(pop_frame(p, &h, payload));
        assert_int_equal(h.type, FRAME_CLOSE);
        assert_int_equal(h.stream_id, id);
        assert_int_equal(frame_close_decode(payload, h.size, &e), 0);
        assert_int_equal(e, error);
}

/* ---- channel ---- */

static void test_new_mux_queues_hello_first(void **state) {
        _cleanup_(peer_freep) Peer *p = peer_new(MUX_ROLE_AGENT);
        uint8_t payload[FRAME_HELLO_SIZE];
        FrameHeader h;
        FrameHello hello;

        assert_false(mux_is_ready(p->mux));
        assert_true(pop_frame(p, &h, payload));
        assert_int_equal(h.type, FRAME_HELLO);
        assert_int_equal(h.stream_id, 0);
        assert_int_equal(frame_hello_decode(payload, h.size, &hello), 0);
        assert_int_equal(hello.version_major, PROTOCOL_VERSION_MAJOR);
        assert_false(pop_frame(p, &h, NULL));
}

static void test_two_muxes_complete_hello(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;

        connect_pair(&h, &a);
        assert_true(mux_is_ready(h->mux));
        assert_true(mux_is_ready(a->mux));
        assert_true(mux_get_capabilities(h->mux) == PROTOCOL_CAP_GUEST_FORWARD);
}

static void test_capabilities_in_use_are_the_and_of_both(void **state) {
        MuxConfig c = { .role = MUX_ROLE_HOST, .capabilities = 0x6 };
        _cleanup_(mux_freep) Mux *m = NULL;
        uint8_t b[FRAME_HELLO_SIZE], hdr[FRAME_HEADER_SIZE];

        assert_int_equal(mux_new(&c, &m), 0);
        (void) frame_hello_encode(
                        &(FrameHello){ .version_major = 1, .capabilities = 0x3 }, b, sizeof(b));
        frame_header_encode(&(FrameHeader){ .size = sizeof(b), .type = FRAME_HELLO }, hdr);
        assert_int_equal(mux_feed(m, hdr, sizeof(hdr)), 0);
        assert_int_equal(mux_feed(m, b, sizeof(b)), 0);
        assert_true(mux_get_capabilities(m) == 0x2);
}

static void test_hello_with_other_major_breaks_channel(void **state) {
        _cleanup_(peer_freep) Peer *h = peer_new(MUX_ROLE_HOST);
        const uint8_t ping[1] = { 0 };

        feed_hello(h, 2);
        assert_int_equal(h->channel_errors, 1);
        assert_int_equal(h->last_channel_error, -EPROTONOSUPPORT);
        assert_string_equal(h->last_channel_reason, "peer speaks protocol 2.0, we speak 1.0");
        assert_true(mux_is_broken(h->mux));
        assert_int_equal(feed_frame(h, FRAME_PING, 0, ping, 1), -ENOTCONN);
        assert_int_equal(h->channel_errors, 1);
}

static void test_short_hello_breaks_channel(void **state) {
        _cleanup_(peer_freep) Peer *h = peer_new(MUX_ROLE_HOST);
        const uint8_t b[4] = { 1 };

        assert_int_equal(feed_frame(h, FRAME_HELLO, 0, b, sizeof(b)), -EBADMSG);
        assert_int_equal(h->channel_errors, 1);
}

static void test_frames_before_hello_are_discarded(void **state) {
        _cleanup_(peer_freep) Peer *h = peer_new(MUX_ROLE_HOST);
        const uint8_t ping[3] = { 1, 2, 3 };

        drain(h);
        assert_int_equal(feed_frame(h, FRAME_PING, 0, ping, sizeof(ping)), 0);
        assert_int_equal(feed_u32(h, FRAME_DATA, 5, 0x41414101), 0);
        assert_int_equal(mux_output_size(h->mux), 0);
        assert_int_equal(h->pings, 0);
        feed_hello(h, 1);
        assert_true(mux_is_ready(h->mux));
}

static void test_oversized_frame_breaks_channel(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();
        uint8_t hdr[FRAME_HEADER_SIZE];

        frame_header_encode(
                        &(FrameHeader){ .size = FRAME_PAYLOAD_MAX + 1, .type = FRAME_PING }, hdr);
        assert_int_equal(mux_feed(h->mux, hdr, sizeof(hdr)), -EBADMSG);
        assert_int_equal(h->channel_errors, 1);
        assert_int_equal(h->last_channel_error, -EBADMSG);
}

static void test_oversized_frame_split_across_feeds_breaks_channel(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();
        uint8_t hdr[FRAME_HEADER_SIZE];

        frame_header_encode(
                        &(FrameHeader){ .size = UINT32_MAX, .type = FRAME_DATA, .stream_id = 1 },
                        hdr);
        assert_int_equal(mux_feed(h->mux, hdr, 5), 0);
        assert_int_equal(mux_feed(h->mux, hdr + 5, 7), -EBADMSG);
        assert_int_equal(h->channel_errors, 1);
}

static void test_unknown_mandatory_type_breaks_channel(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();

        assert_int_equal(feed_frame(h, 0x0042, 0, NULL, 0), -EBADMSG);
        assert_int_equal(h->channel_errors, 1);
}

static void test_unknown_optional_type_is_skipped(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();
        const uint8_t junk[100] = { 0xff };
        FrameHeader hdr;

        assert_int_equal(feed_frame(h, 0x8042, 9, junk, sizeof(junk)), 0);
        assert_int_equal(mux_output_size(h->mux), 0);
        assert_int_equal(feed_frame(h, FRAME_PING, 0, junk, 4), 0);
        assert_true(pop_frame(h, &hdr, NULL));
        assert_int_equal(hdr.type, FRAME_PONG);
        assert_int_equal(h->channel_errors, 0);
}

static void test_control_frame_on_a_stream_breaks_channel(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();

        assert_int_equal(feed_frame(h, FRAME_PING, 3, NULL, 0), -EPROTO);
        assert_string_equal(h->last_channel_reason, "PING on stream 3");
}

static void test_stream_frame_on_stream_zero_breaks_channel(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();

        assert_int_equal(feed_u32(h, FRAME_CREDIT, 0, 1), -EPROTO);
        assert_int_equal(h->channel_errors, 1);
}

static void test_ping_is_answered_with_the_same_payload(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        uint8_t payload[1000];

        connect_pair(&h, &a);
        memset(payload, 0x5a, sizeof(payload));
        assert_int_equal(mux_send_ping(h->mux, payload, sizeof(payload)), 0);
        pump(h, a);
        assert_int_equal(a->pings, 1);
        assert_int_equal(h->pongs, 1);
        assert_int_equal(h->last_pong_len, sizeof(payload));
}

static void test_status_travels_from_agent_to_host(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;

        connect_pair(&h, &a);
        FrameStatus s = { .live_sessions = 2, .last_activity_usec = 42 };
        assert_int_equal(mux_send_status(a->mux, &s), 0);
        assert_int_equal(mux_send_status(h->mux, &s), -EPERM);
        pump(h, a);
        assert_int_equal(h->statuses, 1);
        assert_int_equal(h->last_status.live_sessions, 2);
        assert_true(h->last_status.last_activity_usec == 42);
}

static void test_power_travels_from_host_to_agent(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;

        connect_pair(&h, &a);
        assert_int_equal(mux_send_power(h->mux, POWER_POWEROFF), 0);
        assert_int_equal(mux_send_power(a->mux, POWER_POWEROFF), -EPERM);
        pump(h, a);
        assert_int_equal(a->powers, 1);
        assert_int_equal(a->last_power, POWER_POWEROFF);
}

static void test_status_sent_to_agent_breaks_channel(void **state) {
        _cleanup_(peer_freep) Peer *a = peer_new(MUX_ROLE_AGENT);
        uint8_t b[FRAME_STATUS_SIZE] = {};

        feed_hello(a, 1);
        assert_int_equal(feed_frame(a, FRAME_STATUS, 0, b, sizeof(b)), -EPROTO);
        assert_int_equal(a->statuses, 0);
}

static void test_power_sent_to_host_breaks_channel(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();

        assert_int_equal(feed_u32(h, FRAME_POWER, 0, POWER_REBOOT), -EPROTO);
        assert_int_equal(h->powers, 0);
}

static void test_partial_frames_fed_byte_by_byte_work(void **state) {
        _cleanup_(peer_freep) Peer *h = peer_new(MUX_ROLE_HOST);
        _cleanup_(peer_freep) Peer *a = peer_new(MUX_ROLE_AGENT);
        uint8_t big[70000];

        pump_chunked(h, a, 1);
        uint32_t id = open_exec(h, STREAM_WINDOW_MAX, "cat");
        pump_chunked(h, a, 1);
        memset(big, 'q', sizeof(big));
        assert_int_equal(mux_stream_send(h->mux, id, 0, big, sizeof(big)), 65536);
        pump_chunked(h, a, 7);
        Rec *r = rec_find(a, id);
        assert_non_null(r);
        assert_int_equal(r->bytes, 65536);
}

static void test_feed_from_a_callback_is_refused(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();

        assert_int_equal(h->feed_result_in_callback, -EBUSY);
}

static void test_reset_drops_streams_and_queues_hello(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        FrameHeader hdr;

        connect_pair(&h, &a);
        uint32_t id = open_exec(h, 100, "sleep");
        assert_int_equal(mux_reset(h->mux), 0);
        assert_true(rec_find(h, id)->closed);
        assert_int_equal(rec_find(h, id)->close_error, -ECONNRESET);
        assert_int_equal(mux_stream_count(h->mux), 0);
        assert_true(pop_frame(h, &hdr, NULL));
        assert_int_equal(hdr.type, FRAME_HELLO);
        assert_false(pop_frame(h, &hdr, NULL));
}

/* ---- streams ---- */

static void test_exec_stream_runs_its_whole_life(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        char *argv[] = { "echo", "hi", NULL }, *env[] = { "A=B", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC,
                .window = 1000,
                .argv = argv,
                .n_argv = 2,
                .env = env,
                .n_env = 1,
                .pty = true,
                .pty_rows = 24,
                .pty_cols = 80 };
        uint32_t id;

        connect_pair(&h, &a);
        Rec *hr = rec_new(h, 0);
        assert_int_equal(mux_stream_open(h->mux, &req, hr, &id), 0);
        hr->id = id;
        assert_true(id >= 1 && id < STREAM_ID_GUEST_BIT);
        assert_int_equal(mux_stream_send(h->mux, id, 0, (const uint8_t *) "x", 1), -ENOTCONN);
        pump(h, a);
        assert_int_equal(a->opens, 1);
        assert_int_equal(a->last_open.n_argv, 2);
        assert_int_equal(a->last_open.window, 1000);
        assert_true(hr->accepted);
        Rec *ar = rec_find(a, id);

        assert_int_equal(mux_stream_send(h->mux, id, 0, (const uint8_t *) "in", 2), 2);
        assert_int_equal(mux_stream_send_eof(h->mux, id, 0), 0);
        assert_int_equal(mux_stream_send_signal(h->mux, id, 2), 0);
        assert_int_equal(mux_stream_send_resize(h->mux, id, 50, 132), 0);
        pump(h, a);
        assert_memory_equal(ar->data, "in", 2);
        assert_true(ar->eof[0]);
        assert_int_equal(a->last_signo, 2);
        assert_int_equal(a->last_rows, 50);
        assert_int_equal(a->last_cols, 132);

        assert_int_equal(mux_stream_send(a->mux, id, 1, (const uint8_t *) "hi\n", 3), 3);
        assert_int_equal(mux_stream_send(a->mux, id, 2, (const uint8_t *) "!", 1), 1);
        assert_int_equal(mux_stream_send_eof(a->mux, id, 1), 0);
        assert_int_equal(mux_stream_send_eof(a->mux, id, 2), 0);
        assert_int_equal(mux_stream_send_exit(a->mux, id,
                                         &(FrameExit){ .how = EXIT_HOW_SIGNALED,
                                                         .core_dumped = true,
                                                         .code = 11 }),
                        0);
        assert_int_equal(mux_stream_close(a->mux, id, 0), 0);
        pump(h, a);
        assert_memory_equal(hr->data, "hi\n!", 4);
        assert_int_equal(hr->fds_seen, 0x6);
        assert_true(hr->eof[1] && hr->eof[2]);
        assert_true(hr->exited);
        assert_int_equal(hr->exit.how, EXIT_HOW_SIGNALED);
        assert_true(hr->exit.core_dumped);
        assert_int_equal(hr->exit.code, 11);
        assert_true(hr->closed);
        assert_int_equal(hr->close_error, 0);
        assert_false(ar->closed); /* the agent closed it itself: no callback */
        assert_int_equal(mux_stream_count(h->mux), 0);
        assert_int_equal(mux_stream_count(a->mux), 0);
}

static void test_send_refuses_fds_not_ours(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;

        connect_pair(&h, &a);
        uint32_t id = open_exec(h, 100, "cat");
        pump(h, a);
        assert_int_equal(mux_stream_send(h->mux, id, 1, (const uint8_t *) "x", 1), -EBADF);
        assert_int_equal(mux_stream_send(a->mux, id, 0, (const uint8_t *) "x", 1), -EBADF);
        assert_int_equal(mux_stream_send(h->mux, id, 3, (const uint8_t *) "x", 1), -EBADF);
        assert_int_equal(mux_stream_send_signal(a->mux, id, 9), -EBADF);
        assert_int_equal(mux_stream_send_exit(h->mux, id, &(FrameExit){}), -EBADF);
        assert_int_equal(mux_stream_send(h->mux, id + 1, 0, (const uint8_t *) "x", 1), -ENOENT);
}

static void test_forward_stream_uses_fd_zero_both_ways(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        FrameOpen req = { .kind = STREAM_KIND_FORWARD, .window = 100, .service = "tray" };
        uint32_t id;

        connect_pair(&h, &a);
        Rec *hr = rec_new(h, 0);
        assert_int_equal(mux_stream_open(h->mux, &req, hr, &id), 0);
        hr->id = id;
        pump(h, a);
        assert_int_equal(mux_stream_send(a->mux, id, 0, (const uint8_t *) "pong", 4), 4);
        assert_int_equal(mux_stream_send(a->mux, id, 1, (const uint8_t *) "x", 1), -EBADF);
        assert_int_equal(mux_stream_send_signal(h->mux, id, 9), -EBADF);
        pump(h, a);
        assert_memory_equal(hr->data, "pong", 4);
}

static void test_reject_reaches_the_opener_sanitised(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;

        connect_pair(&h, &a);
        a->auto_accept = false;
        uint32_t id = open_exec(h, 100, "nope");
        pump(h, a);
        assert_int_equal(mux_stream_reject(a->mux, id, -ENOENT, "no such\nprogram"), 0);
        assert_int_equal(mux_stream_reject(a->mux, id, -ENOENT, NULL), -EPIPE);
        pump(h, a);
        Rec *r = rec_find(h, id);
        assert_true(r->closed);
        assert_int_equal(r->close_error, -ENOENT);
        assert_string_equal(r->close_reason, "no such?program");
        assert_int_equal(mux_stream_count(h->mux), 0);
        assert_int_equal(mux_stream_count(a->mux), 0);
}

static void test_open_before_hello_is_refused(void **state) {
        _cleanup_(peer_freep) Peer *h = peer_new(MUX_ROLE_HOST);
        char *argv[] = { "ls", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1 };
        uint32_t id;

        assert_int_equal(mux_stream_open(h->mux, &req, NULL, &id), -ENOTCONN);
        assert_int_equal(mux_send_ping(h->mux, NULL, 0), -ENOTCONN);
}

/* A vm-run client's mux: a fresh connection, opening right behind its HELLO. */
static Peer *peer_new_opening_before_hello(void) {
        Peer *p = calloc(1, sizeof(Peer));
        assert_non_null(p);
        MuxConfig c = {
                .role = MUX_ROLE_HOST,
                .capabilities = PROTOCOL_CAPABILITIES,
                .callbacks = callbacks,
                .userdata = p,
                .open_before_hello = true,
        };
        assert_int_equal(mux_new(&c, &p->mux), 0);
        return p;
}

static void test_open_before_hello_when_configured_reaches_the_peer_after_our_hello(void **state) {
        _cleanup_(peer_freep) Peer *h = peer_new_opening_before_hello();
        _cleanup_(peer_freep) Peer *a = peer_new(MUX_ROLE_AGENT);
        uint32_t id = open_exec(h, 100, "true");

        /* Only our side moves first: the agent reads HELLO, then the OPEN, in one feed. */
        assert_int_equal(transfer(h, a, SIZE_MAX), 1);
        assert_int_equal(a->hellos, 1);
        assert_int_equal(a->opens, 1);
        assert_int_equal(a->last_open_id, id);
        pump(h, a);
        assert_int_equal(h->hellos, 1);
        assert_true(rec_find(h, id)->accepted);
}

static void test_open_before_hello_is_only_for_exec_streams(void **state) {
        _cleanup_(peer_freep) Peer *h = peer_new_opening_before_hello();
        FrameOpen req = { .kind = STREAM_KIND_FORWARD, .service = "wayland" };
        uint32_t id;

        assert_int_equal(mux_stream_open(h->mux, &req, NULL, &id), -ENOTCONN);
}

static void test_open_before_hello_fails_when_the_peer_speaks_another_major(void **state) {
        _cleanup_(peer_freep) Peer *h = peer_new_opening_before_hello();
        uint32_t id = open_exec(h, 100, "true");

        feed_hello(h, 2);
        assert_int_equal(h->channel_errors, 1);
        assert_int_equal(h->last_channel_error, -EPROTONOSUPPORT);
        assert_true(rec_find(h, id)->closed);
        assert_int_equal(rec_find(h, id)->close_error, -EPROTONOSUPPORT);
}

static void test_invalid_open_request_is_refused_locally(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();
        FrameOpen req = { .kind = STREAM_KIND_EXEC };
        uint32_t id = 77;

        assert_int_equal(mux_stream_open(h->mux, &req, NULL, &id), -EINVAL);
        assert_int_equal(id, 77);
        assert_int_equal(mux_output_size(h->mux), 0);
}

static void test_peer_open_without_on_open_is_rejected(void **state) {
        MuxConfig c = { .role = MUX_ROLE_AGENT };
        _cleanup_(mux_freep) Mux *m = NULL;
        _cleanup_(peer_freep) Peer *h = peer_new(MUX_ROLE_HOST);
        const uint8_t *d;
        size_t n;

        assert_int_equal(mux_new(&c, &m), 0);
        mux_peek_output(h->mux, &d, &n);
        assert_int_equal(mux_feed(m, d, n), 0);
        mux_consume_output(h->mux, n);
        mux_peek_output(m, &d, &n);
        assert_int_equal(mux_feed(h->mux, d, n), 0);
        mux_consume_output(m, n);
        uint32_t id = open_exec(h, 10, "ls");
        mux_peek_output(h->mux, &d, &n);
        assert_int_equal(mux_feed(m, d, n), 0);
        mux_consume_output(h->mux, n);
        mux_peek_output(m, &d, &n);
        assert_int_equal(mux_feed(h->mux, d, n), 0);
        assert_int_equal(rec_find(h, id)->close_error, -EOPNOTSUPP);
        assert_int_equal(mux_stream_count(m), 0);
}

static uint32_t open_forward(Peer *a, uint32_t window, const char *service) {
        FrameOpen req = {
                .kind = STREAM_KIND_FORWARD, .window = window, .service = (char *) service
        };
        uint32_t id;
        Rec *r = rec_new(a, 0);

        assert_int_equal(mux_stream_open(a->mux, &req, r, &id), 0);
        r->id = id;
        return id;
}

static void test_guest_open_is_rejected_by_a_host_without_on_open(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        MuxConfig c = { .role = MUX_ROLE_HOST, .capabilities = PROTOCOL_CAP_GUEST_FORWARD };
        _cleanup_(mux_freep) Mux *host = NULL;

        connect_pair(&h, &a);
        assert_int_equal(mux_new(&c, &host), 0);
        /* Wire a fresh callback-less host to the agent. */
        const uint8_t *d;
        size_t n;
        uint8_t hello[FRAME_HEADER_SIZE + FRAME_HELLO_SIZE];
        frame_header_encode(&(FrameHeader){ .size = FRAME_HELLO_SIZE, .type = FRAME_HELLO }, hello);
        (void) frame_hello_encode(&(FrameHello){ .version_major = 1,
                                                  .capabilities = PROTOCOL_CAP_GUEST_FORWARD },
                        hello + FRAME_HEADER_SIZE, FRAME_HELLO_SIZE);
        assert_int_equal(mux_feed(host, hello, sizeof(hello)), 0);
        mux_consume_output(host, mux_output_size(host)); /* its HELLO would restart a */
        uint32_t id = open_forward(a, 10, "wayland");
        assert_true(id & STREAM_ID_GUEST_BIT);
        mux_peek_output(a->mux, &d, &n);
        assert_int_equal(mux_feed(host, d, n), 0);
        mux_consume_output(a->mux, n);
        mux_peek_output(host, &d, &n);
        assert_true(n > 0);
        assert_int_equal(mux_stream_count(host), 0);
        assert_int_equal(mux_feed(a->mux, d, n), 0);
        assert_int_equal(rec_find(a, id)->close_error, -EOPNOTSUPP);
}

/* The whole life of a guest-opened FORWARD stream: ids from the guest's half, data both ways
 * within the windows, EOF, CLOSE. */
static void test_guest_forward_stream_round_trip(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;

        connect_pair(&h, &a);
        assert_true(mux_get_capabilities(h->mux) & PROTOCOL_CAP_GUEST_FORWARD);
        uint32_t id = open_forward(a, 1000, "wayland");
        assert_true(id & STREAM_ID_GUEST_BIT);
        pump(h, a);
        assert_int_equal(h->opens, 1);
        assert_int_equal(h->last_open_id, id);
        assert_int_equal(h->last_open.kind, STREAM_KIND_FORWARD);
        Rec *ar = rec_find(a, id), *hr = rec_find(h, id);
        assert_true(ar->accepted);
        assert_int_equal(mux_stream_send(a->mux, id, STREAM_FD_STDIN, (const uint8_t *) "ping", 4),
                        4);
        assert_int_equal(mux_stream_send(h->mux, id, STREAM_FD_STDIN, (const uint8_t *) "pong", 4),
                        4);
        assert_int_equal(mux_stream_send_eof(a->mux, id, STREAM_FD_STDIN), 0);
        pump(h, a);
        assert_memory_equal(hr->data, "ping", 4);
        assert_memory_equal(ar->data, "pong", 4);
        assert_true(hr->eof[STREAM_FD_STDIN]);
        /* Only EXEC carries signals; the acceptor of a FORWARD stream sends no EXIT. */
        assert_int_equal(mux_stream_send_signal(a->mux, id, 15), -EBADF);
        assert_int_equal(mux_stream_send_exit(h->mux, id, &(FrameExit){}), -EBADF);
        assert_int_equal(mux_stream_close(h->mux, id, 0), 0);
        pump(h, a);
        assert_true(ar->closed);
        assert_int_equal(mux_stream_count(h->mux), 0);
        assert_int_equal(mux_stream_count(a->mux), 0);
}

/* Feeds p an OPEN of req on id and checks that p answered with REJECT(error), keeping no entry
 * and telling its owner nothing. */
static void assert_open_refused(Peer *p, uint32_t id, const FrameOpen *req, int error) {
        static uint8_t payload[FRAME_PAYLOAD_MAX];
        uint8_t b[64];
        FrameHeader hdr;
        FrameReject rej;
        int opens = p->opens;
        size_t count = mux_stream_count(p->mux);

        int n = frame_open_encode(req, b, sizeof(b));
        assert_true(n > 0);
        assert_int_equal(feed_frame(p, FRAME_OPEN, id, b, (size_t) n), 0);
        assert_int_equal(p->opens, opens);
        assert_true(pop_frame(p, &hdr, payload));
        assert_int_equal(hdr.type, FRAME_REJECT);
        assert_int_equal(hdr.stream_id, id);
        assert_int_equal(frame_reject_decode(payload, hdr.size, &rej), 0);
        assert_int_equal(rej.error, error);
        assert_int_equal(mux_stream_count(p->mux), count);
}

/* Without the capability in use, the agent cannot open, and a host REJECTs a guest OPEN anyway. */
static void test_guest_open_needs_the_capability(void **state) {
        _cleanup_(peer_freep) Peer *h = peer_new_offering(MUX_ROLE_HOST, 0);
        _cleanup_(peer_freep) Peer *a = peer_new(MUX_ROLE_AGENT);
        FrameOpen req = { .kind = STREAM_KIND_FORWARD, .service = (char *) "wayland" };
        uint32_t id = 0;

        pump(h, a);
        assert_int_equal(mux_get_capabilities(a->mux), 0);
        assert_int_equal(mux_stream_open(a->mux, &req, NULL, &id), -EOPNOTSUPP);
        assert_int_equal(mux_stream_count(a->mux), 0);
        assert_open_refused(h, STREAM_ID_GUEST_BIT | 9, &req, -EOPNOTSUPP);
}

/* A guest never runs programs on the host: guest EXEC opens fail on both ends. */
static void test_guest_exec_open_is_refused(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        char *argv[] = { "sh", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1 };
        uint32_t id = 0;

        connect_pair(&h, &a);
        assert_int_equal(mux_stream_open(a->mux, &req, NULL, &id), -EOPNOTSUPP);
        assert_open_refused(h, STREAM_ID_GUEST_BIT | 3, &req, -EOPNOTSUPP);
}

static void test_peer_open_with_id_in_the_wrong_half_is_rejected(void **state) {
        _cleanup_(peer_freep) Peer *a = peer_new(MUX_ROLE_AGENT);
        char *argv[] = { "ls", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1 };

        feed_hello(a, 1);
        drain(a);
        assert_open_refused(a, 0x80000005, &req, -EPROTO);
        assert_int_equal(mux_stream_count(a->mux), 0);
}

static void test_malformed_open_is_rejected_without_an_entry(void **state) {
        _cleanup_(peer_freep) Peer *a = peer_new(MUX_ROLE_AGENT);
        static uint8_t payload[FRAME_PAYLOAD_MAX];
        const uint8_t bad[12] = { 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 }; /* truncated TLV */
        FrameHeader hdr;
        FrameReject rej;

        feed_hello(a, 1);
        drain(a);
        assert_int_equal(feed_frame(a, FRAME_OPEN, 4, bad, sizeof(bad)), 0);
        assert_true(pop_frame(a, &hdr, payload));
        assert_int_equal(hdr.type, FRAME_REJECT);
        assert_int_equal(frame_reject_decode(payload, hdr.size, &rej), 0);
        assert_int_equal(rej.error, -EBADMSG);
        assert_int_equal(mux_stream_count(a->mux), 0);
        /* The opener's CLOSE answering the REJECT is ignored. */
        assert_int_equal(feed_u32(a, FRAME_CLOSE, 4, 0), 0);
        assert_int_equal(mux_output_size(a->mux), 0);
}

/* Two streams, one gets a hostile frame: it alone is closed with -EPROTO, the other keeps
 * receiving data. Returns the pair with host stream ids victim and bystander. */
typedef struct Two {
        Peer *h, *a;
        uint32_t victim, bystander;
} Two;

static void two_setup(Two *t) {
        connect_pair(&t->h, &t->a);
        t->victim = open_exec(t->h, 10, "victim");
        t->bystander = open_exec(t->h, 10, "bystander");
        pump(t->h, t->a);
}

static void two_finish(Two *t) {
        t->h = peer_free(t->h);
        t->a = peer_free(t->a);
}

/* After the hostile frame (already fed to the host), checks the victim failed with -EPROTO and
 * a CLOSE(-EPROTO) went out, and that the bystander still works end to end. */
static void two_check(Two *t, const char *reason) {
        Rec *v = rec_find(t->h, t->victim), *b = rec_find(t->h, t->bystander);

        assert_true(v->closed);
        assert_int_equal(v->close_error, -EPROTO);
        if (reason)
                assert_string_equal(v->close_reason, reason);
        assert_false(b->closed);
        assert_int_equal(t->h->channel_errors, 0);
        pump(t->h, t->a);
        assert_true(rec_find(t->a, t->victim)->closed);
        assert_int_equal(rec_find(t->a, t->victim)->close_error, -EPROTO);
        assert_int_equal(mux_stream_send(t->a->mux, t->bystander, 1, (const uint8_t *) "ok", 2), 2);
        pump(t->h, t->a);
        assert_memory_equal(b->data, "ok", 2);
        assert_int_equal(mux_stream_count(t->h->mux), 1);
        assert_int_equal(mux_stream_count(t->a->mux), 1);
}

static void test_data_beyond_window_closes_only_that_stream(void **state) {
        Two t = {};
        uint8_t d[12] = { 1 };

        two_setup(&t);
        memset(d + 1, 'x', 11); /* 11 data bytes, window 10 */
        assert_int_equal(feed_frame(t.h, FRAME_DATA, t.victim, d, sizeof(d)), 0);
        assert_int_equal(rec_find(t.h, t.victim)->bytes, 0);
        two_check(&t, "DATA beyond the receive window");
        two_finish(&t);
}

static void test_data_exactly_filling_the_window_is_accepted(void **state) {
        Two t = {};
        uint8_t d[11] = { 1 };

        two_setup(&t);
        memset(d + 1, 'x', 10);
        assert_int_equal(feed_frame(t.h, FRAME_DATA, t.victim, d, sizeof(d)), 0);
        assert_int_equal(rec_find(t.h, t.victim)->bytes, 10);
        assert_false(rec_find(t.h, t.victim)->closed);
        two_finish(&t);
}

static void test_credit_overflow_closes_only_that_stream(void **state) {
        Two t = {};

        two_setup(&t);
        /* The agent granted 65536; this pushes the host's window past the cap. */
        assert_int_equal(feed_u32(t.h, FRAME_CREDIT, t.victim, STREAM_WINDOW_MAX - 65535), 0);
        two_check(&t, "CREDIT overflows the window");
        two_finish(&t);
}

static void test_credit_up_to_the_cap_is_accepted(void **state) {
        Two t = {};

        two_setup(&t);
        assert_int_equal(feed_u32(t.h, FRAME_CREDIT, t.victim, STREAM_WINDOW_MAX - 65536), 0);
        assert_int_equal(mux_stream_get_send_window(t.h->mux, t.victim), STREAM_WINDOW_MAX);
        assert_false(rec_find(t.h, t.victim)->closed);
        two_finish(&t);
}

static void test_duplicate_open_closes_the_existing_stream(void **state) {
        Two t = {};
        char *argv[] = { "ls", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1 };
        uint8_t b[64];
        int n;

        two_setup(&t);
        /* The agent is the acceptor; feed it a second OPEN for the victim's id. */
        n = frame_open_encode(&req, b, sizeof(b));
        assert_int_equal(feed_frame(t.a, FRAME_OPEN, t.victim, b, (size_t) n), 0);
        Rec *v = rec_find(t.a, t.victim);
        assert_true(v->closed);
        assert_int_equal(v->close_error, -EPROTO);
        assert_string_equal(v->close_reason, "OPEN for an id already open");
        assert_int_equal(t.a->opens, 2);
        pump(t.h, t.a);
        assert_true(rec_find(t.h, t.victim)->closed);
        assert_int_equal(mux_stream_send(t.a->mux, t.bystander, 1, (const uint8_t *) "ok", 2), 2);
        pump(t.h, t.a);
        assert_memory_equal(rec_find(t.h, t.bystander)->data, "ok", 2);
        two_finish(&t);
}

static void test_data_after_eof_closes_only_that_stream(void **state) {
        Two t = {};
        const uint8_t d[2] = { 1, 'x' }, eof = 1;

        two_setup(&t);
        assert_int_equal(feed_frame(t.h, FRAME_EOF, t.victim, &eof, 1), 0);
        assert_true(rec_find(t.h, t.victim)->eof[1]);
        assert_int_equal(feed_frame(t.h, FRAME_DATA, t.victim, d, sizeof(d)), 0);
        two_check(&t, "DATA after EOF");
        two_finish(&t);
}

static void test_second_eof_closes_only_that_stream(void **state) {
        Two t = {};
        const uint8_t eof = 2;

        two_setup(&t);
        assert_int_equal(feed_frame(t.h, FRAME_EOF, t.victim, &eof, 1), 0);
        assert_int_equal(feed_frame(t.h, FRAME_EOF, t.victim, &eof, 1), 0);
        two_check(&t, "EOF after EOF");
        two_finish(&t);
}

static void test_data_on_stdin_towards_the_opener_closes_only_that_stream(void **state) {
        Two t = {};
        const uint8_t d[2] = { 0, 'x' };

        two_setup(&t);
        assert_int_equal(feed_frame(t.h, FRAME_DATA, t.victim, d, sizeof(d)), 0);
        two_check(&t, "DATA on an fd not valid in this direction");
        two_finish(&t);
}

static void test_empty_data_closes_only_that_stream(void **state) {
        Two t = {};
        const uint8_t d[1] = { 1 };

        two_setup(&t);
        assert_int_equal(feed_frame(t.h, FRAME_DATA, t.victim, d, sizeof(d)), 0);
        two_check(&t, "malformed DATA");
        two_finish(&t);
}

static void test_signal_towards_the_opener_closes_only_that_stream(void **state) {
        Two t = {};

        two_setup(&t);
        assert_int_equal(feed_u32(t.h, FRAME_SIGNAL, t.victim, 9), 0);
        assert_int_equal(t.h->signals, 0);
        two_check(&t, "SIGNAL not valid on this stream");
        two_finish(&t);
}

static void test_second_exit_closes_only_that_stream(void **state) {
        Two t = {};
        uint8_t e[FRAME_EXIT_SIZE];

        two_setup(&t);
        (void) frame_exit_encode(&(FrameExit){ .how = EXIT_HOW_EXITED, .code = 3 }, e, sizeof(e));
        assert_int_equal(feed_frame(t.h, FRAME_EXIT, t.victim, e, sizeof(e)), 0);
        assert_true(rec_find(t.h, t.victim)->exited);
        assert_int_equal(feed_frame(t.h, FRAME_EXIT, t.victim, e, sizeof(e)), 0);
        two_check(&t, "second EXIT");
        two_finish(&t);
}

static void test_data_after_exit_is_still_delivered(void **state) {
        Two t = {};

        two_setup(&t);
        assert_int_equal(mux_stream_send_exit(t.a->mux, t.victim,
                                         &(FrameExit){ .how = EXIT_HOW_EXITED }),
                        0);
        assert_int_equal(mux_stream_send(t.a->mux, t.victim, 2, (const uint8_t *) "late", 4), 4);
        assert_int_equal(mux_stream_send_exit(t.a->mux, t.victim,
                                         &(FrameExit){ .how = EXIT_HOW_EXITED }),
                        -EALREADY);
        pump(t.h, t.a);
        Rec *r = rec_find(t.h, t.victim);
        assert_true(r->exited);
        assert_int_equal(r->bytes, 4);
        assert_false(r->closed);
        two_finish(&t);
}

static void test_accept_on_an_open_stream_closes_only_that_stream(void **state) {
        Two t = {};

        two_setup(&t);
        assert_int_equal(feed_u32(t.h, FRAME_ACCEPT, t.victim, 10), 0);
        two_check(&t, "ACCEPT or REJECT on an open stream");
        two_finish(&t);
}

static void test_truncated_credit_closes_only_that_stream(void **state) {
        Two t = {};
        const uint8_t c[2] = { 1, 0 };

        two_setup(&t);
        assert_int_equal(feed_frame(t.h, FRAME_CREDIT, t.victim, c, sizeof(c)), 0);
        two_check(&t, "malformed CREDIT");
        two_finish(&t);
}

static void test_frame_for_unknown_stream_is_answered_with_close(void **state) {
        Two t = {};
        const uint8_t d[2] = { 1, 'x' };

        two_setup(&t);
        drain(t.h);
        assert_int_equal(feed_frame(t.h, FRAME_DATA, 0x1234, d, sizeof(d)), 0);
        expect_close(t.h, 0x1234, -EPROTO);
        assert_int_equal(mux_stream_count(t.h->mux), 2);
        /* Terminal frames for unknown ids are never answered. */
        assert_int_equal(feed_u32(t.h, FRAME_CLOSE, 0x1234, (uint32_t) -EPROTO), 0);
        assert_int_equal(feed_u32(t.h, FRAME_REJECT, 0x1235, (uint32_t) -EPROTO), 0);
        assert_int_equal(mux_output_size(t.h->mux), 0);
        assert_int_equal(t.h->channel_errors, 0);
        two_finish(&t);
}

static void test_data_after_close_is_dropped(void **state) {
        Two t = {};
        const uint8_t d[2] = { 1, 'x' };

        two_setup(&t);
        assert_int_equal(mux_stream_close(t.h->mux, t.victim, 0), 0);
        assert_int_equal(mux_stream_close(t.h->mux, t.victim, 0), -EPIPE);
        drain(t.h);
        /* In flight from the agent before it saw our CLOSE: silently dropped. */
        assert_int_equal(feed_frame(t.h, FRAME_DATA, t.victim, d, sizeof(d)), 0);
        assert_int_equal(rec_find(t.h, t.victim)->bytes, 0);
        assert_int_equal(mux_output_size(t.h->mux), 0);
        assert_int_equal(feed_u32(t.h, FRAME_CLOSE, t.victim, 0), 0);
        assert_int_equal(mux_stream_count(t.h->mux), 1);
        /* After both CLOSEs the id is unknown: DATA is answered with CLOSE(-EPROTO). */
        assert_int_equal(feed_frame(t.h, FRAME_DATA, t.victim, d, sizeof(d)), 0);
        expect_close(t.h, t.victim, -EPROTO);
        assert_int_equal(rec_find(t.h, t.victim)->bytes, 0);
        assert_false(rec_find(t.h, t.victim)->closed); /* we closed it: never reported */
        two_finish(&t);
}

static void test_peer_close_is_answered_and_frees_the_id(void **state) {
        Two t = {};

        two_setup(&t);
        drain(t.h);
        assert_int_equal(feed_u32(t.h, FRAME_CLOSE, t.victim, (uint32_t) -EIO), 0);
        Rec *v = rec_find(t.h, t.victim);
        assert_true(v->closed);
        assert_int_equal(v->close_error, -EIO);
        expect_close(t.h, t.victim, 0);
        assert_int_equal(mux_stream_count(t.h->mux), 1);
        two_finish(&t);
}

static void test_frame_before_accept_closes_the_stream(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();
        const uint8_t d[2] = { 1, 'x' };

        uint32_t id = open_exec(h, 10, "x");
        drain(h);
        assert_int_equal(feed_frame(h, FRAME_DATA, id, d, sizeof(d)), 0);
        assert_int_equal(rec_find(h, id)->close_error, -EPROTO);
        assert_string_equal(rec_find(h, id)->close_reason, "frame before ACCEPT");
        expect_close(h, id, -EPROTO);
}

static void test_hello_mid_session_fails_every_stream_and_restarts(void **state) {
        Two t = {};
        FrameHeader hdr;

        two_setup(&t);
        assert_int_equal(mux_stream_send(t.h->mux, t.bystander, 0, (const uint8_t *) "lost", 4), 4);
        feed_hello(t.h, 1);
        Rec *v = rec_find(t.h, t.victim), *b = rec_find(t.h, t.bystander);
        assert_true(v->closed && b->closed);
        assert_int_equal(v->close_error, -ECONNRESET);
        assert_string_equal(v->close_reason, "peer restarted");
        assert_int_equal(mux_stream_count(t.h->mux), 0);
        assert_int_equal(t.h->hellos, 2);
        assert_true(mux_is_ready(t.h->mux));
        /* Unsent output of the old session is gone; a new HELLO is queued. */
        assert_true(pop_frame(t.h, &hdr, NULL));
        assert_int_equal(hdr.type, FRAME_HELLO);
        assert_false(pop_frame(t.h, &hdr, NULL));
        two_finish(&t);
}

static void test_restart_keeps_the_rest_of_a_partly_written_frame(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();
        const uint8_t payload[10] = { 9 };
        const uint8_t *d;
        size_t n;

        assert_int_equal(mux_send_ping(h->mux, payload, sizeof(payload)), 0);
        assert_int_equal(mux_send_ping(h->mux, payload, sizeof(payload)), 0);
        mux_consume_output(h->mux, 5); /* the transport wrote 5 bytes of the first PING */
        feed_hello(h, 1);
        mux_peek_output(h->mux, &d, &n);
        assert_int_equal(n, (FRAME_HEADER_SIZE + 10 - 5) + FRAME_HEADER_SIZE + FRAME_HELLO_SIZE);
        mux_consume_output(h->mux, FRAME_HEADER_SIZE + 10 - 5);
        FrameHeader hdr;
        assert_true(pop_frame(h, &hdr, NULL));
        assert_int_equal(hdr.type, FRAME_HELLO);
}

static void test_closing_from_inside_on_data_is_safe(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        uint8_t big[100];

        connect_pair(&h, &a);
        uint32_t id = open_exec(h, 1000, "x");
        pump(h, a);
        h->close_on_data = true;
        memset(big, 'b', sizeof(big));
        assert_int_equal(mux_stream_send(a->mux, id, 1, big, 10), 10);
        assert_int_equal(mux_stream_send(a->mux, id, 1, big, 10), 10);
        pump(h, a);
        assert_int_equal(rec_find(h, id)->bytes, 10); /* the second DATA was dropped */
        assert_true(rec_find(a, id)->closed);
        assert_int_equal(mux_stream_count(h->mux), 0);
        assert_int_equal(mux_stream_count(a->mux), 0);
}

/* ---- every (state, frame) pair of docs/protocol.md §5 ---- */

typedef enum Col {
        COL_ABSENT,
        COL_OPENING,
        COL_PENDING,
        COL_OPEN_OPENER,
        COL_OPEN_ACCEPTOR,
        COL_CLOSING,
        _COL_MAX,
} Col;

typedef enum Outcome {
        DELIVER, /* one callback, nothing sent, entry kept */
        NEW,     /* on_open, nothing sent, entry added */
        ERR,     /* on_close(-EPROTO), CLOSE(-EPROTO) sent, entry kept (closing) */
        FINISH,  /* on_close, CLOSE(0) sent, entry removed */
        REPLY,   /* no callback, CLOSE(-EPROTO) sent, no entry */
        IGN,     /* nothing at all */
        REMOVE,  /* no callback, nothing sent, entry removed */
} Outcome;

static const char *const col_names[_COL_MAX] = {
        "absent",
        "OPENING",
        "PENDING",
        "OPEN (opener)",
        "OPEN (acceptor)",
        "CLOSING",
};

static const struct {
        uint16_t type;
        Outcome outcome[_COL_MAX];
} state_table[] = {
        { FRAME_OPEN, { NEW, ERR, ERR, ERR, ERR, IGN } },
        { FRAME_ACCEPT, { REPLY, DELIVER, ERR, ERR, ERR, IGN } },
        { FRAME_REJECT, { IGN, FINISH, ERR, ERR, ERR, REMOVE } },
        { FRAME_DATA, { REPLY, ERR, ERR, DELIVER, DELIVER, IGN } },
        { FRAME_EOF, { REPLY, ERR, ERR, DELIVER, DELIVER, IGN } },
        { FRAME_CREDIT, { REPLY, ERR, ERR, DELIVER, DELIVER, IGN } },
        { FRAME_SIGNAL, { REPLY, ERR, ERR, ERR, DELIVER, IGN } },
        { FRAME_RESIZE, { REPLY, ERR, ERR, ERR, DELIVER, IGN } },
        { FRAME_EXIT, { REPLY, ERR, ERR, DELIVER, ERR, IGN } },
        { FRAME_CLOSE, { IGN, FINISH, FINISH, FINISH, FINISH, REMOVE } },
};

/* Builds a mux with stream *ret_id in the column's state; its output drained. */
static Peer *state_setup(Col col, uint32_t *ret_id) {
        char *argv[] = { "x", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .window = 10, .argv = argv, .n_argv = 1 };
        uint8_t b[64];
        int n = frame_open_encode(&req, b, sizeof(b));
        Peer *p;

        if (IN_SET(col, COL_ABSENT, COL_PENDING, COL_OPEN_ACCEPTOR)) {
                p = peer_new(MUX_ROLE_AGENT);
                feed_hello(p, 1);
                p->auto_accept = col == COL_OPEN_ACCEPTOR;
                *ret_id = 5;
                if (col != COL_ABSENT)
                        assert_int_equal(feed_frame(p, FRAME_OPEN, 5, b, (size_t) n), 0);
        } else {
                p = host_ready();
                *ret_id = open_exec(p, 10, "x");
                if (col != COL_OPENING)
                        assert_int_equal(feed_u32(p, FRAME_ACCEPT, *ret_id, 10), 0);
                if (col == COL_CLOSING)
                        assert_int_equal(mux_stream_close(p->mux, *ret_id, 0), 0);
        }
        drain(p);
        p->events = p->closes = 0;
        return p;
}

/* A well-formed payload for type, valid in direction for the receiving side. */
static size_t state_payload(uint16_t type, bool we_opened, uint8_t *b) {
        char *argv[] = { "x", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1 };

        switch (type) {
        case FRAME_OPEN:
                return (size_t) frame_open_encode(&req, b, 64);
        case FRAME_REJECT:
                return (size_t) frame_reject_encode(-ENOENT, "no", b, 64);
        case FRAME_DATA:
                return (size_t) frame_data_encode(
                                we_opened ? 1 : 0, (const uint8_t *) "d", 1, b, 64);
        case FRAME_EOF:
                return (size_t) frame_eof_encode(we_opened ? 1 : 0, b, 64);
        case FRAME_EXIT:
                return (size_t) frame_exit_encode(&(FrameExit){ .how = EXIT_HOW_EXITED }, b, 64);
        case FRAME_RESIZE:
                return (size_t) frame_resize_encode(24, 80, b, 64);
        case FRAME_SIGNAL:
                return (size_t) frame_signal_encode(9, b, 64);
        case FRAME_CLOSE:
                return (size_t) frame_close_encode(-EIO, b, 64);
        default: /* ACCEPT, CREDIT */
                return (size_t) frame_credit_encode(1, b, 64);
        }
}

static void check_outcome(
                Peer *p, uint32_t id, Outcome want, size_t count_before, const char *label) {
        static uint8_t payload[FRAME_PAYLOAD_MAX];
        FrameHeader h;
        int32_t e = 1;
        bool sent = pop_frame(p, &h, payload);

        if (sent) {
                if (h.type != FRAME_CLOSE || h.stream_id != id)
                        fail_msg("%s: sent %s for %u", label, frame_type_to_string(h.type),
                                        h.stream_id);
                assert_int_equal(frame_close_decode(payload, h.size, &e), 0);
                if (pop_frame(p, &h, NULL))
                        fail_msg("%s: sent more than one frame", label);
        }
        size_t count = mux_stream_count(p->mux);
        bool ok;
        switch (want) {
        case DELIVER:
                ok = p->events == 1 && p->closes == 0 && !sent && count == count_before;
                break;
        case NEW:
                ok = p->opens == 1 && p->events == 1 && !sent && count == count_before + 1;
                break;
        case ERR:
                ok = p->closes == 1 && p->events == 1 && sent && e == -EPROTO &&
                     count == count_before;
                break;
        case FINISH:
                ok = p->closes == 1 && p->events == 1 && sent && e == 0 &&
                     count == count_before - 1;
                break;
        case REPLY:
                ok = p->events == 0 && sent && e == -EPROTO && count == count_before;
                break;
        case IGN:
                ok = p->events == 0 && !sent && count == count_before;
                break;
        default: /* REMOVE */
                ok = p->events == 0 && !sent && count == count_before - 1;
                break;
        }
        if (!ok)
                fail_msg("%s: want outcome %d, got events=%d closes=%d sent=%d error=%d "
                         "streams %zu->%zu",
                                label, want, p->events, p->closes, sent, e, count_before, count);
}

static void test_every_state_and_frame_pair_is_answered_as_documented(void **state) {
        for (size_t row = 0; row < ELEMENTSOF(state_table); row++)
                for (Col col = 0; col < _COL_MAX; col++) {
                        uint8_t b[64];
                        char label[96];
                        uint32_t id;
                        Peer *p = state_setup(col, &id);
                        uint16_t type = state_table[row].type;
                        size_t len = state_payload(type,
                                        IN_SET(col, COL_OPENING, COL_OPEN_OPENER, COL_CLOSING), b);
                        size_t before = mux_stream_count(p->mux);

                        snprintf(label, sizeof(label), "%s in %s", frame_type_to_string(type),
                                        col_names[col]);
                        p->opens = 0;
                        assert_int_equal(feed_frame(p, type, id, b, len), 0);
                        assert_int_equal(p->channel_errors, 0);
                        check_outcome(p, id, state_table[row].outcome[col], before, label);
                        peer_free(p);
                }
}

/* ---- many streams and flow control ---- */

static void test_hundred_concurrent_streams_do_not_mix(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        uint32_t ids[100];
        char msg[64];

        connect_pair(&h, &a);
        for (size_t i = 0; i < 100; i++)
                ids[i] = open_exec(h, 4096, "cat");
        pump(h, a);
        assert_int_equal(a->opens, 100);
        /* Three rounds of interleaved writes in both directions. */
        for (int round = 0; round < 3; round++) {
                for (size_t i = 0; i < 100; i++) {
                        size_t j = (i * 37 + (size_t) round) % 100;
                        int n = snprintf(msg, sizeof(msg), "<in %zu.%d>", j, round);
                        assert_int_equal(mux_stream_send(h->mux, ids[j], 0, (uint8_t *) msg,
                                                         (size_t) n),
                                        n);
                        n = snprintf(msg, sizeof(msg), "<out %zu.%d>", j, round);
                        assert_int_equal(mux_stream_send(a->mux, ids[j], 1 + (uint8_t) (round % 2),
                                                         (uint8_t *) msg, (size_t) n),
                                        n);
                }
                pump_chunked(h, a, 1000 + (size_t) round * 333);
        }
        for (size_t i = 0; i < 100; i++) {
                char want[256];
                int n = snprintf(want, sizeof(want), "<in %zu.0><in %zu.1><in %zu.2>", i, i, i);
                Rec *r = rec_find(a, ids[i]);
                assert_int_equal(r->len, (size_t) n);
                assert_memory_equal(r->data, want, (size_t) n);
                n = snprintf(want, sizeof(want), "<out %zu.0><out %zu.1><out %zu.2>", i, i, i);
                r = rec_find(h, ids[i]);
                assert_int_equal(r->len, (size_t) n);
                assert_memory_equal(r->data, want, (size_t) n);
                assert_int_equal(r->fds_seen, 0x6);
        }
        assert_int_equal(mux_stream_count(h->mux), 100);
}

static void test_stream_without_credit_blocks_only_itself(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        uint8_t chunk[1000];
        size_t sent_slow = 0, sent_fast = 0;

        connect_pair(&h, &a);
        uint32_t slow = open_exec(h, 1000, "slow"), fast = open_exec(h, 1000, "fast");
        rec_find(h, fast)->auto_grant = true; /* the fast consumer drains at once */
        pump(h, a);
        memset(chunk, 'c', sizeof(chunk));
        for (int i = 0; i < 100; i++) {
                int r = mux_stream_send(a->mux, slow, 1, chunk, sizeof(chunk));
                if (r > 0)
                        sent_slow += (size_t) r;
                else
                        assert_int_equal(r, -EAGAIN);
                r = mux_stream_send(a->mux, fast, 1, chunk, sizeof(chunk));
                assert_int_equal(r, (int) sizeof(chunk));
                sent_fast += (size_t) r;
                pump(h, a);
        }
        assert_int_equal(sent_slow, 1000);
        assert_int_equal(rec_find(h, slow)->bytes, 1000);
        assert_int_equal(mux_stream_get_send_window(a->mux, slow), 0);
        assert_int_equal(sent_fast, 100000);
        assert_int_equal(rec_find(h, fast)->bytes, 100000);
        /* Credit unblocks the slow one and it is told so. */
        int w = a->writables;
        assert_int_equal(mux_stream_grant(h->mux, slow, 500), 0);
        pump(h, a);
        assert_int_equal(a->writables, w + 1);
        assert_int_equal(mux_stream_send(a->mux, slow, 1, chunk, sizeof(chunk)), 500);
}

static void test_send_splits_large_writes_and_honours_the_window(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        static uint8_t payload[FRAME_PAYLOAD_MAX];
        uint8_t *big = malloc(200000);
        FrameHeader hdr;
        size_t frames = 0, bytes = 0;

        assert_non_null(big);
        memset(big, 'z', 200000);
        connect_pair(&h, &a);
        a->accept_window = 150000;
        uint32_t id = open_exec(h, 10, "cat");
        pump(h, a);
        drain(h);
        assert_int_equal(mux_stream_send(h->mux, id, 0, big, 200000), 150000);
        assert_int_equal(mux_stream_send(h->mux, id, 0, big, 1), -EAGAIN);
        while (pop_frame(h, &hdr, payload)) {
                assert_int_equal(hdr.type, FRAME_DATA);
                assert_true(hdr.size <= FRAME_PAYLOAD_MAX);
                frames++;
                bytes += hdr.size - 1;
        }
        assert_int_equal(frames, 3);
        assert_int_equal(bytes, 150000);
        free(big);
}

static void test_grant_beyond_the_cap_is_refused(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;

        connect_pair(&h, &a);
        uint32_t id = open_exec(h, 1000, "x");
        pump(h, a);
        assert_int_equal(mux_stream_grant(h->mux, id, STREAM_WINDOW_MAX - 999), -EINVAL);
        assert_int_equal(mux_stream_grant(h->mux, id, STREAM_WINDOW_MAX - 1000), 0);
        assert_int_equal(mux_stream_grant(h->mux, id, 0), 0);
}

static void test_open_beyond_streams_max_is_rejected(void **state) {
        _cleanup_(peer_freep) Peer *h = NULL;
        _cleanup_(peer_freep) Peer *a = NULL;
        static uint8_t payload[FRAME_PAYLOAD_MAX];
        char *argv[] = { "x", NULL };
        FrameOpen req = { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1 };
        uint8_t b[64];
        FrameHeader hdr;
        FrameReject rej;
        uint32_t id;

        connect_pair(&h, &a);
        for (size_t i = 0; i < MUX_STREAMS_MAX; i++)
                (void) open_exec(h, 10, "x");
        assert_int_equal(mux_stream_open(h->mux, &req, NULL, &id), -EMFILE);
        pump(h, a);
        assert_int_equal(mux_stream_count(a->mux), MUX_STREAMS_MAX);
        /* A hostile host-side peer opening one more on the agent. */
        int n = frame_open_encode(&req, b, sizeof(b));
        assert_int_equal(feed_frame(a, FRAME_OPEN, 0x7ffffff0, b, (size_t) n), 0);
        assert_true(pop_frame(a, &hdr, payload));
        assert_int_equal(hdr.type, FRAME_REJECT);
        assert_int_equal(frame_reject_decode(payload, hdr.size, &rej), 0);
        assert_int_equal(rej.error, -EMFILE);
        assert_int_equal(mux_stream_count(a->mux), MUX_STREAMS_MAX);
}

static void test_ids_are_not_reused_while_closing(void **state) {
        _cleanup_(peer_freep) Peer *h = host_ready();

        uint32_t first = open_exec(h, 1, "x");
        assert_int_equal(mux_stream_close(h->mux, first, 0), 0);
        uint32_t second = open_exec(h, 1, "y");
        assert_true(second != first);
        assert_int_equal(mux_stream_count(h->mux), 2);
}

static void test_role_table_round_trips(void **state) {
        assert_int_equal(mux_role_from_string(mux_role_to_string(MUX_ROLE_HOST)), MUX_ROLE_HOST);
        assert_int_equal(mux_role_from_string(mux_role_to_string(MUX_ROLE_AGENT)), MUX_ROLE_AGENT);
        assert_null(mux_role_to_string(_MUX_ROLE_MAX));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_new_mux_queues_hello_first),
                cmocka_unit_test(test_two_muxes_complete_hello),
                cmocka_unit_test(test_capabilities_in_use_are_the_and_of_both),
                cmocka_unit_test(test_hello_with_other_major_breaks_channel),
                cmocka_unit_test(test_short_hello_breaks_channel),
                cmocka_unit_test(test_frames_before_hello_are_discarded),
                cmocka_unit_test(test_oversized_frame_breaks_channel),
                cmocka_unit_test(test_oversized_frame_split_across_feeds_breaks_channel),
                cmocka_unit_test(test_unknown_mandatory_type_breaks_channel),
                cmocka_unit_test(test_unknown_optional_type_is_skipped),
                cmocka_unit_test(test_control_frame_on_a_stream_breaks_channel),
                cmocka_unit_test(test_stream_frame_on_stream_zero_breaks_channel),
                cmocka_unit_test(test_ping_is_answered_with_the_same_payload),
                cmocka_unit_test(test_status_travels_from_agent_to_host),
                cmocka_unit_test(test_power_travels_from_host_to_agent),
                cmocka_unit_test(test_status_sent_to_agent_breaks_channel),
                cmocka_unit_test(test_power_sent_to_host_breaks_channel),
                cmocka_unit_test(test_partial_frames_fed_byte_by_byte_work),
                cmocka_unit_test(test_feed_from_a_callback_is_refused),
                cmocka_unit_test(test_reset_drops_streams_and_queues_hello),
                cmocka_unit_test(test_exec_stream_runs_its_whole_life),
                cmocka_unit_test(test_send_refuses_fds_not_ours),
                cmocka_unit_test(test_forward_stream_uses_fd_zero_both_ways),
                cmocka_unit_test(test_reject_reaches_the_opener_sanitised),
                cmocka_unit_test(test_open_before_hello_is_refused),
                cmocka_unit_test(
                                test_open_before_hello_when_configured_reaches_the_peer_after_our_hello),
                cmocka_unit_test(test_open_before_hello_is_only_for_exec_streams),
                cmocka_unit_test(test_open_before_hello_fails_when_the_peer_speaks_another_major),
                cmocka_unit_test(test_invalid_open_request_is_refused_locally),
                cmocka_unit_test(test_peer_open_without_on_open_is_rejected),
                cmocka_unit_test(test_guest_open_is_rejected_by_a_host_without_on_open),
                cmocka_unit_test(test_guest_forward_stream_round_trip),
                cmocka_unit_test(test_guest_open_needs_the_capability),
                cmocka_unit_test(test_guest_exec_open_is_refused),
                cmocka_unit_test(test_peer_open_with_id_in_the_wrong_half_is_rejected),
                cmocka_unit_test(test_malformed_open_is_rejected_without_an_entry),
                cmocka_unit_test(test_data_beyond_window_closes_only_that_stream),
                cmocka_unit_test(test_data_exactly_filling_the_window_is_accepted),
                cmocka_unit_test(test_credit_overflow_closes_only_that_stream),
                cmocka_unit_test(test_credit_up_to_the_cap_is_accepted),
                cmocka_unit_test(test_duplicate_open_closes_the_existing_stream),
                cmocka_unit_test(test_data_after_eof_closes_only_that_stream),
                cmocka_unit_test(test_second_eof_closes_only_that_stream),
                cmocka_unit_test(test_data_on_stdin_towards_the_opener_closes_only_that_stream),
                cmocka_unit_test(test_empty_data_closes_only_that_stream),
                cmocka_unit_test(test_signal_towards_the_opener_closes_only_that_stream),
                cmocka_unit_test(test_second_exit_closes_only_that_stream),
                cmocka_unit_test(test_data_after_exit_is_still_delivered),
                cmocka_unit_test(test_accept_on_an_open_stream_closes_only_that_stream),
                cmocka_unit_test(test_truncated_credit_closes_only_that_stream),
                cmocka_unit_test(test_frame_for_unknown_stream_is_answered_with_close),
                cmocka_unit_test(test_data_after_close_is_dropped),
                cmocka_unit_test(test_peer_close_is_answered_and_frees_the_id),
                cmocka_unit_test(test_frame_before_accept_closes_the_stream),
                cmocka_unit_test(test_hello_mid_session_fails_every_stream_and_restarts),
                cmocka_unit_test(test_restart_keeps_the_rest_of_a_partly_written_frame),
                cmocka_unit_test(test_closing_from_inside_on_data_is_safe),
                cmocka_unit_test(test_every_state_and_frame_pair_is_answered_as_documented),
                cmocka_unit_test(test_hundred_concurrent_streams_do_not_mix),
                cmocka_unit_test(test_stream_without_credit_blocks_only_itself),
                cmocka_unit_test(test_send_splits_large_writes_and_honours_the_window),
                cmocka_unit_test(test_grant_beyond_the_cap_is_refused),
                cmocka_unit_test(test_open_beyond_streams_max_is_rejected),
                cmocka_unit_test(test_ids_are_not_reused_while_closing),
                cmocka_unit_test(test_role_table_round_trips),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mux.c: channel state machine shared by host and agent: framing, HELLO, stream table, stream
 * states and credit flow control (docs/protocol.md §2–§6). Pure: no fds, clock or logging. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mux.h"
#include "string-table.h"

/* Power of two; chains stay short because the table holds at most MUX_STREAMS_MAX entries. */
#define MUX_HASH_BUCKETS 1024u
#define MUX_OUTPUT_INITIAL_SIZE 4096u

typedef enum StreamState {
        STREAM_OPENING, /* we sent OPEN */
        STREAM_PENDING, /* the peer sent OPEN, we have not answered */
        STREAM_OPEN,
        STREAM_CLOSING, /* we sent CLOSE or REJECT, waiting for the peer's terminal frame */
} StreamState;

typedef struct Stream {
        uint32_t id;
        StreamState state;
        StreamKind kind;
        bool opener; /* we sent the OPEN */
        bool eof_sent[STREAM_FDS_MAX];
        bool eof_received[STREAM_FDS_MAX];
        bool exit_sent, exit_received;
        uint32_t send_window; /* data bytes we may still send */
        uint32_t recv_window; /* data bytes the peer may still send us */
        void *userdata;
        struct Stream *next; /* hash chain */
} Stream;

struct Mux {
        MuxConfig config;
        bool hello_received;
        bool broken;
        bool in_feed;
        int broken_error;
        uint64_t capabilities; /* in use: ours AND the peer's */
        uint32_t next_id;

        Stream *buckets[MUX_HASH_BUCKETS];
        size_t n_streams;

        uint8_t *in; /* one partial frame, FRAME_SIZE_MAX bytes */
        size_t in_len;

        uint8_t *out;
        size_t out_start, out_end, out_alloc;
        size_t out_head_left; /* bytes of the frame at out_start not yet consumed; 0 = boundary */

        char reason[160];
};

static const char *const mux_role_table[_MUX_ROLE_MAX] = {
        [MUX_ROLE_HOST] = "host",
        [MUX_ROLE_AGENT] = "agent",
};
DEFINE_STRING_TABLE_LOOKUP(mux_role, MuxRole, _MUX_ROLE_MAX);

/* ---- output queue ---- */

/* Makes room for n more bytes at out_end; returns where they go. */
static uint8_t *out_reserve(Mux *m, size_t n) {
        if (m->out_alloc - m->out_end < n && m->out_start > 0) {
                memmove(m->out, m->out + m->out_start, m->out_end - m->out_start);
                m->out_end -= m->out_start;
                m->out_start = 0;
        }
        if (m->out_alloc - m->out_end < n) {
                size_t a = MAX(m->out_alloc, (size_t) MUX_OUTPUT_INITIAL_SIZE);
                while (a - m->out_end < n)
                        a *= 2;
                uint8_t *p = realloc(m->out, a);
                if (!p)
                        return NULL;
                m->out = p;
                m->out_alloc = a;
        }
        uint8_t *p = m->out + m->out_end;
        m->out_end += n;
        return p;
}

/* Queues a frame header and returns the place for its payload of len bytes. */
static int queue_frame(Mux *m, uint16_t type, uint32_t id, size_t len, uint8_t **ret_payload) {
        uint8_t *p = out_reserve(m, FRAME_HEADER_SIZE + len);
        if (!p)
                return -ENOMEM;
        frame_header_encode(
                        &(FrameHeader){ .size = (uint32_t) len, .type = type, .stream_id = id }, p);
        *ret_payload = p + FRAME_HEADER_SIZE;
        return 0;
}

static int queue_bytes(Mux *m, uint16_t type, uint32_t id, const uint8_t *payload, size_t len) {
        uint8_t *p;
        int r = queue_frame(m, type, id, len, &p);
        if (r < 0)
                return r;
        if (len > 0)
                memcpy(p, payload, len);
        return 0;
}

static int queue_u32(Mux *m, uint16_t type, uint32_t id, uint32_t v) {
        uint8_t b[4] = { (uint8_t) v, (uint8_t) (v >> 8), (uint8_t) (v >> 16),
                (uint8_t) (v >> 24) };
        return queue_bytes(m, type, id, b, sizeof(b));
}

static int queue_close(Mux *m, uint32_t id, int error) {
        return queue_u32(m, FRAME_CLOSE, id, (uint32_t) error);
}

static int queue_reject(Mux *m, uint32_t id, int error, const char *message) {
        uint8_t b[FRAME_REJECT_FIXED_SIZE + FRAME_REJECT_MESSAGE_MAX];
        int n = frame_reject_encode(error, message, b, sizeof(b));
        if (n < 0)
                return n;
        return queue_bytes(m, FRAME_REJECT, id, b, (size_t) n);
}

static int queue_hello(Mux *m) {
        uint8_t b[FRAME_HELLO_SIZE];
        (void) frame_hello_encode(&(FrameHello){ .version_major = PROTOCOL_VERSION_MAJOR,
                                                  .version_minor = PROTOCOL_VERSION_MINOR,
                                                  .capabilities = m->config.capabilities },
                        b, sizeof(b));
        return queue_bytes(m, FRAME_HELLO, STREAM_ID_CONTROL, b, sizeof(b));
}

void mux_peek_output(Mux *m, const uint8_t **ret_data, size_t *ret_len) {
        *ret_data = m->out ? m->out + m->out_start : NULL;
        *ret_len = m->out_end - m->out_start;
}

void mux_consume_output(Mux *m, size_t n) {
        n = MIN(n, m->out_end - m->out_start);
        while (n > 0) {
                if (m->out_head_left == 0) {
                        /* At a frame boundary of our own well-formed output. */
                        const uint8_t *h = m->out + m->out_start;
                        size_t size = (size_t) h[0] | (size_t) h[1] << 8 | (size_t) h[2] << 16 |
                                      (size_t) h[3] << 24;
                        m->out_head_left = FRAME_HEADER_SIZE + size;
                }
                size_t k = MIN(n, m->out_head_left);
                m->out_head_left -= k;
                m->out_start += k;
                n -= k;
        }
        if (m->out_start == m->out_end)
                m->out_start = m->out_end = 0;
}

size_t mux_output_size(const Mux *m) {
        return m->out_end - m->out_start;
}

/* Drops queued output that the transport has not started on, keeping the rest of a frame it
 * is in the middle of so the byte stream stays framed. */
static void out_drop_unsent(Mux *m) {
        m->out_end = m->out_start + m->out_head_left;
        if (m->out_start == m->out_end)
                m->out_start = m->out_end = m->out_head_left = 0;
}

/* ---- stream table ---- */

static size_t bucket_of(uint32_t id) {
        return (size_t) ((id * 2654435761u) >> 22) & (MUX_HASH_BUCKETS - 1);
}

static Stream *stream_find(const Mux *m, uint32_t id) {
        for (Stream *s = m->buckets[bucket_of(id)]; s; s = s->next)
                if (s->id == id)
                        return s;
        return NULL;
}

static Stream *stream_add(Mux *m, uint32_t id) {
        Stream *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->id = id;
        size_t b = bucket_of(id);
        s->next = m->buckets[b];
        m->buckets[b] = s;
        m->n_streams++;
        return s;
}

static void stream_unlink(Mux *m, Stream *s) {
        for (Stream **p = &m->buckets[bucket_of(s->id)]; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        m->n_streams--;
                        return;
                }
}

static void stream_remove(Mux *m, Stream *s) {
        stream_unlink(m, s);
        free(s);
}

/* Ends every stream; those not already closing are reported with error. The caller has made
 * sure no new stream can be added from the callbacks (not ready, or broken). */
static void streams_drop_all(Mux *m, int error, const char *reason) {
        for (size_t b = 0; b < MUX_HASH_BUCKETS; b++)
                while (m->buckets[b]) {
                        Stream *s = m->buckets[b];
                        bool report = s->state != STREAM_CLOSING;
                        uint32_t id = s->id;
                        void *ud = s->userdata;

                        stream_remove(m, s);
                        if (report && m->config.callbacks.on_close)
                                m->config.callbacks.on_close(m, id, ud, error, reason);
                }
}

/* ---- lifecycle ---- */

int mux_new(const MuxConfig *config, Mux **ret) {
        _cleanup_(mux_freep) Mux *m = NULL;
        int r;

        if (!config || !ret || config->role < 0 || config->role >= _MUX_ROLE_MAX)
                return -EINVAL;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->config = *config;
        m->next_id = config->role == MUX_ROLE_HOST ? 1 : STREAM_ID_GUEST_BIT;
        m->in = malloc(FRAME_SIZE_MAX);
        if (!m->in)
                return -ENOMEM;
        r = queue_hello(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

Mux *mux_free(Mux *m) {
        if (!m)
                return NULL;
        for (size_t b = 0; b < MUX_HASH_BUCKETS; b++)
                while (m->buckets[b])
                        stream_remove(m, m->buckets[b]);
        free(m->in);
        free(m->out);
        free(m);
        return NULL;
}

int mux_reset(Mux *m) {
        if (m->in_feed)
                return -EBUSY;
        m->hello_received = false;
        m->capabilities = 0;
        streams_drop_all(m, -ECONNRESET, "channel reset");
        m->broken = false;
        m->broken_error = 0;
        m->in_len = 0;
        m->out_start = m->out_end = m->out_head_left = 0;
        return queue_hello(m);
}

bool mux_is_ready(const Mux *m) {
        return m->hello_received && !m->broken;
}

bool mux_is_broken(const Mux *m) {
        return m->broken;
}

uint64_t mux_get_capabilities(const Mux *m) {
        return m->capabilities;
}

void *mux_get_userdata(const Mux *m) {
        return m->config.userdata;
}

size_t mux_stream_count(const Mux *m) {
        return m->n_streams;
}

/* ---- receiving ---- */

static int channel_fail(Mux *m, int error, const char *reason) {
        m->broken = true;
        m->broken_error = error;
        m->hello_received = false;
        streams_drop_all(m, error, reason);
        if (m->config.callbacks.on_channel_error)
                m->config.callbacks.on_channel_error(m, error, reason, m->config.userdata);
        return error;
}

/* A protocol violation on one stream: tell the owner, send CLOSE(-EPROTO), wait for the peer's
 * CLOSE. A failure to queue is a channel failure (out of memory). */
static int stream_fail(Mux *m, Stream *s, const char *reason) {
        int r = queue_close(m, s->id, -EPROTO);
        if (r < 0)
                return channel_fail(m, r, "out of memory");
        s->state = STREAM_CLOSING;
        if (m->config.callbacks.on_close)
                m->config.callbacks.on_close(m, s->id, s->userdata, -EPROTO, reason);
        return 0;
}

/* The peer's terminal frame while we have not sent ours: answer CLOSE(0), forget the stream,
 * then tell the owner (the id is already invalid, so nothing it does can touch the entry). */
static int stream_finish_by_peer(Mux *m, Stream *s, int error, const char *reason) {
        uint32_t id = s->id;
        void *ud = s->userdata;
        int r = queue_close(m, id, 0);
        if (r < 0)
                return channel_fail(m, r, "out of memory");
        stream_remove(m, s);
        if (m->config.callbacks.on_close)
                m->config.callbacks.on_close(m, id, ud, error, reason);
        return 0;
}

static bool fd_is_valid(const Stream *s, uint8_t fd, bool from_opener) {
        if (fd >= STREAM_FDS_MAX)
                return false;
        if (s->kind == STREAM_KIND_FORWARD)
                return fd == STREAM_FD_STDIN;
        return from_opener ? fd == STREAM_FD_STDIN : fd != STREAM_FD_STDIN;
}

static bool id_is_peers(const Mux *m, uint32_t id) {
        bool guest = id & STREAM_ID_GUEST_BIT;
        return m->config.role == MUX_ROLE_HOST ? guest : !guest;
}

static int handle_hello(Mux *m, const uint8_t *untrusted_payload, size_t untrusted_len) {
        FrameHello hello;
        int r;

        r = frame_hello_decode(untrusted_payload, untrusted_len, &hello);
        if (r < 0)
                return channel_fail(m, -EBADMSG, "short HELLO");
        if (hello.version_major != PROTOCOL_VERSION_MAJOR) {
                (void) snprintf(m->reason, sizeof(m->reason),
                                "peer speaks protocol %u.%u, we speak %u.%u", hello.version_major,
                                hello.version_minor, PROTOCOL_VERSION_MAJOR,
                                PROTOCOL_VERSION_MINOR);
                return channel_fail(m, -EPROTONOSUPPORT, m->reason);
        }
        if (m->hello_received) {
                /* The peer restarted: the old session is gone on its side. */
                m->hello_received = false;
                m->capabilities = 0;
                streams_drop_all(m, -ECONNRESET, "peer restarted");
                out_drop_unsent(m);
                r = queue_hello(m);
                if (r < 0)
                        return channel_fail(m, r, "out of memory");
        }
        m->hello_received = true;
        m->capabilities = hello.capabilities & m->config.capabilities;
        if (m->config.callbacks.on_hello)
                m->config.callbacks.on_hello(m, &hello, m->config.userdata);
        return 0;
}

static int handle_control(
                Mux *m, uint16_t type, const uint8_t *untrusted_payload, size_t untrusted_len) {
        const MuxCallbacks *cb = &m->config.callbacks;
        FrameStatus status;
        PowerAction action;
        int r;

        switch (type) {
        case FRAME_PING:
                r = queue_bytes(m, FRAME_PONG, STREAM_ID_CONTROL, untrusted_payload, untrusted_len);
                if (r < 0)
                        return channel_fail(m, r, "out of memory");
                if (cb->on_ping)
                        cb->on_ping(m, untrusted_payload, untrusted_len, m->config.userdata);
                return 0;
        case FRAME_PONG:
                if (cb->on_pong)
                        cb->on_pong(m, untrusted_payload, untrusted_len, m->config.userdata);
                return 0;
        case FRAME_STATUS:
                if (m->config.role != MUX_ROLE_HOST)
                        return channel_fail(m, -EPROTO, "STATUS sent to the agent");
                if (frame_status_decode(untrusted_payload, untrusted_len, &status) < 0)
                        return channel_fail(m, -EBADMSG, "short STATUS");
                if (cb->on_status)
                        cb->on_status(m, &status, m->config.userdata);
                return 0;
        case FRAME_POWER:
                if (m->config.role != MUX_ROLE_AGENT)
                        return channel_fail(m, -EPROTO, "POWER sent to the host");
                if (frame_power_decode(untrusted_payload, untrusted_len, &action) < 0)
                        return channel_fail(m, -EBADMSG, "invalid POWER");
                if (cb->on_power)
                        cb->on_power(m, action, m->config.userdata);
                return 0;
        default:
                return channel_fail(m, -EPROTO, "unexpected control frame");
        }
}

/* Guest-opened streams exist only with PROTOCOL_CAP_GUEST_FORWARD in use, and are FORWARD
 * streams: a guest never runs programs on the host. Checked on both ends. */
static bool open_by_guest_is_allowed(const Mux *m, StreamKind kind) {
        return (m->capabilities & PROTOCOL_CAP_GUEST_FORWARD) && kind == STREAM_KIND_FORWARD;
}

/* OPEN for an id not in the table. Refusals here create no entry: the peer's CLOSE that answers
 * the REJECT finds no entry and is ignored. */
static int handle_open(
                Mux *m, uint32_t id, const uint8_t *untrusted_payload, size_t untrusted_len) {
        _cleanup_(frame_open_finish) FrameOpen req = {};
        int r;

        if (!id_is_peers(m, id))
                r = queue_reject(m, id, -EPROTO, "stream id not in the opener's range");
        else if (m->n_streams >= MUX_STREAMS_MAX)
                r = queue_reject(m, id, -EMFILE, "too many streams");
        else if ((r = frame_open_decode(untrusted_payload, untrusted_len, &req)) < 0)
                r = queue_reject(m, id, r, "malformed OPEN");
        else if (m->config.role == MUX_ROLE_HOST && !open_by_guest_is_allowed(m, req.kind))
                r = queue_reject(m, id, -EOPNOTSUPP,
                                "guest may open only negotiated FORWARD streams");
        else if (!m->config.callbacks.on_open)
                r = queue_reject(m, id, -EOPNOTSUPP, "no streams accepted");
        else {
                Stream *s = stream_add(m, id);
                if (!s)
                        return channel_fail(m, -ENOMEM, "out of memory");
                s->state = STREAM_PENDING;
                s->kind = req.kind;
                s->send_window = req.window;
                m->config.callbacks.on_open(m, id, &req, m->config.userdata);
                return 0;
        }
        if (r < 0)
                return channel_fail(m, r, "out of memory");
        return 0;
}

static int handle_data(Mux *m, Stream *s, const uint8_t *untrusted_payload, size_t untrusted_len) {
        FrameData d;

        if (frame_data_decode(untrusted_payload, untrusted_len, &d) < 0)
                return stream_fail(m, s, "malformed DATA");
        if (!fd_is_valid(s, d.fd, !s->opener))
                return stream_fail(m, s, "DATA on an fd not valid in this direction");
        if (s->eof_received[d.fd])
                return stream_fail(m, s, "DATA after EOF");
        if (d.len > s->recv_window)
                return stream_fail(m, s, "DATA beyond the receive window");
        s->recv_window -= (uint32_t) d.len;
        if (m->config.callbacks.on_data)
                m->config.callbacks.on_data(m, s->id, s->userdata, d.fd, d.data, d.len);
        return 0;
}

static int handle_eof(Mux *m, Stream *s, const uint8_t *untrusted_payload, size_t untrusted_len) {
        uint8_t fd;

        if (frame_eof_decode(untrusted_payload, untrusted_len, &fd) < 0)
                return stream_fail(m, s, "malformed EOF");
        if (!fd_is_valid(s, fd, !s->opener))
                return stream_fail(m, s, "EOF on an fd not valid in this direction");
        if (s->eof_received[fd])
                return stream_fail(m, s, "EOF after EOF");
        s->eof_received[fd] = true;
        if (m->config.callbacks.on_eof)
                m->config.callbacks.on_eof(m, s->id, s->userdata, fd);
        return 0;
}

static int handle_credit(
                Mux *m, Stream *s, const uint8_t *untrusted_payload, size_t untrusted_len) {
        uint32_t inc;

        if (frame_credit_decode(untrusted_payload, untrusted_len, &inc) < 0)
                return stream_fail(m, s, "malformed CREDIT");
        if (inc > STREAM_WINDOW_MAX - s->send_window)
                return stream_fail(m, s, "CREDIT overflows the window");
        if (inc == 0)
                return 0;
        s->send_window += inc;
        if (m->config.callbacks.on_writable)
                m->config.callbacks.on_writable(m, s->id, s->userdata, s->send_window);
        return 0;
}

static int handle_signal(
                Mux *m, Stream *s, const uint8_t *untrusted_payload, size_t untrusted_len) {
        uint32_t signo;

        if (s->opener || s->kind != STREAM_KIND_EXEC)
                return stream_fail(m, s, "SIGNAL not valid on this stream");
        if (frame_signal_decode(untrusted_payload, untrusted_len, &signo) < 0)
                return stream_fail(m, s, "malformed SIGNAL");
        if (m->config.callbacks.on_signal)
                m->config.callbacks.on_signal(m, s->id, s->userdata, signo);
        return 0;
}

static int handle_resize(
                Mux *m, Stream *s, const uint8_t *untrusted_payload, size_t untrusted_len) {
        uint16_t rows, cols;

        if (s->opener || s->kind != STREAM_KIND_EXEC)
                return stream_fail(m, s, "RESIZE not valid on this stream");
        if (frame_resize_decode(untrusted_payload, untrusted_len, &rows, &cols) < 0)
                return stream_fail(m, s, "malformed RESIZE");
        if (m->config.callbacks.on_resize)
                m->config.callbacks.on_resize(m, s->id, s->userdata, rows, cols);
        return 0;
}

static int handle_exit(Mux *m, Stream *s, const uint8_t *untrusted_payload, size_t untrusted_len) {
        FrameExit e;

        if (!s->opener || s->kind != STREAM_KIND_EXEC)
                return stream_fail(m, s, "EXIT not valid on this stream");
        if (s->exit_received)
                return stream_fail(m, s, "second EXIT");
        if (frame_exit_decode(untrusted_payload, untrusted_len, &e) < 0)
                return stream_fail(m, s, "malformed EXIT");
        s->exit_received = true;
        if (m->config.callbacks.on_exit)
                m->config.callbacks.on_exit(m, s->id, s->userdata, &e);
        return 0;
}

static int handle_close(Mux *m, Stream *s, const uint8_t *untrusted_payload, size_t untrusted_len) {
        int32_t error;

        if (frame_close_decode(untrusted_payload, untrusted_len, &error) < 0)
                error = -EPROTO; /* a short CLOSE still ends the stream */
        return stream_finish_by_peer(m, s, error, error == 0 ? "closed by peer" : "failed on peer");
}

static int handle_opening(Mux *m, Stream *s, uint16_t type, const uint8_t *untrusted_payload,
                size_t untrusted_len) {
        FrameReject rej;
        uint32_t window;

        switch (type) {
        case FRAME_ACCEPT:
                if (frame_accept_decode(untrusted_payload, untrusted_len, &window) < 0)
                        return stream_fail(m, s, "malformed ACCEPT");
                s->state = STREAM_OPEN;
                s->send_window = window;
                if (m->config.callbacks.on_accept)
                        m->config.callbacks.on_accept(m, s->id, s->userdata);
                return 0;
        case FRAME_REJECT:
                if (frame_reject_decode(untrusted_payload, untrusted_len, &rej) < 0)
                        return stream_finish_by_peer(m, s, -EPROTO, "malformed REJECT");
                return stream_finish_by_peer(m, s, rej.error, rej.message);
        default:
                return stream_fail(m, s, "frame before ACCEPT");
        }
}

static int handle_open_state(Mux *m, Stream *s, uint16_t type, const uint8_t *untrusted_payload,
                size_t untrusted_len) {
        switch (type) {
        case FRAME_DATA:
                return handle_data(m, s, untrusted_payload, untrusted_len);
        case FRAME_EOF:
                return handle_eof(m, s, untrusted_payload, untrusted_len);
        case FRAME_CREDIT:
                return handle_credit(m, s, untrusted_payload, untrusted_len);
        case FRAME_SIGNAL:
                return handle_signal(m, s, untrusted_payload, untrusted_len);
        case FRAME_RESIZE:
                return handle_resize(m, s, untrusted_payload, untrusted_len);
        case FRAME_EXIT:
                return handle_exit(m, s, untrusted_payload, untrusted_len);
        case FRAME_OPEN:
                return stream_fail(m, s, "OPEN for an id already open");
        default:
                return stream_fail(m, s, "ACCEPT or REJECT on an open stream");
        }
}

static int handle_stream_frame(Mux *m, uint16_t type, uint32_t id, const uint8_t *untrusted_payload,
                size_t untrusted_len) {
        Stream *s = stream_find(m, id);
        int r;

        if (!s) {
                if (type == FRAME_OPEN)
                        return handle_open(m, id, untrusted_payload, untrusted_len);
                if (IN_SET(type, FRAME_CLOSE, FRAME_REJECT))
                        return 0; /* terminal frames are never answered: no error ping-pong */
                r = queue_close(m, id, -EPROTO);
                return r < 0 ? channel_fail(m, r, "out of memory") : 0;
        }

        if (s->state == STREAM_CLOSING) {
                /* Frames the peer sent before it saw our CLOSE are dropped. */
                if (IN_SET(type, FRAME_CLOSE, FRAME_REJECT))
                        stream_remove(m, s);
                return 0;
        }
        if (type == FRAME_CLOSE)
                return handle_close(m, s, untrusted_payload, untrusted_len);

        switch (s->state) {
        case STREAM_OPENING:
                return handle_opening(m, s, type, untrusted_payload, untrusted_len);
        case STREAM_PENDING:
                return stream_fail(m, s,
                                type == FRAME_OPEN ? "OPEN for an id already open"
                                                   : "frame before the stream was accepted");
        default:
                return handle_open_state(m, s, type, untrusted_payload, untrusted_len);
        }
}

static int handle_frame(Mux *m, const FrameHeader *h, const uint8_t *untrusted_payload) {
        if (!frame_type_is_known(h->type))
                return 0; /* optional and unknown (frame_header_decode() refused the rest) */
        if (frame_type_is_control(h->type) != (h->stream_id == STREAM_ID_CONTROL)) {
                (void) snprintf(m->reason, sizeof(m->reason), "%s on stream %u",
                                frame_type_to_string(h->type), h->stream_id);
                return channel_fail(m, -EPROTO, m->reason);
        }
        if (h->type == FRAME_HELLO)
                return handle_hello(m, untrusted_payload, h->size);
        if (!m->hello_received)
                return 0; /* left over from an earlier session */
        if (frame_type_is_control(h->type))
                return handle_control(m, h->type, untrusted_payload, h->size);
        return handle_stream_frame(m, h->type, h->stream_id, untrusted_payload, h->size);
}

static int decode_header(Mux *m, const uint8_t *untrusted_buf, FrameHeader *ret) {
        if (frame_header_decode(untrusted_buf, FRAME_HEADER_SIZE, ret) < 0)
                return channel_fail(m, -EBADMSG, "malformed frame header");
        return 0;
}

/* Completes the buffered partial frame from data; returns the bytes used. */
static int feed_buffered(Mux *m, const uint8_t *untrusted_data, size_t len, size_t *ret_used) {
        FrameHeader h;
        size_t used = 0, k;
        int r;

        if (m->in_len < FRAME_HEADER_SIZE) {
                k = MIN(FRAME_HEADER_SIZE - m->in_len, len);
                memcpy(m->in + m->in_len, untrusted_data, k);
                m->in_len += k;
                used += k;
                if (m->in_len < FRAME_HEADER_SIZE) {
                        *ret_used = used;
                        return 0;
                }
        }
        r = decode_header(m, m->in, &h);
        if (r < 0)
                return r;
        k = MIN(FRAME_HEADER_SIZE + h.size - m->in_len, len - used);
        memcpy(m->in + m->in_len, untrusted_data + used, k);
        m->in_len += k;
        used += k;
        *ret_used = used;
        if (m->in_len < FRAME_HEADER_SIZE + h.size)
                return 0;
        m->in_len = 0;
        return handle_frame(m, &h, m->in + FRAME_HEADER_SIZE);
}

static int feed_impl(Mux *m, const uint8_t *untrusted_data, size_t len) {
        FrameHeader h;
        size_t used;
        int r;

        while (len > 0 && !m->broken) {
                if (m->in_len > 0 || len < FRAME_HEADER_SIZE) {
                        r = feed_buffered(m, untrusted_data, len, &used);
                        if (r < 0)
                                return r;
                        untrusted_data += used;
                        len -= used;
                        continue;
                }
                r = decode_header(m, untrusted_data, &h);
                if (r < 0)
                        return r;
                if (len < FRAME_HEADER_SIZE + h.size) {
                        memcpy(m->in, untrusted_data, len); /* partial frame: keep for later */
                        m->in_len = len;
                        return 0;
                }
                r = handle_frame(m, &h, untrusted_data + FRAME_HEADER_SIZE);
                if (r < 0)
                        return r;
                untrusted_data += FRAME_HEADER_SIZE + h.size;
                len -= FRAME_HEADER_SIZE + h.size;
        }
        return m->broken ? m->broken_error : 0;
}

int mux_feed(Mux *m, const uint8_t *untrusted_data, size_t len) {
        int r;

        if (m->in_feed)
                return -EBUSY;
        if (m->broken)
                return -ENOTCONN;
        m->in_feed = true;
        r = feed_impl(m, untrusted_data, len);
        m->in_feed = false;
        return r;
}

/* ---- sending ---- */

int mux_send_ping(Mux *m, const uint8_t *payload, size_t len) {
        if (!mux_is_ready(m))
                return -ENOTCONN;
        if (len > FRAME_PAYLOAD_MAX || (len > 0 && !payload))
                return -EINVAL;
        return queue_bytes(m, FRAME_PING, STREAM_ID_CONTROL, payload, len);
}

int mux_send_status(Mux *m, const FrameStatus *status) {
        uint8_t b[FRAME_STATUS_SIZE];

        if (m->config.role != MUX_ROLE_AGENT)
                return -EPERM;
        if (!mux_is_ready(m))
                return -ENOTCONN;
        (void) frame_status_encode(status, b, sizeof(b));
        return queue_bytes(m, FRAME_STATUS, STREAM_ID_CONTROL, b, sizeof(b));
}

int mux_send_power(Mux *m, PowerAction action) {
        uint8_t b[FRAME_POWER_SIZE];
        int r;

        if (m->config.role != MUX_ROLE_HOST)
                return -EPERM;
        if (!mux_is_ready(m))
                return -ENOTCONN;
        r = frame_power_encode(action, b, sizeof(b));
        if (r < 0)
                return r;
        return queue_bytes(m, FRAME_POWER, STREAM_ID_CONTROL, b, sizeof(b));
}

static uint32_t id_next(const Mux *m, uint32_t id) {
        if (m->config.role == MUX_ROLE_HOST)
                return id >= STREAM_ID_GUEST_BIT - 1 ? 1 : id + 1;
        return id == UINT32_MAX ? STREAM_ID_GUEST_BIT : id + 1;
}

/* MuxConfig.open_before_hello: only what needs no capability, which the peer's HELLO would
 * have to grant. */
static bool mux_may_open_before_hello(const Mux *m, StreamKind kind) {
        return m->config.open_before_hello && m->config.role == MUX_ROLE_HOST && !m->broken &&
               kind == STREAM_KIND_EXEC;
}

int mux_stream_open(Mux *m, const FrameOpen *req, void *stream_userdata, uint32_t *ret_id) {
        uint8_t *p;
        uint32_t id;
        int n, r;

        if (!mux_is_ready(m) && !mux_may_open_before_hello(m, req->kind))
                return -ENOTCONN;
        if (m->config.role == MUX_ROLE_AGENT && !open_by_guest_is_allowed(m, req->kind))
                return -EOPNOTSUPP;
        n = frame_open_encode(req, NULL, 0);
        if (n < 0)
                return n;
        if (m->n_streams >= MUX_STREAMS_MAX)
                return -EMFILE;
        /* At most MUX_STREAMS_MAX ids are taken, so this ends within that many steps. */
        for (id = m->next_id; stream_find(m, id); id = id_next(m, id))
                ;
        r = queue_frame(m, FRAME_OPEN, id, (size_t) n, &p);
        if (r < 0)
                return r;
        (void) frame_open_encode(req, p, (size_t) n);
        Stream *s = stream_add(m, id);
        if (!s) {
                m->out_end -= FRAME_HEADER_SIZE + (size_t) n;
                return -ENOMEM;
        }
        s->state = STREAM_OPENING;
        s->kind = req->kind;
        s->opener = true;
        s->recv_window = req->window;
        s->userdata = stream_userdata;
        m->next_id = id_next(m, id);
        if (ret_id)
                *ret_id = id;
        return 0;
}

/* Finds a stream the owner may still act on: -ENOENT unknown, -EPIPE closing. */
static int stream_get_active(const Mux *m, uint32_t id, Stream **ret) {
        Stream *s = stream_find(m, id);
        if (!s)
                return -ENOENT;
        if (s->state == STREAM_CLOSING)
                return -EPIPE;
        *ret = s;
        return 0;
}

int mux_stream_accept(Mux *m, uint32_t id, uint32_t window, void *stream_userdata) {
        Stream *s;
        int r;

        r = stream_get_active(m, id, &s);
        if (r < 0)
                return r;
        if (s->state != STREAM_PENDING)
                return -EBUSY;
        if (window > STREAM_WINDOW_MAX)
                return -EINVAL;
        r = queue_u32(m, FRAME_ACCEPT, id, window);
        if (r < 0)
                return r;
        s->state = STREAM_OPEN;
        s->recv_window = window;
        s->userdata = stream_userdata;
        return 0;
}

int mux_stream_reject(Mux *m, uint32_t id, int error, const char *message) {
        Stream *s;
        int r;

        r = stream_get_active(m, id, &s);
        if (r < 0)
                return r;
        if (s->state != STREAM_PENDING)
                return -EBUSY;
        if (error >= 0 || error < -FRAME_ERRNO_MAX)
                return -EINVAL;
        r = queue_reject(m, id, error, message);
        if (r < 0)
                return r;
        s->state = STREAM_CLOSING;
        return 0;
}

int mux_stream_set_userdata(Mux *m, uint32_t id, void *stream_userdata) {
        Stream *s = stream_find(m, id);
        if (!s)
                return -ENOENT;
        s->userdata = stream_userdata;
        return 0;
}

void *mux_stream_get_userdata(const Mux *m, uint32_t id) {
        Stream *s = stream_find(m, id);
        return s ? s->userdata : NULL;
}

/* Finds an accepted stream the owner may send on. */
static int stream_get_open(const Mux *m, uint32_t id, Stream **ret) {
        Stream *s;
        int r = stream_get_active(m, id, &s);
        if (r < 0)
                return r;
        if (s->state != STREAM_OPEN)
                return -ENOTCONN;
        *ret = s;
        return 0;
}

/* The open exec stream id, when this side may send the frame: opener says which side that is
 * (SIGNAL and RESIZE go from the opener, EXIT to it). */
static int stream_get_open_exec(const Mux *m, uint32_t id, bool opener, Stream **ret) {
        Stream *s;
        int r = stream_get_open(m, id, &s);
        if (r < 0)
                return r;
        if (s->opener != opener || s->kind != STREAM_KIND_EXEC)
                return -EBADF;
        *ret = s;
        return 0;
}

int mux_stream_send(Mux *m, uint32_t id, uint8_t fd, const uint8_t *data, size_t len) {
        Stream *s;
        size_t total, off;
        int r;

        r = stream_get_open(m, id, &s);
        if (r < 0)
                return r;
        if (!fd_is_valid(s, fd, s->opener))
                return -EBADF;
        if (s->eof_sent[fd])
                return -EPIPE;
        if (len == 0)
                return 0;
        if (s->send_window == 0)
                return -EAGAIN;
        total = MIN(len, (size_t) s->send_window);
        for (off = 0; off < total;) {
                size_t k = MIN(total - off, (size_t) FRAME_DATA_MAX);
                uint8_t *p;

                r = queue_frame(m, FRAME_DATA, id, 1 + k, &p);
                if (r < 0)
                        break;
                p[0] = fd;
                memcpy(p + 1, data + off, k);
                off += k;
        }
        if (off == 0)
                return -ENOMEM;
        s->send_window -= (uint32_t) off;
        return (int) off;
}

size_t mux_stream_get_send_window(const Mux *m, uint32_t id) {
        Stream *s = stream_find(m, id);
        return s && s->state == STREAM_OPEN ? s->send_window : 0;
}

int mux_stream_grant(Mux *m, uint32_t id, uint32_t increment) {
        Stream *s;
        int r;

        r = stream_get_open(m, id, &s);
        if (r < 0)
                return r;
        if (increment > STREAM_WINDOW_MAX - s->recv_window)
                return -EINVAL;
        if (increment == 0)
                return 0;
        r = queue_u32(m, FRAME_CREDIT, id, increment);
        if (r < 0)
                return r;
        s->recv_window += increment;
        return 0;
}

int mux_stream_send_eof(Mux *m, uint32_t id, uint8_t fd) {
        Stream *s;
        int r;

        r = stream_get_open(m, id, &s);
        if (r < 0)
                return r;
        if (!fd_is_valid(s, fd, s->opener))
                return -EBADF;
        if (s->eof_sent[fd])
                return -EPIPE;
        r = queue_bytes(m, FRAME_EOF, id, &fd, 1);
        if (r < 0)
                return r;
        s->eof_sent[fd] = true;
        return 0;
}

int mux_stream_send_signal(Mux *m, uint32_t id, uint32_t signo) {
        Stream *s;
        int r;

        r = stream_get_open_exec(m, id, true, &s);
        if (r < 0)
                return r;
        if (signo < 1 || signo > SIGNAL_NUMBER_MAX)
                return -EINVAL;
        return queue_u32(m, FRAME_SIGNAL, id, signo);
}

int mux_stream_send_resize(Mux *m, uint32_t id, uint16_t rows, uint16_t cols) {
        Stream *s;
        int r;

        r = stream_get_open_exec(m, id, true, &s);
        if (r < 0)
                return r;
        return queue_u32(m, FRAME_RESIZE, id, (uint32_t) rows | (uint32_t) cols << 16);
}

int mux_stream_send_exit(Mux *m, uint32_t id, const FrameExit *exit) {
        uint8_t b[FRAME_EXIT_SIZE];
        Stream *s;
        int r;

        r = stream_get_open_exec(m, id, false, &s);
        if (r < 0)
                return r;
        if (s->exit_sent)
                return -EALREADY;
        r = frame_exit_encode(exit, b, sizeof(b));
        if (r < 0)
                return r;
        r = queue_bytes(m, FRAME_EXIT, id, b, sizeof(b));
        if (r < 0)
                return r;
        s->exit_sent = true;
        return 0;
}

int mux_stream_close(Mux *m, uint32_t id, int error) {
        Stream *s;
        int r;

        r = stream_get_active(m, id, &s);
        if (r < 0)
                return r;
        if (error > 0 || error < -FRAME_ERRNO_MAX)
                return -EINVAL;
        r = queue_close(m, id, error);
        if (r < 0)
                return r;
        s->state = STREAM_CLOSING;
        return 0;
}

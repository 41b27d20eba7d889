/* contract: v1 */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mux.h: the channel state machine shared by the host daemon and the guest agent: framing,
 * HELLO negotiation, stream table, per-stream state and credit flow control. Pure: no fds, no
 * clock, no logging. The I/O layer feeds received bytes in with mux_feed() and writes out what
 * mux_peek_output() shows; everything else is reported through MuxCallbacks. See
 * docs/protocol.md for the wire rules this implements.
 *
 * Streams are named by their 32-bit id (never a pointer), so a stale id is harmless: calls on an
 * id the mux no longer knows return -ENOENT (or -EPIPE once it is closing).
 *
 * Re-entrancy: callbacks may call every mux_stream_*() and mux_send_*() function, but not
 * mux_feed(), mux_reset() or mux_free() (-EBUSY for the first two; mux_free() from a callback is
 * a bug).
 *
 * Memory: the input side buffers at most one frame (FRAME_SIZE_MAX bytes, allocated once). The
 * output queue grows with what the owner sends and with automatic replies (PONG, CLOSE, REJECT,
 * HELLO); the I/O layer must stop calling mux_feed() (stop reading) and stop producing data
 * while mux_output_size() > MUX_OUTPUT_HIGH_WATER, and resume once the queue has drained below
 * it. The automatic replies to one mux_feed() of n bytes take at most 3 * n + FRAME_SIZE_MAX
 * bytes (PONG echoes its PING; CLOSE and short REJECT answers are at most 3x the frame they
 * answer), plus whatever the owner's callbacks send.
 *
 * A peer that never sends its terminal frame keeps our closed streams in the table (CLOSING):
 * they count against MUX_STREAMS_MAX, so such a peer can only block new streams of its own
 * channel (mux_stream_open() returns -EMFILE). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "protocol.h"

/* Streams in the table at once (open, opening, or closing and waiting for the peer's CLOSE).
 * A peer OPEN beyond it is REJECTed with -EMFILE; a local open fails with -EMFILE. */
#define MUX_STREAMS_MAX 1024
#define MUX_OUTPUT_HIGH_WATER (1024u * 1024u)

typedef struct Mux Mux;

typedef enum MuxRole {
        MUX_ROLE_HOST,  /* opens ids 1..0x7fffffff, receives STATUS, sends POWER */
        MUX_ROLE_AGENT, /* opens ids with STREAM_ID_GUEST_BIT, sends STATUS, receives POWER */
        _MUX_ROLE_MAX,
        _MUX_ROLE_INVALID = -EINVAL,
} MuxRole;

/* Every callback is optional (NULL: event dropped), except that a NULL on_open makes the mux
 * REJECT every peer OPEN with -EOPNOTSUPP.
 * Stream callbacks get the stream's userdata (set by mux_stream_open()/mux_stream_accept() or
 * mux_stream_set_userdata(); NULL before that); channel callbacks get MuxConfig.userdata. */
typedef struct MuxCallbacks {
        /* The peer's HELLO arrived and is compatible; streams may be opened from now on.
         * Called again after a peer restart (after on_close for every old stream). */
        void (*on_hello)(Mux *m, const FrameHello *peer, void *userdata);
        /* The peer opened stream id. Answer with mux_stream_accept() or mux_stream_reject(), now or
         * later. req and its strings are valid only during the call (copy what you keep). */
        void (*on_open)(Mux *m, uint32_t id, const FrameOpen *req, void *userdata);
        /* Our OPEN was accepted; mux_stream_send() may be used now. */
        void (*on_accept)(Mux *m, uint32_t id, void *stream_userdata);
        /* len bytes (>= 1) for fd. They used up receive window: call mux_stream_grant() as the
         * consumer drains them, or the peer blocks. */
        void (*on_data)(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd, const uint8_t *data,
                        size_t len);
        void (*on_eof)(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd);
        /* The peer granted credit; window is the send window now (> 0). */
        void (*on_writable)(Mux *m, uint32_t id, void *stream_userdata, size_t window);
        void (*on_signal)(Mux *m, uint32_t id, void *stream_userdata, uint32_t signo);
        void (*on_resize)(Mux *m, uint32_t id, void *stream_userdata, uint16_t rows, uint16_t cols);
        void (*on_exit)(Mux *m, uint32_t id, void *stream_userdata, const FrameExit *exit);
        /* The stream is over for the owner: the id is invalid from now on and stream_userdata
         * may be freed. error: 0 normal close by the peer, or a negative errno: the peer's
         * CLOSE/REJECT error, -EPROTO for a protocol violation detected here, -ECONNRESET when
         * the peer restarted, or the channel error. reason: a static or short-lived string
         * (never NULL; the sanitised REJECT message for REJECT). Not called for streams the
         * owner closed or rejected itself. */
        void (*on_close)(Mux *m, uint32_t id, void *stream_userdata, int error, const char *reason);
        void (*on_status)(Mux *m, const FrameStatus *status, void *userdata);
        void (*on_power)(Mux *m, PowerAction action, void *userdata);
        /* The PONG is queued by the mux before this is called. */
        void (*on_ping)(Mux *m, const uint8_t *payload, size_t len, void *userdata);
        void (*on_pong)(Mux *m, const uint8_t *payload, size_t len, void *userdata);
        /* The channel broke (framing error, bad or incompatible HELLO, frame before HELLO,
         * misdirected control frame). Every stream got on_close() first. The mux refuses further
         * input (mux_feed() returns -ENOTCONN) until mux_reset(). */
        void (*on_channel_error)(Mux *m, int error, const char *reason, void *userdata);
} MuxCallbacks;

typedef struct MuxConfig {
        MuxRole role;
        uint64_t capabilities; /* offered in HELLO; PROTOCOL_CAPABILITIES */
        MuxCallbacks callbacks;
        void *userdata;
        /* Host role, for a connection new to both sides (vm-run's to a command socket): EXEC
         * streams may be opened before the peer's HELLO arrives, so they leave right behind
         * our HELLO, which the peer reads first (docs/protocol.md §2.1). Saves the wait for the
         * peer's HELLO; a peer of another major version still breaks the channel on its HELLO,
         * failing those streams. Never for a transport that outlives a session (a virtio port):
         * frames from an earlier session could arrive before the peer's new HELLO. */
        bool open_before_hello;
} MuxConfig;

/* Creates a mux and queues its HELLO. */
int mux_new(const MuxConfig *config, Mux **ret);
Mux *mux_free(Mux *m);
DEFINE_FREE_FUNC(Mux *, mux_free);

/* Drops every stream (on_close with -ECONNRESET "channel reset"), the partial input frame and
 * the output queue, and queues a fresh HELLO: for a reconnected transport. */
int mux_reset(Mux *m);

/* Consumes all len bytes (buffering a partial frame) and dispatches callbacks. Returns 0, or a
 * negative errno when the channel broke now or earlier (on_channel_error was called once):
 * -EBADMSG framing, -EPROTONOSUPPORT version, -EPROTO protocol; -ENOTCONN after that;
 * -EBUSY from a callback. Stream-level errors are not returned: they close that stream only. */
int mux_feed(Mux *m, const uint8_t *untrusted_data, size_t len);

/* Output queue of encoded frames, in order. peek gives the contiguous unsent bytes (*ret_len 0
 * when empty); consume drops n <= that from the front after the transport took them. */
void mux_peek_output(Mux *m, const uint8_t **ret_data, size_t *ret_len);
void mux_consume_output(Mux *m, size_t n);
size_t mux_output_size(const Mux *m);

bool mux_is_ready(const Mux *m); /* peer HELLO received and channel not broken */
bool mux_is_broken(const Mux *m);
/* Capabilities in use (ours AND the peer's); 0 before HELLO. */
uint64_t mux_get_capabilities(const Mux *m);
void *mux_get_userdata(const Mux *m);
size_t mux_stream_count(const Mux *m); /* entries in the table, including closing ones */

/* Channel control. ping: len <= FRAME_PAYLOAD_MAX. status: agent only; power: host only
 * (-EPERM otherwise). All -ENOTCONN before the peer's HELLO or after a channel error. */
int mux_send_ping(Mux *m, const uint8_t *payload, size_t len);
int mux_send_status(Mux *m, const FrameStatus *status);
int mux_send_power(Mux *m, PowerAction action);

/* Opens a stream: validates req (-EINVAL), picks a free id in our half of the id space, queues
 * OPEN with req->window as our initial receive window. -ENOTCONN before HELLO, -EMFILE when
 * MUX_STREAMS_MAX are in use. */
int mux_stream_open(Mux *m, const FrameOpen *req, void *stream_userdata, uint32_t *ret_id);
/* Answers a peer OPEN (reported by on_open): window (<= STREAM_WINDOW_MAX, else -EINVAL) is the
 * initial window granted to the opener. -ENOENT unknown id, -EBUSY if already accepted or not a
 * peer-opened stream, -EPIPE if rejected or closing (also after on_close for it). */
int mux_stream_accept(Mux *m, uint32_t id, uint32_t window, void *stream_userdata);
/* Refuses a peer OPEN with error (-1..-FRAME_ERRNO_MAX, else -EINVAL) and an optional message
 * (NULL: none; truncated to FRAME_REJECT_MESSAGE_MAX). The stream is over for us; no on_close
 * follows. Same errors as mux_stream_accept(). */
int mux_stream_reject(Mux *m, uint32_t id, int error, const char *message);
int mux_stream_set_userdata(Mux *m, uint32_t id, void *stream_userdata);
void *mux_stream_get_userdata(const Mux *m, uint32_t id);

/* Queues up to len bytes of data for fd, limited by the send window the peer granted and split
 * into frames of at most FRAME_DATA_MAX. Returns the number of bytes taken (> 0), -EAGAIN if the
 * window is 0 (wait for on_writable), -ENOENT unknown id, -EPIPE if fd has had EOF or the stream
 * is closing, -EBADF if fd is not ours to write on this stream kind and side, -ENOTCONN if the
 * stream is not accepted yet. len 0 returns 0 and sends nothing. */
int mux_stream_send(Mux *m, uint32_t id, uint8_t fd, const uint8_t *data, size_t len);
/* Send window left (bytes we may still send), 0 for unknown ids. */
size_t mux_stream_get_send_window(const Mux *m, uint32_t id);
/* Grants the peer increment more bytes (queues CREDIT): the receive window may not exceed
 * STREAM_WINDOW_MAX (-EINVAL). increment 0 is a no-op. -ENOTCONN before the stream is accepted.
 * All mux_stream_send*() and grant calls: -ENOENT unknown id, -EPIPE closing, -ENOMEM. */
int mux_stream_grant(Mux *m, uint32_t id, uint32_t increment);
/* -EBADF for an fd we do not write on this stream, -EPIPE if EOF was already sent on it. */
int mux_stream_send_eof(Mux *m, uint32_t id, uint8_t fd);
/* Opener of an EXEC stream only (-EBADF otherwise). signo 1..SIGNAL_NUMBER_MAX (-EINVAL). */
int mux_stream_send_signal(Mux *m, uint32_t id, uint32_t signo);
int mux_stream_send_resize(Mux *m, uint32_t id, uint16_t rows, uint16_t cols);
/* Acceptor of an EXEC stream only (-EBADF otherwise), once (-EALREADY); an impossible status
 * (exit code outside 0..255, signal outside 1..SIGNAL_NUMBER_MAX) is -EINVAL. */
int mux_stream_send_exit(Mux *m, uint32_t id, const FrameExit *exit);
/* Queues CLOSE(error): error 0 normal or a negative errno. Nothing more is sent and no
 * callback is made for this id; the id is reused only after the peer's CLOSE. -ENOENT unknown,
 * -EPIPE if already closing. */
int mux_stream_close(Mux *m, uint32_t id, int error);

const char *mux_role_to_string(MuxRole r);
MuxRole mux_role_from_string(const char *s);

/* contract: v1 */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* protocol.h: the host<->guest channel wire format: frame header and payload codecs. Pure: no I/O,
 * no logging; headers and fixed payloads never allocate, OPEN bodies allocate (bounded by the
 * payload size). The normative spec is docs/protocol.md.
 *
 * Conventions: every multi-byte integer is little-endian. Decoders take `untrusted_` bytes, check
 * everything, and return 0 or -errno (-EBADMSG malformed, -EPROTONOSUPPORT unknown kind or
 * mandatory tag, -E2BIG over a count limit) and leave *ret untouched on failure. Encoders are
 * snprintf-like: `frame_X_encode(x, buf, size)` returns the payload length it needs (or -EINVAL
 * for an unencodable value, -E2BIG over FRAME_PAYLOAD_MAX) and writes only when size is enough;
 * buf may be NULL when size is 0. Error codes on the wire are negative errno values (-71 is
 * -EPROTO), 0 meaning "no error". */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTOCOL_VERSION_MAJOR 1
#define PROTOCOL_VERSION_MINOR 0
/* Capability bits in HELLO; the set in use is the AND of both sides. PROTOCOL_CAPABILITIES is
 * what every peer offers; a bit for one kind of channel is offered only there. */
#define PROTOCOL_CAPABILITIES 0ULL
/* The agent may open FORWARD streams to named host services (docs/protocol.md, §3.2). Offered
 * by the agent and by vmsilod on its agent channels, not on client connections. */
#define PROTOCOL_CAP_GUEST_FORWARD (1ULL << 0)

#define FRAME_HEADER_SIZE 12
#define FRAME_PAYLOAD_MAX 65536
#define FRAME_SIZE_MAX (FRAME_HEADER_SIZE + FRAME_PAYLOAD_MAX)
/* Frame types and OPEN tags with this bit set may be ignored by a receiver that does not know
 * them; unknown ones without it are errors. */
#define FRAME_TYPE_OPTIONAL 0x8000u
#define OPEN_TAG_OPTIONAL 0x8000u

/* Stream 0 carries channel control. Host-opened streams use 1..0x7fffffff, guest-opened ones
 * have the top bit set. Ids are hash keys, never indexes. */
#define STREAM_ID_CONTROL 0u
#define STREAM_ID_GUEST_BIT 0x80000000u

/* Flow control counts DATA bytes after the fd byte. A window never exceeds this. */
#define STREAM_WINDOW_MAX (4u * 1024u * 1024u)
/* Data bytes in one DATA frame: the payload minus the fd byte. */
#define FRAME_DATA_MAX (FRAME_PAYLOAD_MAX - 1)

#define FRAME_HELLO_SIZE 16
#define FRAME_STATUS_SIZE 16
#define FRAME_POWER_SIZE 4
#define FRAME_ACCEPT_SIZE 4
#define FRAME_EOF_SIZE 1
#define FRAME_CREDIT_SIZE 4
#define FRAME_SIGNAL_SIZE 4
#define FRAME_RESIZE_SIZE 4
#define FRAME_EXIT_SIZE 8
#define FRAME_CLOSE_SIZE 4
#define FRAME_OPEN_FIXED_SIZE 8
#define FRAME_REJECT_FIXED_SIZE 4
#define OPEN_TLV_HEADER_SIZE 8

#define OPEN_ARGS_MAX 4096
#define OPEN_ENV_MAX 4096
#define OPEN_SERVICE_NAME_MAX 64
/* Bytes kept of a REJECT/CLOSE reason after sanitising (printable ASCII only). */
#define FRAME_REJECT_MESSAGE_MAX 256
/* Largest errno accepted on the wire; anything else decodes as -EPROTO. */
#define FRAME_ERRNO_MAX 4095
#define SIGNAL_NUMBER_MAX 64

typedef enum FrameType {
        /* stream 0 only */
        FRAME_HELLO = 0x0001,
        FRAME_PING = 0x0002,
        FRAME_PONG = 0x0003,
        FRAME_STATUS = 0x0004,
        FRAME_POWER = 0x0005,
        /* stream != 0 only */
        FRAME_OPEN = 0x0010,
        FRAME_ACCEPT = 0x0011,
        FRAME_REJECT = 0x0012,
        FRAME_DATA = 0x0013,
        FRAME_EOF = 0x0014,
        FRAME_CREDIT = 0x0015,
        FRAME_SIGNAL = 0x0016,
        FRAME_RESIZE = 0x0017,
        FRAME_EXIT = 0x0018,
        FRAME_CLOSE = 0x0019,
        _FRAME_TYPE_MAX,
        _FRAME_TYPE_INVALID = -EINVAL,
} FrameType;

typedef enum StreamKind {
        STREAM_KIND_EXEC = 1,
        STREAM_KIND_FORWARD = 2,
        _STREAM_KIND_MAX,
        _STREAM_KIND_INVALID = -EINVAL,
} StreamKind;

typedef enum OpenTag {
        OPEN_TAG_ARG = 1,
        OPEN_TAG_ENV = 2,
        OPEN_TAG_CWD = 3,
        OPEN_TAG_USER = 4,
        OPEN_TAG_PTY = 5,
        OPEN_TAG_SERVICE = 6,
        _OPEN_TAG_MAX,
        _OPEN_TAG_INVALID = -EINVAL,
} OpenTag;

typedef enum PowerAction {
        POWER_POWEROFF = 1,
        POWER_REBOOT = 2,
        _POWER_ACTION_MAX,
        _POWER_ACTION_INVALID = -EINVAL,
} PowerAction;

typedef enum ExitHow {
        EXIT_HOW_EXITED = 0,
        EXIT_HOW_SIGNALED = 1,
        _EXIT_HOW_MAX,
        _EXIT_HOW_INVALID = -EINVAL,
} ExitHow;

/* DATA/EOF fd numbers: EXEC streams carry STDIN opener->acceptor and STDOUT/STDERR
 * acceptor->opener; FORWARD streams carry STDIN (0) both ways. */
#define STREAM_FD_STDIN 0
#define STREAM_FD_STDOUT 1
#define STREAM_FD_STDERR 2
#define STREAM_FDS_MAX 3

typedef struct FrameHeader {
        uint32_t size;  /* payload bytes, <= FRAME_PAYLOAD_MAX */
        uint16_t type;  /* a known FrameType, or an unknown one with FRAME_TYPE_OPTIONAL set */
        uint16_t flags; /* sender sets 0, receiver ignores (v1) */
        uint32_t stream_id;
} FrameHeader;

typedef struct FrameHello {
        uint16_t version_major;
        uint16_t version_minor;
        uint64_t capabilities;
} FrameHello;

typedef struct FrameStatus {
        uint32_t live_sessions;
        uint64_t last_activity_usec; /* guest CLOCK_MONOTONIC, µs; only compared with itself */
} FrameStatus;

typedef struct FrameExit {
        ExitHow how;
        bool core_dumped; /* only ever true with EXIT_HOW_SIGNALED */
        int32_t code;     /* exit code 0..255, or signal 1..SIGNAL_NUMBER_MAX */
} FrameExit;

/* REJECT {i32 error, message} and CLOSE {i32 error}. error is a negative errno (REJECT: < 0). */
typedef struct FrameReject {
        int32_t error;
        char message[FRAME_REJECT_MESSAGE_MAX + 1]; /* NUL-terminated, printable ASCII */
} FrameReject;

/* DATA: points into the decoded payload, no copy. */
typedef struct FrameData {
        uint8_t fd;
        const uint8_t *data;
        size_t len; /* 1..FRAME_DATA_MAX */
} FrameData;

/* A decoded or to-be-encoded OPEN. Strings are NUL-terminated, contain no NUL on the wire and
 * are owned by the struct (decoded) or by the caller (to encode). frame_open_finish() frees a
 * decoded one; never call it on a caller-built one. */
typedef struct FrameOpen {
        StreamKind kind;
        uint32_t window; /* initial window the opener grants for data towards it */

        /* EXEC */
        char **argv; /* n_argv >= 1 entries + NULL; argv[0] non-empty */
        size_t n_argv;
        char **env; /* "KEY=VALUE", KEY non-empty; n_env entries + NULL (may be NULL if 0) */
        size_t n_env;
        char *cwd;  /* NULL: agent default */
        char *user; /* NULL: agent default */
        bool pty;
        uint16_t pty_rows, pty_cols;
        char *term; /* with pty only; NULL or non-empty */

        /* FORWARD */
        char *service; /* [a-zA-Z0-9._-]{1,64} */
} FrameOpen;

const char *frame_type_to_string(FrameType t);
FrameType frame_type_from_string(const char *s);
bool frame_type_is_known(uint16_t t);
bool frame_type_is_control(uint16_t t); /* valid only on stream 0 */
const char *stream_kind_to_string(StreamKind k);
StreamKind stream_kind_from_string(const char *s);
const char *open_tag_to_string(OpenTag t);
OpenTag open_tag_from_string(const char *s);
const char *power_action_to_string(PowerAction a);
PowerAction power_action_from_string(const char *s);

/* Header. decode: -EAGAIN if fewer than FRAME_HEADER_SIZE bytes, -EBADMSG if size >
 * FRAME_PAYLOAD_MAX or the type is unknown and not optional (both break framing: close the
 * channel). The stream id is not checked here: the caller looks it up. */
int frame_header_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameHeader *ret);
void frame_header_encode(const FrameHeader *h, uint8_t buf[static FRAME_HEADER_SIZE]);

/* Fixed-layout payloads: a payload shorter than the layout is -EBADMSG; trailing bytes after it
 * are ignored (room for minor-version growth). Values out of range are -EBADMSG. */
int frame_hello_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameHello *ret);
int frame_hello_encode(const FrameHello *h, uint8_t *buf, size_t size);
int frame_status_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameStatus *ret);
int frame_status_encode(const FrameStatus *s, uint8_t *buf, size_t size);
int frame_power_decode(const uint8_t *untrusted_buf, size_t untrusted_len, PowerAction *ret);
int frame_power_encode(PowerAction a, uint8_t *buf, size_t size);
/* ACCEPT and CREDIT share the layout {u32}: window/increment <= STREAM_WINDOW_MAX. */
int frame_accept_decode(const uint8_t *untrusted_buf, size_t untrusted_len, uint32_t *ret_window);
int frame_accept_encode(uint32_t window, uint8_t *buf, size_t size);
int frame_credit_decode(
                const uint8_t *untrusted_buf, size_t untrusted_len, uint32_t *ret_increment);
int frame_credit_encode(uint32_t increment, uint8_t *buf, size_t size);
int frame_eof_decode(const uint8_t *untrusted_buf, size_t untrusted_len, uint8_t *ret_fd);
int frame_eof_encode(uint8_t fd, uint8_t *buf, size_t size);
int frame_signal_decode(const uint8_t *untrusted_buf, size_t untrusted_len, uint32_t *ret_signo);
int frame_signal_encode(uint32_t signo, uint8_t *buf, size_t size);
int frame_resize_decode(const uint8_t *untrusted_buf, size_t untrusted_len, uint16_t *ret_rows,
                uint16_t *ret_cols);
int frame_resize_encode(uint16_t rows, uint16_t cols, uint8_t *buf, size_t size);
int frame_exit_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameExit *ret);
int frame_exit_encode(const FrameExit *e, uint8_t *buf, size_t size);
/* CLOSE: error 0 or -1..-FRAME_ERRNO_MAX; any other value decodes as -EPROTO. */
int frame_close_decode(const uint8_t *untrusted_buf, size_t untrusted_len, int32_t *ret_error);
int frame_close_encode(int32_t error, uint8_t *buf, size_t size);
/* REJECT: error -1..-FRAME_ERRNO_MAX (else -EPROTO); the message is truncated to
 * FRAME_REJECT_MESSAGE_MAX bytes and every byte outside 0x20..0x7e becomes '?'. */
int frame_reject_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameReject *ret);
int frame_reject_encode(int32_t error, const char *message, uint8_t *buf, size_t size);
/* DATA: fd < STREAM_FDS_MAX and at least one data byte. ret->data points into untrusted_buf. */
int frame_data_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameData *ret);
/* Writes the fd byte + data; len 1..FRAME_DATA_MAX. */
int frame_data_encode(uint8_t fd, const uint8_t *data, size_t len, uint8_t *buf, size_t size);

/* OPEN: validates everything in docs/protocol.md ("OPEN") and allocates the strings. -ENOMEM,
 * -EBADMSG (malformed TLV, NUL in a string, bad value, repeated single tag, missing ARG or
 * SERVICE, tag not valid for the kind), -EPROTONOSUPPORT (unknown kind or mandatory tag),
 * -E2BIG (more than OPEN_ARGS_MAX args or OPEN_ENV_MAX env entries). */
int frame_open_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameOpen *ret);
/* Validates o with the same rules as the decoder (-EINVAL), -E2BIG over FRAME_PAYLOAD_MAX. */
int frame_open_encode(const FrameOpen *o, uint8_t *buf, size_t size);
/* Frees a decoded FrameOpen and zeroes it; accepts a zeroed struct. */
void frame_open_finish(FrameOpen *o);

/* The same checks the decoder applies; useful to validate before encoding. */
bool open_service_name_is_valid(const char *s);

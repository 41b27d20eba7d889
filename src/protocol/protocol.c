/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* protocol.c: host<->guest frame and payload codecs (docs/protocol.md). Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "protocol.h"
#include "string-table.h"

static uint16_t le16_read(const uint8_t *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t le32_read(const uint8_t *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) |
               ((uint32_t) p[3] << 24);
}

static uint64_t le64_read(const uint8_t *p) {
        return (uint64_t) le32_read(p) | ((uint64_t) le32_read(p + 4) << 32);
}

static void le16_write(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
}

static void le32_write(uint8_t *p, uint32_t v) {
        for (size_t i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void le64_write(uint8_t *p, uint64_t v) {
        le32_write(p, (uint32_t) v);
        le32_write(p + 4, (uint32_t) (v >> 32));
}

static const char *const frame_type_table[_FRAME_TYPE_MAX] = {
        [FRAME_HELLO] = "HELLO",
        [FRAME_PING] = "PING",
        [FRAME_PONG] = "PONG",
        [FRAME_STATUS] = "STATUS",
        [FRAME_POWER] = "POWER",
        [FRAME_OPEN] = "OPEN",
        [FRAME_ACCEPT] = "ACCEPT",
        [FRAME_REJECT] = "REJECT",
        [FRAME_DATA] = "DATA",
        [FRAME_EOF] = "EOF",
        [FRAME_CREDIT] = "CREDIT",
        [FRAME_SIGNAL] = "SIGNAL",
        [FRAME_RESIZE] = "RESIZE",
        [FRAME_EXIT] = "EXIT",
        [FRAME_CLOSE] = "CLOSE",
};
DEFINE_STRING_TABLE_LOOKUP(frame_type, FrameType, _FRAME_TYPE_MAX);

static const char *const stream_kind_table[_STREAM_KIND_MAX] = {
        [STREAM_KIND_EXEC] = "exec",
        [STREAM_KIND_FORWARD] = "forward",
};
DEFINE_STRING_TABLE_LOOKUP(stream_kind, StreamKind, _STREAM_KIND_MAX);

static const char *const open_tag_table[_OPEN_TAG_MAX] = {
        [OPEN_TAG_ARG] = "ARG",
        [OPEN_TAG_ENV] = "ENV",
        [OPEN_TAG_CWD] = "CWD",
        [OPEN_TAG_USER] = "USER",
        [OPEN_TAG_PTY] = "PTY",
        [OPEN_TAG_SERVICE] = "SERVICE",
};
DEFINE_STRING_TABLE_LOOKUP(open_tag, OpenTag, _OPEN_TAG_MAX);

static const char *const power_action_table[_POWER_ACTION_MAX] = {
        [POWER_POWEROFF] = "poweroff",
        [POWER_REBOOT] = "reboot",
};
DEFINE_STRING_TABLE_LOOKUP(power_action, PowerAction, _POWER_ACTION_MAX);

bool frame_type_is_known(uint16_t t) {
        return t < _FRAME_TYPE_MAX && frame_type_table[t];
}

bool frame_type_is_control(uint16_t t) {
        return t >= FRAME_HELLO && t <= FRAME_POWER;
}

int frame_header_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameHeader *ret) {
        if (untrusted_len < FRAME_HEADER_SIZE)
                return -EAGAIN;
        uint32_t untrusted_size = le32_read(untrusted_buf);
        uint16_t untrusted_type = le16_read(untrusted_buf + 4);
        uint16_t untrusted_flags = le16_read(untrusted_buf + 6);
        uint32_t untrusted_stream = le32_read(untrusted_buf + 8);
        /* sanitize start; stream id: any value is fine, it is a hash key, never an index;
         * flags: ignored in v1, kept for the caller's tracing only */
        if (untrusted_size > FRAME_PAYLOAD_MAX)
                return -EBADMSG;
        if (!frame_type_is_known(untrusted_type) && !(untrusted_type & FRAME_TYPE_OPTIONAL))
                return -EBADMSG;
        /* sanitize end */
        *ret = (FrameHeader){
                .size = untrusted_size,
                .type = untrusted_type,
                .flags = untrusted_flags,
                .stream_id = untrusted_stream,
        };
        return 0;
}

void frame_header_encode(const FrameHeader *h, uint8_t buf[static FRAME_HEADER_SIZE]) {
        le32_write(buf, h->size);
        le16_write(buf + 4, h->type);
        le16_write(buf + 6, h->flags);
        le32_write(buf + 8, h->stream_id);
}

/* Common tail of the fixed-size encoders: tells the caller the size, writes only if it fits. */
static bool fits(const uint8_t *buf, size_t size, size_t need) {
        return buf && size >= need;
}

int frame_hello_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameHello *ret) {
        if (untrusted_len < FRAME_HELLO_SIZE)
                return -EBADMSG;
        /* sanitize start; any version is representable, compatibility is the caller's decision;
         * the reserved u32 at offset 4 is ignored */
        *ret = (FrameHello){
                .version_major = le16_read(untrusted_buf),
                .version_minor = le16_read(untrusted_buf + 2),
                .capabilities = le64_read(untrusted_buf + 8),
        };
        /* sanitize end */
        return 0;
}

int frame_hello_encode(const FrameHello *h, uint8_t *buf, size_t size) {
        if (fits(buf, size, FRAME_HELLO_SIZE)) {
                le16_write(buf, h->version_major);
                le16_write(buf + 2, h->version_minor);
                le32_write(buf + 4, 0);
                le64_write(buf + 8, h->capabilities);
        }
        return FRAME_HELLO_SIZE;
}

int frame_status_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameStatus *ret) {
        if (untrusted_len < FRAME_STATUS_SIZE)
                return -EBADMSG;
        /* sanitize start; counts and guest clock values are only compared and displayed */
        *ret = (FrameStatus){
                .live_sessions = le32_read(untrusted_buf),
                .last_activity_usec = le64_read(untrusted_buf + 8),
        };
        /* sanitize end */
        return 0;
}

int frame_status_encode(const FrameStatus *s, uint8_t *buf, size_t size) {
        if (fits(buf, size, FRAME_STATUS_SIZE)) {
                le32_write(buf, s->live_sessions);
                le32_write(buf + 4, 0);
                le64_write(buf + 8, s->last_activity_usec);
        }
        return FRAME_STATUS_SIZE;
}

int frame_power_decode(const uint8_t *untrusted_buf, size_t untrusted_len, PowerAction *ret) {
        if (untrusted_len < FRAME_POWER_SIZE)
                return -EBADMSG;
        uint32_t untrusted_action = le32_read(untrusted_buf);
        /* sanitize start */
        if (!IN_SET(untrusted_action, (uint32_t) POWER_POWEROFF, (uint32_t) POWER_REBOOT))
                return -EBADMSG;
        /* sanitize end */
        *ret = (PowerAction) untrusted_action;
        return 0;
}

int frame_power_encode(PowerAction a, uint8_t *buf, size_t size) {
        if (!IN_SET(a, POWER_POWEROFF, POWER_REBOOT))
                return -EINVAL;
        if (fits(buf, size, FRAME_POWER_SIZE))
                le32_write(buf, (uint32_t) a);
        return FRAME_POWER_SIZE;
}

static int window_decode(const uint8_t *untrusted_buf, size_t untrusted_len, uint32_t *ret) {
        if (untrusted_len < 4)
                return -EBADMSG;
        uint32_t untrusted_window = le32_read(untrusted_buf);
        /* sanitize start */
        if (untrusted_window > STREAM_WINDOW_MAX)
                return -EBADMSG;
        /* sanitize end */
        *ret = untrusted_window;
        return 0;
}

static int window_encode(uint32_t window, uint8_t *buf, size_t size) {
        if (window > STREAM_WINDOW_MAX)
                return -EINVAL;
        if (fits(buf, size, 4))
                le32_write(buf, window);
        return 4;
}

int frame_accept_decode(const uint8_t *untrusted_buf, size_t untrusted_len, uint32_t *ret_window) {
        return window_decode(untrusted_buf, untrusted_len, ret_window);
}

int frame_accept_encode(uint32_t window, uint8_t *buf, size_t size) {
        return window_encode(window, buf, size);
}

int frame_credit_decode(
                const uint8_t *untrusted_buf, size_t untrusted_len, uint32_t *ret_increment) {
        return window_decode(untrusted_buf, untrusted_len, ret_increment);
}

int frame_credit_encode(uint32_t increment, uint8_t *buf, size_t size) {
        return window_encode(increment, buf, size);
}

int frame_eof_decode(const uint8_t *untrusted_buf, size_t untrusted_len, uint8_t *ret_fd) {
        if (untrusted_len < FRAME_EOF_SIZE)
                return -EBADMSG;
        /* sanitize start */
        if (untrusted_buf[0] >= STREAM_FDS_MAX)
                return -EBADMSG;
        /* sanitize end */
        *ret_fd = untrusted_buf[0];
        return 0;
}

int frame_eof_encode(uint8_t fd, uint8_t *buf, size_t size) {
        if (fd >= STREAM_FDS_MAX)
                return -EINVAL;
        if (fits(buf, size, FRAME_EOF_SIZE))
                buf[0] = fd;
        return FRAME_EOF_SIZE;
}

int frame_signal_decode(const uint8_t *untrusted_buf, size_t untrusted_len, uint32_t *ret_signo) {
        if (untrusted_len < FRAME_SIGNAL_SIZE)
                return -EBADMSG;
        uint32_t untrusted_signo = le32_read(untrusted_buf);
        /* sanitize start */
        if (untrusted_signo < 1 || untrusted_signo > SIGNAL_NUMBER_MAX)
                return -EBADMSG;
        /* sanitize end */
        *ret_signo = untrusted_signo;
        return 0;
}

int frame_signal_encode(uint32_t signo, uint8_t *buf, size_t size) {
        if (signo < 1 || signo > SIGNAL_NUMBER_MAX)
                return -EINVAL;
        if (fits(buf, size, FRAME_SIGNAL_SIZE))
                le32_write(buf, signo);
        return FRAME_SIGNAL_SIZE;
}

int frame_resize_decode(const uint8_t *untrusted_buf, size_t untrusted_len, uint16_t *ret_rows,
                uint16_t *ret_cols) {
        if (untrusted_len < FRAME_RESIZE_SIZE)
                return -EBADMSG;
        /* sanitize start; any u16 size is valid (0: unknown) */
        *ret_rows = le16_read(untrusted_buf);
        *ret_cols = le16_read(untrusted_buf + 2);
        /* sanitize end */
        return 0;
}

int frame_resize_encode(uint16_t rows, uint16_t cols, uint8_t *buf, size_t size) {
        if (fits(buf, size, FRAME_RESIZE_SIZE)) {
                le16_write(buf, rows);
                le16_write(buf + 2, cols);
        }
        return FRAME_RESIZE_SIZE;
}

static bool exit_is_valid(uint32_t how, uint32_t core_dumped, int64_t code) {
        switch (how) {
        case EXIT_HOW_EXITED:
                return core_dumped == 0 && code >= 0 && code <= 255;
        case EXIT_HOW_SIGNALED:
                return core_dumped <= 1 && code >= 1 && code <= SIGNAL_NUMBER_MAX;
        default:
                return false;
        }
}

int frame_exit_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameExit *ret) {
        if (untrusted_len < FRAME_EXIT_SIZE)
                return -EBADMSG;
        uint8_t untrusted_how = untrusted_buf[0], untrusted_core = untrusted_buf[1];
        int32_t untrusted_code = (int32_t) le32_read(untrusted_buf + 4);
        /* sanitize start */
        if (!exit_is_valid(untrusted_how, untrusted_core, untrusted_code))
                return -EBADMSG;
        /* sanitize end */
        *ret = (FrameExit){
                .how = (ExitHow) untrusted_how,
                .core_dumped = untrusted_core,
                .code = untrusted_code,
        };
        return 0;
}

int frame_exit_encode(const FrameExit *e, uint8_t *buf, size_t size) {
        if (!exit_is_valid((uint32_t) e->how, e->core_dumped, e->code))
                return -EINVAL;
        if (fits(buf, size, FRAME_EXIT_SIZE)) {
                buf[0] = (uint8_t) e->how;
                buf[1] = e->core_dumped;
                le16_write(buf + 2, 0);
                le32_write(buf + 4, (uint32_t) e->code);
        }
        return FRAME_EXIT_SIZE;
}

static bool error_is_valid(int64_t error, bool zero_ok) {
        return (zero_ok && error == 0) || (error < 0 && error >= -FRAME_ERRNO_MAX);
}

int frame_close_decode(const uint8_t *untrusted_buf, size_t untrusted_len, int32_t *ret_error) {
        if (untrusted_len < FRAME_CLOSE_SIZE)
                return -EBADMSG;
        int32_t untrusted_error = (int32_t) le32_read(untrusted_buf);
        /* sanitize start; an absurd error still closes the stream, as a protocol error */
        *ret_error = error_is_valid(untrusted_error, true) ? untrusted_error : -EPROTO;
        /* sanitize end */
        return 0;
}

int frame_close_encode(int32_t error, uint8_t *buf, size_t size) {
        if (!error_is_valid(error, true))
                return -EINVAL;
        if (fits(buf, size, FRAME_CLOSE_SIZE))
                le32_write(buf, (uint32_t) error);
        return FRAME_CLOSE_SIZE;
}

int frame_reject_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameReject *ret) {
        if (untrusted_len < FRAME_REJECT_FIXED_SIZE)
                return -EBADMSG;
        int32_t untrusted_error = (int32_t) le32_read(untrusted_buf);
        const uint8_t *untrusted_msg = untrusted_buf + FRAME_REJECT_FIXED_SIZE;
        size_t n = MIN(untrusted_len - FRAME_REJECT_FIXED_SIZE, (size_t) FRAME_REJECT_MESSAGE_MAX);
        /* sanitize start; the message is for humans: printable ASCII only, bounded */
        ret->error = error_is_valid(untrusted_error, false) ? untrusted_error : -EPROTO;
        for (size_t i = 0; i < n; i++)
                ret->message[i] = untrusted_msg[i] >= 0x20 && untrusted_msg[i] <= 0x7e
                                                  ? (char) untrusted_msg[i]
                                                  : '?';
        ret->message[n] = '\0';
        /* sanitize end */
        return 0;
}

int frame_reject_encode(int32_t error, const char *message, uint8_t *buf, size_t size) {
        if (!error_is_valid(error, false))
                return -EINVAL;
        size_t n = message ? strnlen(message, FRAME_REJECT_MESSAGE_MAX) : 0;
        if (fits(buf, size, FRAME_REJECT_FIXED_SIZE + n)) {
                le32_write(buf, (uint32_t) error);
                if (n > 0)
                        memcpy(buf + FRAME_REJECT_FIXED_SIZE, message, n);
        }
        return (int) (FRAME_REJECT_FIXED_SIZE + n);
}

int frame_data_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameData *ret) {
        /* sanitize start; the bytes themselves are opaque to us */
        if (untrusted_len < 2 || untrusted_len > FRAME_PAYLOAD_MAX)
                return -EBADMSG;
        if (untrusted_buf[0] >= STREAM_FDS_MAX)
                return -EBADMSG;
        /* sanitize end */
        *ret = (FrameData){
                .fd = untrusted_buf[0],
                .data = untrusted_buf + 1,
                .len = untrusted_len - 1,
        };
        return 0;
}

int frame_data_encode(uint8_t fd, const uint8_t *data, size_t len, uint8_t *buf, size_t size) {
        if (fd >= STREAM_FDS_MAX || len < 1 || len > FRAME_DATA_MAX || !data)
                return -EINVAL;
        if (fits(buf, size, 1 + len)) {
                buf[0] = fd;
                memcpy(buf + 1, data, len);
        }
        return (int) (1 + len);
}

bool open_service_name_is_valid(const char *s) {
        size_t n = 0;

        if (!s)
                return false;
        for (; s[n]; n++) {
                char c = s[n];
                if (n >= OPEN_SERVICE_NAME_MAX)
                        return false;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                    c == '.' || c == '_' || c == '-'))
                        return false;
        }
        return n > 0;
}

static bool env_entry_is_valid(const char *s) {
        const char *eq = s ? strchr(s, '=') : NULL;
        return eq && eq != s;
}

void frame_open_finish(FrameOpen *o) {
        if (o->argv)
                for (size_t i = 0; i < o->n_argv; i++)
                        free(o->argv[i]);
        if (o->env)
                for (size_t i = 0; i < o->n_env; i++)
                        free(o->env[i]);
        free(o->argv);
        free(o->env);
        free(o->cwd);
        free(o->user);
        free(o->term);
        free(o->service);
        *o = (FrameOpen){};
}

/* Copies a TLV string value; NUL bytes inside are rejected, since every consumer is C. */
static int tlv_string(const uint8_t *untrusted_v, size_t untrusted_len, bool empty_ok, char **ret) {
        /* sanitize start */
        if (untrusted_len == 0 && !empty_ok)
                return -EBADMSG;
        if (memchr(untrusted_v, 0, untrusted_len))
                return -EBADMSG;
        /* sanitize end */
        char *s = strndup((const char *) untrusted_v, untrusted_len);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* Walks the TLV records once to check their framing and count ARG and ENV. */
static int tlv_scan(const uint8_t *untrusted_buf, size_t untrusted_len, size_t *ret_n_argv,
                size_t *ret_n_env) {
        size_t n_argv = 0, n_env = 0;

        for (size_t off = 0; off < untrusted_len;) {
                if (untrusted_len - off < OPEN_TLV_HEADER_SIZE)
                        return -EBADMSG;
                uint16_t untrusted_tag = le16_read(untrusted_buf + off);
                uint32_t untrusted_vlen = le32_read(untrusted_buf + off + 4);
                /* sanitize start */
                if (untrusted_vlen > untrusted_len - off - OPEN_TLV_HEADER_SIZE)
                        return -EBADMSG;
                /* sanitize end */
                if (untrusted_tag == OPEN_TAG_ARG && ++n_argv > OPEN_ARGS_MAX)
                        return -E2BIG;
                if (untrusted_tag == OPEN_TAG_ENV && ++n_env > OPEN_ENV_MAX)
                        return -E2BIG;
                off += OPEN_TLV_HEADER_SIZE + untrusted_vlen;
        }
        *ret_n_argv = n_argv;
        *ret_n_env = n_env;
        return 0;
}

static bool open_tag_is_valid_for(uint16_t tag, StreamKind kind) {
        if (kind == STREAM_KIND_FORWARD)
                return tag == OPEN_TAG_SERVICE;
        return IN_SET(tag, OPEN_TAG_ARG, OPEN_TAG_ENV, OPEN_TAG_CWD, OPEN_TAG_USER, OPEN_TAG_PTY);
}

/* Decodes one record's value into o, whose argv and env have room for argv_cap and env_cap
 * entries. The record framing was checked by tlv_scan(). */
static int open_record_decode(FrameOpen *o, size_t argv_cap, size_t env_cap, uint16_t tag,
                const uint8_t *untrusted_v, size_t untrusted_len) {
        char *s = NULL;
        int r;

        switch (tag) {
        case OPEN_TAG_ARG:
                if (!o->argv || o->n_argv >= argv_cap) /* tlv_scan() counted; never trust it twice
                                                        */
                        return -EBADMSG;
                r = tlv_string(untrusted_v, untrusted_len, o->n_argv > 0, &o->argv[o->n_argv]);
                if (r < 0)
                        return r;
                o->n_argv++;
                return 0;
        case OPEN_TAG_ENV:
                if (!o->env || o->n_env >= env_cap)
                        return -EBADMSG;
                r = tlv_string(untrusted_v, untrusted_len, false, &s);
                if (r < 0)
                        return r;
                o->env[o->n_env++] = s;
                return env_entry_is_valid(s) ? 0 : -EBADMSG;
        case OPEN_TAG_CWD:
                if (o->cwd)
                        return -EBADMSG;
                return tlv_string(untrusted_v, untrusted_len, false, &o->cwd);
        case OPEN_TAG_USER:
                if (o->user)
                        return -EBADMSG;
                return tlv_string(untrusted_v, untrusted_len, false, &o->user);
        case OPEN_TAG_PTY:
                if (o->pty || untrusted_len < 4)
                        return -EBADMSG;
                o->pty = true;
                o->pty_rows = le16_read(untrusted_v);
                o->pty_cols = le16_read(untrusted_v + 2);
                if (untrusted_len == 4)
                        return 0;
                return tlv_string(untrusted_v + 4, untrusted_len - 4, false, &o->term);
        case OPEN_TAG_SERVICE:
                if (o->service)
                        return -EBADMSG;
                r = tlv_string(untrusted_v, untrusted_len, false, &o->service);
                if (r < 0)
                        return r;
                return open_service_name_is_valid(o->service) ? 0 : -EBADMSG;
        default:
                return -EPROTONOSUPPORT;
        }
}

int frame_open_decode(const uint8_t *untrusted_buf, size_t untrusted_len, FrameOpen *ret) {
        _cleanup_(frame_open_finish) FrameOpen o = {};
        size_t n_argv, n_env;
        int r;

        if (untrusted_len < FRAME_OPEN_FIXED_SIZE || untrusted_len > FRAME_PAYLOAD_MAX)
                return -EBADMSG;
        uint32_t untrusted_kind = le32_read(untrusted_buf);
        uint32_t untrusted_window = le32_read(untrusted_buf + 4);
        const uint8_t *untrusted_tlv = untrusted_buf + FRAME_OPEN_FIXED_SIZE;
        size_t untrusted_tlv_len = untrusted_len - FRAME_OPEN_FIXED_SIZE;

        /* sanitize start; the records are checked one by one in open_record_decode() */
        if (!IN_SET(untrusted_kind, (uint32_t) STREAM_KIND_EXEC, (uint32_t) STREAM_KIND_FORWARD))
                return -EPROTONOSUPPORT;
        if (untrusted_window > STREAM_WINDOW_MAX)
                return -EBADMSG;
        r = tlv_scan(untrusted_tlv, untrusted_tlv_len, &n_argv, &n_env);
        if (r < 0)
                return r;
        /* sanitize end */
        o.kind = (StreamKind) untrusted_kind;
        o.window = untrusted_window;

        if (o.kind == STREAM_KIND_EXEC) {
                if (n_argv == 0)
                        return -EBADMSG;
                o.argv = calloc(n_argv + 1, sizeof(char *));
                o.env = calloc(n_env + 1, sizeof(char *));
                if (!o.argv || !o.env)
                        return -ENOMEM;
        }

        for (size_t off = 0; off < untrusted_tlv_len;) {
                uint16_t tag = le16_read(untrusted_tlv + off);
                size_t vlen = le32_read(untrusted_tlv + off + 4);
                const uint8_t *untrusted_v = untrusted_tlv + off + OPEN_TLV_HEADER_SIZE;

                off += OPEN_TLV_HEADER_SIZE + vlen;
                if (tag & OPEN_TAG_OPTIONAL)
                        continue; /* v1 knows no optional tag */
                if (tag == 0 || tag >= _OPEN_TAG_MAX)
                        return -EPROTONOSUPPORT;
                if (!open_tag_is_valid_for(tag, o.kind))
                        return -EBADMSG;
                r = open_record_decode(&o, n_argv, n_env, tag, untrusted_v, vlen);
                if (r < 0)
                        return r;
        }
        if (o.kind == STREAM_KIND_FORWARD && !o.service)
                return -EBADMSG;

        *ret = o;
        o = (FrameOpen){};
        return 0;
}

static bool open_string_is_valid(const char *s, bool empty_ok) {
        return !s || empty_ok || s[0] != '\0';
}

static bool open_is_valid(const FrameOpen *o) {
        if (o->window > STREAM_WINDOW_MAX)
                return false;
        if (o->kind == STREAM_KIND_FORWARD)
                return open_service_name_is_valid(o->service) && o->n_argv == 0 && o->n_env == 0 &&
                       !o->cwd && !o->user && !o->pty && !o->term;
        if (o->kind != STREAM_KIND_EXEC || o->service)
                return false;
        if (o->n_argv < 1 || o->n_argv > OPEN_ARGS_MAX || !o->argv || !o->argv[0] ||
                        o->argv[0][0] == '\0')
                return false;
        for (size_t i = 1; i < o->n_argv; i++)
                if (!o->argv[i])
                        return false;
        if (o->n_env > OPEN_ENV_MAX || (o->n_env > 0 && !o->env))
                return false;
        for (size_t i = 0; i < o->n_env; i++)
                if (!env_entry_is_valid(o->env[i]))
                        return false;
        if (!open_string_is_valid(o->cwd, false) || !open_string_is_valid(o->user, false) ||
                        !open_string_is_valid(o->term, false))
                return false;
        return o->pty || !o->term;
}

/* Appends one record when it fits; always advances *off by the record's size. */
static void tlv_put(uint8_t *buf, size_t size, size_t *off, uint16_t tag, const void *prefix,
                size_t prefix_len, const char *s) {
        size_t slen = s ? strlen(s) : 0, len = prefix_len + slen;

        if (buf && len <= UINT32_MAX && *off <= size && size - *off >= OPEN_TLV_HEADER_SIZE + len) {
                uint8_t *p = buf + *off;
                le16_write(p, tag);
                le16_write(p + 2, 0);
                le32_write(p + 4, (uint32_t) len);
                if (prefix_len > 0)
                        memcpy(p + OPEN_TLV_HEADER_SIZE, prefix, prefix_len);
                if (slen > 0)
                        memcpy(p + OPEN_TLV_HEADER_SIZE + prefix_len, s, slen);
        }
        *off += OPEN_TLV_HEADER_SIZE + len;
}

int frame_open_encode(const FrameOpen *o, uint8_t *buf, size_t size) {
        size_t need = FRAME_OPEN_FIXED_SIZE, off = FRAME_OPEN_FIXED_SIZE;

        if (!open_is_valid(o))
                return -EINVAL;

        /* Size first, so nothing is written for an oversized request. */
        for (size_t i = 0; i < o->n_argv; i++)
                need += OPEN_TLV_HEADER_SIZE + strlen(o->argv[i]);
        for (size_t i = 0; i < o->n_env; i++)
                need += OPEN_TLV_HEADER_SIZE + strlen(o->env[i]);
        if (o->cwd)
                need += OPEN_TLV_HEADER_SIZE + strlen(o->cwd);
        if (o->user)
                need += OPEN_TLV_HEADER_SIZE + strlen(o->user);
        if (o->pty)
                need += OPEN_TLV_HEADER_SIZE + 4 + (o->term ? strlen(o->term) : 0);
        if (o->service)
                need += OPEN_TLV_HEADER_SIZE + strlen(o->service);
        if (need > FRAME_PAYLOAD_MAX)
                return -E2BIG;
        if (!fits(buf, size, need))
                return (int) need;

        le32_write(buf, (uint32_t) o->kind);
        le32_write(buf + 4, o->window);
        for (size_t i = 0; i < o->n_argv; i++)
                tlv_put(buf, size, &off, OPEN_TAG_ARG, NULL, 0, o->argv[i]);
        for (size_t i = 0; i < o->n_env; i++)
                tlv_put(buf, size, &off, OPEN_TAG_ENV, NULL, 0, o->env[i]);
        if (o->cwd)
                tlv_put(buf, size, &off, OPEN_TAG_CWD, NULL, 0, o->cwd);
        if (o->user)
                tlv_put(buf, size, &off, OPEN_TAG_USER, NULL, 0, o->user);
        if (o->pty) {
                uint8_t dims[4];
                le16_write(dims, o->pty_rows);
                le16_write(dims + 2, o->pty_cols);
                tlv_put(buf, size, &off, OPEN_TAG_PTY, dims, sizeof(dims), o->term);
        }
        if (o->service)
                tlv_put(buf, size, &off, OPEN_TAG_SERVICE, NULL, 0, o->service);
        return (int) need;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-protocol.c: tests for protocol.c, the frame and payload codecs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "protocol.h"

/* A growable byte buffer for building hostile payloads by hand. */
typedef struct Bytes {
        uint8_t *data;
        size_t len;
} Bytes;

static void bytes_finish(Bytes *b) {
        free(b->data);
        *b = (Bytes){};
}

static void put(Bytes *b, const void *p, size_t n) {
        b->data = realloc(b->data, b->len + n + 1);
        assert_non_null(b->data);
        if (n > 0)
                memcpy(b->data + b->len, p, n);
        b->len += n;
}

static void put_u16(Bytes *b, uint16_t v) {
        uint8_t x[2] = { (uint8_t) v, (uint8_t) (v >> 8) };
        put(b, x, 2);
}

static void put_u32(Bytes *b, uint32_t v) {
        uint8_t x[4] = { (uint8_t) v, (uint8_t) (v >> 8), (uint8_t) (v >> 16),
                (uint8_t) (v >> 24) };
        put(b, x, 4);
}

static void put_tlv(Bytes *b, uint16_t tag, const void *v, size_t n) {
        put_u16(b, tag);
        put_u16(b, 0);
        put_u32(b, (uint32_t) n);
        put(b, v, n);
}

static void put_tlv_str(Bytes *b, uint16_t tag, const char *s) {
        put_tlv(b, tag, s, strlen(s));
}

static void open_prefix(Bytes *b, uint32_t kind, uint32_t window) {
        put_u32(b, kind);
        put_u32(b, window);
}

/* ---- header ---- */

static void test_frame_header_round_trips(void **state) {
        FrameHeader h = { .size = 65536, .type = FRAME_DATA, .stream_id = 0xdeadbeef }, d;
        uint8_t buf[FRAME_HEADER_SIZE];

        frame_header_encode(&h, buf);
        assert_int_equal(frame_header_decode(buf, sizeof(buf), &d), 0);
        assert_int_equal(d.size, 65536);
        assert_int_equal(d.type, FRAME_DATA);
        assert_int_equal(d.flags, 0);
        assert_int_equal(d.stream_id, 0xdeadbeef);
}

static void test_frame_header_is_little_endian(void **state) {
        FrameHeader h = {
                .size = 0x01020304, .type = 0x0506, .flags = 0x0708, .stream_id = 0x090a0b0c
        };
        const uint8_t want[] = { 4, 3, 2, 1, 6, 5, 8, 7, 0xc, 0xb, 0xa, 9 };
        uint8_t buf[FRAME_HEADER_SIZE];

        frame_header_encode(&h, buf);
        assert_memory_equal(buf, want, sizeof(want));
}

static void test_frame_header_decode_needs_twelve_bytes(void **state) {
        uint8_t buf[FRAME_HEADER_SIZE] = {};
        FrameHeader d;

        assert_int_equal(frame_header_decode(buf, 11, &d), -EAGAIN);
}

static void test_frame_header_decode_rejects_payload_over_max(void **state) {
        FrameHeader h = { .size = FRAME_PAYLOAD_MAX + 1, .type = FRAME_DATA, .stream_id = 1 };
        FrameHeader d = { .size = 65 };
        uint8_t buf[FRAME_HEADER_SIZE];

        frame_header_encode(&h, buf);
        assert_int_equal(frame_header_decode(buf, sizeof(buf), &d), -EBADMSG);
        assert_int_equal(d.size, 65); /* ret untouched on failure */
}

static void test_frame_header_decode_rejects_unknown_mandatory_type(void **state) {
        const uint16_t types[] = { 0, 0x0006, 0x000f, 0x001a, 0x7fff };
        uint8_t buf[FRAME_HEADER_SIZE];
        FrameHeader d;

        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
                frame_header_encode(&(FrameHeader){ .type = types[i], .stream_id = 1 }, buf);
                assert_int_equal(frame_header_decode(buf, sizeof(buf), &d), -EBADMSG);
        }
}

static void test_frame_header_decode_accepts_unknown_optional_type(void **state) {
        uint8_t buf[FRAME_HEADER_SIZE];
        FrameHeader d;

        frame_header_encode(&(FrameHeader){ .size = 3, .type = 0x8123, .stream_id = 7 }, buf);
        assert_int_equal(frame_header_decode(buf, sizeof(buf), &d), 0);
        assert_int_equal(d.type, 0x8123);
        assert_false(frame_type_is_known(d.type));
}

static void test_frame_type_table_round_trips(void **state) {
        size_t n = 0;

        for (int t = 0; t < _FRAME_TYPE_MAX; t++) {
                const char *s = frame_type_to_string((FrameType) t);
                if (!s) {
                        assert_false(frame_type_is_known((uint16_t) t));
                        continue;
                }
                n++;
                assert_true(frame_type_is_known((uint16_t) t));
                assert_int_equal(frame_type_from_string(s), t);
        }
        assert_int_equal(n, 15);
        assert_null(frame_type_to_string(_FRAME_TYPE_MAX));
        assert_int_equal(frame_type_from_string("NOPE"), -EINVAL);
        assert_int_equal(frame_type_from_string(NULL), -EINVAL);
}

static void test_other_tables_round_trip(void **state) {
        for (int k = STREAM_KIND_EXEC; k < _STREAM_KIND_MAX; k++)
                assert_int_equal(stream_kind_from_string(stream_kind_to_string(k)), k);
        for (int t = OPEN_TAG_ARG; t < _OPEN_TAG_MAX; t++)
                assert_int_equal(open_tag_from_string(open_tag_to_string(t)), t);
        for (int a = POWER_POWEROFF; a < _POWER_ACTION_MAX; a++)
                assert_int_equal(power_action_from_string(power_action_to_string(a)), a);
        assert_null(stream_kind_to_string(0));
        assert_null(power_action_to_string(-1));
}

static void test_control_types_are_exactly_hello_to_power(void **state) {
        for (int t = 0; t < _FRAME_TYPE_MAX; t++)
                assert_int_equal(frame_type_is_control((uint16_t) t),
                                t >= FRAME_HELLO && t <= FRAME_POWER);
}

/* ---- fixed payloads ---- */

static void test_hello_round_trips(void **state) {
        FrameHello h = {
                .version_major = 1, .version_minor = 7, .capabilities = 0x8000000000000001
        };
        FrameHello d;
        uint8_t buf[FRAME_HELLO_SIZE];

        assert_int_equal(frame_hello_encode(&h, buf, sizeof(buf)), FRAME_HELLO_SIZE);
        assert_int_equal(frame_hello_decode(buf, sizeof(buf), &d), 0);
        assert_int_equal(d.version_major, 1);
        assert_int_equal(d.version_minor, 7);
        assert_true(d.capabilities == 0x8000000000000001);
}

static void test_hello_decode_rejects_short_payload(void **state) {
        uint8_t buf[FRAME_HELLO_SIZE] = { 1 };
        FrameHello d;

        assert_int_equal(frame_hello_decode(buf, FRAME_HELLO_SIZE - 1, &d), -EBADMSG);
}

static void test_hello_decode_ignores_trailing_bytes(void **state) {
        uint8_t buf[FRAME_HELLO_SIZE + 8];
        FrameHello d;

        memset(buf, 0xff, sizeof(buf));
        (void) frame_hello_encode(&(FrameHello){ .version_major = 1 }, buf, sizeof(buf));
        assert_int_equal(frame_hello_decode(buf, sizeof(buf), &d), 0);
        assert_int_equal(d.version_major, 1);
}

static void test_encoders_report_size_without_buffer(void **state) {
        assert_int_equal(frame_hello_encode(&(FrameHello){}, NULL, 0), FRAME_HELLO_SIZE);
        assert_int_equal(frame_status_encode(&(FrameStatus){}, NULL, 0), FRAME_STATUS_SIZE);
        assert_int_equal(frame_reject_encode(-EPERM, "no", NULL, 0), 6);
        assert_int_equal(frame_data_encode(1, (const uint8_t *) "abc", 3, NULL, 0), 4);
}

static void test_status_round_trips(void **state) {
        FrameStatus s = { .live_sessions = 3, .last_activity_usec = 123456789012345 }, d;
        uint8_t buf[FRAME_STATUS_SIZE];

        assert_int_equal(frame_status_encode(&s, buf, sizeof(buf)), FRAME_STATUS_SIZE);
        assert_int_equal(frame_status_decode(buf, sizeof(buf), &d), 0);
        assert_int_equal(d.live_sessions, 3);
        assert_true(d.last_activity_usec == 123456789012345);
        assert_int_equal(frame_status_decode(buf, FRAME_STATUS_SIZE - 1, &d), -EBADMSG);
}

static void test_power_round_trips(void **state) {
        uint8_t buf[FRAME_POWER_SIZE];
        PowerAction a;

        assert_int_equal(frame_power_encode(POWER_REBOOT, buf, sizeof(buf)), FRAME_POWER_SIZE);
        assert_int_equal(frame_power_decode(buf, sizeof(buf), &a), 0);
        assert_int_equal(a, POWER_REBOOT);
}

static void test_power_decode_rejects_unknown_action(void **state) {
        const uint8_t zero[4] = { 0 }, three[4] = { 3 }, huge[4] = { 1, 0, 0, 0x80 };
        PowerAction a = POWER_POWEROFF;

        assert_int_equal(frame_power_decode(zero, 4, &a), -EBADMSG);
        assert_int_equal(frame_power_decode(three, 4, &a), -EBADMSG);
        assert_int_equal(frame_power_decode(huge, 4, &a), -EBADMSG);
        assert_int_equal(frame_power_encode(0, NULL, 0), -EINVAL);
}

static void test_accept_and_credit_round_trip_up_to_window_max(void **state) {
        uint8_t buf[4];
        uint32_t v;

        assert_int_equal(frame_accept_encode(STREAM_WINDOW_MAX, buf, sizeof(buf)), 4);
        assert_int_equal(frame_accept_decode(buf, sizeof(buf), &v), 0);
        assert_int_equal(v, STREAM_WINDOW_MAX);
        assert_int_equal(frame_credit_encode(17, buf, sizeof(buf)), 4);
        assert_int_equal(frame_credit_decode(buf, sizeof(buf), &v), 0);
        assert_int_equal(v, 17);
}

static void test_accept_and_credit_reject_window_over_max(void **state) {
        const uint8_t over[4] = { 1, 0, 0x40, 0 }; /* STREAM_WINDOW_MAX + 1 */
        uint32_t v = 5;

        assert_int_equal(frame_accept_decode(over, 4, &v), -EBADMSG);
        assert_int_equal(frame_credit_decode(over, 4, &v), -EBADMSG);
        assert_int_equal(frame_credit_decode(over, 3, &v), -EBADMSG);
        assert_int_equal(v, 5);
        assert_int_equal(frame_credit_encode(STREAM_WINDOW_MAX + 1, NULL, 0), -EINVAL);
}

static void test_eof_round_trips_and_rejects_bad_fd(void **state) {
        uint8_t buf[1], fd, bad = 3;

        assert_int_equal(frame_eof_encode(2, buf, sizeof(buf)), 1);
        assert_int_equal(frame_eof_decode(buf, 1, &fd), 0);
        assert_int_equal(fd, 2);
        assert_int_equal(frame_eof_decode(&bad, 1, &fd), -EBADMSG);
        assert_int_equal(frame_eof_decode(buf, 0, &fd), -EBADMSG);
}

static void test_signal_round_trips_and_rejects_out_of_range(void **state) {
        const uint8_t zero[4] = { 0 }, s65[4] = { 65 };
        uint8_t buf[4];
        uint32_t signo;

        assert_int_equal(frame_signal_encode(15, buf, sizeof(buf)), 4);
        assert_int_equal(frame_signal_decode(buf, 4, &signo), 0);
        assert_int_equal(signo, 15);
        assert_int_equal(frame_signal_decode(zero, 4, &signo), -EBADMSG);
        assert_int_equal(frame_signal_decode(s65, 4, &signo), -EBADMSG);
}

static void test_resize_round_trips(void **state) {
        uint8_t buf[4];
        uint16_t rows, cols;

        assert_int_equal(frame_resize_encode(50, 132, buf, sizeof(buf)), 4);
        assert_int_equal(frame_resize_decode(buf, 4, &rows, &cols), 0);
        assert_int_equal(rows, 50);
        assert_int_equal(cols, 132);
        assert_int_equal(frame_resize_decode(buf, 3, &rows, &cols), -EBADMSG);
}

static void test_exit_round_trips(void **state) {
        const FrameExit cases[] = {
                { .how = EXIT_HOW_EXITED, .code = 0 },
                { .how = EXIT_HOW_EXITED, .code = 255 },
                { .how = EXIT_HOW_SIGNALED, .code = 9 },
                { .how = EXIT_HOW_SIGNALED, .core_dumped = true, .code = 11 },
        };
        uint8_t buf[FRAME_EXIT_SIZE];
        FrameExit d;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                assert_int_equal(frame_exit_encode(&cases[i], buf, sizeof(buf)), FRAME_EXIT_SIZE);
                assert_int_equal(frame_exit_decode(buf, sizeof(buf), &d), 0);
                assert_int_equal(d.how, cases[i].how);
                assert_int_equal(d.core_dumped, cases[i].core_dumped);
                assert_int_equal(d.code, cases[i].code);
        }
}

static void test_exit_decode_rejects_impossible_statuses(void **state) {
        static const struct {
                const char *label;
                uint8_t bytes[FRAME_EXIT_SIZE];
        } cases[] = {
                { "how 2", { 2, 0, 0, 0, 0, 0, 0, 0 } },
                { "exit code 256", { 0, 0, 0, 0, 0, 1, 0, 0 } },
                { "exit code -1", { 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff } },
                { "core dump without signal", { 0, 1, 0, 0, 0, 0, 0, 0 } },
                { "core_dumped 2", { 1, 2, 0, 0, 9, 0, 0, 0 } },
                { "signal 0", { 1, 0, 0, 0, 0, 0, 0, 0 } },
                { "signal 65", { 1, 0, 0, 0, 65, 0, 0, 0 } },
        };
        FrameExit d;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                if (frame_exit_decode(cases[i].bytes, FRAME_EXIT_SIZE, &d) != -EBADMSG)
                        fail_msg("case '%s' was accepted", cases[i].label);
        }
        assert_int_equal(frame_exit_decode(cases[0].bytes, FRAME_EXIT_SIZE - 1, &d), -EBADMSG);
}

static void test_close_round_trips(void **state) {
        uint8_t buf[4];
        int32_t e;

        assert_int_equal(frame_close_encode(-EPROTO, buf, sizeof(buf)), 4);
        assert_int_equal(frame_close_decode(buf, 4, &e), 0);
        assert_int_equal(e, -EPROTO);
        assert_int_equal(frame_close_encode(0, buf, sizeof(buf)), 4);
        assert_int_equal(frame_close_decode(buf, 4, &e), 0);
        assert_int_equal(e, 0);
        assert_int_equal(frame_close_encode(5, NULL, 0), -EINVAL);
}

static void test_close_decode_maps_absurd_errors_to_eproto(void **state) {
        const uint8_t positive[4] = { 5 }, huge[4] = { 0, 0, 0, 0x80 };
        int32_t e;

        assert_int_equal(frame_close_decode(positive, 4, &e), 0);
        assert_int_equal(e, -EPROTO);
        assert_int_equal(frame_close_decode(huge, 4, &e), 0);
        assert_int_equal(e, -EPROTO);
        assert_int_equal(frame_close_decode(huge, 2, &e), -EBADMSG);
}

static void test_reject_round_trips(void **state) {
        uint8_t buf[64];
        FrameReject d;
        int n;

        n = frame_reject_encode(-ENOENT, "no such program", buf, sizeof(buf));
        assert_int_equal(n, 4 + 15);
        assert_int_equal(frame_reject_decode(buf, (size_t) n, &d), 0);
        assert_int_equal(d.error, -ENOENT);
        assert_string_equal(d.message, "no such program");
        assert_int_equal(frame_reject_encode(0, "x", buf, sizeof(buf)), -EINVAL);
}

static void test_reject_decode_sanitises_message_to_printable(void **state) {
        const uint8_t in[] = { 0xfe, 0xff, 0xff, 0xff, 'a', '\n', 0, 0x1b, '[', 0xc3, 0xa9, 0x7f,
                'z' };
        FrameReject d;

        assert_int_equal(frame_reject_decode(in, sizeof(in), &d), 0);
        assert_int_equal(d.error, -2);
        assert_string_equal(d.message, "a???[???z");
}

static void test_reject_decode_truncates_message_and_fixes_error(void **state) {
        uint8_t in[4 + 1000];
        FrameReject d;

        memset(in, 'm', sizeof(in));
        in[0] = 1, in[1] = in[2] = in[3] = 0; /* error +1: not a negative errno */
        assert_int_equal(frame_reject_decode(in, sizeof(in), &d), 0);
        assert_int_equal(d.error, -EPROTO);
        assert_int_equal(strlen(d.message), FRAME_REJECT_MESSAGE_MAX);
        assert_int_equal(frame_reject_decode(in, 3, &d), -EBADMSG);
}

static void test_data_round_trips(void **state) {
        uint8_t buf[8];
        FrameData d;

        assert_int_equal(frame_data_encode(2, (const uint8_t *) "err", 3, buf, sizeof(buf)), 4);
        assert_int_equal(frame_data_decode(buf, 4, &d), 0);
        assert_int_equal(d.fd, 2);
        assert_int_equal(d.len, 3);
        assert_memory_equal(d.data, "err", 3);
}

static void test_data_decode_rejects_empty_and_bad_fd(void **state) {
        const uint8_t only_fd[1] = { 1 }, fd3[2] = { 3, 'x' };
        FrameData d;

        assert_int_equal(frame_data_decode(only_fd, 1, &d), -EBADMSG);
        assert_int_equal(frame_data_decode(only_fd, 0, &d), -EBADMSG);
        assert_int_equal(frame_data_decode(fd3, 2, &d), -EBADMSG);
        assert_int_equal(frame_data_encode(0, (const uint8_t *) "", 0, NULL, 0), -EINVAL);
}

/* ---- OPEN ---- */

static void test_open_exec_round_trips_every_field(void **state) {
        char *argv[] = { "ls", "", "-l", NULL }, *env[] = { "A=1", "EMPTY=", NULL };
        FrameOpen o = {
                .kind = STREAM_KIND_EXEC,
                .window = 65536,
                .argv = argv,
                .n_argv = 3,
                .env = env,
                .n_env = 2,
                .cwd = "/home/user",
                .user = "user",
                .pty = true,
                .pty_rows = 24,
                .pty_cols = 80,
                .term = "xterm-256color",
        };
        FrameOpen d = {};
        uint8_t buf[512];
        int n;

        n = frame_open_encode(&o, NULL, 0);
        assert_true(n > 0);
        assert_int_equal(frame_open_encode(&o, buf, sizeof(buf)), n);
        assert_int_equal(frame_open_decode(buf, (size_t) n, &d), 0);
        assert_int_equal(d.kind, STREAM_KIND_EXEC);
        assert_int_equal(d.window, 65536);
        assert_int_equal(d.n_argv, 3);
        assert_string_equal(d.argv[0], "ls");
        assert_string_equal(d.argv[1], "");
        assert_string_equal(d.argv[2], "-l");
        assert_null(d.argv[3]);
        assert_int_equal(d.n_env, 2);
        assert_string_equal(d.env[1], "EMPTY=");
        assert_null(d.env[2]);
        assert_string_equal(d.cwd, "/home/user");
        assert_string_equal(d.user, "user");
        assert_true(d.pty);
        assert_int_equal(d.pty_rows, 24);
        assert_int_equal(d.pty_cols, 80);
        assert_string_equal(d.term, "xterm-256color");
        assert_null(d.service);
        frame_open_finish(&d);
        assert_null(d.argv);
        frame_open_finish(&d); /* a finished struct may be finished again */
}

static void test_open_forward_round_trips(void **state) {
        FrameOpen o = { .kind = STREAM_KIND_FORWARD, .service = "org.vmsilo.Tray-1_x" }, d = {};
        uint8_t buf[128];
        int n;

        n = frame_open_encode(&o, buf, sizeof(buf));
        assert_int_equal(n, 8 + 8 + 19);
        assert_int_equal(frame_open_decode(buf, (size_t) n, &d), 0);
        assert_int_equal(d.kind, STREAM_KIND_FORWARD);
        assert_string_equal(d.service, "org.vmsilo.Tray-1_x");
        assert_null(d.argv);
        frame_open_finish(&d);
}

static void test_open_decode_accepts_pty_without_term(void **state) {
        _cleanup_(bytes_finish) Bytes b = {};
        const uint8_t dims[4] = { 24, 0, 80, 0 };
        _cleanup_(frame_open_finish) FrameOpen d = {};

        open_prefix(&b, STREAM_KIND_EXEC, 0);
        put_tlv_str(&b, OPEN_TAG_ARG, "sh");
        put_tlv(&b, OPEN_TAG_PTY, dims, sizeof(dims));
        assert_int_equal(frame_open_decode(b.data, b.len, &d), 0);
        assert_true(d.pty);
        assert_null(d.term);
        assert_int_equal(d.pty_cols, 80);
}

static void test_open_decode_ignores_unknown_optional_tag(void **state) {
        _cleanup_(bytes_finish) Bytes b = {};
        _cleanup_(frame_open_finish) FrameOpen d = {};

        open_prefix(&b, STREAM_KIND_EXEC, 0);
        put_tlv_str(&b, 0x8042, "whatever\0with nul");
        put_tlv_str(&b, OPEN_TAG_ARG, "true");
        assert_int_equal(frame_open_decode(b.data, b.len, &d), 0);
        assert_int_equal(d.n_argv, 1);
}

/* One hostile OPEN per row, built by a small function so each stays readable. */
typedef struct OpenCase {
        const char *label;
        void (*build)(Bytes *b);
        int error;
} OpenCase;

static void build_truncated_tlv_header(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_u16(b, OPEN_TAG_ARG);
        put_u16(b, 0);
}

static void build_tlv_len_beyond_payload(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_u16(b, OPEN_TAG_ARG);
        put_u16(b, 0);
        put_u32(b, 3);
        put(b, "ls", 2);
}

static void build_tlv_len_huge(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_u16(b, OPEN_TAG_ARG);
        put_u16(b, 0);
        put_u32(b, 0xfffffff8);
        put(b, "ls", 2);
}

static void build_nul_in_arg(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv(b, OPEN_TAG_ARG, "l\0s", 3);
}

static void build_nul_in_cwd(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv(b, OPEN_TAG_CWD, "/tmp\0/etc", 9);
}

static void build_no_arg(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_CWD, "/");
}

static void build_empty_argv0(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "");
}

static void build_env_without_equals(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv_str(b, OPEN_TAG_ENV, "PATH");
}

static void build_env_empty_key(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv_str(b, OPEN_TAG_ENV, "=x");
}

static void build_repeated_cwd(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv_str(b, OPEN_TAG_CWD, "/");
        put_tlv_str(b, OPEN_TAG_CWD, "/tmp");
}

static void build_repeated_pty(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv(b, OPEN_TAG_PTY, "\0\0\0\0", 4);
        put_tlv(b, OPEN_TAG_PTY, "\0\0\0\0", 4);
}

static void build_short_pty(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv(b, OPEN_TAG_PTY, "\0\0\0", 3);
}

static void build_empty_user(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv_str(b, OPEN_TAG_USER, "");
}

static void build_unknown_mandatory_tag(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv_str(b, 0x0042, "x");
}

static void build_tag_zero(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv_str(b, 0, "");
}

static void build_service_in_exec(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
        put_tlv_str(b, OPEN_TAG_SERVICE, "tray");
}

static void build_arg_in_forward(Bytes *b) {
        open_prefix(b, STREAM_KIND_FORWARD, 0);
        put_tlv_str(b, OPEN_TAG_SERVICE, "tray");
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
}

static void build_forward_without_service(Bytes *b) {
        open_prefix(b, STREAM_KIND_FORWARD, 0);
}

static void build_bad_service_name(Bytes *b) {
        open_prefix(b, STREAM_KIND_FORWARD, 0);
        put_tlv_str(b, OPEN_TAG_SERVICE, "../etc/passwd");
}

static void build_long_service_name(Bytes *b) {
        char name[66];
        memset(name, 'a', 65);
        name[65] = '\0';
        open_prefix(b, STREAM_KIND_FORWARD, 0);
        put_tlv_str(b, OPEN_TAG_SERVICE, name);
}

static void build_repeated_service(Bytes *b) {
        open_prefix(b, STREAM_KIND_FORWARD, 0);
        put_tlv_str(b, OPEN_TAG_SERVICE, "a");
        put_tlv_str(b, OPEN_TAG_SERVICE, "b");
}

static void build_unknown_kind(Bytes *b) {
        open_prefix(b, 3, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
}

static void build_window_over_max(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, STREAM_WINDOW_MAX + 1);
        put_tlv_str(b, OPEN_TAG_ARG, "ls");
}

static void build_short_fixed_part(Bytes *b) {
        put_u32(b, STREAM_KIND_EXEC);
        put_u16(b, 0);
}

static void build_too_many_args(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        for (size_t i = 0; i < OPEN_ARGS_MAX + 1; i++)
                put_tlv_str(b, OPEN_TAG_ARG, "a");
}

static void build_too_many_env(Bytes *b) {
        open_prefix(b, STREAM_KIND_EXEC, 0);
        put_tlv_str(b, OPEN_TAG_ARG, "env");
        for (size_t i = 0; i < OPEN_ENV_MAX + 1; i++)
                put_tlv_str(b, OPEN_TAG_ENV, "A=");
}

static const OpenCase open_cases[] = {
        { "truncated TLV header", build_truncated_tlv_header, -EBADMSG },
        { "TLV length beyond payload", build_tlv_len_beyond_payload, -EBADMSG },
        { "TLV length near 4 GiB", build_tlv_len_huge, -EBADMSG },
        { "NUL inside ARG", build_nul_in_arg, -EBADMSG },
        { "NUL inside CWD", build_nul_in_cwd, -EBADMSG },
        { "no ARG", build_no_arg, -EBADMSG },
        { "empty argv[0]", build_empty_argv0, -EBADMSG },
        { "ENV without '='", build_env_without_equals, -EBADMSG },
        { "ENV with empty key", build_env_empty_key, -EBADMSG },
        { "CWD twice", build_repeated_cwd, -EBADMSG },
        { "PTY twice", build_repeated_pty, -EBADMSG },
        { "PTY shorter than rows+cols", build_short_pty, -EBADMSG },
        { "empty USER", build_empty_user, -EBADMSG },
        { "unknown mandatory tag", build_unknown_mandatory_tag, -EPROTONOSUPPORT },
        { "tag 0", build_tag_zero, -EPROTONOSUPPORT },
        { "SERVICE in EXEC", build_service_in_exec, -EBADMSG },
        { "ARG in FORWARD", build_arg_in_forward, -EBADMSG },
        { "FORWARD without SERVICE", build_forward_without_service, -EBADMSG },
        { "service name with '/'", build_bad_service_name, -EBADMSG },
        { "service name of 65 bytes", build_long_service_name, -EBADMSG },
        { "SERVICE twice", build_repeated_service, -EBADMSG },
        { "unknown kind", build_unknown_kind, -EPROTONOSUPPORT },
        { "window over max", build_window_over_max, -EBADMSG },
        { "payload shorter than kind+window", build_short_fixed_part, -EBADMSG },
        { "4097 ARG", build_too_many_args, -E2BIG },
        { "4097 ENV", build_too_many_env, -E2BIG },
};

static void test_open_decode_rejects_each_hostile_case(void **state) {
        for (size_t i = 0; i < sizeof(open_cases) / sizeof(open_cases[0]); i++) {
                _cleanup_(bytes_finish) Bytes b = {};
                FrameOpen d = { .window = 99 };
                int r;

                open_cases[i].build(&b);
                r = frame_open_decode(b.data, b.len, &d);
                if (r != open_cases[i].error)
                        fail_msg("case '%s': got %d, want %d", open_cases[i].label, r,
                                        open_cases[i].error);
                assert_int_equal(d.window, 99); /* untouched on failure */
        }
}

static void test_open_decode_accepts_exactly_args_max(void **state) {
        _cleanup_(bytes_finish) Bytes b = {};
        _cleanup_(frame_open_finish) FrameOpen d = {};

        open_prefix(&b, STREAM_KIND_EXEC, 0);
        for (size_t i = 0; i < OPEN_ARGS_MAX; i++)
                put_tlv_str(&b, OPEN_TAG_ARG, "a");
        assert_int_equal(frame_open_decode(b.data, b.len, &d), 0);
        assert_int_equal(d.n_argv, OPEN_ARGS_MAX);
        assert_null(d.argv[OPEN_ARGS_MAX]);
}

static void test_open_encode_rejects_invalid_requests(void **state) {
        char *argv[] = { "ls", NULL }, *empty[] = { "", NULL }, *env[] = { "NOEQ", NULL };
        const FrameOpen cases[] = {
                { .kind = STREAM_KIND_EXEC },
                { .kind = STREAM_KIND_EXEC, .argv = empty, .n_argv = 1 },
                { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1, .env = env, .n_env = 1 },
                { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1, .term = "xterm" },
                { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1, .cwd = "" },
                { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1, .service = "x" },
                { .kind = STREAM_KIND_EXEC,
                                .argv = argv,
                                .n_argv = 1,
                                .window = STREAM_WINDOW_MAX + 1 },
                { .kind = STREAM_KIND_FORWARD, .service = "a b" },
                { .kind = STREAM_KIND_FORWARD, .service = "ok", .argv = argv, .n_argv = 1 },
                { .kind = 7, .argv = argv, .n_argv = 1 },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                if (frame_open_encode(&cases[i], NULL, 0) != -EINVAL)
                        fail_msg("case %zu was accepted", i);
}

static void test_open_encode_rejects_payload_over_max(void **state) {
        char *big = malloc(FRAME_PAYLOAD_MAX);
        char *argv[] = { big, NULL };

        assert_non_null(big);
        memset(big, 'x', FRAME_PAYLOAD_MAX - 1);
        big[FRAME_PAYLOAD_MAX - 1] = '\0';
        FrameOpen o = { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1 };
        assert_int_equal(frame_open_encode(&o, NULL, 0), -E2BIG);
        big[FRAME_PAYLOAD_MAX - 16 - 1] = '\0'; /* 8 fixed + 8 TLV header + data = max */
        assert_int_equal(frame_open_encode(&o, NULL, 0), FRAME_PAYLOAD_MAX - 1);
        free(big);
}

static void test_open_encode_writes_nothing_into_a_short_buffer(void **state) {
        char *argv[] = { "true", NULL };
        FrameOpen o = { .kind = STREAM_KIND_EXEC, .argv = argv, .n_argv = 1 };
        uint8_t buf[8];

        memset(buf, 0xaa, sizeof(buf));
        assert_int_equal(frame_open_encode(&o, buf, sizeof(buf)), 8 + 8 + 4);
        for (size_t i = 0; i < sizeof(buf); i++)
                assert_int_equal(buf[i], 0xaa);
}

static void test_service_name_validation(void **state) {
        char max[OPEN_SERVICE_NAME_MAX + 1];

        memset(max, 'z', OPEN_SERVICE_NAME_MAX);
        max[OPEN_SERVICE_NAME_MAX] = '\0';
        assert_true(open_service_name_is_valid(max));
        assert_true(open_service_name_is_valid("a.b_c-D9"));
        assert_false(open_service_name_is_valid(""));
        assert_false(open_service_name_is_valid(NULL));
        assert_false(open_service_name_is_valid("a/b"));
        assert_false(open_service_name_is_valid("caf\xc3\xa9"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_frame_header_round_trips),
                cmocka_unit_test(test_frame_header_is_little_endian),
                cmocka_unit_test(test_frame_header_decode_needs_twelve_bytes),
                cmocka_unit_test(test_frame_header_decode_rejects_payload_over_max),
                cmocka_unit_test(test_frame_header_decode_rejects_unknown_mandatory_type),
                cmocka_unit_test(test_frame_header_decode_accepts_unknown_optional_type),
                cmocka_unit_test(test_frame_type_table_round_trips),
                cmocka_unit_test(test_other_tables_round_trip),
                cmocka_unit_test(test_control_types_are_exactly_hello_to_power),
                cmocka_unit_test(test_hello_round_trips),
                cmocka_unit_test(test_hello_decode_rejects_short_payload),
                cmocka_unit_test(test_hello_decode_ignores_trailing_bytes),
                cmocka_unit_test(test_encoders_report_size_without_buffer),
                cmocka_unit_test(test_status_round_trips),
                cmocka_unit_test(test_power_round_trips),
                cmocka_unit_test(test_power_decode_rejects_unknown_action),
                cmocka_unit_test(test_accept_and_credit_round_trip_up_to_window_max),
                cmocka_unit_test(test_accept_and_credit_reject_window_over_max),
                cmocka_unit_test(test_eof_round_trips_and_rejects_bad_fd),
                cmocka_unit_test(test_signal_round_trips_and_rejects_out_of_range),
                cmocka_unit_test(test_resize_round_trips),
                cmocka_unit_test(test_exit_round_trips),
                cmocka_unit_test(test_exit_decode_rejects_impossible_statuses),
                cmocka_unit_test(test_close_round_trips),
                cmocka_unit_test(test_close_decode_maps_absurd_errors_to_eproto),
                cmocka_unit_test(test_reject_round_trips),
                cmocka_unit_test(test_reject_decode_sanitises_message_to_printable),
                cmocka_unit_test(test_reject_decode_truncates_message_and_fixes_error),
                cmocka_unit_test(test_data_round_trips),
                cmocka_unit_test(test_data_decode_rejects_empty_and_bad_fd),
                cmocka_unit_test(test_open_exec_round_trips_every_field),
                cmocka_unit_test(test_open_forward_round_trips),
                cmocka_unit_test(test_open_decode_accepts_pty_without_term),
                cmocka_unit_test(test_open_decode_ignores_unknown_optional_tag),
                cmocka_unit_test(test_open_decode_rejects_each_hostile_case),
                cmocka_unit_test(test_open_decode_accepts_exactly_args_max),
                cmocka_unit_test(test_open_encode_rejects_invalid_requests),
                cmocka_unit_test(test_open_encode_rejects_payload_over_max),
                cmocka_unit_test(test_open_encode_writes_nothing_into_a_short_buffer),
                cmocka_unit_test(test_service_name_validation),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-wire.c: the wire decoder takes exactly what libwayland sends and refuses the rest. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wayland-client-protocol.h"
#include "wayland-msg.h"
#include "wire.h"

static int decode(Msg *m, const struct wl_interface *i, uint16_t opcode, bool request,
                WireMessage *ret) {
        WireHeader h;
        int r = wire_header_decode(m->buf, m->len, &h);

        if (r < 0)
                return r;
        return wire_message_decode(
                        m->buf, &h, request ? &i->methods[opcode] : &i->events[opcode], ret);
}

static void test_wire_header_needs_eight_bytes(void **state) {
        WireHeader h;
        uint8_t buf[8] = {};

        assert_int_equal(wire_header_decode(buf, 7, &h), -EAGAIN);
}

static void test_wire_header_refuses_bad_sizes(void **state) {
        static const uint32_t sizes[] = { 0, 4, 9, 14, WIRE_MESSAGE_MAX + 4, 0xfffc };
        uint8_t buf[8] = {};
        WireHeader h;

        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                wire_write_u32(buf + 4, sizes[i] << 16 | 3);
                assert_int_equal(wire_header_decode(buf, sizeof(buf), &h), -EMSGSIZE);
        }
        wire_write_u32(buf, 7);
        wire_write_u32(buf + 4, WIRE_MESSAGE_MAX << 16 | 3);
        assert_int_equal(wire_header_decode(buf, sizeof(buf), &h), 0);
        assert_int_equal(h.object, 7);
        assert_int_equal(h.opcode, 3);
        assert_int_equal(h.size, WIRE_MESSAGE_MAX);
}

static void test_wire_decodes_bind_with_untyped_new_id(void **state) {
        WireMessage msg;
        Msg m;

        msg_begin(&m, 2, WL_REGISTRY_BIND);
        msg_u32(&m, 5);
        msg_str(&m, "wl_compositor");
        msg_u32(msg_u32(&m, 4), 3);
        msg_end(&m);
        assert_int_equal(decode(&m, &wl_registry_interface, WL_REGISTRY_BIND, true, &msg), 0);
        assert_int_equal(msg.n_args, 4);
        assert_int_equal(msg.args[0].word, 5);
        assert_string_equal(msg.args[1].str, "wl_compositor");
        assert_int_equal(msg.args[2].word, 4);
        assert_int_equal(msg.args[2].offset, 8 + 4 + 4 + 16);
        assert_int_equal(msg.args[3].type, 'n');
        assert_int_equal(msg.args[3].word, 3);
        assert_null(msg.args[3].interface);
        assert_int_equal(msg.n_fds, 0);
}

static void test_wire_counts_fd_arguments(void **state) {
        WireMessage msg;
        Msg m;

        msg_begin(&m, 4, WL_SHM_CREATE_POOL);
        msg_u32(msg_u32(&m, 9), 4096); /* new_id, size: the fd has no bytes */
        msg_end(&m);
        assert_int_equal(decode(&m, &wl_shm_interface, WL_SHM_CREATE_POOL, true, &msg), 0);
        assert_int_equal(msg.n_fds, 1);
        assert_ptr_equal(msg.args[0].interface, &wl_shm_pool_interface);
}

/* wl_registry.bind with the interface argument as given: len bytes of s, or a bare length word
 * (s NULL) claiming len bytes that are not there. */
static int decode_bind_with_string(const void *s, size_t len) {
        WireMessage msg;
        Msg m;

        msg_begin(&m, 2, WL_REGISTRY_BIND);
        msg_u32(&m, 5);
        if (s)
                msg_bytes(&m, s, len);
        else
                msg_u32(&m, (uint32_t) len);
        msg_u32(msg_u32(&m, 1), 3);
        msg_end(&m);
        return decode(&m, &wl_registry_interface, WL_REGISTRY_BIND, true, &msg);
}

static void test_wire_refuses_bad_strings(void **state) {
        assert_int_equal(decode_bind_with_string("wl_shm", 7), 0);
        assert_int_equal(decode_bind_with_string("abc", 3), -EBADMSG);   /* no NUL */
        assert_int_equal(decode_bind_with_string("a\0b", 4), -EBADMSG);  /* NUL inside */
        assert_int_equal(decode_bind_with_string(NULL, 0), -EBADMSG);    /* null, not nullable */
        assert_int_equal(decode_bind_with_string(NULL, 4000), -EBADMSG); /* past the message */
}

static void test_wire_refuses_truncated_and_trailing_bytes(void **state) {
        WireMessage msg;
        Msg m;

        msg_begin(&m, 1, WL_DISPLAY_SYNC);
        msg_end(&m);
        assert_int_equal(decode(&m, &wl_display_interface, WL_DISPLAY_SYNC, true, &msg), -EBADMSG);
        msg_begin(&m, 1, WL_DISPLAY_SYNC);
        msg_u32(msg_u32(&m, 3), 3);
        msg_end(&m);
        assert_int_equal(decode(&m, &wl_display_interface, WL_DISPLAY_SYNC, true, &msg), -EBADMSG);
}

static void test_wire_refuses_zero_ids_unless_nullable(void **state) {
        WireMessage msg;
        Msg m;

        msg_begin(&m, 1, WL_DISPLAY_SYNC);
        msg_u32(&m, 0);
        msg_end(&m);
        assert_int_equal(decode(&m, &wl_display_interface, WL_DISPLAY_SYNC, true, &msg), -EBADMSG);

        msg_begin(&m, 10, WL_SURFACE_ATTACH); /* "?oii": a null buffer detaches */
        msg_u32(msg_u32(msg_u32(&m, 0), 0), 0);
        msg_end(&m);
        assert_int_equal(decode(&m, &wl_surface_interface, WL_SURFACE_ATTACH, true, &msg), 0);
        assert_true(msg.args[0].nullable);

        msg_begin(&m, 10, WL_SURFACE_SET_BUFFER_TRANSFORM); /* "2i": since 2 */
        msg_u32(&m, 0);
        msg_end(&m);
        assert_int_equal(decode(&m, &wl_surface_interface, WL_SURFACE_SET_BUFFER_TRANSFORM, true,
                                         &msg),
                        0);
        assert_int_equal(msg.since, 2);
}

static void test_wire_signature_since(void **state) {
        assert_int_equal(wire_signature_since("s"), 1);
        assert_int_equal(wire_signature_since(""), 1);
        assert_int_equal(wire_signature_since("5ii"), 5);
        assert_int_equal(wire_signature_since("12?o"), 12);
}

static void test_wire_encodes_string_message_and_refuses_oversize(void **state) {
        uint8_t buf[WIRE_MESSAGE_MAX];
        char big[WIRE_MESSAGE_MAX];
        WireHeader h;
        int n;

        n = wire_encode_string_message(12, 2, "[vm] x", buf, sizeof(buf));
        assert_int_equal(n, 8 + 4 + 8);
        assert_int_equal(wire_header_decode(buf, (size_t) n, &h), 0);
        assert_int_equal(h.object, 12);
        assert_int_equal(h.opcode, 2);
        assert_int_equal(h.size, n);
        assert_int_equal(wire_read_u32(buf + 8), 7);
        assert_string_equal((const char *) buf + 12, "[vm] x");

        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(wire_encode_string_message(12, 2, big, buf, sizeof(buf)), -EMSGSIZE);
        n = wire_encode_display_error(12, 3, "cut", buf, sizeof(buf));
        assert_int_equal(n, 8 + 8 + 8);
        assert_int_equal(wire_read_u32(buf), WIRE_DISPLAY_ID);
        assert_int_equal(wire_read_u32(buf + 8), 12);
        assert_int_equal(wire_read_u32(buf + 12), 3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wire_header_needs_eight_bytes),
                cmocka_unit_test(test_wire_header_refuses_bad_sizes),
                cmocka_unit_test(test_wire_decodes_bind_with_untyped_new_id),
                cmocka_unit_test(test_wire_counts_fd_arguments),
                cmocka_unit_test(test_wire_refuses_bad_strings),
                cmocka_unit_test(test_wire_refuses_truncated_and_trailing_bytes),
                cmocka_unit_test(test_wire_refuses_zero_ids_unless_nullable),
                cmocka_unit_test(test_wire_signature_since),
                cmocka_unit_test(test_wire_encodes_string_message_and_refuses_oversize),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

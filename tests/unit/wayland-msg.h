/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wayland-msg.h: builds Wayland wire messages for the tests of src/wayland/. */
#pragma once

#include <stdint.h>
#include <string.h>

#include "wire.h"

typedef struct Msg {
        uint8_t buf[8192]; /* room for oversize messages the tests want refused */
        size_t len;
} Msg;

static inline Msg *msg_u32(Msg *m, uint32_t v) {
        wire_write_u32(m->buf + m->len, v);
        m->len += 4;
        return m;
}

static inline Msg *msg_begin(Msg *m, uint32_t object, uint16_t opcode) {
        m->len = 0;
        msg_u32(m, object);
        return msg_u32(m, opcode);
}

/* A string argument of len bytes (NUL included, as on the wire), zero-padded to 4. */
static inline Msg *msg_bytes(Msg *m, const void *s, size_t len) {
        msg_u32(m, (uint32_t) len);
        memset(m->buf + m->len, 0, (len + 3) & ~(size_t) 3);
        memcpy(m->buf + m->len, s, len);
        m->len += (len + 3) & ~(size_t) 3;
        return m;
}

static inline Msg *msg_str(Msg *m, const char *s) {
        return msg_bytes(m, s, strlen(s) + 1);
}

/* Writes the size into the header; returns the message length. */
static inline size_t msg_end(Msg *m) {
        uint32_t w = wire_read_u32(m->buf + 4);

        wire_write_u32(m->buf + 4, (uint32_t) m->len << 16 | (w & 0xffff));
        return m->len;
}

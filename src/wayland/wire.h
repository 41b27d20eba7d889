/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wire.h: the Wayland wire format: message headers and arguments decoded against the signatures of
 * wayland-scanner's tables, and the few messages the fence writes itself. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wayland-util.h>

/* libwayland 1.21 (Debian 12) has 4096-byte connection buffers: a bigger message can be neither
 * sent nor received by it, so the fence never accepts or writes one. */
#define WIRE_MESSAGE_MAX 4096u
#define WIRE_HEADER_SIZE 8u
/* libwayland's WL_CLOSURE_MAX_ARGS; no message of the tables has more. */
#define WIRE_ARGS_MAX 20u
/* Client-allocated ids are below this, compositor-allocated ids from it on (WL_SERVER_ID_START). */
#define WIRE_SERVER_ID_START 0xff000000u
#define WIRE_DISPLAY_ID 1u

typedef struct WireHeader {
        uint32_t object;
        uint16_t opcode;
        uint16_t size; /* bytes, header included; a multiple of 4 in [8, WIRE_MESSAGE_MAX] */
} WireHeader;

typedef struct WireArg {
        char type; /* a signature letter: i u f s o n a h */
        bool nullable;
        uint32_t word; /* i u f o n: the value; s a: the length word; h: unused */
        /* s: the NUL-terminated string inside the message, NULL for a null string;
         * a: the array's bytes. Both point into the decoded buffer. */
        const char *str;
        const uint8_t *data;
        size_t offset;                        /* of the argument's first word in the message */
        const struct wl_interface *interface; /* o n: the type the table names, NULL: untyped */
} WireArg;

typedef struct WireMessage {
        WireHeader header;
        const struct wl_message *message;
        unsigned since; /* the interface version that introduced the message (1 if unmarked) */
        size_t n_args;
        WireArg args[WIRE_ARGS_MAX];
        size_t n_fds; /* 'h' arguments: fds the message takes, in order, from the fd queue */
} WireMessage;

static inline uint32_t wire_read_u32(const uint8_t *p) {
        uint32_t v;

        __builtin_memcpy(&v, p, sizeof(v)); /* host byte order, like the wire */
        return v;
}

static inline void wire_write_u32(uint8_t *p, uint32_t v) {
        __builtin_memcpy(p, &v, sizeof(v));
}

/* Decodes the header at the start of untrusted_buf. -EAGAIN: fewer than 8 bytes; -EMSGSIZE: the
 * size field is below 8, not a multiple of 4 or above WIRE_MESSAGE_MAX. */
int wire_header_decode(const uint8_t *untrusted_buf, size_t len, WireHeader *ret);

/* Decodes the arguments of the whole message at untrusted_buf (header.size bytes, all present)
 * against m's signature. -EBADMSG: truncated or trailing bytes, a string without its NUL or with
 * one inside, a null where the signature does not allow one, a new_id of 0. */
int wire_message_decode(const uint8_t *untrusted_buf, const WireHeader *header,
                const struct wl_message *m, WireMessage *ret);

/* The "since" version of a signature ("5ii" → 5, "s" → 1). */
unsigned wire_signature_since(const char *signature);

/* Writes a message to object: its arguments follow, one per letter of signature (i u f o n:
 * uint32_t, s: a non-NULL string, h: none, the fd goes beside). Returns its size, or -EMSGSIZE
 * if it would not fit in cap or in WIRE_MESSAGE_MAX. */
int wire_encode(uint8_t *buf, size_t cap, uint32_t object, uint16_t opcode, const char *signature,
                ...);

/* Writes a message whose only argument is the string s (xdg_toplevel.set_title):
 * returns its size, or -EMSGSIZE if it would not fit in cap or in WIRE_MESSAGE_MAX. */
int wire_encode_string_message(
                uint32_t object, uint16_t opcode, const char *s, uint8_t *buf, size_t cap);

/* Writes wl_display.error(object, code, message) ("ous"): returns its size or -EMSGSIZE. */
int wire_encode_display_error(
                uint32_t object, uint32_t code, const char *message, uint8_t *buf, size_t cap);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wire.c: the Wayland wire format, decoded against wayland-scanner's signatures. Pure. */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "macro.h"
#include "wire.h"

#define ALIGN4(n) (((n) + 3u) & ~(size_t) 3u)

int wire_header_decode(const uint8_t *untrusted_buf, size_t len, WireHeader *ret) {
        uint32_t untrusted_word;

        if (len < WIRE_HEADER_SIZE)
                return -EAGAIN;
        untrusted_word = wire_read_u32(untrusted_buf + 4);
        /* sanitize start; object and opcode are checked against the object table by the caller */
        if ((untrusted_word >> 16) < WIRE_HEADER_SIZE || (untrusted_word >> 16) % 4 != 0 ||
                        (untrusted_word >> 16) > WIRE_MESSAGE_MAX)
                return -EMSGSIZE;
        /* sanitize end */
        *ret = (WireHeader){
                .object = wire_read_u32(untrusted_buf),
                .opcode = (uint16_t) (untrusted_word & 0xffff),
                .size = (uint16_t) (untrusted_word >> 16),
        };
        return 0;
}

unsigned wire_signature_since(const char *signature) {
        unsigned since = 0;

        for (; *signature >= '0' && *signature <= '9'; signature++)
                since = since * 10 + (unsigned) (*signature - '0');
        return since > 0 ? since : 1;
}

/* A string or array argument at *pos: its length word, then the bytes padded to 4. */
static int decode_blob(const uint8_t *untrusted_buf, size_t size, size_t *pos, WireArg *arg) {
        size_t untrusted_len;

        if (size - *pos < 4)
                return -EBADMSG;
        untrusted_len = wire_read_u32(untrusted_buf + *pos);
        /* sanitize start */
        if (untrusted_len > size - *pos - 4 || ALIGN4(untrusted_len) > size - *pos - 4)
                return -EBADMSG;
        arg->word = (uint32_t) untrusted_len;
        arg->data = untrusted_buf + *pos + 4;
        if (arg->type == 's') {
                if (untrusted_len == 0 && !arg->nullable)
                        return -EBADMSG;
                /* one NUL, at the end: libwayland refuses anything else */
                if (untrusted_len > 0 &&
                                (arg->data[untrusted_len - 1] != '\0' ||
                                                memchr(arg->data, '\0', untrusted_len - 1)))
                        return -EBADMSG;
                arg->str = untrusted_len > 0 ? (const char *) arg->data : NULL;
        }
        /* sanitize end */
        *pos += 4 + ALIGN4(untrusted_len);
        return 0;
}

int wire_message_decode(const uint8_t *untrusted_buf, const WireHeader *header,
                const struct wl_message *m, WireMessage *ret) {
        size_t pos = WIRE_HEADER_SIZE, size = header->size;
        bool nullable = false;
        WireMessage msg = {
                .header = *header,
                .message = m,
                .since = wire_signature_since(m->signature),
        };
        int r;

        for (const char *s = m->signature; *s; s++) {
                WireArg *arg;

                if (*s == '?') {
                        nullable = true;
                        continue;
                }
                if (*s >= '0' && *s <= '9')
                        continue;
                assert(msg.n_args < WIRE_ARGS_MAX); /* a table with more is our bug */
                arg = &msg.args[msg.n_args];
                *arg = (WireArg){
                        .type = *s,
                        .nullable = nullable,
                        .offset = pos,
                        .interface = m->types[msg.n_args],
                };
                nullable = false;
                msg.n_args++;

                switch (*s) {
                case 'h':
                        msg.n_fds++;
                        continue;
                case 's':
                case 'a':
                        r = decode_blob(untrusted_buf, size, &pos, arg);
                        if (r < 0)
                                return r;
                        continue;
                case 'i':
                case 'u':
                case 'f':
                case 'o':
                case 'n':
                        if (size - pos < 4)
                                return -EBADMSG;
                        arg->word = wire_read_u32(untrusted_buf + pos);
                        pos += 4;
                        /* sanitize start */
                        if ((*s == 'n' || (*s == 'o' && !arg->nullable)) && arg->word == 0)
                                return -EBADMSG;
                        /* sanitize end */
                        continue;
                default:
                        assert(!"unknown signature letter");
                }
        }
        if (pos != size)
                return -EBADMSG;
        *ret = msg;
        return 0;
}

int wire_encode(uint8_t *buf, size_t cap, uint32_t object, uint16_t opcode, const char *signature,
                ...) {
        size_t pos = WIRE_HEADER_SIZE, limit = MIN(cap, (size_t) WIRE_MESSAGE_MAX);
        bool fits = true;
        va_list ap;

        va_start(ap, signature);
        for (const char *t = signature; *t && fits; t++) {
                const char *s;
                size_t slen;

                switch (*t) {
                case 'i':
                case 'u':
                case 'f':
                case 'o':
                case 'n':
                        fits = pos + 4 <= limit;
                        if (fits)
                                wire_write_u32(buf + pos, va_arg(ap, uint32_t));
                        pos += 4;
                        break;
                case 's':
                        s = va_arg(ap, const char *);
                        slen = strlen(s) + 1;
                        fits = pos + 4 + ALIGN4(slen) <= limit;
                        if (!fits)
                                break;
                        wire_write_u32(buf + pos, (uint32_t) slen);
                        memset(buf + pos + 4, 0, ALIGN4(slen));
                        memcpy(buf + pos + 4, s, slen);
                        pos += 4 + ALIGN4(slen);
                        break;
                case 'h': /* the fd travels beside the bytes */
                        break;
                default:
                        assert(!"unknown signature letter");
                }
        }
        va_end(ap);
        if (!fits || limit < WIRE_HEADER_SIZE)
                return -EMSGSIZE;
        wire_write_u32(buf, object);
        wire_write_u32(buf + 4, (uint32_t) pos << 16 | opcode);
        return (int) pos;
}

int wire_encode_string_message(
                uint32_t object, uint16_t opcode, const char *s, uint8_t *buf, size_t cap) {
        return wire_encode(buf, cap, object, opcode, "s", s);
}

int wire_encode_display_error(
                uint32_t object, uint32_t code, const char *message, uint8_t *buf, size_t cap) {
        return wire_encode(buf, cap, WIRE_DISPLAY_ID, 0 /* wl_display.error */, "ous", object, code,
                        message);
}

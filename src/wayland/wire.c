/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wire.c: the Wayland wire format, decoded against wayland-scanner's signatures. Pure. */
#include <assert.h>
#include <errno.h>
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

/* header + words + an optional string, the layout of every message the fence writes */
static int encode(uint32_t object, uint16_t opcode, const uint32_t *words, size_t n_words,
                const char *s, uint8_t *buf, size_t cap) {
        size_t slen = s ? strlen(s) + 1 : 0;
        size_t size = WIRE_HEADER_SIZE + 4 * n_words + (s ? 4 + ALIGN4(slen) : 0);
        size_t pos = WIRE_HEADER_SIZE;

        if (size > cap || size > WIRE_MESSAGE_MAX)
                return -EMSGSIZE;
        wire_write_u32(buf, object);
        wire_write_u32(buf + 4, (uint32_t) size << 16 | opcode);
        for (size_t i = 0; i < n_words; i++, pos += 4)
                wire_write_u32(buf + pos, words[i]);
        if (s) {
                wire_write_u32(buf + pos, (uint32_t) slen);
                memset(buf + pos + 4, 0, ALIGN4(slen));
                memcpy(buf + pos + 4, s, slen);
        }
        return (int) size;
}

int wire_encode_string_message(
                uint32_t object, uint16_t opcode, const char *s, uint8_t *buf, size_t cap) {
        return encode(object, opcode, NULL, 0, s, buf, cap);
}

int wire_encode_display_error(
                uint32_t object, uint32_t code, const char *message, uint8_t *buf, size_t cap) {
        const uint32_t words[] = { object, code };

        return encode(WIRE_DISPLAY_ID, 0 /* wl_display.error */, words, ELEMENTSOF(words), message,
                        buf, cap);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-wayland-wire.c: the fence's decoder and filters (src/wayland/filter.c) on both directions
 * of one connection. Input: chunks of [flags u8][length u16 LE][bytes]; flags bit 7 set: bytes
 * from the compositor (events), clear: from the client (requests); bits 0-2: fds arriving with
 * the chunk; bit 6: the paste key is pressed first (filter_offer_paste()). Each side buffers its
 * bytes and fds and runs every whole message through the filter as proxy.c does, until the filter
 * cuts the connection. Every forwarded message must be well framed and within the wire limit, and
 * no message may take fds that never arrived. The frame is on: its own requests (in reply to
 * events) are checked like the forwarded ones. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "buffer.h"
#include "filter.h"
#include "fuzz.h"
#include "macro.h"
#include "wire.h"

#define INPUT_MAX (64u * 1024u)

typedef struct Side {
        uint8_t buf[2 * WIRE_MESSAGE_MAX];
        size_t len;
        size_t n_fds;
        Buffer out;
        size_t out_fds;
} Side;

static void check_forwarded(const Buffer *out) {
        size_t left = buffer_size(out);
        const uint8_t *p = left > 0 ? out->data + out->start : NULL;

        while (left > 0) {
                WireHeader h;

                CHECK(wire_header_decode(p, left, &h) == 0);
                CHECK(h.size <= left && h.size <= WIRE_MESSAGE_MAX);
                p += h.size;
                left -= h.size;
        }
}

/* Runs the side's whole messages through the filter; false once the connection is cut. up: the
 * requests' side, where the frame's own requests go. */
static bool drain(Filter *f, Side *s, Side *up, bool events) {
        size_t pos = 0;
        bool alive = true;

        while (alive) {
                size_t n_fds = 0;
                const char *reason = NULL;
                int r = events ? filter_event(f, s->buf + pos, s->len - pos, s->n_fds, &s->out,
                                                 &up->out, &n_fds, &reason)
                               : filter_request(f, s->buf + pos, s->len - pos, s->n_fds, &s->out,
                                                 &n_fds, &reason);

                if (r == -EAGAIN)
                        break;
                if (r < 0) {
                        CHECK(reason);
                        alive = false;
                        break;
                }
                CHECK(r >= (int) WIRE_HEADER_SIZE && (size_t) r <= s->len - pos);
                CHECK(n_fds <= s->n_fds);
                /* proxy.c takes a receive's fd; it is one of the message's */
                CHECK(f->receive_offer == 0 || (!events && n_fds == 1));
                f->receive_offer = 0;
                s->n_fds -= n_fds;
                s->out_fds += n_fds;
                pos += (size_t) r;
        }
        memmove(s->buf, s->buf + pos, s->len - pos);
        s->len -= pos;
        f->frame.fds_wanted = 0; /* proxy.c's memfd */
        for (Side *t = s; t; t = t == up ? NULL : up) {
                check_forwarded(&t->out);
                buffer_consume(&t->out, buffer_size(&t->out));
        }
        return alive;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Side sides[2] = {};
        Filter f;
        bool alive = true;

        if (size > INPUT_MAX)
                return 0;
        CHECK(filter_init(&f, "fuzz") == 0);
        /* with the frame on, as proxy.c runs it */
        frame_init(&f.frame, 0x336699, FRAME_WIDTH_DEFAULT, /* viewporter_allowed= */ true);
        CHECK(frame_start(&f, &sides[0].out) == 0);
        while (alive && size >= 3) {
                bool events = data[0] & 0x80;
                Side *s = &sides[events];
                size_t n = MIN((size_t) (data[1] | data[2] << 8), size - 3);

                s->n_fds += data[0] & 7;
                if (data[0] & 0x40) {
                        int r = filter_offer_paste(&f, &sides[1].out);

                        CHECK(r >= 0 || r == -EMFILE);
                        if (r == 1)
                                CHECK(f.paste_offer >= WIRE_SERVER_ID_START);
                        check_forwarded(&sides[1].out);
                }
                data += 3;
                size -= 3;
                /* like proxy.c, never read more than the buffer holds */
                n = MIN(n, sizeof(s->buf) - s->len);
                memcpy(s->buf + s->len, data, n);
                s->len += n;
                data += n;
                size -= n;
                alive = drain(&f, s, &sides[0], events);
        }
        for (size_t i = 0; i < 2; i++)
                buffer_finish(&sides[i].out);
        filter_finish(&f);
        return 0;
}

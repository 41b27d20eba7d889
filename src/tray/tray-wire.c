/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-wire.c: codec of the messages between the halves of vmsilo-tray. Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "string-table.h"
#include "tray-sanitize.h"
#include "tray-wire.h"

/* One past the host's bound, so that a guest half that reads one entry too many shows the
 * breach instead of hiding it. */
#define TRAY_WIRE_MENU_MAX (TRAY_MENU_ITEMS_MAX + 1u)

static const char *const tray_menu_event_table[_TRAY_MENU_EVENT_MAX] = {
        [TRAY_MENU_EVENT_CLICKED] = "clicked",
        [TRAY_MENU_EVENT_HOVERED] = "hovered",
        [TRAY_MENU_EVENT_OPENED] = "opened",
        [TRAY_MENU_EVENT_CLOSED] = "closed",
};
DEFINE_STRING_TABLE_LOOKUP(tray_menu_event, TrayMenuEvent, _TRAY_MENU_EVENT_MAX);

/* Encoding */

typedef struct Writer {
        uint8_t *data;
        size_t size, cap;
        bool failed;
} Writer;

static void w_bytes(Writer *w, const void *p, size_t n) {
        if (w->failed)
                return;
        if (w->size + n > w->cap) {
                size_t cap = MAX(w->cap * 2, w->size + n + 256);
                uint8_t *d = realloc(w->data, cap);
                if (!d) {
                        w->failed = true;
                        return;
                }
                w->data = d;
                w->cap = cap;
        }
        if (n > 0)
                memcpy(w->data + w->size, p, n);
        w->size += n;
}

static void w_u8(Writer *w, uint8_t v) {
        w_bytes(w, &v, 1);
}

static void w_u16(Writer *w, uint16_t v) {
        uint8_t b[2] = { v, v >> 8 };
        w_bytes(w, b, 2);
}

static void w_u32(Writer *w, uint32_t v) {
        uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };
        w_bytes(w, b, 4);
}

static void w_string(Writer *w, const char *s) {
        size_t n = s ? MIN(strlen(s), (size_t) TRAY_WIRE_STRING_MAX) : 0;
        w_u16(w, (uint16_t) n);
        w_bytes(w, s, n);
}

static void w_begin(Writer *w, uint8_t type, uint32_t key) {
        w_u32(w, 0); /* length, set by w_finish() */
        w_u8(w, type);
        w_u32(w, key);
}

static int w_finish(Writer *w, uint8_t **ret, size_t *ret_size) {
        if (w->failed) {
                free(w->data);
                return -ENOMEM;
        }
        uint32_t len = (uint32_t) (w->size - TRAY_WIRE_LENGTH_SIZE);
        uint8_t b[4] = { len, len >> 8, len >> 16, len >> 24 };
        memcpy(w->data, b, 4);
        *ret = w->data;
        *ret_size = w->size;
        return 0;
}

static int w_pixmaps(Writer *w, const TrayPixmaps *p) {
        if (p->n > TRAY_PIXMAPS_MAX)
                return -E2BIG;
        w_u8(w, (uint8_t) p->n);
        for (size_t i = 0; i < p->n; i++) {
                const TrayPixmap *x = &p->pixmaps[i];
                if (x->size > TRAY_WIRE_PIXMAP_BYTES_MAX)
                        return -E2BIG;
                w_u32(w, x->width);
                w_u32(w, x->height);
                w_u32(w, (uint32_t) x->size);
                w_bytes(w, x->argb, x->size);
        }
        return 0;
}

static int encode_item(Writer *w, uint32_t key, const TrayItem *item) {
        int r;

        if (item->n_menu > TRAY_WIRE_MENU_MAX)
                return -E2BIG;
        w_begin(w, TRAY_MSG_ITEM, key);
        w_string(w, item->id);
        w_string(w, item->category);
        w_string(w, item->title);
        w_string(w, item->status);
        w_string(w, item->tooltip_title);
        w_string(w, item->tooltip_text);
        w_u8(w, (item->item_is_menu ? 1 : 0) | (item->has_menu ? 2 : 0));
        r = w_pixmaps(w, &item->icon);
        if (r < 0)
                return r;
        r = w_pixmaps(w, &item->attention);
        if (r < 0)
                return r;
        w_u16(w, (uint16_t) item->n_menu);
        for (size_t i = 0; i < item->n_menu; i++) {
                const TrayMenuNode *n = &item->menu[i];
                w_u32(w, (uint32_t) n->id);
                w_u16(w, n->parent);
                w_u8(w, n->type);
                w_u8(w, (n->enabled ? 1 : 0) | (n->visible ? 2 : 0));
                w_u8(w, n->toggle_type);
                w_u8(w, (uint8_t) n->toggle_state);
                w_string(w, n->label);
        }
        return 0;
}

int tray_wire_encode_item(uint32_t key, const TrayItem *item, uint8_t **ret, size_t *ret_size) {
        Writer w = {};
        int r = encode_item(&w, key, item);

        if (r >= 0 && w.size > TRAY_WIRE_MESSAGE_MAX + TRAY_WIRE_LENGTH_SIZE)
                r = -E2BIG;
        if (r < 0) {
                free(w.data);
                return r;
        }
        return w_finish(&w, ret, ret_size);
}

int tray_wire_encode_remove(uint32_t key, uint8_t **ret, size_t *ret_size) {
        Writer w = {};

        w_begin(&w, TRAY_MSG_REMOVE, key);
        return w_finish(&w, ret, ret_size);
}

int tray_wire_encode_action(const TrayAction *action, uint8_t **ret, size_t *ret_size) {
        Writer w = {};

        w_begin(&w, action->type, action->key);
        w_u32(&w, (uint32_t) action->a);
        if (action->type == TRAY_MSG_SCROLL || action->type == TRAY_MSG_MENU_EVENT)
                w_u8(&w, (uint8_t) action->b);
        else if (action->type != TRAY_MSG_ABOUT_TO_SHOW)
                w_u32(&w, (uint32_t) action->b);
        return w_finish(&w, ret, ret_size);
}

/* Decoding: every read checks what is left; a short read fails the message. */

typedef struct Reader {
        const uint8_t *p;
        size_t left;
} Reader;

static int r_bytes(Reader *r, size_t n, const uint8_t **ret) {
        if (r->left < n)
                return -EBADMSG;
        *ret = r->p;
        r->p += n;
        r->left -= n;
        return 0;
}

static int r_u8(Reader *r, uint8_t *ret) {
        const uint8_t *p;
        if (r_bytes(r, 1, &p) < 0)
                return -EBADMSG;
        *ret = p[0];
        return 0;
}

static int r_u16(Reader *r, uint16_t *ret) {
        const uint8_t *p;
        if (r_bytes(r, 2, &p) < 0)
                return -EBADMSG;
        *ret = (uint16_t) (p[0] | p[1] << 8);
        return 0;
}

static int r_u32(Reader *r, uint32_t *ret) {
        const uint8_t *p;
        if (r_bytes(r, 4, &p) < 0)
                return -EBADMSG;
        *ret = (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
               (uint32_t) p[3] << 24;
        return 0;
}

static int r_string(Reader *r, char **ret) {
        const uint8_t *p;
        uint16_t untrusted_n;

        if (r_u16(r, &untrusted_n) < 0 || untrusted_n > TRAY_WIRE_STRING_MAX ||
                        r_bytes(r, untrusted_n, &p) < 0)
                return -EBADMSG;
        return tray_sanitize_text((const char *) p, untrusted_n, ret);
}

static int r_pixmaps(Reader *r, TrayPixmaps *ret) {
        uint8_t untrusted_n;

        if (r_u8(r, &untrusted_n) < 0 || untrusted_n > TRAY_PIXMAPS_MAX)
                return -EBADMSG;
        for (size_t i = 0; i < untrusted_n; i++) {
                TrayPixmap *x = &ret->pixmaps[i];
                const uint8_t *p;
                uint32_t untrusted_size;

                if (r_u32(r, &x->width) < 0 || r_u32(r, &x->height) < 0 ||
                                r_u32(r, &untrusted_size) < 0 ||
                                untrusted_size > TRAY_WIRE_PIXMAP_BYTES_MAX ||
                                r_bytes(r, untrusted_size, &p) < 0)
                        return -EBADMSG;
                x->argb = malloc(MAX(untrusted_size, 1u));
                if (!x->argb)
                        return -ENOMEM;
                memcpy(x->argb, p, untrusted_size);
                x->size = untrusted_size;
                ret->n = i + 1;
        }
        return 0;
}

static int r_menu(Reader *r, TrayItem *item) {
        uint16_t untrusted_n;
        int k;

        if (r_u16(r, &untrusted_n) < 0 || untrusted_n > TRAY_WIRE_MENU_MAX)
                return -EBADMSG;
        item->menu = calloc(MAX(untrusted_n, 1u), sizeof(TrayMenuNode));
        if (!item->menu)
                return -ENOMEM;
        for (size_t i = 0; i < untrusted_n; i++) {
                TrayMenuNode *n = &item->menu[i];
                uint32_t id;
                uint8_t flags, state;

                if (r_u32(r, &id) < 0 || r_u16(r, &n->parent) < 0 || r_u8(r, &n->type) < 0 ||
                                r_u8(r, &flags) < 0 || r_u8(r, &n->toggle_type) < 0 ||
                                r_u8(r, &state) < 0)
                        return -EBADMSG;
                n->id = (int32_t) id;
                n->enabled = flags & 1;
                n->visible = flags & 2;
                n->toggle_state = (int8_t) state;
                item->n_menu = i + 1;
                k = r_string(r, &n->label);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int decode_item(Reader *r, TrayItem *item) {
        char **strings[] = { &item->id, &item->category, &item->title, &item->status,
                &item->tooltip_title, &item->tooltip_text };
        uint8_t flags;
        int k;

        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                k = r_string(r, strings[i]);
                if (k < 0)
                        return k;
        }
        if (r_u8(r, &flags) < 0)
                return -EBADMSG;
        item->item_is_menu = flags & 1;
        item->has_menu = flags & 2;
        k = r_pixmaps(r, &item->icon);
        if (k < 0)
                return k;
        k = r_pixmaps(r, &item->attention);
        if (k < 0)
                return k;
        k = r_menu(r, item);
        if (k < 0)
                return k;
        return r->left == 0 ? 0 : -EBADMSG;
}

int tray_wire_frame(const uint8_t *untrusted_buf, size_t untrusted_len, size_t *ret_size) {
        Reader r = { untrusted_buf, untrusted_len };
        uint32_t untrusted_n;

        if (r_u32(&r, &untrusted_n) < 0)
                return -EAGAIN;
        if (untrusted_n == 0 || untrusted_n > TRAY_WIRE_MESSAGE_MAX)
                return -EBADMSG;
        if (r.left < untrusted_n)
                return -EAGAIN;
        *ret_size = TRAY_WIRE_LENGTH_SIZE + untrusted_n;
        return 0;
}

static int read_header(Reader *r, uint8_t *ret_type, uint32_t *ret_key) {
        uint32_t len;

        if (r_u32(r, &len) < 0 || r_u8(r, ret_type) < 0 || r_u32(r, ret_key) < 0)
                return -EBADMSG;
        return 0;
}

int tray_wire_peek(
                const uint8_t *untrusted_msg, size_t size, uint8_t *ret_type, uint32_t *ret_key) {
        Reader r = { untrusted_msg, size };
        uint8_t type;
        uint32_t key;

        if (read_header(&r, &type, &key) < 0)
                return -EBADMSG;
        *ret_type = type;
        *ret_key = key;
        return 0;
}

int tray_wire_decode_item(const uint8_t *untrusted_msg, size_t size, TrayItem **ret,
                const char **reterr_reason) {
        _cleanup_(tray_item_freep) TrayItem *item = NULL;
        Reader r = { untrusted_msg, size };
        uint8_t type;
        uint32_t key;
        int k;

        if (read_header(&r, &type, &key) < 0 || type != TRAY_MSG_ITEM) {
                if (reterr_reason)
                        *reterr_reason = "not an item message";
                return -EBADMSG;
        }
        item = calloc(1, sizeof(*item));
        if (!item)
                return -ENOMEM;
        k = decode_item(&r, item);
        if (k == -EBADMSG && reterr_reason)
                *reterr_reason = "malformed item message";
        if (k < 0)
                return k;
        k = tray_sanitize_item(item, reterr_reason);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(item);
        return 0;
}

int tray_wire_decode_action(const uint8_t *msg, size_t size, TrayAction *ret) {
        Reader r = { msg, size };
        TrayAction a = {};
        uint32_t v;
        uint8_t b;

        if (read_header(&r, &a.type, &a.key) < 0 || r_u32(&r, &v) < 0)
                return -EBADMSG;
        a.a = (int32_t) v;
        switch (a.type) {
        case TRAY_MSG_ACTIVATE:
        case TRAY_MSG_SECONDARY_ACTIVATE:
        case TRAY_MSG_CONTEXT_MENU:
                if (r_u32(&r, &v) < 0)
                        return -EBADMSG;
                a.b = (int32_t) v;
                break;
        case TRAY_MSG_SCROLL:
        case TRAY_MSG_MENU_EVENT:
                if (r_u8(&r, &b) < 0 ||
                                b > (a.type == TRAY_MSG_SCROLL ? 1 : _TRAY_MENU_EVENT_MAX - 1))
                        return -EBADMSG;
                a.b = b;
                break;
        case TRAY_MSG_ABOUT_TO_SHOW:
                break;
        default:
                return -EBADMSG;
        }
        if (r.left != 0)
                return -EBADMSG;
        *ret = a;
        return 0;
}

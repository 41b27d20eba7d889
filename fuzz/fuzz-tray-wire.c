/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-tray-wire.c: the host half's view of the stream from the guest half: messages framed
 * by tray_wire_frame(), items decoded and sanitised, actions decoded. Checks what the host
 * promises: every string it keeps is valid UTF-8 of at most TRAY_STRING_MAX bytes with no
 * markup character, every pixmap and menu is inside its bounds, and a kept item encodes and
 * decodes again to the same strings. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tray-wire.h"
#include "utf8.h"

#define FUZZ_INPUT_MAX (4u * 1024u * 1024u)

static void check_string(const char *s) {
        CHECK(s);
        size_t n = strlen(s);
        CHECK(n <= TRAY_STRING_MAX);
        CHECK(utf8_is_valid(s, n));
        CHECK(!strpbrk(s, "<>&"));
}

static void check_item(const TrayItem *item) {
        const char *strings[] = { item->id, item->category, item->title, item->status,
                item->tooltip_title, item->tooltip_text };

        for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
                check_string(strings[i]);
        for (const TrayPixmaps *p = &item->icon; p <= &item->attention; p++) {
                CHECK(p->n <= TRAY_PIXMAPS_MAX);
                for (size_t i = 0; i < p->n; i++) {
                        CHECK(p->pixmaps[i].width <= TRAY_PIXMAP_SIDE_MAX);
                        CHECK(p->pixmaps[i].height <= TRAY_PIXMAP_SIDE_MAX);
                        CHECK(p->pixmaps[i].size ==
                                        (size_t) p->pixmaps[i].width * p->pixmaps[i].height * 4);
                }
        }
        CHECK(item->n_menu <= TRAY_MENU_ITEMS_MAX);
        for (size_t i = 0; i < item->n_menu; i++) {
                check_string(item->menu[i].label);
                CHECK(item->menu[i].parent == TRAY_MENU_PARENT_ROOT || item->menu[i].parent < i);
        }
}

static void check_round_trip(uint32_t key, const TrayItem *item) {
        TrayItem *again = NULL;
        uint8_t *msg;
        size_t size;

        CHECK(tray_wire_encode_item(key, item, &msg, &size) == 0);
        CHECK(tray_wire_decode_item(msg, size, &again, NULL) == 0);
        CHECK(strcmp(again->title, item->title) == 0);
        CHECK(strcmp(again->tooltip_text, item->tooltip_text) == 0);
        CHECK(again->n_menu == item->n_menu);
        tray_item_free(again);
        free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t frame;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        while (tray_wire_frame(data, size, &frame) == 0) {
                TrayItem *item = NULL;
                TrayAction action;
                uint8_t type;
                uint32_t key;

                CHECK(frame <= size);
                if (tray_wire_peek(data, frame, &type, &key) == 0 &&
                                tray_wire_decode_item(data, frame, &item, NULL) == 0) {
                        CHECK(type == TRAY_MSG_ITEM);
                        check_item(item);
                        check_round_trip(key, item);
                        tray_item_free(item);
                }
                if (tray_wire_decode_action(data, frame, &action) == 0)
                        CHECK(action.type >= TRAY_MSG_ACTIVATE);
                data += frame;
                size -= frame;
        }
        return 0;
}

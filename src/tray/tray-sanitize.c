/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-sanitize.c: the host's rules for guest tray items. Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "text-clean.h"
#include "tray-sanitize.h"

#define ENTITY_NAME_MAX 10u /* "&#x10ffff;" */

/* Length of an entity (&amp; &#60; &#x3c;) starting at s[0] == '&', or 0 if there is none. */
static size_t entity_length(const char *s, size_t n) {
        for (size_t i = 1; i < n && i <= ENTITY_NAME_MAX; i++) {
                char c = s[i];
                if (c == ';')
                        return i > 1 ? i + 1 : 0;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                    c == '#'))
                        return 0;
        }
        return 0;
}

/* Drops tags, entities and the stray '<', '>', '&'. Works on bytes: none of these is part of a
 * multi-byte UTF-8 sequence. ret_buf holds n bytes; returns the length written. */
static size_t strip_markup(const char *untrusted_text, size_t n, char *ret_buf) {
        size_t out = 0;

        for (size_t i = 0; i < n;) {
                char c = untrusted_text[i];
                if (c == '<') {
                        const char *end = memchr(untrusted_text + i, '>', n - i);
                        i = end ? (size_t) (end - untrusted_text) + 1 : n;
                } else if (c == '&') {
                        size_t len = entity_length(untrusted_text + i, n - i);
                        i += len > 0 ? len : 1;
                } else {
                        if (c != '>')
                                ret_buf[out++] = c;
                        i++;
                }
        }
        return out;
}

int tray_sanitize_text(const char *untrusted_text, size_t untrusted_len, char **ret) {
        _cleanup_(freep) char *stripped = malloc(untrusted_len + 1);
        char *clean = malloc(TRAY_STRING_MAX + 1);

        if (!stripped || !clean) {
                free(clean);
                return -ENOMEM;
        }
        size_t n = strip_markup(untrusted_text, untrusted_len, stripped);
        text_clean(stripped, n, TRAY_STRING_MAX, clean);
        *ret = clean;
        return 0;
}

static bool pixmaps_are_valid(const TrayPixmaps *p) {
        if (p->n > TRAY_PIXMAPS_MAX)
                return false;
        for (size_t i = 0; i < p->n; i++) {
                const TrayPixmap *x = &p->pixmaps[i];
                if (x->width < 1 || x->width > TRAY_PIXMAP_SIDE_MAX || x->height < 1 ||
                                x->height > TRAY_PIXMAP_SIDE_MAX)
                        return false;
                if (x->size != (size_t) x->width * x->height * 4 || !x->argb)
                        return false;
        }
        return true;
}

static int menu_check(const TrayItem *item, const char **reterr_reason) {
        uint8_t depth[TRAY_MENU_ITEMS_MAX];

        if (item->n_menu > TRAY_MENU_ITEMS_MAX) {
                *reterr_reason = "menu has too many entries";
                return -EBADMSG;
        }
        for (size_t i = 0; i < item->n_menu; i++) {
                const TrayMenuNode *node = &item->menu[i];
                if (node->id <= 0) {
                        *reterr_reason = "menu entry id is not positive";
                        return -EBADMSG;
                }
                for (size_t j = 0; j < i; j++)
                        if (item->menu[j].id == node->id) {
                                *reterr_reason = "menu entry id is not unique";
                                return -EBADMSG;
                        }
                if (node->parent != TRAY_MENU_PARENT_ROOT && node->parent >= i) {
                        *reterr_reason = "menu entry comes before its parent";
                        return -EBADMSG;
                }
                depth[i] = node->parent == TRAY_MENU_PARENT_ROOT ? 1 : depth[node->parent] + 1;
                if (depth[i] > TRAY_MENU_DEPTH_MAX) {
                        *reterr_reason = "menu is too deep";
                        return -EBADMSG;
                }
                if (node->type >= _TRAY_MENU_TYPE_MAX ||
                                node->toggle_type >= _TRAY_TOGGLE_TYPE_MAX ||
                                node->toggle_state < -1 || node->toggle_state > 1 || !node->label) {
                        *reterr_reason = "menu entry has an unknown type or toggle";
                        return -EBADMSG;
                }
        }
        return 0;
}

static int choose(char **value, const char *const *allowed) {
        for (size_t i = 0; allowed[i]; i++)
                if (*value && streq(*value, allowed[i]))
                        return 0;
        char *d = strdup(allowed[0]);
        if (!d)
                return -ENOMEM;
        free(*value);
        *value = d;
        return 0;
}

int tray_sanitize_item(TrayItem *untrusted_item, const char **reterr_reason) {
        static const char *const categories[] = { "ApplicationStatus", "Communications",
                "SystemServices", "Hardware", NULL };
        static const char *const statuses[] = { "Active", "Passive", "NeedsAttention", NULL };
        const char *reason = NULL;
        int r;

        /* sanitize start */
        if (!pixmaps_are_valid(&untrusted_item->icon) ||
                        !pixmaps_are_valid(&untrusted_item->attention))
                reason = "pixmap is over 256x256, empty, or its size is not width*height*4";
        else
                (void) menu_check(untrusted_item, &reason); /* sets reason on a breach */
        if (reason) {
                if (reterr_reason)
                        *reterr_reason = reason;
                return -EBADMSG;
        }
        r = choose(&untrusted_item->category, categories);
        if (r < 0)
                return r;
        r = choose(&untrusted_item->status, statuses);
        if (r < 0)
                return r;
        /* sanitize end */
        return 0;
}

bool tray_rate_allow(TrayRate *rate, uint64_t now_usec) {
        if (now_usec - rate->window_start_usec >= 1000000u || now_usec < rate->window_start_usec) {
                rate->window_start_usec = now_usec;
                rate->count = 0;
        }
        return ++rate->count <= TRAY_UPDATES_PER_SEC_MAX;
}

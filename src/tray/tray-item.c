/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-item.c: the tray item model shared by both halves. Pure. */
#include <stdlib.h>

#include "tray-item.h"

void tray_pixmaps_finish(TrayPixmaps *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->pixmaps[i].argb);
        *p = (TrayPixmaps){};
}

TrayItem *tray_item_free(TrayItem *item) {
        if (!item)
                return NULL;
        free(item->id);
        free(item->category);
        free(item->title);
        free(item->status);
        free(item->tooltip_title);
        free(item->tooltip_text);
        tray_pixmaps_finish(&item->icon);
        tray_pixmaps_finish(&item->attention);
        for (size_t i = 0; i < item->n_menu; i++)
                free(item->menu[i].label);
        free(item->menu);
        return mfree(item);
}

bool tray_menu_node_has_children(const TrayItem *item, size_t i) {
        return i + 1 < item->n_menu && item->menu[i + 1].parent == i;
}

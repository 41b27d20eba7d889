/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-item.h: one guest StatusNotifierItem as the two halves of vmsilo-tray exchange it: only
 * the whitelisted properties have a field (docs/tray.md). Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define TRAY_STRING_MAX 256u      /* bytes of a string after sanitising */
#define TRAY_PIXMAPS_MAX 4u       /* pixmaps per list (sizes of one icon) */
#define TRAY_PIXMAP_SIDE_MAX 256u /* pixels */
#define TRAY_MENU_ITEMS_MAX 256u  /* menu entries, the root not counted */
#define TRAY_MENU_DEPTH_MAX 4u    /* levels below the root */
#define TRAY_MENU_PARENT_ROOT 0xffffu

typedef struct TrayPixmap {
        uint32_t width, height;
        uint8_t *argb; /* width * height * 4 bytes, A R G B per pixel in memory order */
        size_t size;
} TrayPixmap;

typedef struct TrayPixmaps {
        TrayPixmap pixmaps[TRAY_PIXMAPS_MAX];
        size_t n;
} TrayPixmaps;

typedef enum TrayMenuType {
        TRAY_MENU_STANDARD,
        TRAY_MENU_SEPARATOR,
        _TRAY_MENU_TYPE_MAX,
} TrayMenuType;

typedef enum TrayToggleType {
        TRAY_TOGGLE_NONE,
        TRAY_TOGGLE_CHECKMARK,
        TRAY_TOGGLE_RADIO,
        _TRAY_TOGGLE_TYPE_MAX,
} TrayToggleType;

/* A menu is a flat pre-order list: a node's parent comes before it. */
typedef struct TrayMenuNode {
        int32_t id;      /* the guest's dbusmenu id, > 0 (0 is the root) */
        uint16_t parent; /* index in the list, or TRAY_MENU_PARENT_ROOT */
        uint8_t type;    /* TrayMenuType */
        bool enabled, visible;
        uint8_t toggle_type; /* TrayToggleType */
        int8_t toggle_state; /* -1 indeterminate, 0 off, 1 on */
        char *label;
} TrayMenuNode;

typedef struct TrayItem {
        char *id, *category, *title, *status, *tooltip_title, *tooltip_text;
        bool item_is_menu, has_menu;
        TrayPixmaps icon, attention;
        TrayMenuNode *menu;
        size_t n_menu;
} TrayItem;

TrayItem *tray_item_free(TrayItem *item);
DEFINE_FREE_FUNC(TrayItem *, tray_item_free);
void tray_pixmaps_finish(TrayPixmaps *p);
/* Whether menu node i has children (they follow it in pre-order). */
bool tray_menu_node_has_children(const TrayItem *item, size_t i);

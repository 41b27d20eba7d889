/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-sanitize.h: the host's rules for guest tray items: text, pixmaps, menus, update rate.
 * Pure. A breach of a bound costs the guest that item, never the host half (docs/tray.md). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tray-item.h"

#define TRAY_UPDATES_PER_SEC_MAX 20u /* item snapshots a guest may send per item and second */

/* The guest's bytes as a string the host may show: markup tags and entities removed, and no
 * '<', '>' or '&' left (hosts render ToolTip descriptions as markup), then text_clean() to at
 * most TRAY_STRING_MAX bytes of valid UTF-8 without controls or bidi characters. Returns 0 with
 * *ret malloc'd, or -ENOMEM. */
int tray_sanitize_text(const char *untrusted_text, size_t untrusted_len, char **ret);

/* Checks a decoded item whose strings are already sanitised: every pixmap 1..256 pixels a side
 * with exactly width * height * 4 bytes; menu ids > 0 and unique, parents before children, at
 * most TRAY_MENU_DEPTH_MAX deep and TRAY_MENU_ITEMS_MAX entries, known types. Category and Status
 * outside the spec's sets become "ApplicationStatus" and "Active". Returns 0, or -EBADMSG with
 * *reterr_reason (static) saying which bound the item broke. */
int tray_sanitize_item(TrayItem *untrusted_item, const char **reterr_reason);

/* Per-item update budget: at most TRAY_UPDATES_PER_SEC_MAX per one-second window. */
typedef struct TrayRate {
        uint64_t window_start_usec;
        unsigned count;
} TrayRate;

/* Counts one update at now_usec; false once the item went over its budget. */
bool tray_rate_allow(TrayRate *rate, uint64_t now_usec);

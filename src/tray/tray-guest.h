/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-guest.h: the guest half of vmsilo-tray: a StatusNotifierWatcher on the guest user's
 * session bus whose items are read and sent to the host half. */
#pragma once

#include <systemd/sd-event.h>

#include "macro.h"

typedef struct TrayGuest TrayGuest;

#define TRAY_GUEST_ITEMS_MAX 64u
#define TRAY_GUEST_REFRESH_USEC (100u * 1000u) /* signals within this are read once */

/* Takes fd on success. Owns org.kde.StatusNotifierWatcher (-EEXIST if another watcher has it).
 * The loop exits with 0 when the host half closes the stream. */
int tray_guest_new(sd_event *event, int fd, TrayGuest **ret);
TrayGuest *tray_guest_free(TrayGuest *g);
DEFINE_FREE_FUNC(TrayGuest *, tray_guest_free);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-icon.h: icon names resolved to pixels inside the guest, so the host never looks a
 * guest-chosen name up in its own theme. */
#pragma once

#include "tray-item.h"

/* Loads the PNG for icon name from the hicolor theme (<dir>/icons/hicolor/<size>/apps/) or
 * <dir>/pixmaps of each dir in $XDG_DATA_DIRS (default /usr/local/share:/usr/share), as ARGB32
 * of at most TRAY_PIXMAP_SIDE_MAX pixels a side. -ENOENT if there is none, -EINVAL for a name
 * that is not a plain icon name. */
int tray_icon_load(const char *name, TrayPixmap *ret);

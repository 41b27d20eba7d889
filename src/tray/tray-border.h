/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-border.h: the VM's colour drawn around each guest pixmap. Pure. */
#pragma once

#include <stdint.h>

#include "tray-item.h"

/* Paints an opaque frame of rgb (0xRRGGBB), max(1, min(w, h) / 16) pixels wide, over the edge
 * of every pixmap of p. */
void tray_border_draw(TrayPixmaps *p, uint32_t rgb);

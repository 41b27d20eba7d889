/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-border.c: the VM's colour drawn around each guest pixmap, so that a guest cannot pass
 * its item for a host one. Pure. */
#include "tray-border.h"

static void draw(TrayPixmap *x, uint32_t rgb) {
        uint32_t width = MAX(1u, MIN(x->width, x->height) / 16u);

        for (uint32_t y = 0; y < x->height; y++)
                for (uint32_t col = 0; col < x->width; col++) {
                        if (y >= width && y < x->height - width && col >= width &&
                                        col < x->width - width)
                                continue;
                        uint8_t *p = x->argb + ((size_t) y * x->width + col) * 4;
                        p[0] = 0xff;
                        p[1] = (uint8_t) (rgb >> 16);
                        p[2] = (uint8_t) (rgb >> 8);
                        p[3] = (uint8_t) rgb;
                }
}

void tray_border_draw(TrayPixmaps *p, uint32_t rgb) {
        for (size_t i = 0; i < p->n; i++)
                draw(&p->pixmaps[i], rgb);
}

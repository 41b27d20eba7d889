/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-icon.c: icon names resolved to ARGB32 pixels inside the guest (libpng). */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desktop-entry.h"
#include "macro.h"
#include "tray-icon.h"

static int load_png(const char *path, TrayPixmap *ret) {
        png_image image = { .version = PNG_IMAGE_VERSION };
        uint8_t *argb;

        if (!png_image_begin_read_from_file(&image, path))
                return -ENOENT;
        if (image.width < 1 || image.width > TRAY_PIXMAP_SIDE_MAX || image.height < 1 ||
                        image.height > TRAY_PIXMAP_SIDE_MAX) {
                png_image_free(&image);
                return -EFBIG;
        }
        image.format = PNG_FORMAT_ARGB; /* A, R, G, B in memory: the SNI pixmap order */
        size_t size = PNG_IMAGE_SIZE(image);
        argb = malloc(size);
        if (!argb) {
                png_image_free(&image);
                return -ENOMEM;
        }
        if (!png_image_finish_read(&image, NULL, argb, 0, NULL)) {
                free(argb);
                png_image_free(&image);
                return -EBADMSG;
        }
        *ret = (TrayPixmap){
                .width = image.width, .height = image.height, .argb = argb, .size = size
        };
        return 0;
}

static int load_from_dir(const char *dir, size_t dir_len, const char *name, TrayPixmap *ret) {
        static const char *const sizes[] = { "22x22", "24x24", "32x32", "16x16", "48x48", "64x64",
                "128x128", "256x256" };
        _cleanup_(freep) char *path = NULL;

        for (size_t i = 0; i <= ELEMENTSOF(sizes); i++) {
                path = mfree(path);
                int r = i < ELEMENTSOF(sizes) ? asprintf(&path, "%.*s/icons/hicolor/%s/apps/%s.png",
                                                                (int) dir_len, dir, sizes[i], name)
                                              : asprintf(&path, "%.*s/pixmaps/%s.png",
                                                                (int) dir_len, dir, name);
                if (r < 0)
                        return -ENOMEM;
                r = load_png(path, ret);
                if (r != -ENOENT && r != -EFBIG)
                        return r;
        }
        return -ENOENT;
}

int tray_icon_load(const char *name, TrayPixmap *ret) {
        const char *dirs = getenv("XDG_DATA_DIRS");

        if (!desktop_icon_name_is_valid(name) || strchr(name, '/'))
                return -EINVAL;
        if (!dirs || !dirs[0])
                dirs = "/usr/local/share:/usr/share";
        for (const char *p = dirs; *p;) {
                size_t n = strcspn(p, ":");
                if (n > 0 && p[0] == '/') {
                        int r = load_from_dir(p, n, name, ret);
                        if (r != -ENOENT)
                                return r;
                }
                p += n + (p[n] == ':');
        }
        return -ENOENT;
}

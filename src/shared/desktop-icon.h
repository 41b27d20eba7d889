/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-icon.h: icon files taken from guest images, checked and re-encoded as PNGs of our own
 * before the host desktop gets them. Pure. SVG is rasterised by the image builder in a sandbox
 * (src/image/image-svg.c) and comes here as PNG (docs/desktop.md). */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define DESKTOP_ICON_SIZE_MAX (1024u * 1024u) /* bytes */
#define DESKTOP_ICON_PIXELS_MAX 1024u         /* width and height of a PNG */

typedef enum DesktopIconFormat {
        DESKTOP_ICON_PNG,
        DESKTOP_ICON_SVG,
        _DESKTOP_ICON_FORMAT_MAX,
        _DESKTOP_ICON_FORMAT_INVALID = -EINVAL,
} DesktopIconFormat;

/* "png", "svg" (the file name extension). */
const char *desktop_icon_format_to_string(DesktopIconFormat f);
DesktopIconFormat desktop_icon_format_from_string(const char *s);

/* Returns 0 if the bytes are an icon the host may show: a PNG (f must be DESKTOP_ICON_PNG) of
 * at most DESKTOP_ICON_SIZE_MAX bytes with a valid signature, IHDR of at most
 * DESKTOP_ICON_PIXELS_MAX pixels a side, and a well-formed chunk list (lengths, CRCs, IDAT, IEND
 * last). An SVG is always refused: the image builder rasterises it. Otherwise -EBADMSG (or
 * -EFBIG for size) with *reterr_reason (may be NULL) saying why. */
int desktop_icon_check(const uint8_t *untrusted_data, size_t untrusted_size, DesktopIconFormat f,
                const char **reterr_reason);

/* Checks a PNG with desktop_icon_check(), decodes it with libpng to 8-bit RGBA and encodes
 * those pixels as a new PNG (IHDR, sRGB, IDAT, IEND only) in *ret (malloc'd, *ret_size bytes, at
 * most DESKTOP_ICON_SIZE_MAX). -EBADMSG (or -EFBIG) with *reterr_reason (may be NULL) if it does
 * not pass or decode, -ENOMEM. Memory: at most 4 MiB of pixels plus libpng's bounded buffers. */
int desktop_icon_png_recode(const uint8_t *untrusted_data, size_t untrusted_size, uint8_t **ret,
                size_t *ret_size, const char **reterr_reason);

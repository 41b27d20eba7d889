/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-icon.h: checks of icon files taken from guest images before the host desktop gets
 * them. Pure. PNG and SVG only; nothing is decoded or rasterised here (docs/desktop.md). */
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

/* Returns 0 if the bytes are an icon of format f the host may show: at most
 * DESKTOP_ICON_SIZE_MAX bytes; a PNG with a valid signature, IHDR of at most
 * DESKTOP_ICON_PIXELS_MAX pixels a side, and a well-formed chunk list (lengths, CRCs, IDAT,
 * IEND last); an SVG that is UTF-8 text whose root element is <svg>, with no DTD internal
 * subset or entity, no script, foreignObject or event-handler attribute, and no reference to
 * anything but the document itself or an embedded PNG/JPEG. Otherwise -EBADMSG (or -EFBIG for
 * size) with *reterr_reason (may be NULL) saying why. */
int desktop_icon_check(const uint8_t *untrusted_data, size_t untrusted_size, DesktopIconFormat f,
                const char **reterr_reason);

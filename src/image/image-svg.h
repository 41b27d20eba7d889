/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-svg.h: SVG icons from guest images rasterised to PNG in a sandbox at image build time,
 * so that no SVG reaches the host desktop (docs/desktop.md "How icons are made"). */
#pragma once

#include <stddef.h>

/* Side of the square an SVG icon is rasterised into (its aspect ratio is kept). */
#define IMAGE_SVG_PIXELS 256 /* no suffix: it is also a command line argument */
/* Wall-clock time the rasteriser gets; it is killed after. */
#define IMAGE_SVG_TIMEOUT_USEC (10u * 1000u * 1000u)
/* Address space of the rasteriser. */
#define IMAGE_SVG_MEMORY_MAX (1024u * 1024u * 1024u)

/* Runs rsvg-convert on untrusted_svg under bwrap: no network, no file but /usr read-only, the
 * SVG on stdin and the PNG on stdout (both memfds), a clean environment, no capabilities, at
 * most DESKTOP_ICON_SIZE_MAX bytes of output, IMAGE_SVG_MEMORY_MAX of memory and
 * IMAGE_SVG_TIMEOUT_USEC. The PNG (still to be re-encoded: desktop_icon_png_recode()) goes to
 * *ret. -EIO if the sandbox or rsvg-convert failed (a broken SVG, output over the limit, no
 * namespaces for bwrap), -ETIME if it was killed for time, other -errno if it could not be
 * run. */
int image_svg_rasterize(
                const char *untrusted_svg, size_t untrusted_size, char **ret, size_t *ret_size);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-icon.c: icon files taken from guest images, made into PNGs of our own before the
 * host desktop gets them. Pure (over memory buffers). A guest PNG is checked chunk by chunk,
 * decoded by libpng to pixels and encoded again, so the host's renderers only ever parse a file
 * we wrote: no ancillary chunk, text or colour profile of the guest's reaches them. */
#include <png.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "desktop-icon.h"
#include "macro.h"
#include "string-table.h"

static const char *const desktop_icon_format_table[_DESKTOP_ICON_FORMAT_MAX] = {
        [DESKTOP_ICON_PNG] = "png",
        [DESKTOP_ICON_SVG] = "svg",
};

DEFINE_STRING_TABLE_LOOKUP(desktop_icon_format, DesktopIconFormat, _DESKTOP_ICON_FORMAT_MAX);

static int fail(const char **reterr_reason, int r, const char *reason) {
        if (reterr_reason)
                *reterr_reason = reason;
        return r;
}

static uint32_t be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static uint32_t crc32_png(const uint8_t *p, size_t n) {
        uint32_t c = 0xffffffffu;

        for (size_t i = 0; i < n; i++) {
                c ^= p[i];
                for (int k = 0; k < 8; k++)
                        c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
        }
        return c ^ 0xffffffffu;
}

/* Bit depths PNG allows per colour type (ISO/IEC 15948 table 11.1), as a bit mask of depths. */
static bool png_depth_is_valid(uint8_t color_type, uint8_t depth) {
        unsigned mask;

        switch (color_type) {
        case 0:
                mask = 1u << 1 | 1u << 2 | 1u << 4 | 1u << 8 | 1u << 16;
                break;
        case 3:
                mask = 1u << 1 | 1u << 2 | 1u << 4 | 1u << 8;
                break;
        case 2:
        case 4:
        case 6:
                mask = 1u << 8 | 1u << 16;
                break;
        default:
                return false;
        }
        return depth <= 16 && (mask & (1u << depth));
}

static int check_png_header(const uint8_t *d, size_t size, const char **reterr_reason) {
        static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
        uint32_t width, height;

        if (size < 8 + 12 + 13 || memcmp(d, signature, 8) != 0)
                return fail(reterr_reason, -EBADMSG, "not a PNG (signature)");
        if (be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
                return fail(reterr_reason, -EBADMSG, "PNG does not start with IHDR");
        width = be32(d + 16);
        height = be32(d + 20);
        if (width == 0 || height == 0 || width > DESKTOP_ICON_PIXELS_MAX ||
                        height > DESKTOP_ICON_PIXELS_MAX)
                return fail(reterr_reason, -EBADMSG, "PNG is empty or larger than 1024x1024");
        if (!png_depth_is_valid(d[25], d[24]) || d[26] != 0 || d[27] != 0 || d[28] > 1)
                return fail(reterr_reason, -EBADMSG, "PNG header has invalid values");
        return 0;
}

static int check_png(
                const uint8_t *untrusted_data, size_t untrusted_size, const char **reterr_reason) {
        bool idat = false;
        size_t pos = 8;
        int r;

        r = check_png_header(untrusted_data, untrusted_size, reterr_reason);
        if (r < 0)
                return r;
        for (;;) {
                const uint8_t *chunk = untrusted_data + pos;
                uint32_t len;

                if (untrusted_size - pos < 12)
                        return fail(reterr_reason, -EBADMSG, "PNG is truncated (no IEND)");
                len = be32(chunk);
                if (len > untrusted_size - pos - 12)
                        return fail(reterr_reason, -EBADMSG, "PNG chunk runs past the end");
                for (size_t i = 4; i < 8; i++)
                        if (!((chunk[i] >= 'a' && chunk[i] <= 'z') ||
                                            (chunk[i] >= 'A' && chunk[i] <= 'Z')))
                                return fail(reterr_reason, -EBADMSG, "PNG chunk type is invalid");
                if (crc32_png(chunk + 4, (size_t) len + 4) != be32(chunk + 8 + len))
                        return fail(reterr_reason, -EBADMSG, "PNG chunk CRC mismatch");
                pos += (size_t) len + 12;
                if (memcmp(chunk + 4, "IDAT", 4) == 0)
                        idat = true;
                if (memcmp(chunk + 4, "IEND", 4) == 0)
                        break;
        }
        if (!idat)
                return fail(reterr_reason, -EBADMSG, "PNG has no image data");
        if (pos != untrusted_size)
                return fail(reterr_reason, -EBADMSG, "PNG has bytes after IEND");
        return 0;
}

/* A struct png_image is freed by libpng on every error and on completion; this covers the rest
 * (an early return of ours). */
static void png_image_freep(png_image *image) {
        png_image_free(image);
}

/* Decodes a checked PNG to 8-bit sRGB RGBA pixels in *ret (width * height * 4 bytes). */
static int png_decode(const uint8_t *untrusted_data, size_t untrusted_size, uint8_t **ret,
                uint32_t *ret_width, uint32_t *ret_height, const char **reterr_reason) {
        _cleanup_(png_image_freep) png_image image = { .version = PNG_IMAGE_VERSION };
        _cleanup_(freep) uint8_t *pixels = NULL;

        if (!png_image_begin_read_from_memory(&image, untrusted_data, untrusted_size))
                return fail(reterr_reason, -EBADMSG, "PNG header does not decode");
        /* desktop_icon_check() has bounded IHDR; this is libpng's own reading of it. */
        if (image.width == 0 || image.height == 0 || image.width > DESKTOP_ICON_PIXELS_MAX ||
                        image.height > DESKTOP_ICON_PIXELS_MAX)
                return fail(reterr_reason, -EBADMSG, "PNG is empty or larger than 1024x1024");
        image.format = PNG_FORMAT_RGBA;
        pixels = malloc(PNG_IMAGE_SIZE(image));
        if (!pixels)
                return -ENOMEM;
        if (!png_image_finish_read(&image, /* background= */ NULL, pixels, /* row_stride= */ 0,
                            /* colormap= */ NULL))
                return fail(reterr_reason, -EBADMSG, "PNG image data does not decode");
        *ret_width = image.width;
        *ret_height = image.height;
        *ret = TAKE_PTR(pixels);
        return 0;
}

/* A new PNG of the pixels alone: IHDR, libpng's sRGB, IDAT, IEND, nothing else. */
static int png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint8_t **ret,
                size_t *ret_size, const char **reterr_reason) {
        _cleanup_(png_image_freep) png_image image = {
                .version = PNG_IMAGE_VERSION,
                .width = width,
                .height = height,
                .format = PNG_FORMAT_RGBA,
        };
        _cleanup_(freep) uint8_t *out = NULL;
        png_alloc_size_t size = 0;

        if (!png_image_write_to_memory(&image, NULL, &size, /* convert_to_8bit= */ 0, pixels,
                            /* row_stride= */ 0, /* colormap= */ NULL))
                return fail(reterr_reason, -EBADMSG, "PNG does not encode");
        if (size > DESKTOP_ICON_SIZE_MAX)
                return fail(reterr_reason, -EFBIG, "PNG is larger than 1 MiB once re-encoded");
        out = malloc(size);
        if (!out)
                return -ENOMEM;
        if (!png_image_write_to_memory(&image, out, &size, 0, pixels, 0, NULL))
                return fail(reterr_reason, -EBADMSG, "PNG does not encode");
        *ret = TAKE_PTR(out);
        *ret_size = size;
        return 0;
}

int desktop_icon_check(const uint8_t *untrusted_data, size_t untrusted_size, DesktopIconFormat f,
                const char **reterr_reason) {
        if (untrusted_size > DESKTOP_ICON_SIZE_MAX)
                return fail(reterr_reason, -EFBIG, "icon is larger than 1 MiB");
        switch (f) {
        case DESKTOP_ICON_PNG:
                return check_png(untrusted_data, untrusted_size, reterr_reason);
        case DESKTOP_ICON_SVG:
                return fail(reterr_reason, -EBADMSG,
                                "SVG is never taken as is (the image builder rasterises it)");
        default:
                return fail(reterr_reason, -EBADMSG, "icon is neither PNG nor SVG");
        }
}

int desktop_icon_png_recode(const uint8_t *untrusted_data, size_t untrusted_size, uint8_t **ret,
                size_t *ret_size, const char **reterr_reason) {
        _cleanup_(freep) uint8_t *pixels = NULL;
        uint32_t width, height;
        int r;

        r = desktop_icon_check(untrusted_data, untrusted_size, DESKTOP_ICON_PNG, reterr_reason);
        if (r < 0)
                return r;
        r = png_decode(untrusted_data, untrusted_size, &pixels, &width, &height, reterr_reason);
        if (r < 0)
                return r;
        return png_encode(pixels, width, height, ret, ret_size, reterr_reason);
}

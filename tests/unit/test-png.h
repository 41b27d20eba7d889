/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-png.h: PNG files with well-formed chunks for tests of the icon checks (the IDAT of
 * test_png_build() is zeroes: no valid zlib stream, so it never decodes). */
#pragma once

#include <png.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bytes a PNG of idat_len bytes of image data takes: signature, IHDR, IDAT, IEND. */
#define TEST_PNG_SIZE(idat_len) (8u + 25u + 12u + (idat_len) + 12u)

static inline uint32_t test_png_crc32(const uint8_t *p, size_t n) {
        uint32_t c = 0xffffffffu;

        for (size_t i = 0; i < n; i++) {
                c ^= p[i];
                for (int k = 0; k < 8; k++)
                        c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
        }
        return ~c;
}

static inline void test_png_put32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

static inline size_t test_png_chunk(
                uint8_t *c, const char *type, const uint8_t *body, uint32_t len) {
        test_png_put32(c, len);
        memcpy(c + 4, type, 4);
        if (len)
                memcpy(c + 8, body, len);
        test_png_put32(c + 8 + len, test_png_crc32(c + 4, len + 4));
        return len + 12;
}

/* Writes a width x height RGBA PNG into buf (TEST_PNG_SIZE(idat_len) bytes); returns its size. */
static inline size_t test_png_build(
                uint8_t *buf, uint32_t width, uint32_t height, size_t idat_len) {
        uint8_t ihdr[13] = { 0 };
        size_t n = 8;

        memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
        test_png_put32(ihdr, width);
        test_png_put32(ihdr + 4, height);
        ihdr[8] = 8; /* bit depth */
        ihdr[9] = 6; /* RGBA */
        n += test_png_chunk(buf + n, "IHDR", ihdr, sizeof(ihdr));
        memset(buf + n + 8, 0, idat_len);
        n += test_png_chunk(buf + n, "IDAT", buf + n + 8, (uint32_t) idat_len);
        n += test_png_chunk(buf + n, "IEND", NULL, 0);
        return n;
}

/* w x h RGBA pixels, each (x, y, x ^ y, 255 - x): every pixel differs from its neighbours. */
static inline uint8_t *test_png_pixels(uint32_t w, uint32_t h) {
        uint8_t *p = malloc((size_t) w * h * 4);

        if (!p)
                abort();
        for (uint32_t y = 0; y < h; y++)
                for (uint32_t x = 0; x < w; x++) {
                        uint8_t *px = p + ((size_t) y * w + x) * 4;

                        px[0] = (uint8_t) x;
                        px[1] = (uint8_t) y;
                        px[2] = (uint8_t) (x ^ y);
                        px[3] = (uint8_t) (255 - x);
                }
        return p;
}

/* A real PNG of w x h RGBA pixels, written by libpng (malloc'd, *ret_size bytes). */
static inline uint8_t *test_png_encode(
                const uint8_t *pixels, uint32_t w, uint32_t h, size_t *ret_size) {
        png_image image = {
                .version = PNG_IMAGE_VERSION, .width = w, .height = h, .format = PNG_FORMAT_RGBA
        };
        png_alloc_size_t size = 0;
        uint8_t *out;

        if (!png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL))
                abort();
        out = malloc(size);
        if (!out || !png_image_write_to_memory(&image, out, &size, 0, pixels, 0, NULL))
                abort();
        *ret_size = size;
        return out;
}

/* The RGBA pixels of a PNG as any reader sees them (malloc'd), or NULL if it does not decode. */
static inline uint8_t *test_png_decode(
                const uint8_t *png, size_t size, uint32_t *ret_w, uint32_t *ret_h) {
        png_image image = { .version = PNG_IMAGE_VERSION };
        uint8_t *pixels;

        if (!png_image_begin_read_from_memory(&image, png, size))
                return NULL;
        image.format = PNG_FORMAT_RGBA;
        pixels = malloc(PNG_IMAGE_SIZE(image));
        if (!pixels)
                abort();
        if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
                free(pixels);
                return NULL;
        }
        *ret_w = image.width;
        *ret_h = image.height;
        return pixels;
}

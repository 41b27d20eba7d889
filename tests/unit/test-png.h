/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-png.h: well-formed PNG files for tests of the icon checks (the IDAT is zeroes: nothing
 * here decodes it). */
#pragma once

#include <stddef.h>
#include <stdint.h>
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-desktop-icon.c: tests for desktop-icon.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "desktop-icon.h"
#include "macro.h"
#include "test-png.h"

typedef struct Png {
        uint8_t data[256];
        size_t size;
} Png;

/* A w x h RGBA PNG with a 10-byte IDAT. */
static Png make_png(uint32_t w, uint32_t h) {
        Png png = {};

        png.size = test_png_build(png.data, w, h, 10);
        return png;
}

static int check_png(const Png *png) {
        return desktop_icon_check(png->data, png->size, DESKTOP_ICON_PNG, NULL);
}

static void test_desktop_icon_check_accepts_small_png(void **state) {
        Png png = make_png(48, 48), max = make_png(1024, 1024);

        assert_int_equal(check_png(&png), 0);
        assert_int_equal(check_png(&max), 0);
}

static void test_desktop_icon_check_refuses_png_over_1024_pixels(void **state) {
        Png wide = make_png(1025, 16), tall = make_png(16, 4096), empty = make_png(0, 16);

        assert_int_equal(check_png(&wide), -EBADMSG);
        assert_int_equal(check_png(&tall), -EBADMSG);
        assert_int_equal(check_png(&empty), -EBADMSG);
}

static void test_desktop_icon_check_refuses_fake_and_broken_png(void **state) {
        static const char fake[] = "\x89PNG\r\n\x1a\n<svg onload=alert(1)>";
        Png png = make_png(32, 32), crc = png, trunc = png, tail = png;

        assert_int_equal(desktop_icon_check((const uint8_t *) fake, sizeof(fake) - 1,
                                         DESKTOP_ICON_PNG, NULL),
                        -EBADMSG);
        crc.data[42] ^= 1; /* in the body of IDAT */
        assert_int_equal(check_png(&crc), -EBADMSG);
        trunc.size -= 12; /* no IEND */
        assert_int_equal(check_png(&trunc), -EBADMSG);
        tail.data[tail.size++] = 0;
        assert_int_equal(check_png(&tail), -EBADMSG);
        png.data[0] = 'G';
        assert_int_equal(check_png(&png), -EBADMSG);
}

static void test_desktop_icon_check_refuses_png_chunk_length_past_end(void **state) {
        Png png = make_png(32, 32);

        test_png_put32(png.data + 33, 0x7fffffffu); /* IDAT's length */
        assert_int_equal(check_png(&png), -EBADMSG);
        test_png_put32(png.data + 33, 0xffffffffu);
        assert_int_equal(check_png(&png), -EBADMSG);
}

static void test_desktop_icon_check_refuses_over_1_mib(void **state) {
        _cleanup_(freep) uint8_t *big = calloc(1, DESKTOP_ICON_SIZE_MAX + 1);
        Png png = make_png(16, 16);

        assert_non_null(big);
        memcpy(big, png.data, png.size);
        assert_int_equal(desktop_icon_check(big, DESKTOP_ICON_SIZE_MAX + 1, DESKTOP_ICON_PNG, NULL),
                        -EFBIG);
}

static void test_desktop_icon_check_refuses_every_svg(void **state) {
        static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"16\" "
                                  "height=\"16\"><rect width=\"16\" height=\"16\"/></svg>";
        const char *reason = NULL;

        assert_int_equal(desktop_icon_check((const uint8_t *) svg, strlen(svg), DESKTOP_ICON_SVG,
                                         &reason),
                        -EBADMSG);
        assert_non_null(reason);
}

/* png with a tEXt and a private chunk inserted after IHDR (offset 33). */
static uint8_t *with_ancillary_chunks(const uint8_t *png, size_t size, size_t *ret_size) {
        static const char text[] = "Comment\0<script>steal()</script>";
        uint8_t *out = malloc(size + 2 * 12 + sizeof(text) + 8);
        size_t n = 33;

        assert_non_null(out);
        memcpy(out, png, 33);
        n += test_png_chunk(out + n, "tEXt", (const uint8_t *) text, sizeof(text) - 1);
        n += test_png_chunk(out + n, "prVt", (const uint8_t *) "payload!", 8);
        memcpy(out + n, png + 33, size - 33);
        *ret_size = n + size - 33;
        return out;
}

static bool has_bytes(const uint8_t *d, size_t size, const char *needle) {
        return memmem(d, size, needle, strlen(needle)) != NULL;
}

static void test_desktop_icon_png_recode_keeps_pixels_and_drops_chunks(void **state) {
        _cleanup_(freep) uint8_t *pixels = test_png_pixels(40, 24), *plain = NULL, *input = NULL;
        _cleanup_(freep) uint8_t *out = NULL, *again = NULL, *back = NULL;
        size_t plain_size, input_size, out_size, again_size;
        const char *reason = NULL;
        uint32_t w, h;

        plain = test_png_encode(pixels, 40, 24, &plain_size);
        input = with_ancillary_chunks(plain, plain_size, &input_size);
        assert_int_equal(desktop_icon_check(input, input_size, DESKTOP_ICON_PNG, NULL), 0);
        assert_true(has_bytes(input, input_size, "<script>"));

        assert_int_equal(desktop_icon_png_recode(input, input_size, &out, &out_size, &reason), 0);
        assert_int_equal(desktop_icon_check(out, out_size, DESKTOP_ICON_PNG, NULL), 0);
        assert_false(has_bytes(out, out_size, "tEXt"));
        assert_false(has_bytes(out, out_size, "prVt"));
        assert_false(has_bytes(out, out_size, "<script>"));
        assert_false(has_bytes(out, out_size, "payload!"));
        back = test_png_decode(out, out_size, &w, &h);
        assert_non_null(back);
        assert_int_equal(w, 40);
        assert_int_equal(h, 24);
        assert_memory_equal(back, pixels, (size_t) 40 * 24 * 4);

        /* What we wrote, we write again byte for byte. */
        assert_int_equal(desktop_icon_png_recode(out, out_size, &again, &again_size, NULL), 0);
        assert_int_equal(again_size, out_size);
        assert_memory_equal(again, out, out_size);
}

/* png (one IDAT, as libpng writes it) up to its IDAT, with the first half of the IDAT only, then
 * IEND; its size. */
static size_t cut_idat(const uint8_t *png, size_t size, uint8_t *buf, size_t buf_size) {
        const uint8_t *idat = memmem(png, size, "IDAT", 4);
        size_t head, n;
        uint32_t idat_len;

        assert_non_null(idat);
        assert_true(size <= buf_size);
        head = (size_t) (idat - 4 - png);
        idat_len = (uint32_t) idat[-4] << 24 | (uint32_t) idat[-3] << 16 |
                   (uint32_t) idat[-2] << 8 | idat[-1];
        memcpy(buf, png, head);
        n = head + test_png_chunk(buf + head, "IDAT", idat + 4, idat_len / 2);
        return n + test_png_chunk(buf + n, "IEND", NULL, 0);
}

static void test_desktop_icon_png_recode_refuses_undecodable_png(void **state) {
        Png zeroes = make_png(32, 32), wide = make_png(2048, 2);
        _cleanup_(freep) uint8_t *pixels = test_png_pixels(16, 16), *good = NULL;
        uint8_t *out = NULL;
        const char *reason = NULL;
        size_t size, out_size = 0, n;
        uint8_t cut[512];

        /* Well-formed chunks, but the IDAT is no zlib stream. */
        assert_int_equal(check_png(&zeroes), 0);
        assert_int_equal(
                        desktop_icon_png_recode(zeroes.data, zeroes.size, &out, &out_size, &reason),
                        -EBADMSG);
        assert_non_null(reason);
        reason = NULL;
        assert_int_equal(desktop_icon_png_recode(wide.data, wide.size, &out, &out_size, &reason),
                        -EBADMSG);
        assert_non_null(reason);

        /* Cut short: libpng runs out of image data (IEND re-added so the chunk check passes). */
        good = test_png_encode(pixels, 16, 16, &size);
        n = cut_idat(good, size, cut, sizeof(cut));
        assert_int_equal(desktop_icon_check(cut, n, DESKTOP_ICON_PNG, NULL), 0);
        assert_int_equal(desktop_icon_png_recode(cut, n, &out, &out_size, NULL), -EBADMSG);
        assert_null(out);
}

static void test_desktop_icon_format_round_trips(void **state) {
        for (DesktopIconFormat f = 0; f < _DESKTOP_ICON_FORMAT_MAX; f++)
                assert_int_equal(desktop_icon_format_from_string(desktop_icon_format_to_string(f)),
                                f);
        assert_int_equal(desktop_icon_format_from_string("xpm"), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_desktop_icon_check_accepts_small_png),
                cmocka_unit_test(test_desktop_icon_check_refuses_png_over_1024_pixels),
                cmocka_unit_test(test_desktop_icon_check_refuses_fake_and_broken_png),
                cmocka_unit_test(test_desktop_icon_check_refuses_png_chunk_length_past_end),
                cmocka_unit_test(test_desktop_icon_check_refuses_over_1_mib),
                cmocka_unit_test(test_desktop_icon_check_refuses_every_svg),
                cmocka_unit_test(test_desktop_icon_png_recode_keeps_pixels_and_drops_chunks),
                cmocka_unit_test(test_desktop_icon_png_recode_refuses_undecodable_png),
                cmocka_unit_test(test_desktop_icon_format_round_trips),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

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

static int check_svg(const char *svg) {
        const char *reason = NULL;
        int r = desktop_icon_check((const uint8_t *) svg, strlen(svg), DESKTOP_ICON_SVG, &reason);

        if (r < 0)
                assert_non_null(reason);
        return r;
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
        assert_int_equal(desktop_icon_check(big, DESKTOP_ICON_SIZE_MAX + 1, DESKTOP_ICON_SVG, NULL),
                        -EFBIG);
}

static void test_desktop_icon_check_accepts_inkscape_like_svg(void **state) {
        assert_int_equal(check_svg("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                   "<!-- Created with Inkscape -->\n"
                                   "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
                                   "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
                                   "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                                   "xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" "
                                   "width=\"48\" height=\"48\"><defs><linearGradient id=\"g\"/>"
                                   "<linearGradient xlink:href=\"#g\" id=\"h\"/></defs>"
                                   "<path style=\"fill:url(#h)\" d=\"M 0,0 L 1,1\"/>"
                                   "<image href=\"data:image/png;base64,iVBORw0KGgo=\"/>"
                                   "<text>Icon</text></svg>\n"),
                        0);
}

static void test_desktop_icon_check_refuses_hostile_svg(void **state) {
        static const char *const bad[] = {
                "<svg><script>alert(1)</script></svg>",
                "<svg onload=\"alert(1)\"/>",
                "<svg><rect\nonclick = \"x\"/></svg>",
                "<svg><image href=\"file:///etc/shadow\"/></svg>",
                "<svg><use xlink:href='http://evil/x.svg#a'/></svg>",
                "<svg><image href=\"data:image/svg+xml;base64,PHN2Zz4=\"/></svg>",
                "<svg><rect style=\"fill:url(http://evil/)\"/></svg>",
                "<svg><style>@import 'http://evil/x.css';</style></svg>",
                "<svg><foreignObject><iframe/></foreignObject></svg>",
                "<svg><a href=\"javascript:alert(1)\"/></svg>",
                "<!DOCTYPE svg [<!ENTITY x \"lol\">]><svg>&x;</svg>",
                "<?xml-stylesheet href=\"x.css\"?><svg/>",
                "<html><svg/></html>",
                "<svgx/>",
                "just text",
                "",
                "<svg>\xff</svg>",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (check_svg(bad[i]) != -EBADMSG)
                        fail_msg("accepted: %s", bad[i]);
}

static void test_desktop_icon_check_refuses_svg_with_nul(void **state) {
        static const char svg[] = "<svg>\0<script/></svg>";

        assert_int_equal(desktop_icon_check((const uint8_t *) svg, sizeof(svg) - 1,
                                         DESKTOP_ICON_SVG, NULL),
                        -EBADMSG);
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
                cmocka_unit_test(test_desktop_icon_check_accepts_inkscape_like_svg),
                cmocka_unit_test(test_desktop_icon_check_refuses_hostile_svg),
                cmocka_unit_test(test_desktop_icon_check_refuses_svg_with_nul),
                cmocka_unit_test(test_desktop_icon_format_round_trips),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-image-desktop.c: tests for image-desktop.c on fake root filesystems in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "desktop-icon.h"
#include "fileio.h"
#include "image-desktop.h"
#include "image-svg.h"
#include "log.h"
#include "strv.h"
#include "test-png.h"

#define STRV_MAKE(...) ((char *const[]){ __VA_ARGS__, NULL })
#define ENTRY(name, exec) "[Desktop Entry]\nType=Application\nName=" name "\nExec=" exec "\n"

typedef struct Fixture {
        char *tmp;  /* the test's temp dir */
        char *root; /* <tmp>/rootfs */
        char *out;  /* <tmp>/desktop */
} Fixture;

static char *path_join(const char *a, const char *b) {
        size_t n = strlen(a) + strlen(b) + 2;
        char *p = malloc(n);

        if (!p)
                abort();
        (void) snprintf(p, n, "%s/%s", a, b);
        return p;
}

/* dir/rel, with the parents of rel created. */
static char *make_parents(const char *dir, const char *rel) {
        char *path = path_join(dir, rel);

        for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                (void) mkdir(path, 0755);
                *s = '/';
        }
        return path;
}

static void put(const char *dir, const char *rel, const void *data, size_t size) {
        _cleanup_(freep) char *path = make_parents(dir, rel);
        FILE *f;

        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, size, f), size);
        assert_int_equal(fclose(f), 0);
}

static void put_text(const char *dir, const char *rel, const char *text) {
        put(dir, rel, text, strlen(text));
}

static void put_link(const char *dir, const char *rel, const char *target) {
        _cleanup_(freep) char *path = make_parents(dir, rel);

        assert_int_equal(symlink(target, path), 0);
}

/* A PNG of side x side pixels with well-formed chunks but an IDAT of idat_len zeroes, which
 * does not decode. */
static void put_chunky_png(const char *dir, const char *rel, uint32_t side, size_t idat_len) {
        _cleanup_(freep) uint8_t *png = malloc(TEST_PNG_SIZE(idat_len));

        assert_non_null(png);
        put(dir, rel, png, test_png_build(png, side, side, idat_len));
}

/* A real PNG of side x side pixels. */
static void put_png(const char *dir, const char *rel, uint32_t side) {
        _cleanup_(freep) uint8_t *pixels = test_png_pixels(side, side), *png = NULL;
        size_t size;

        png = test_png_encode(pixels, side, side, &size);
        put(dir, rel, png, size);
}

static void put_package(Fixture *f, const char *list_name, const char *files) {
        _cleanup_(freep) char *rel = path_join("var/lib/dpkg/info", list_name);

        put_text(f->root, rel, files);
}

static char *read_out(Fixture *f, const char *rel) {
        _cleanup_(freep) char *path = path_join(f->out, rel);
        char *data = NULL;

        if (read_full_file(path, 4u * 1024u * 1024u, &data, NULL) < 0)
                return NULL;
        return data;
}

static bool out_exists(Fixture *f, const char *rel) {
        _cleanup_(freep) char *path = path_join(f->out, rel);

        return access(path, F_OK) == 0;
}

/* The RGBA pixels of out/rel, a PNG we encoded (re-encoding it changes nothing), side x side. */
static uint8_t *read_our_icon(Fixture *f, const char *rel, uint32_t side) {
        _cleanup_(freep) char *path = path_join(f->out, rel);
        _cleanup_(freep) char *icon = NULL;
        _cleanup_(freep) uint8_t *again = NULL;
        size_t size, again_size;
        uint8_t *pixels;
        uint32_t w = 0, h = 0;

        assert_int_equal(read_full_file(path, DESKTOP_ICON_SIZE_MAX, &icon, &size), 0);
        assert_int_equal(desktop_icon_png_recode(
                                         (const uint8_t *) icon, size, &again, &again_size, NULL),
                        0);
        assert_int_equal(again_size, size);
        assert_memory_equal(again, icon, size);
        pixels = test_png_decode((const uint8_t *) icon, size, &w, &h);
        assert_non_null(pixels);
        assert_int_equal(w, side);
        assert_int_equal(h, side);
        return pixels;
}

/* out/rel is a PNG we encoded of the test_png_pixels() of a side x side source. */
static void assert_icon_pixels(Fixture *f, const char *rel, uint32_t side) {
        _cleanup_(freep) uint8_t *pixels = read_our_icon(f, rel, side);
        _cleanup_(freep) uint8_t *want = test_png_pixels(side, side);

        assert_memory_equal(pixels, want, (size_t) side * side * 4);
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        f->tmp = strdup("/tmp/test-image-desktop-XXXXXX");
        assert_non_null(f->tmp);
        assert_non_null(mkdtemp(f->tmp));
        f->root = path_join(f->tmp, "rootfs");
        f->out = path_join(f->tmp, "desktop");
        assert_int_equal(mkdir(f->root, 0755), 0);
        log_set_max_level(LOG_LEVEL_ERROR);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        _cleanup_(freep) char *cmd = NULL;

        assert_true(asprintf(&cmd, "rm -rf '%s'", f->tmp) > 0);
        assert_int_equal(system(cmd), 0);
        free(f->tmp);
        free(f->root);
        free(f->out);
        free(f);
        return 0;
}

static void test_image_desktop_extract_writes_entries_and_theme_icons(void **state) {
        Fixture *f = *state;
        _cleanup_(freep) char *text = NULL;

        put_package(f, "editor.list",
                        "/.\n/usr\n/usr/share/applications\n"
                        "/usr/share/applications/org.example.Editor.desktop\n"
                        "/usr/share/applications/nested/skipped.desktop\n/usr/bin/editor\n");
        put_text(f->root, "usr/share/applications/org.example.Editor.desktop",
                        ENTRY("Editor", "editor --new %F") "Icon=editor\nCategories=Utility;\n");
        put_text(f->root, "usr/share/applications/nested/skipped.desktop", ENTRY("N", "n"));
        put_png(f->root, "usr/share/icons/hicolor/48x48/apps/editor.png", 48);

        assert_int_equal(image_desktop_extract(f->root, STRV_MAKE("editor"), f->out), 1);
        text = read_out(f, "applications/org.example.Editor.desktop");
        assert_non_null(text);
        assert_string_equal(text, "[Desktop Entry]\nType=Application\nName=Editor\n"
                                  "Exec=editor --new\nTerminal=false\nCategories=Utility;\n");
        assert_icon_pixels(f, "icons/org.example.Editor.png", 48);
        assert_false(out_exists(f, "applications/skipped.desktop"));
}

#define SVG_OPEN                                                                                   \
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "  \
        "width=\"16\" height=\"16\">"
#define SVG_BLUE_RECT "<rect width=\"16\" height=\"16\" fill=\"#3366cc\"/>"
#define BLUE 0x3366ccffu
#define RED 0xff0000ffu

/* The centre pixel (0xRRGGBBAA) of out/rel, a PNG we encoded of IMAGE_SVG_PIXELS a side. */
static uint32_t icon_centre(Fixture *f, const char *rel) {
        _cleanup_(freep) uint8_t *pixels = read_our_icon(f, rel, IMAGE_SVG_PIXELS);
        const uint8_t *px = pixels + ((size_t) (IMAGE_SVG_PIXELS / 2) * IMAGE_SVG_PIXELS +
                                                     IMAGE_SVG_PIXELS / 2) *
                                                     4;

        return (uint32_t) px[0] << 24 | (uint32_t) px[1] << 16 | (uint32_t) px[2] << 8 | px[3];
}

/* Package <id> with one entry <id> whose icon is usr/share/icons/hicolor/scalable/apps/<id>.svg
 * holding svg. */
static void put_svg_app(Fixture *f, const char *id, const char *svg) {
        _cleanup_(freep) char *list = NULL, *files = NULL, *entry = NULL, *icon = NULL;

        assert_true(asprintf(&list, "%s.list", id) > 0);
        assert_true(asprintf(&files, "/usr/share/applications/%s.desktop", id) > 0);
        assert_true(asprintf(&entry, ENTRY("App", "app") "Icon=%s\n", id) > 0);
        assert_true(asprintf(&icon, "usr/share/icons/hicolor/scalable/apps/%s.svg", id) > 0);
        put_package(f, list, files);
        put_text(f->root, files + 1, entry);
        put_text(f->root, icon, svg);
}

static void test_image_desktop_extract_rasterises_svg_icons(void **state) {
        Fixture *f = *state;

        put_svg_app(f, "draw", "<?xml version=\"1.0\"?>\n" SVG_OPEN SVG_BLUE_RECT "</svg>\n");
        put_svg_app(f, "styled",
                        SVG_OPEN "<style>rect{fill:#ff0000}</style>" SVG_BLUE_RECT "</svg>");
        put_svg_app(f, "broken", "<svg><rect");
        put_svg_app(f, "html", "<html><body>not an icon</body></html>");

        assert_int_equal(image_desktop_extract(f->root,
                                         STRV_MAKE("draw", "styled", "broken", "html"), f->out),
                        4);
        assert_int_equal(icon_centre(f, "icons/draw.png"), BLUE);
        /* Stylesheets are applied: so an imported one would show (next test). */
        assert_int_equal(icon_centre(f, "icons/styled.png"), RED);
        assert_false(out_exists(f, "icons/draw.svg"));
        assert_true(out_exists(f, "applications/broken.desktop"));
        assert_false(out_exists(f, "icons/broken.png"));
        assert_false(out_exists(f, "icons/broken.svg"));
        assert_false(out_exists(f, "icons/html.png"));
}

/* tmpl with every "@D@" replaced by dir. */
static char *with_dir(const char *tmpl, const char *dir) {
        char *out = calloc(1, strlen(tmpl) * (strlen(dir) + 1) + 1);
        char *o = out;

        assert_non_null(out);
        for (const char *p = tmpl; *p;)
                if (strncmp(p, "@D@", 3) == 0) {
                        o = stpcpy(o, dir);
                        p += 3;
                } else
                        *o++ = *p++;
        return out;
}

/* Each SVG tries to make its blue square red with a file of the host (a stylesheet, an SVG, a
 * PNG, an external DTD): in the sandbox there is none, so every icon is the blue square or
 * none, and it is the same with those files there or gone. */
static void test_image_desktop_extract_svg_reaches_nothing_outside(void **state) {
        static const char *const hostile[] = {
                /* Refs to the host file <tmp>/evil.css, evil.svg, red.png, evil.dtd, secret.txt. */
                SVG_OPEN SVG_BLUE_RECT "<style>@\\69mport url(file://@D@/evil.css);</style></svg>",
                SVG_OPEN "<style>@import 'file://@D@/evil.css';</style>" SVG_BLUE_RECT "</svg>",
                SVG_OPEN SVG_BLUE_RECT "<rect width=\"16\" height=\"16\" "
                                       "style=\"fill:\\75rl(file://@D@/evil.svg#red)\"/></svg>",
                SVG_OPEN SVG_BLUE_RECT "<use href=\"file://@D@/evil.svg#redrect\"/></svg>",
                SVG_OPEN SVG_BLUE_RECT "<g xml:base=\"file://@D@/\"><use xlink:href=\"evil.svg#"
                                       "redrect\"/><image href=\"red.png\" width=\"16\" "
                                       "height=\"16\"/></g></svg>",
                SVG_OPEN SVG_BLUE_RECT "<image href=\"file://@D@/red.png\" width=\"16\" "
                                       "height=\"16\"/><image xlink:href=\"/@D@/red.png\" "
                                       "width=\"16\" height=\"16\"/></svg>",
                "<?xml version=\"1.0\"?>\n<!DOCTYPE svg SYSTEM \"file://@D@/evil.dtd\">\n" SVG_OPEN
                                SVG_BLUE_RECT
                "<rect width=\"16\" height=\"16\" fill=\"&red;\"/></svg>",
                "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM \"file://@D@/"
                "secret.txt\">]>\n" SVG_OPEN SVG_BLUE_RECT "<text y=\"8\">&x;</text></svg>",
        };
        static const char *const host_files[] = { "red.png", "evil.css", "evil.dtd", "secret.txt",
                "evil.svg" };
        Fixture *f = *state;
        char *first[ELEMENTSOF(hostile)] = {};
        _cleanup_(freep) uint8_t *red_png = NULL;
        uint8_t red[16 * 16 * 4];
        size_t red_size;

        for (size_t i = 0; i < sizeof(red); i += 4)
                memcpy(red + i, "\xff\x00\x00\xff", 4);
        red_png = test_png_encode(red, 16, 16, &red_size);
        put(f->tmp, "red.png", red_png, red_size);
        put_text(f->tmp, "evil.css", "rect{fill:#ff0000}\n");
        put_text(f->tmp, "evil.dtd", "<!ENTITY red \"#ff0000\">\n");
        put_text(f->tmp, "secret.txt", "SECRET\n");
        put_text(f->tmp, "evil.svg",
                        SVG_OPEN "<linearGradient id=\"red\"><stop stop-color=\"#ff0000\"/>"
                                 "</linearGradient><rect id=\"redrect\" width=\"16\" height=\"16\" "
                                 "fill=\"#ff0000\"/></svg>");
        for (int round = 0; round < 2; round++) {
                char *packages[ELEMENTSOF(hostile) + 1] = {};

                for (size_t i = 0; i < ELEMENTSOF(hostile); i++) {
                        _cleanup_(freep) char *svg = with_dir(hostile[i], f->tmp);

                        assert_true(asprintf(&packages[i], "hostile%zu", i) > 0);
                        if (round == 0)
                                put_svg_app(f, packages[i], svg);
                }
                assert_int_equal(image_desktop_extract(f->root, packages, f->out),
                                (int) ELEMENTSOF(hostile));
                for (size_t i = 0; i < ELEMENTSOF(hostile); i++) {
                        _cleanup_(freep) char *rel = NULL, *icon = NULL;

                        assert_true(asprintf(&rel, "icons/%s.png", packages[i]) > 0);
                        if (out_exists(f, rel) && icon_centre(f, rel) != BLUE)
                                fail_msg("%s is not the blue square: %s", rel, hostile[i]);
                        icon = read_out(f, rel);
                        if (round == 0)
                                first[i] = TAKE_PTR(icon);
                        else if (!streq_ptr(first[i], icon))
                                fail_msg("%s depends on the host's files", rel);
                        free(packages[i]);
                }
                /* Round two: the host files are gone. */
                for (size_t i = 0; round == 0 && i < ELEMENTSOF(host_files); i++) {
                        _cleanup_(freep) char *path = path_join(f->tmp, host_files[i]);

                        assert_int_equal(unlink(path), 0);
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(hostile); i++)
                free(first[i]);
}

static void test_image_desktop_extract_reads_multiarch_lists(void **state) {
        Fixture *f = *state;

        put_package(f, "tool:amd64.list", "/usr/share/applications/tool.desktop\n");
        put_text(f->root, "usr/share/applications/tool.desktop", ENTRY("Tool", "tool"));
        assert_int_equal(image_desktop_extract(f->root, STRV_MAKE("tool"), f->out), 1);
        assert_true(out_exists(f, "applications/tool.desktop"));
}

static void test_image_desktop_extract_never_follows_symlinks_out_of_the_root(void **state) {
        Fixture *f = *state;
        _cleanup_(freep) char *outside = path_join(f->tmp, "outside.desktop");
        _cleanup_(freep) char *outside_png = path_join(f->tmp, "outside.png");

        /* Valid files next to the rootfs, reachable only by escaping it. */
        put_text(f->tmp, "outside.desktop", ENTRY("Host secret", "secret") "Icon=/x/a.png\n");
        put_png(f->tmp, "outside.png", 16);
        put_package(f, "evil.list",
                        "/usr/share/applications/abs.desktop\n/usr/share/applications/rel.desktop\n"
                        "/usr/share/applications/ok.desktop\n");
        put_text(f->root, "usr/share/applications/ok.desktop", ENTRY("Ok", "ok") "Icon=ok\n");
        put_link(f->root, "usr/share/applications/abs.desktop", outside);
        put_link(f->root, "usr/share/applications/rel.desktop", "../../../../../outside.desktop");
        put_link(f->root, "usr/share/pixmaps/ok.png", outside_png);

        assert_int_equal(image_desktop_extract(f->root, STRV_MAKE("evil"), f->out), 1);
        assert_false(out_exists(f, "applications/abs.desktop"));
        assert_false(out_exists(f, "applications/rel.desktop"));
        assert_true(out_exists(f, "applications/ok.desktop"));
        assert_false(out_exists(f, "icons/ok.png"));
}

static void test_image_desktop_extract_resolves_absolute_symlinks_inside_the_root(void **state) {
        Fixture *f = *state;

        put_package(f, "app.list", "/usr/share/applications/app.desktop\n");
        put_text(f->root, "usr/share/real/app.desktop", ENTRY("App", "app") "Icon=app\n");
        put_link(f->root, "usr/share/applications/app.desktop", "/usr/share/real/app.desktop");
        put_png(f->root, "usr/share/real/app.png", 64);
        put_link(f->root, "usr/share/icons/hicolor/64x64/apps/app.png", "/usr/share/real/app.png");

        assert_int_equal(image_desktop_extract(f->root, STRV_MAKE("app"), f->out), 1);
        assert_true(out_exists(f, "applications/app.desktop"));
        assert_true(out_exists(f, "icons/app.png"));
}

static void test_image_desktop_extract_skips_oversize_and_fake_icons(void **state) {
        Fixture *f = *state;

        put_package(f, "big.list",
                        "/usr/share/applications/big.desktop\n/usr/share/applications/"
                        "fake.desktop\n");
        put_text(f->root, "usr/share/applications/big.desktop", ENTRY("Big", "big") "Icon=big\n");
        put_text(f->root, "usr/share/applications/fake.desktop",
                        ENTRY("Fake", "fake") "Icon=fake\n");
        /* Over 1 MiB at 256x256: the 48x48 one is taken instead. */
        put_chunky_png(f->root, "usr/share/icons/hicolor/256x256/apps/big.png", 256, 1024 * 1024);
        put_png(f->root, "usr/share/icons/hicolor/48x48/apps/big.png", 48);
        put_text(f->root, "usr/share/pixmaps/fake.png", "#!/bin/sh\nrm -rf ~\n");
        put_chunky_png(f->root, "usr/share/icons/hicolor/128x128/apps/fake.png", 2048, 16);
        put_chunky_png(f->root, "usr/share/icons/hicolor/64x64/apps/fake.png", 64, 16);

        assert_int_equal(image_desktop_extract(f->root, STRV_MAKE("big"), f->out), 2);
        assert_icon_pixels(f, "icons/big.png", 48);
        assert_true(out_exists(f, "applications/fake.desktop"));
        assert_false(out_exists(f, "icons/fake.png"));
}

static void test_image_desktop_extract_leaves_out_hostile_entries_only(void **state) {
        Fixture *f = *state;

        put_package(f, "mixed.list",
                        "/usr/share/applications/bad.desktop\n/usr/share/applications/"
                        "good.desktop\n"
                        "/usr/share/applications/fifo.desktop\n/usr/share/applications/"
                        "b@d.desktop\n"
                        "/usr/share/applications/hidden.desktop\n");
        put_text(f->root, "usr/share/applications/bad.desktop", ENTRY("Bad", "rm -rf ~; x"));
        put_text(f->root, "usr/share/applications/good.desktop", ENTRY("Good", "good"));
        put_text(f->root, "usr/share/applications/b@d.desktop", ENTRY("Id", "id"));
        put_text(f->root, "usr/share/applications/hidden.desktop",
                        ENTRY("Hidden", "h") "NoDisplay=true\n");
        {
                _cleanup_(freep) char *fifo =
                                path_join(f->root, "usr/share/applications/fifo.desktop");

                assert_int_equal(mkfifo(fifo, 0644), 0);
        }

        assert_int_equal(image_desktop_extract(f->root, STRV_MAKE("mixed"), f->out), 1);
        assert_true(out_exists(f, "applications/good.desktop"));
        assert_false(out_exists(f, "applications/bad.desktop"));
        assert_false(out_exists(f, "applications/fifo.desktop"));
        assert_false(out_exists(f, "applications/hidden.desktop"));
}

static void test_image_desktop_extract_replaces_the_previous_output(void **state) {
        Fixture *f = *state;

        put_package(f, "one.list", "/usr/share/applications/one.desktop\n");
        put_package(f, "two.list", "/usr/share/applications/two.desktop\n");
        put_text(f->root, "usr/share/applications/one.desktop", ENTRY("One", "one"));
        put_text(f->root, "usr/share/applications/two.desktop", ENTRY("Two", "two"));

        assert_int_equal(image_desktop_extract(f->root, STRV_MAKE("one", "two"), f->out), 2);
        assert_int_equal(image_desktop_extract(f->root, STRV_MAKE("two"), f->out), 1);
        assert_false(out_exists(f, "applications/one.desktop"));
        assert_true(out_exists(f, "applications/two.desktop"));
}

static void test_image_desktop_extract_skips_missing_and_invalid_packages(void **state) {
        Fixture *f = *state;

        assert_int_equal(image_desktop_extract(f->root,
                                         STRV_MAKE("not-installed", "../../etc/passwd", "X"),
                                         f->out),
                        0);
        assert_true(out_exists(f, "applications"));
        assert_true(out_exists(f, "icons"));
}

static void test_image_desktop_extract_takes_each_id_once(void **state) {
        Fixture *f = *state;
        _cleanup_(freep) char *text = NULL;

        put_package(f, "aa.list", "/usr/share/applications/same.desktop\n");
        put_package(f, "bb.list", "/usr/share/applications/same.desktop\n");
        put_text(f->root, "usr/share/applications/same.desktop", ENTRY("Same", "same"));
        assert_int_equal(image_desktop_extract(f->root, STRV_MAKE("aa", "bb"), f->out), 1);
        text = read_out(f, "applications/same.desktop");
        assert_non_null(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_writes_entries_and_theme_icons, setup,
                                teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_rasterises_svg_icons, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_svg_reaches_nothing_outside, setup,
                                teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_reads_multiarch_lists, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_never_follows_symlinks_out_of_the_root,
                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_resolves_absolute_symlinks_inside_the_root,
                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_skips_oversize_and_fake_icons, setup,
                                teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_leaves_out_hostile_entries_only, setup,
                                teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_replaces_the_previous_output, setup,
                                teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_skips_missing_and_invalid_packages,
                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_image_desktop_extract_takes_each_id_once, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

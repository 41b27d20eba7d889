/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-icon.c: checks of icon files taken from guest images before the host desktop gets
 * them. Pure. The host's icon renderers (libpng, librsvg, Qt) are the real parsers; these
 * checks only keep out what they should never see: huge images, non-images, and SVG that can
 * reach outside itself. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "desktop-icon.h"
#include "macro.h"
#include "string-table.h"
#include "utf8.h"

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

/* Case-insensitive search for needle in [p, end). */
static const char *find_ci(const char *p, const char *end, const char *needle) {
        size_t n = strlen(needle);

        for (; (size_t) (end - p) >= n; p++)
                if (strncasecmp(p, needle, n) == 0)
                        return p;
        return NULL;
}

static bool starts_ci(const char *p, const char *end, const char *prefix) {
        size_t n = strlen(prefix);

        return (size_t) (end - p) >= n && strncasecmp(p, prefix, n) == 0;
}

static const char *skip_space(const char *p, const char *end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
                p++;
        return p;
}

static bool is_lower(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The prolog before the root element: BOM, XML declaration, comments, a DOCTYPE without an
 * internal subset. Returns the root's '<' or NULL if something else comes first. */
static const char *skip_prolog(const char *p, const char *end) {
        if (starts_ci(p, end, "\xef\xbb\xbf"))
                p += 3;
        for (;;) {
                const char *close;

                p = skip_space(p, end);
                if (starts_ci(p, end, "<?xml ")) {
                        close = find_ci(p, end, "?>");
                        if (!close)
                                return NULL;
                        p = close + 2;
                } else if (starts_ci(p, end, "<!--")) {
                        close = find_ci(p + 4, end, "-->");
                        if (!close)
                                return NULL;
                        p = close + 3;
                } else if (starts_ci(p, end, "<!DOCTYPE ")) {
                        close = memchr(p, '>', (size_t) (end - p));
                        if (!close || memchr(p, '[', (size_t) (close - p)))
                                return NULL;
                        p = close + 1;
                } else
                        return p;
        }
}

/* Every href="…" and url(…) must point into the document itself ('#…'), or (href only) hold
 * an embedded PNG or JPEG. */
static bool references_are_local(const char *p, const char *end) {
        for (const char *h = p; (h = find_ci(h, end, "href"));) {
                const char *v = skip_space(h + 4, end);

                h += 4;
                if (v >= end || *v != '=')
                        continue;
                v = skip_space(v + 1, end);
                if (v < end && (*v == '"' || *v == '\''))
                        v++;
                if (!starts_ci(v, end, "#") && !starts_ci(v, end, "data:image/png;base64,") &&
                                !starts_ci(v, end, "data:image/jpeg;base64,"))
                        return false;
        }
        for (const char *u = p; (u = find_ci(u, end, "url("));) {
                const char *v = skip_space(u + 4, end);

                u += 4;
                if (v < end && (*v == '"' || *v == '\''))
                        v++;
                if (!starts_ci(v, end, "#"))
                        return false;
        }
        return true;
}

/* Whitespace, "on", letters, optional whitespace, '=': an event handler attribute (onload=…).
 * Text that happens to look so is refused too; icons have no such text. */
static bool has_event_attribute(const char *p, const char *end) {
        for (const char *o = p; (o = find_ci(o, end, "on"));) {
                const char *q = o + 2;
                bool spaced = o > p && skip_space(o - 1, end) == o;

                o += 2;
                if (!spaced || q >= end || !is_lower(*q))
                        continue;
                while (q < end && is_lower(*q))
                        q++;
                q = skip_space(q, end);
                if (q < end && *q == '=')
                        return true;
        }
        return false;
}

static int check_svg(
                const char *untrusted_text, size_t untrusted_size, const char **reterr_reason) {
        static const char *const forbidden[] = { "<script", "<!entity", "<!doctype",
                "<foreignobject", "<?xml-stylesheet", "javascript:", "@import", "<iframe", "<embed",
                "<object", "<handler", "<listener" };
        const char *end = untrusted_text + untrusted_size, *root;

        if (memchr(untrusted_text, '\0', untrusted_size) ||
                        !utf8_is_valid(untrusted_text, untrusted_size))
                return fail(reterr_reason, -EBADMSG, "SVG is not UTF-8 text");
        root = skip_prolog(untrusted_text, end);
        if (!root || !starts_ci(root, end, "<svg") || root + 4 >= end ||
                        !strchr(" \t\r\n>/", root[4]))
                return fail(reterr_reason, -EBADMSG, "SVG's root element is not <svg>");
        for (size_t i = 0; i < ELEMENTSOF(forbidden); i++)
                if (find_ci(root, end, forbidden[i]))
                        return fail(reterr_reason, -EBADMSG,
                                        "SVG holds a script, entity, foreign object or stylesheet");
        if (!references_are_local(root, end))
                return fail(reterr_reason, -EBADMSG, "SVG refers to something outside itself");
        if (has_event_attribute(root, end))
                return fail(reterr_reason, -EBADMSG, "SVG has an event handler attribute");
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
                return check_svg((const char *) untrusted_data, untrusted_size, reterr_reason);
        default:
                return fail(reterr_reason, -EBADMSG, "icon is neither PNG nor SVG");
        }
}

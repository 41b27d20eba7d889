/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse-util.c: pure parsers for configuration value syntaxes. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "parse-util.h"

/* Parses the leading decimal digits of s. Stores the number and where it ended. */
static int parse_digits(const char *s, uint64_t *ret, const char **ret_end) {
        uint64_t v = 0;
        const char *p = s;

        if (!isdigit((unsigned char) *p))
                return -EINVAL;
        for (; isdigit((unsigned char) *p); p++) {
                unsigned d = (unsigned) (*p - '0');

                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        *ret_end = p;
        return 0;
}

static int multiply(uint64_t v, uint64_t factor, uint64_t *ret) {
        if (factor != 0 && v > UINT64_MAX / factor)
                return -ERANGE;
        *ret = v * factor;
        return 0;
}

int parse_size(const char *s, uint64_t *ret_bytes) {
        static const struct {
                char unit;
                uint64_t factor;
        } units[] = {
                { 'k', UINT64_C(1) << 10 },
                { 'm', UINT64_C(1) << 20 },
                { 'g', UINT64_C(1) << 30 },
                { 't', UINT64_C(1) << 40 },
        };
        const char *end;
        uint64_t v;
        int r;

        r = parse_digits(s, &v, &end);
        if (r < 0)
                return r;
        if (*end == '\0') {
                *ret_bytes = v;
                return 0;
        }
        if (end[1] != '\0')
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (tolower((unsigned char) *end) == units[i].unit)
                        return multiply(v, units[i].factor, ret_bytes);
        return -EINVAL;
}

int parse_duration(const char *s, uint64_t *ret_usec) {
        static const struct {
                const char *unit;
                uint64_t usec;
        } units[] = {
                { "us", 1 },
                { "ms", 1000 },
                { "s", 1000000 },
                { "m", UINT64_C(60) * 1000000 },
                { "h", UINT64_C(3600) * 1000000 },
        };
        const char *end;
        uint64_t v;
        int r;

        r = parse_digits(s, &v, &end);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (streq(end, units[i].unit))
                        return multiply(v, units[i].usec, ret_usec);
        return -EINVAL;
}

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char) tolower((unsigned char) c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -EINVAL;
}

int parse_mac(const char *s, uint8_t ret[MAC_ADDRESS_LEN]) {
        uint8_t mac[MAC_ADDRESS_LEN];

        if (strlen(s) != 3 * MAC_ADDRESS_LEN - 1)
                return -EINVAL;
        for (size_t i = 0; i < MAC_ADDRESS_LEN; i++) {
                const char *p = s + 3 * i;
                int hi = hex_value(p[0]), lo = hex_value(p[1]);

                if (hi < 0 || lo < 0)
                        return -EINVAL;
                if (i + 1 < MAC_ADDRESS_LEN && p[2] != ':')
                        return -EINVAL;
                mac[i] = (uint8_t) (hi << 4 | lo);
        }
        memcpy(ret, mac, sizeof(mac));
        return 0;
}

bool mac_is_multicast(const uint8_t mac[MAC_ADDRESS_LEN]) {
        return mac[0] & 0x01;
}

/* The address into ret_address (16 bytes, may be NULL), as parse_ip_address(). */
static int parse_ip_address_bytes(
                const char *s, int family, int *ret_family, uint8_t *ret_address) {
        unsigned char buf[sizeof(struct in6_addr)] = {};
        int found;

        if (inet_pton(AF_INET, s, buf) == 1)
                found = AF_INET;
        else if (inet_pton(AF_INET6, s, buf) == 1)
                found = AF_INET6;
        else
                return -EINVAL;
        if (family != AF_UNSPEC && family != found)
                return -EAFNOSUPPORT;
        if (ret_family)
                *ret_family = found;
        if (ret_address)
                memcpy(ret_address, buf, sizeof(buf));
        return 0;
}

int parse_ip_address(const char *s, int family, int *ret_family) {
        return parse_ip_address_bytes(s, family, ret_family, NULL);
}

int parse_cidr(const char *s, int family, int *ret_family, uint8_t *ret_address,
                unsigned *ret_prefix) {
        uint8_t bytes[PARSE_ADDRESS_BYTES];
        char addr[INET6_ADDRSTRLEN];
        const char *slash, *end;
        uint64_t prefix;
        int found, r;

        slash = strchr(s, '/');
        if (!slash || (size_t) (slash - s) >= sizeof(addr))
                return -EINVAL;
        memcpy(addr, s, (size_t) (slash - s));
        addr[slash - s] = '\0';
        r = parse_ip_address_bytes(addr, family, &found, bytes);
        if (r < 0)
                return r;
        r = parse_digits(slash + 1, &prefix, &end);
        if (r < 0 || *end != '\0' || end - (slash + 1) > 3)
                return -EINVAL;
        if (prefix > (found == AF_INET ? 32u : 128u))
                return -ERANGE;
        if (ret_family)
                *ret_family = found;
        if (ret_address)
                memcpy(ret_address, bytes, sizeof(bytes));
        if (ret_prefix)
                *ret_prefix = (unsigned) prefix;
        return 0;
}

/* Parses exactly n hex digits at s. */
static int parse_hex_field(const char *s, size_t n, unsigned *ret) {
        unsigned v = 0;

        for (size_t i = 0; i < n; i++) {
                int d = hex_value(s[i]);

                if (d < 0)
                        return -EINVAL;
                v = v << 4 | (unsigned) d;
        }
        *ret = v;
        return 0;
}

int parse_pci_address(const char *s, char ret[PCI_ADDRESS_STR_MAX]) {
        unsigned domain = 0, bus, device, function;
        size_t len = strlen(s);

        if (len == 12) {
                if (s[4] != ':' || parse_hex_field(s, 4, &domain) < 0)
                        return -EINVAL;
                s += 5;
        } else if (len != 7)
                return -EINVAL;
        if (s[2] != ':' || s[5] != '.')
                return -EINVAL;
        if (parse_hex_field(s, 2, &bus) < 0 || parse_hex_field(s + 3, 2, &device) < 0 ||
                        parse_hex_field(s + 6, 1, &function) < 0)
                return -EINVAL;
        if (device > 0x1f || function > 7)
                return -ERANGE;
        (void) snprintf(ret, PCI_ADDRESS_STR_MAX, "%04x:%02x:%02x.%x", domain, bus, device,
                        function);
        return 0;
}

bool ifname_is_valid(const char *s) {
        size_t len = strlen(s);

        if (len == 0 || len > 15 || streq(s, ".") || streq(s, ".."))
                return false;
        for (const char *p = s; *p; p++)
                if (*p <= ' ' || *p >= 0x7f || *p == '/' || *p == ':')
                        return false;
        return true;
}

/* CSS Color Module Level 4 named colours (the 16 HTML basics and the X11-derived rest). */
static const struct {
        const char *name;
        uint32_t rgb;
} named_colors[] = {
        /* clang-format off */
        { "aliceblue", 0xf0f8ff }, { "antiquewhite", 0xfaebd7 }, { "aqua", 0x00ffff },
        { "aquamarine", 0x7fffd4 }, { "azure", 0xf0ffff }, { "beige", 0xf5f5dc },
        { "bisque", 0xffe4c4 }, { "black", 0x000000 }, { "blanchedalmond", 0xffebcd },
        { "blue", 0x0000ff }, { "blueviolet", 0x8a2be2 }, { "brown", 0xa52a2a },
        { "burlywood", 0xdeb887 }, { "cadetblue", 0x5f9ea0 }, { "chartreuse", 0x7fff00 },
        { "chocolate", 0xd2691e }, { "coral", 0xff7f50 }, { "cornflowerblue", 0x6495ed },
        { "cornsilk", 0xfff8dc }, { "crimson", 0xdc143c }, { "cyan", 0x00ffff },
        { "darkblue", 0x00008b }, { "darkcyan", 0x008b8b }, { "darkgoldenrod", 0xb8860b },
        { "darkgray", 0xa9a9a9 }, { "darkgreen", 0x006400 }, { "darkgrey", 0xa9a9a9 },
        { "darkkhaki", 0xbdb76b }, { "darkmagenta", 0x8b008b }, { "darkolivegreen", 0x556b2f },
        { "darkorange", 0xff8c00 }, { "darkorchid", 0x9932cc }, { "darkred", 0x8b0000 },
        { "darksalmon", 0xe9967a }, { "darkseagreen", 0x8fbc8f }, { "darkslateblue", 0x483d8b },
        { "darkslategray", 0x2f4f4f }, { "darkslategrey", 0x2f4f4f },
        { "darkturquoise", 0x00ced1 }, { "darkviolet", 0x9400d3 }, { "deeppink", 0xff1493 },
        { "deepskyblue", 0x00bfff }, { "dimgray", 0x696969 }, { "dimgrey", 0x696969 },
        { "dodgerblue", 0x1e90ff }, { "firebrick", 0xb22222 }, { "floralwhite", 0xfffaf0 },
        { "forestgreen", 0x228b22 }, { "fuchsia", 0xff00ff }, { "gainsboro", 0xdcdcdc },
        { "ghostwhite", 0xf8f8ff }, { "gold", 0xffd700 }, { "goldenrod", 0xdaa520 },
        { "gray", 0x808080 }, { "green", 0x008000 }, { "greenyellow", 0xadff2f },
        { "grey", 0x808080 }, { "honeydew", 0xf0fff0 }, { "hotpink", 0xff69b4 },
        { "indianred", 0xcd5c5c }, { "indigo", 0x4b0082 }, { "ivory", 0xfffff0 },
        { "khaki", 0xf0e68c }, { "lavender", 0xe6e6fa }, { "lavenderblush", 0xfff0f5 },
        { "lawngreen", 0x7cfc00 }, { "lemonchiffon", 0xfffacd }, { "lightblue", 0xadd8e6 },
        { "lightcoral", 0xf08080 }, { "lightcyan", 0xe0ffff },
        { "lightgoldenrodyellow", 0xfafad2 }, { "lightgray", 0xd3d3d3 },
        { "lightgreen", 0x90ee90 }, { "lightgrey", 0xd3d3d3 }, { "lightpink", 0xffb6c1 },
        { "lightsalmon", 0xffa07a }, { "lightseagreen", 0x20b2aa }, { "lightskyblue", 0x87cefa },
        { "lightslategray", 0x778899 }, { "lightslategrey", 0x778899 },
        { "lightsteelblue", 0xb0c4de }, { "lightyellow", 0xffffe0 }, { "lime", 0x00ff00 },
        { "limegreen", 0x32cd32 }, { "linen", 0xfaf0e6 }, { "magenta", 0xff00ff },
        { "maroon", 0x800000 }, { "mediumaquamarine", 0x66cdaa }, { "mediumblue", 0x0000cd },
        { "mediumorchid", 0xba55d3 }, { "mediumpurple", 0x9370db },
        { "mediumseagreen", 0x3cb371 }, { "mediumslateblue", 0x7b68ee },
        { "mediumspringgreen", 0x00fa9a }, { "mediumturquoise", 0x48d1cc },
        { "mediumvioletred", 0xc71585 }, { "midnightblue", 0x191970 }, { "mintcream", 0xf5fffa },
        { "mistyrose", 0xffe4e1 }, { "moccasin", 0xffe4b5 }, { "navajowhite", 0xffdead },
        { "navy", 0x000080 }, { "oldlace", 0xfdf5e6 }, { "olive", 0x808000 },
        { "olivedrab", 0x6b8e23 }, { "orange", 0xffa500 }, { "orangered", 0xff4500 },
        { "orchid", 0xda70d6 }, { "palegoldenrod", 0xeee8aa }, { "palegreen", 0x98fb98 },
        { "paleturquoise", 0xafeeee }, { "palevioletred", 0xdb7093 }, { "papayawhip", 0xffefd5 },
        { "peachpuff", 0xffdab9 }, { "peru", 0xcd853f }, { "pink", 0xffc0cb },
        { "plum", 0xdda0dd }, { "powderblue", 0xb0e0e6 }, { "purple", 0x800080 },
        { "rebeccapurple", 0x663399 }, { "red", 0xff0000 }, { "rosybrown", 0xbc8f8f },
        { "royalblue", 0x4169e1 }, { "saddlebrown", 0x8b4513 }, { "salmon", 0xfa8072 },
        { "sandybrown", 0xf4a460 }, { "seagreen", 0x2e8b57 }, { "seashell", 0xfff5ee },
        { "sienna", 0xa0522d }, { "silver", 0xc0c0c0 }, { "skyblue", 0x87ceeb },
        { "slateblue", 0x6a5acd }, { "slategray", 0x708090 }, { "slategrey", 0x708090 },
        { "snow", 0xfffafa }, { "springgreen", 0x00ff7f }, { "steelblue", 0x4682b4 },
        { "tan", 0xd2b48c }, { "teal", 0x008080 }, { "thistle", 0xd8bfd8 },
        { "tomato", 0xff6347 }, { "turquoise", 0x40e0d0 }, { "violet", 0xee82ee },
        { "wheat", 0xf5deb3 }, { "white", 0xffffff }, { "whitesmoke", 0xf5f5f5 },
        { "yellow", 0xffff00 }, { "yellowgreen", 0x9acd32 },
        /* clang-format on */
};

static int parse_hex_color(const char *s, uint32_t *ret_rgb) {
        size_t len = strlen(s);
        unsigned v;

        if (len == 6) {
                if (parse_hex_field(s, 6, &v) < 0)
                        return -EINVAL;
                *ret_rgb = v;
                return 0;
        }
        if (len != 3 || parse_hex_field(s, 3, &v) < 0)
                return -EINVAL;
        /* #abc means #aabbcc: each digit is repeated. */
        *ret_rgb = ((v >> 8) & 0xf) * 0x110000 + ((v >> 4) & 0xf) * 0x1100 + (v & 0xf) * 0x11;
        return 0;
}

static const char *skip_spaces(const char *p) {
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

/* Parses one rgb() component at *p, followed by the character `next`. */
static int parse_rgb_component(const char **p, char next, unsigned *ret) {
        const char *end;
        uint64_t v;

        if (parse_digits(skip_spaces(*p), &v, &end) < 0)
                return -EINVAL;
        end = skip_spaces(end);
        if (*end != next)
                return -EINVAL;
        if (v > 255)
                return -ERANGE;
        *ret = (unsigned) v;
        *p = end + 1;
        return 0;
}

static int parse_rgb_function(const char *s, uint32_t *ret_rgb) {
        unsigned r, g, b;
        int k;

        k = parse_rgb_component(&s, ',', &r);
        if (k >= 0)
                k = parse_rgb_component(&s, ',', &g);
        if (k >= 0)
                k = parse_rgb_component(&s, ')', &b);
        if (k < 0)
                return k;
        if (*s != '\0')
                return -EINVAL;
        *ret_rgb = r << 16 | g << 8 | b;
        return 0;
}

int parse_fd(const char *s, int min, int *ret) {
        char *end;
        long fd;

        errno = 0;
        fd = strtol(s, &end, 10);
        if (errno != 0 || *end || end == s || !isdigit((unsigned char) s[0]) || fd < min ||
                        fd > INT32_MAX)
                return -EINVAL;
        *ret = (int) fd;
        return 0;
}

int parse_color(const char *s, uint32_t *ret_rgb) {
        if (s[0] == '#')
                return parse_hex_color(s + 1, ret_rgb);
        if (strncasecmp(s, "rgb(", 4) == 0)
                return parse_rgb_function(s + 4, ret_rgb);
        for (size_t i = 0; i < ELEMENTSOF(named_colors); i++)
                if (strcasecmp(s, named_colors[i].name) == 0) {
                        *ret_rgb = named_colors[i].rgb;
                        return 0;
                }
        return -EINVAL;
}

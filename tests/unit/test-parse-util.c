/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-parse-util.c: tests for parse-util.c, as labelled tables of inputs. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "parse-util.h"

typedef struct U64Case {
        const char *label;
        const char *input;
        int ret;        /* expected return */
        uint64_t value; /* expected value when ret == 0 */
} U64Case;

static void run_u64_cases(const U64Case *cases, size_t n, int (*parse)(const char *, uint64_t *)) {
        for (size_t i = 0; i < n; i++) {
                uint64_t v = 65;

                print_message("case: %s ('%s')\n", cases[i].label, cases[i].input);
                assert_int_equal(parse(cases[i].input, &v), cases[i].ret);
                assert_int_equal(v, cases[i].ret == 0 ? cases[i].value : 65);
        }
}

static void test_parse_size_accepts_binary_units_in_any_case(void **state) {
        static const U64Case cases[] = {
                { "plain bytes", "4096", 0, 4096 },
                { "zero", "0", 0, 0 },
                { "lowercase k", "512k", 0, 512 * 1024 },
                { "uppercase K", "512K", 0, 512 * 1024 },
                { "mebibytes", "300m", 0, UINT64_C(300) << 20 },
                { "gibibytes", "10G", 0, UINT64_C(10) << 30 },
                { "tebibytes", "2t", 0, UINT64_C(2) << 40 },
                { "largest plain", "18446744073709551615", 0, UINT64_MAX },
        };

        run_u64_cases(cases, ELEMENTSOF(cases), parse_size);
}

static void test_parse_size_rejects_bad_syntax(void **state) {
        static const U64Case cases[] = {
                { "empty", "", -EINVAL, 0 },
                { "unit only", "G", -EINVAL, 0 },
                { "unknown unit", "10X", -EINVAL, 0 },
                { "two units", "10GB", -EINVAL, 0 },
                { "space", "10 G", -EINVAL, 0 },
                { "negative", "-1", -EINVAL, 0 },
                { "fraction", "1.5G", -EINVAL, 0 },
        };

        run_u64_cases(cases, ELEMENTSOF(cases), parse_size);
}

static void test_parse_size_rejects_overflow(void **state) {
        static const U64Case cases[] = {
                { "digits beyond 64 bits", "18446744073709551616", -ERANGE, 0 },
                { "unit multiplies past 64 bits", "16777216T", -ERANGE, 0 },
        };

        run_u64_cases(cases, ELEMENTSOF(cases), parse_size);
}

static void test_parse_fd_accepts_decimal_numbers_from_min(void **state) {
        int fd = 65;

        assert_int_equal(parse_fd("3", 3, &fd), 0);
        assert_int_equal(fd, 3);
        assert_int_equal(parse_fd("2147483647", 0, &fd), 0);
        assert_int_equal(fd, INT32_MAX);
        fd = 65;
        const char *bad[] = { "2", "-1", "", " 4", "4 ", "+4", "0x4", "2147483648", "4a" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(parse_fd(bad[i], 3, &fd), -EINVAL);
        assert_int_equal(fd, 65);
}

static void test_parse_duration_accepts_each_unit(void **state) {
        static const U64Case cases[] = {
                { "microseconds", "100us", 0, 100 },
                { "milliseconds", "500ms", 0, 500000 },
                { "seconds", "2s", 0, 2000000 },
                { "minutes", "1m", 0, 60000000 },
                { "hours", "1h", 0, UINT64_C(3600000000) },
                { "zero is syntax-valid", "0s", 0, 0 },
        };

        run_u64_cases(cases, ELEMENTSOF(cases), parse_duration);
}

static void test_parse_duration_rejects_bad_syntax(void **state) {
        static const U64Case cases[] = {
                { "no unit", "2", -EINVAL, 0 },
                { "unknown unit", "2d", -EINVAL, 0 },
                { "uppercase unit", "2S", -EINVAL, 0 },
                { "space", "2 s", -EINVAL, 0 },
                { "empty", "", -EINVAL, 0 },
                { "overflow", "18446744073709551615h", -ERANGE, 0 },
        };

        run_u64_cases(cases, ELEMENTSOF(cases), parse_duration);
}

static void test_parse_mac_accepts_colon_separated_hex(void **state) {
        static const uint8_t want[6] = { 0xaa, 0xbb, 0xcc, 0x0d, 0xee, 0xff };
        uint8_t mac[6];

        assert_int_equal(parse_mac("aa:BB:cc:0d:Ee:ff", mac), 0);
        assert_memory_equal(mac, want, sizeof(want));
}

static void test_parse_mac_rejects_bad_syntax(void **state) {
        static const struct {
                const char *label, *input;
        } cases[] = {
                { "too short", "aa:bb:cc:dd:ee" },
                { "too long", "aa:bb:cc:dd:ee:ff:00" },
                { "dashes", "aa-bb-cc-dd-ee-ff" },
                { "non-hex", "aa:bb:cc:dd:ee:fg" },
                { "single digits", "a:b:c:d:e:f:0000" },
                { "empty", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint8_t mac[6] = { 65 };

                print_message("case: %s\n", cases[i].label);
                assert_int_equal(parse_mac(cases[i].input, mac), -EINVAL);
                assert_int_equal(mac[0], 65);
        }
}

static void test_mac_is_multicast_checks_the_group_bit(void **state) {
        assert_true(mac_is_multicast((const uint8_t[6]){ 0x01 }));
        assert_true(mac_is_multicast((const uint8_t[6]){ 0xff }));
        assert_false(mac_is_multicast((const uint8_t[6]){ 0x02 }));
}

static void test_parse_ip_address_classifies_families(void **state) {
        static const struct {
                const char *label, *input;
                int family, ret, found;
        } cases[] = {
                { "IPv4 any", "10.0.0.1", AF_UNSPEC, 0, AF_INET },
                { "IPv6 any", "fd00::1", AF_UNSPEC, 0, AF_INET6 },
                { "IPv4 wanted", "1.1.1.1", AF_INET, 0, AF_INET },
                { "IPv6 wanted", "::1", AF_INET6, 0, AF_INET6 },
                { "IPv6 when IPv4 wanted", "::1", AF_INET, -EAFNOSUPPORT, 0 },
                { "IPv4 when IPv6 wanted", "1.1.1.1", AF_INET6, -EAFNOSUPPORT, 0 },
                { "octet over 255", "10.0.0.256", AF_UNSPEC, -EINVAL, 0 },
                { "hostname", "example.com", AF_UNSPEC, -EINVAL, 0 },
                { "with prefix", "10.0.0.1/24", AF_UNSPEC, -EINVAL, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int family = 0;

                print_message("case: %s\n", cases[i].label);
                assert_int_equal(parse_ip_address(cases[i].input, cases[i].family, &family),
                                cases[i].ret);
                assert_int_equal(family, cases[i].found);
        }
}

static void test_parse_cidr_checks_address_and_prefix_range(void **state) {
        static const struct {
                const char *label, *input;
                int family, ret;
                unsigned prefix;
        } cases[] = {
                { "IPv4 /24", "10.0.0.1/24", AF_INET, 0, 24 },
                { "IPv4 /0", "0.0.0.0/0", AF_INET, 0, 0 },
                { "IPv4 /32", "10.0.0.1/32", AF_UNSPEC, 0, 32 },
                { "IPv6 /128", "fd00::1/128", AF_INET6, 0, 128 },
                { "IPv4 /33", "10.0.0.1/33", AF_INET, -ERANGE, 0 },
                { "IPv6 /129", "fd00::1/129", AF_INET6, -ERANGE, 0 },
                { "no prefix", "10.0.0.1", AF_INET, -EINVAL, 0 },
                { "empty prefix", "10.0.0.1/", AF_INET, -EINVAL, 0 },
                { "signed prefix", "10.0.0.1/+8", AF_INET, -EINVAL, 0 },
                { "long prefix", "10.0.0.1/0024", AF_INET, -EINVAL, 0 },
                { "wrong family", "fd00::/8", AF_INET, -EAFNOSUPPORT, 0 },
                { "bad address", "10.0.0/8", AF_INET, -EINVAL, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                unsigned prefix = 0;

                print_message("case: %s\n", cases[i].label);
                assert_int_equal(parse_cidr(cases[i].input, cases[i].family, NULL, NULL, &prefix),
                                cases[i].ret);
                assert_int_equal(prefix, cases[i].prefix);
        }
}

static void test_parse_pci_address_normalises_short_and_long_forms(void **state) {
        static const struct {
                const char *label, *input, *want;
        } cases[] = {
                { "short", "01:00.0", "0000:01:00.0" },
                { "long", "0000:01:00.0", "0000:01:00.0" },
                { "uppercase", "0000:0A:1F.7", "0000:0a:1f.7" },
                { "other domain", "10de:ff:00.1", "10de:ff:00.1" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char buf[PCI_ADDRESS_STR_MAX];

                print_message("case: %s\n", cases[i].label);
                assert_int_equal(parse_pci_address(cases[i].input, buf), 0);
                assert_string_equal(buf, cases[i].want);
        }
}

static void test_parse_pci_address_rejects_bad_addresses(void **state) {
        static const struct {
                const char *label, *input;
                int ret;
        } cases[] = {
                { "device over 1f", "01:20.0", -ERANGE },
                { "function over 7", "01:00.8", -ERANGE },
                { "one-digit bus", "1:00.0", -EINVAL },
                { "missing function", "01:00", -EINVAL },
                { "sysfs path", "/sys/bus/pci/devices/0000:01:00.0", -EINVAL },
                { "non-hex", "0g:00.0", -EINVAL },
                { "dot for colon", "0000.01:00.0", -EINVAL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char buf[PCI_ADDRESS_STR_MAX] = "untouched";

                print_message("case: %s\n", cases[i].label);
                assert_int_equal(parse_pci_address(cases[i].input, buf), cases[i].ret);
                assert_string_equal(buf, "untouched");
        }
}

static void test_parse_color_accepts_css_forms(void **state) {
        static const struct {
                const char *label, *input;
                uint32_t rgb;
        } cases[] = {
                { "basic name", "red", 0xff0000 },
                { "name in capitals", "NAVY", 0x000080 },
                { "extended name", "rebeccapurple", 0x663399 },
                { "grey spelling", "darkslategrey", 0x2f4f4f },
                { "hex6", "#2ecc71", 0x2ecc71 },
                { "hex6 uppercase", "#FF0000", 0xff0000 },
                { "hex3", "#abc", 0xaabbcc },
                { "rgb()", "rgb(255,0,0)", 0xff0000 },
                { "rgb() with spaces", "rgb( 1 , 2 ,3 )", 0x010203 },
                { "RGB() in capitals", "RGB(0,0,0)", 0x000000 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint32_t rgb = 65;

                print_message("case: %s\n", cases[i].label);
                assert_int_equal(parse_color(cases[i].input, &rgb), 0);
                assert_int_equal(rgb, cases[i].rgb);
        }
}

static void test_parse_color_rejects_bad_colours(void **state) {
        static const struct {
                const char *label, *input;
                int ret;
        } cases[] = {
                { "unknown name", "reddish", -EINVAL },
                { "hex5", "#12345", -EINVAL },
                { "hex without #", "2ecc71", -EINVAL },
                { "non-hex", "#ggg", -EINVAL },
                { "component over 255", "rgb(256,0,0)", -ERANGE },
                { "two components", "rgb(1,2)", -EINVAL },
                { "trailing text", "rgb(1,2,3)x", -EINVAL },
                { "percentages", "rgb(10%,0,0)", -EINVAL },
                { "empty", "", -EINVAL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint32_t rgb = 65;

                print_message("case: %s\n", cases[i].label);
                assert_int_equal(parse_color(cases[i].input, &rgb), cases[i].ret);
                assert_int_equal(rgb, 65);
        }
}

static void test_ifname_is_valid_follows_kernel_rules(void **state) {
        static const struct {
                const char *label, *input;
                bool valid;
        } cases[] = {
                { "simple", "eth0", true },
                { "with dash and dot", "banking-0.1", true },
                { "15 characters", "abcdefghijklmno", true },
                { "16 characters", "abcdefghijklmnop", false },
                { "empty", "", false },
                { "dot", ".", false },
                { "dot dot", "..", false },
                { "slash", "a/b", false },
                { "colon", "a:b", false },
                { "space", "a b", false },
                { "non-ASCII", "caf\xc3\xa9", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                print_message("case: %s\n", cases[i].label);
                assert_int_equal(ifname_is_valid(cases[i].input), cases[i].valid);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_size_accepts_binary_units_in_any_case),
                cmocka_unit_test(test_parse_size_rejects_bad_syntax),
                cmocka_unit_test(test_parse_size_rejects_overflow),
                cmocka_unit_test(test_parse_duration_accepts_each_unit),
                cmocka_unit_test(test_parse_duration_rejects_bad_syntax),
                cmocka_unit_test(test_parse_fd_accepts_decimal_numbers_from_min),
                cmocka_unit_test(test_parse_mac_accepts_colon_separated_hex),
                cmocka_unit_test(test_parse_mac_rejects_bad_syntax),
                cmocka_unit_test(test_mac_is_multicast_checks_the_group_bit),
                cmocka_unit_test(test_parse_ip_address_classifies_families),
                cmocka_unit_test(test_parse_cidr_checks_address_and_prefix_range),
                cmocka_unit_test(test_parse_pci_address_normalises_short_and_long_forms),
                cmocka_unit_test(test_parse_pci_address_rejects_bad_addresses),
                cmocka_unit_test(test_parse_color_accepts_css_forms),
                cmocka_unit_test(test_parse_color_rejects_bad_colours),
                cmocka_unit_test(test_ifname_is_valid_follows_kernel_rules),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

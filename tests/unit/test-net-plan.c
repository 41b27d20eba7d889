/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-net-plan.c: prefix math, host-wide network checks, the nftables rule set and the guest's
 * network kernel words (src/lib/net-plan.c). */
#include <sys/socket.h>

#include "net-plan.h"
#include "strv.h"
#include "test-config-helpers.h"

static void test_net_prefix_parse_accepts_ipv4_and_ipv6(void **state) {
        char s[NET_PREFIX_STRING_MAX];
        NetPrefix p;

        assert_int_equal(net_prefix_parse("10.0.0.254/24", &p), 0);
        assert_int_equal(p.family, AF_INET);
        assert_int_equal(p.prefix_len, 24);
        assert_string_equal(net_prefix_format(&p, s), "10.0.0.254/24");
        assert_int_equal(net_prefix_parse("fd00::1/64", &p), 0);
        assert_int_equal(p.family, AF_INET6);
        assert_string_equal(net_prefix_format(&p, s), "fd00::1/64");
}

static void test_net_prefix_parse_rejects_malformed_and_keeps_ret(void **state) {
        static const char *const bad[] = {
                "10.0.0.1",
                "10.0.0.1/",
                "10.0.0.1/33",
                "/24",
                "10.0.0.1/-1",
                "10.0.0.1/2x",
                "fd00::1/129",
                "host/24",
                "10.0.0.1/ 8",
                "",
        };
        NetPrefix p = { .prefix_len = 65 };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(net_prefix_parse(bad[i], &p), -EINVAL);
        assert_int_equal(net_prefix_parse(NULL, &p), -EINVAL);
        assert_int_equal(p.prefix_len, 65);
}

static void test_net_prefix_network_clears_host_bits(void **state) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "10.1.2.3/24", "10.1.2.0/24" },
                { "10.1.2.3/20", "10.1.0.0/20" },
                { "10.1.2.3/32", "10.1.2.3/32" },
                { "10.1.2.3/0", "0.0.0.0/0" },
                { "fd00:1:2:3::5/64", "fd00:1:2:3::/64" },
                { "fd00:1:2:3::5/52", "fd00:1:2::/52" },
        };
        char s[NET_PREFIX_STRING_MAX];
        NetPrefix p, n;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(net_prefix_parse(cases[i].in, &p), 0);
                n = net_prefix_network(&p);
                assert_string_equal(net_prefix_format(&n, s), cases[i].out);
        }
}

static void test_net_prefix_overlaps_compares_the_shorter_prefix(void **state) {
        static const struct {
                const char *a, *b;
                bool overlaps;
        } cases[] = {
                { "10.0.0.1/24", "10.0.0.2/24", true },
                { "10.0.0.1/24", "10.0.1.1/24", false },
                { "10.0.0.1/16", "10.0.200.1/24", true },
                { "10.0.200.1/24", "10.0.0.1/16", true },
                { "10.0.0.1/24", "fd00::1/64", false },
                { "fd00::1/64", "fd00::2/64", true },
                { "fd00::1/64", "fd00:0:0:1::1/64", false },
        };
        NetPrefix a, b;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(net_prefix_parse(cases[i].a, &a), 0);
                assert_int_equal(net_prefix_parse(cases[i].b, &b), 0);
                assert_int_equal(net_prefix_overlaps(&a, &b), cases[i].overlaps);
        }
}

#define TWO_TAPS(a, b)                                                                             \
        "{'user': 'u', 'nixosVms': ["                                                              \
        "{'name': 'a', 'network': {'interfaces': {'wan': {'tap': {'hostAddress': '" a "'}}}}},"    \
        "{'name': 'b', 'network': {'interfaces': {'wan': {'tap': {'hostAddress': '" b "'}}}}}]}"

static void test_net_plan_check_rejects_overlapping_host_networks(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(TWO_TAPS("10.0.0.254/24", "10.0.0.1/16"));
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(net_plan_check(c, &e), 1);
        assert_int_equal(e.n_items, 1);
        assert_string_equal(e.items[0].path, "nixosVms[1].network.interfaces.wan.tap.hostAddress");
        assert_non_null(strstr(e.items[0].message, "network 10.0.0.0/16 overlaps "
                                                   "nixosVms[0].network.interfaces.wan.tap."
                                                   "hostAddress (10.0.0.0/24)"));
}

static void test_net_plan_check_accepts_separate_networks(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(TWO_TAPS("10.0.0.254/24", "10.0.1.254/24"));
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(net_plan_check(c, &e), 0);
        assert_int_equal(e.n_items, 0);
}

static void test_net_plan_check_rejects_nat_on_a_vm_interface(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(
                        "{'user': 'u', 'hostNetworking': {'nat': {'enable': true, 'interface': "
                        "'br0'}}, 'nixosVms': [{'name': 'a', 'network': {'interfaces': {'lan': "
                        "{'tap': {'bridge': 'br0'}}}}}]}");
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(net_plan_check(c, &e), 1);
        assert_string_equal(e.items[0].path, "hostNetworking.nat.interface");
}

static void test_net_plan_check_rejects_bridge_named_like_a_tap(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(
                        "{'user': 'u', 'nixosVms': [{'name': 'a', 'network': {'interfaces': "
                        "{'lan': {'tap': {'bridge': 'b-0'}}}}}, {'name': 'b', 'network': "
                        "{'interfaces': {'wan': {}}}}]}");
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(net_plan_check(c, &e), 1);
        assert_string_equal(e.items[0].path, "nixosVms[0].network.interfaces.lan.tap.bridge");
}

#define NAT_CONFIG                                                                                 \
        "{'user': 'u', 'hostNetworking': {'nat': {'enable': true, 'interface': 'eth0'}}, "         \
        "'nixosVms': [{'name': 'a', 'network': {'interfaces': {"                                   \
        "'wan': {'tap': {'hostAddress': '10.0.0.254/24'}, 'addresses': ['10.0.0.1/24']}, "         \
        "'lan': {'tap': {'bridge': 'br0'}, 'addresses': ['10.9.0.1/16', '10.9.0.2/16'], "          \
        "'v6Addresses': ['fd00::1/64']}}}}, "                                                      \
        "{'name': 'off'}]}"

static void test_net_plan_nat_sources_are_deduplicated_ipv4_networks(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(NAT_CONFIG);
        _cleanup_(strv_freep) char **l = NULL;

        assert_int_equal(net_plan_nat_sources(c, AF_INET, &l), 0);
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[0], "10.9.0.0/16");
        assert_string_equal(l[1], "10.0.0.0/24");
}

static void test_net_plan_nat_sources_ipv6_are_static_v6_networks(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(NAT_CONFIG);
        _cleanup_(strv_freep) char **l = NULL;

        assert_int_equal(net_plan_nat_sources(c, AF_INET6, &l), 0);
        assert_int_equal(strv_length(l), 1);
        assert_string_equal(l[0], "fd00::/64");
        assert_int_equal(net_plan_nat_sources(c, AF_UNIX, &l), -EINVAL);
}

#define RELOAD_OLD                                                                                 \
        "{'user': 'u', 'nixosVms': [{'name': 'a', 'network': {'interfaces': {"                     \
        "'keep': {'tap': {'name': 'tk', 'hostAddress': '10.0.0.254/24'}}, "                        \
        "'moved': {'tap': {'name': 'tm', 'hostAddress': '10.0.1.254/24'}}, "                       \
        "'gone': {'tap': {'name': 'tg', 'bridge': 'br0'}}}}}, "                                    \
        "{'name': 'b', 'network': {'interfaces': {'wan': {}}}}]}"

static void test_net_plan_stale_taps_lists_removed_and_changed_taps(void **state) {
        _cleanup_(config_freep) Config *old = load_ok(RELOAD_OLD);
        _cleanup_(config_freep) Config *new = load_ok(
                        "{'user': 'u', 'nixosVms': [{'name': 'a', 'network': {'interfaces': {"
                        "'keep': {'tap': {'name': 'tk', 'hostAddress': '10.0.0.254/24'}}, "
                        "'moved': {'tap': {'name': 'tm', 'hostAddress': '10.0.2.254/24'}}, "
                        "'other': {'tap': {'name': 'b-0', 'bridge': 'br0'}}}}}]}");
        _cleanup_(strv_freep) char **l = NULL;

        /* Interfaces are in sorted name order; b-0 moved from VM b into a bridge of VM a. */
        assert_int_equal(net_plan_stale_taps(old, new, &l), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[0], "tg");
        assert_string_equal(l[1], "tm");
        assert_string_equal(l[2], "b-0");
}

static void test_net_plan_stale_taps_empty_for_same_config(void **state) {
        _cleanup_(config_freep) Config *old = load_ok(RELOAD_OLD);
        _cleanup_(config_freep) Config *new = load_ok(RELOAD_OLD);
        _cleanup_(strv_freep) char **l = NULL;

        assert_int_equal(net_plan_stale_taps(old, new, &l), 0);
        assert_int_equal(strv_length(l), 0);
}

static void test_net_plan_vm_interfaces_are_bridges_and_addressed_taps(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(NAT_CONFIG);
        _cleanup_(strv_freep) char **l = NULL;

        assert_int_equal(net_plan_vm_interfaces(c, &l), 0);
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[0], "br0");
        assert_string_equal(l[1], "a-1");
}

static void test_net_plan_nft_ruleset_with_nat(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(NAT_CONFIG);
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(net_plan_nft_ruleset(c, &s), 0);
        assert_string_equal(s, "add table inet vmsilo\n"
                               "delete table inet vmsilo\n"
                               "table inet vmsilo {\n"
                               "\tchain input {\n"
                               "\t\ttype filter hook input priority filter; policy accept;\n"
                               "\t\tiifname { \"br0\", \"a-1\" } fib daddr . iif type != { local, "
                               "broadcast, multicast } drop\n"
                               "\t}\n"
                               "\tchain forward {\n"
                               "\t\ttype filter hook forward priority filter; policy accept;\n"
                               "\t\tiifname \"eth0\" oifname { \"br0\", \"a-1\" } ct state "
                               "established,related accept\n"
                               "\t\tiifname { \"br0\", \"a-1\" } oifname \"eth0\" accept\n"
                               "\t\tiifname \"br0\" oifname \"br0\" accept\n"
                               "\t\tiifname { \"br0\", \"a-1\" } drop\n"
                               "\t\toifname { \"br0\", \"a-1\" } drop\n"
                               "\t}\n"
                               "\tchain postrouting {\n"
                               "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                               "\t\toifname \"eth0\" ip saddr 10.9.0.0/16 masquerade\n"
                               "\t\toifname \"eth0\" ip saddr 10.0.0.0/24 masquerade\n"
                               "\t\toifname \"eth0\" ip6 saddr fd00::/64 masquerade\n"
                               "\t}\n"
                               "}\n");
}

static void test_net_plan_nft_ruleset_without_nat_has_no_nat_chain(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(TWO_TAPS("10.0.0.254/24", "10.0.1.254/24"));
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(net_plan_nft_ruleset(c, &s), 0);
        assert_null(strstr(s, "masquerade"));
        assert_null(strstr(s, "eth0"));
        assert_non_null(strstr(s, "\t\tiifname { \"a-0\", \"b-0\" } drop\n"));
}

static void test_net_plan_has_interfaces_is_false_for_offline_vms(void **state) {
        _cleanup_(config_freep) Config *off = load_ok(ONE_VM(""));
        _cleanup_(config_freep) Config *on = load_ok(NAT_CONFIG);

        assert_false(net_plan_has_interfaces(off));
        assert_true(net_plan_has_interfaces(on));
}

static void test_net_plan_guest_params_lists_every_setting(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(
                        ", 'network': {'nameservers': ['10.0.0.53', 'fd00::53'], 'interfaces': {"
                        "'wan': {'addresses': ['10.0.0.1/24'], 'v6Addresses': ['fd00::1/64'], "
                        "'routes': {'0.0.0.0/0': {'via': '10.0.0.254'}}, "
                        "'v6Routes': {'::/0': {'via': 'fd00::fe'}}}, 'lan': {'dhcp': true}}}"));
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(net_plan_guest_params(&c->vms[0], &s), 0);
        assert_string_equal(s,
                        "vmsilo.dhcp=lan vmsilo.ip=wan,10.0.0.1/24 vmsilo.ip6=wan,fd00::1/64 "
                        "vmsilo.route=wan,0.0.0.0/0,10.0.0.254 "
                        "vmsilo.route6=wan,::/0,fd00::fe vmsilo.dns=10.0.0.53 "
                        "vmsilo.dns=fd00::53");
}

static void test_net_plan_guest_params_empty_for_offline_vm(void **state) {
        _cleanup_(config_freep) Config *c =
                        load_ok(ONE_VM(", 'network': {'nameservers': ['10.0.0.53']}"));
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(net_plan_guest_params(&c->vms[0], &s), 0);
        assert_null(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_net_prefix_parse_accepts_ipv4_and_ipv6),
                cmocka_unit_test(test_net_prefix_parse_rejects_malformed_and_keeps_ret),
                cmocka_unit_test(test_net_prefix_network_clears_host_bits),
                cmocka_unit_test(test_net_prefix_overlaps_compares_the_shorter_prefix),
                cmocka_unit_test(test_net_plan_check_rejects_overlapping_host_networks),
                cmocka_unit_test(test_net_plan_check_accepts_separate_networks),
                cmocka_unit_test(test_net_plan_check_rejects_nat_on_a_vm_interface),
                cmocka_unit_test(test_net_plan_check_rejects_bridge_named_like_a_tap),
                cmocka_unit_test(test_net_plan_nat_sources_are_deduplicated_ipv4_networks),
                cmocka_unit_test(test_net_plan_nat_sources_ipv6_are_static_v6_networks),
                cmocka_unit_test(test_net_plan_stale_taps_lists_removed_and_changed_taps),
                cmocka_unit_test(test_net_plan_stale_taps_empty_for_same_config),
                cmocka_unit_test(test_net_plan_vm_interfaces_are_bridges_and_addressed_taps),
                cmocka_unit_test(test_net_plan_nft_ruleset_with_nat),
                cmocka_unit_test(test_net_plan_nft_ruleset_without_nat_has_no_nat_chain),
                cmocka_unit_test(test_net_plan_has_interfaces_is_false_for_offline_vms),
                cmocka_unit_test(test_net_plan_guest_params_lists_every_setting),
                cmocka_unit_test(test_net_plan_guest_params_empty_for_offline_vm),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-net-plan.c: prefix math, host-wide network checks, the nftables rule set and the guest's
 * network kernel words (src/shared/net-plan.c). */
#include <sys/socket.h>

#include "net-plan.h"
#include "plan-golden.h"
#include "plan.h"
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

/* tests/unit/data/net-plan/<name>.json's rule set must be <name>.nft; UPDATE_GOLDEN=1 rewrites
 * the .nft file instead. */
static void assert_ruleset_golden(const char *name) {
        _cleanup_(freep) char *config = NULL, *golden = NULL, *s = NULL;
        _cleanup_(config_freep) Config *c = NULL;

        assert_true(asprintf(&config, TEST_DATA_DIR "/net-plan/%s.json", name) > 0);
        assert_true(asprintf(&golden, TEST_DATA_DIR "/net-plan/%s.nft", name) > 0);
        c = load_file_ok(config);
        assert_int_equal(net_plan_nft_ruleset(c, &s), 0);
        golden_compare(golden, s);
}

static void test_net_plan_nft_ruleset_with_nat(void **state) {
        assert_ruleset_golden("nat");
}

static void test_net_plan_nft_ruleset_guards_every_kind_of_tap(void **state) {
        assert_ruleset_golden("every-kind-of-tap");
}

static void test_net_plan_nft_remove_deletes_both_tables(void **state) {
        assert_string_equal(net_plan_nft_remove(), "add table inet vmsilo\n"
                                                   "delete table inet vmsilo\n"
                                                   "add table bridge vmsilo\n"
                                                   "delete table bridge vmsilo\n");
}

static void test_net_plan_link_local_is_the_eui64_address_of_the_mac(void **state) {
        static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        char s[NET_PREFIX_STRING_MAX];
        NetPrefix p;

        net_plan_link_local(mac, &p);
        assert_string_equal(net_prefix_format(&p, s), "fe80::5054:ff:fe12:3456/128");
}

/* The formatted sources of TAP interface ifc of VM 0, ", "-joined; NULL for "any". */
static char *tap_sources(const Config *c, size_t ifc, int family) {
        _cleanup_(freep) NetPrefix *l = NULL;
        char *s = strdup(""), a[NET_PREFIX_STRING_MAX];
        size_t n;
        int r;

        assert_non_null(s);
        r = net_plan_tap_sources(&c->vms[0].interfaces[ifc], family, &l, &n);
        if (r == -ENOENT) {
                free(s);
                return NULL;
        }
        assert_int_equal(r, 0);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(plan_extendf(&s, ", ", "%s", net_prefix_format(&l[i], a)), 0);
        return s;
}

static void test_net_plan_tap_sources_pin_static_addresses_and_the_link_local(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(
                        ONE_IF("'macAddress': '52:54:00:12:34:56', 'tap': {'hostAddress': "
                               "'10.0.0.254/24'}, "
                               "'addresses': ['10.0.0.1/24', '10.0.0.2/24', '10.0.0.1/24'], "
                               "'v6Addresses': ['fd00::1/64']"));
        _cleanup_(freep) char *v4 = tap_sources(c, 0, AF_INET), *v6 = tap_sources(c, 0, AF_INET6);

        assert_string_equal(v4, "10.0.0.1/32, 10.0.0.2/32");
        assert_string_equal(v6, "fd00::1/128, fe80::5054:ff:fe12:3456/128");
}

static void test_net_plan_tap_sources_of_a_dhcp_guest_are_its_tap_network(void **state) {
        _cleanup_(config_freep) Config *c =
                        load_ok(ONE_IF("'tap': {'hostAddress': '10.0.0.254/24'}, 'dhcp': true, "
                                       "'addresses': ['10.0.0.5/24', '10.7.0.5/24']"));
        _cleanup_(freep) char *v4 = tap_sources(c, 0, AF_INET);

        /* 10.0.0.5 lies in the network: one set element, no overlap for nft to refuse. */
        assert_string_equal(v4, "10.0.0.0/24, 10.7.0.5/32");
}

static void test_net_plan_tap_sources_without_addresses_are_the_tap_network(void **state) {
        _cleanup_(config_freep) Config *c =
                        load_ok(ONE_IF("'tap': {'hostAddress': 'fd00::fe/64'}"));
        _cleanup_(freep) char *v4 = tap_sources(c, 0, AF_INET), *v6 = tap_sources(c, 0, AF_INET6);
        char ll[NET_PREFIX_STRING_MAX], want[2 * NET_PREFIX_STRING_MAX];
        NetPrefix p;

        net_plan_link_local(c->vms[0].interfaces[0].mac, &p);
        (void) snprintf(want, sizeof(want), "fd00::/64, %s", net_prefix_format(&p, ll));
        assert_string_equal(v4, "");
        assert_string_equal(v6, want);
}

static void test_net_plan_tap_sources_of_a_dhcp_guest_on_a_bridge_are_any(void **state) {
        _cleanup_(config_freep) Config *c =
                        load_ok(ONE_IF("'tap': {'bridge': 'br0'}, 'dhcp': true"));
        _cleanup_(freep) NetPrefix *l = NULL;
        size_t n;

        assert_null(tap_sources(c, 0, AF_INET));
        assert_int_equal(net_plan_tap_sources(&c->vms[0].interfaces[0], AF_UNIX, &l, &n), -EINVAL);
}

static void test_net_plan_nft_ruleset_drops_everything_from_an_isolated_tap(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_IF("'addresses': ['10.0.0.1/24']"));
        _cleanup_(freep) char *s = NULL;
        const char *prerouting, *input;

        assert_int_equal(net_plan_nft_ruleset(c, &s), 0);
        prerouting = strstr(s, "\tchain prerouting {\n");
        input = strstr(s, "\tchain input {\n");
        assert_non_null(prerouting);
        assert_non_null(input);
        assert_ptr_equal(
                        strstr(s, "\t\tiifname \"a-0\" drop\n"), strstr(prerouting, "\t\tiifname"));
        assert_true(strstr(s, "\t\tiifname \"a-0\" drop\n") < input);
        assert_null(strstr(s, "table bridge vmsilo {"));
}

static void test_net_plan_nft_ruleset_host_policy_opens_only_what_the_guest_uses(void **state) {
        _cleanup_(config_freep) Config *open = load_ok(ONE_VM(
                        ", 'network': {'nameservers': ['10.0.0.254'], 'interfaces': {'wan': {"
                        "'tap': {'hostAddress': '10.0.0.254/24', 'allowedHostPorts': "
                        "['tcp/8080']}, "
                        "'dhcp': true}}}"));
        _cleanup_(config_freep) Config *closed = load_ok(
                        ONE_VM(", 'network': {'nameservers': ['10.0.0.53'], 'interfaces': {'wan': {"
                               "'tap': {'hostAddress': '10.0.0.254/24'}, 'addresses': "
                               "['10.0.0.1/24']}}}"));
        static const char *const lines[] = {
                "\t\tiifname \"a-0\" udp dport 67 accept\n",
                "\t\tiifname \"a-0\" meta l4proto { tcp, udp } th dport 53 accept\n",
                "\t\tiifname \"a-0\" tcp dport 8080 accept\n",
        };
        _cleanup_(freep) char *o = NULL, *x = NULL;

        assert_int_equal(net_plan_nft_ruleset(open, &o), 0);
        assert_int_equal(net_plan_nft_ruleset(closed, &x), 0);
        for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                assert_non_null(strstr(o, lines[i]));
                assert_true(strstr(o, lines[i]) < strstr(o, "\t\tiifname \"a-0\" drop\n"));
                assert_null(strstr(x, lines[i]));
        }
        assert_non_null(strstr(x, "\t\tiifname \"a-0\" drop\n"));
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
                cmocka_unit_test(test_net_plan_nft_ruleset_guards_every_kind_of_tap),
                cmocka_unit_test(test_net_plan_nft_remove_deletes_both_tables),
                cmocka_unit_test(test_net_plan_link_local_is_the_eui64_address_of_the_mac),
                cmocka_unit_test(test_net_plan_tap_sources_pin_static_addresses_and_the_link_local),
                cmocka_unit_test(test_net_plan_tap_sources_of_a_dhcp_guest_are_its_tap_network),
                cmocka_unit_test(test_net_plan_tap_sources_without_addresses_are_the_tap_network),
                cmocka_unit_test(test_net_plan_tap_sources_of_a_dhcp_guest_on_a_bridge_are_any),
                cmocka_unit_test(test_net_plan_nft_ruleset_drops_everything_from_an_isolated_tap),
                cmocka_unit_test(
                                test_net_plan_nft_ruleset_host_policy_opens_only_what_the_guest_uses),
                cmocka_unit_test(test_net_plan_nft_ruleset_without_nat_has_no_nat_chain),
                cmocka_unit_test(test_net_plan_has_interfaces_is_false_for_offline_vms),
                cmocka_unit_test(test_net_plan_guest_params_lists_every_setting),
                cmocka_unit_test(test_net_plan_guest_params_empty_for_offline_vm),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

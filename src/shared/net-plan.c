/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-plan.c: host and guest network setup computed from the configuration. Pure. */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include "config-internal.h"
#include "net-plan.h"
#include "parse-util.h"
#include "plan.h"
#include "strv.h"

int net_prefix_parse(const char *s, NetPrefix *ret) {
        NetPrefix p = {};

        if (!s || parse_cidr(s, AF_UNSPEC, &p.family, p.address, &p.prefix_len) < 0)
                return -EINVAL;
        *ret = p;
        return 0;
}

NetPrefix net_prefix_network(const NetPrefix *p) {
        NetPrefix n = *p;
        size_t bytes = p->family == AF_INET ? 4 : 16;

        for (size_t i = 0; i < bytes; i++) {
                unsigned bits = p->prefix_len > i * 8 ? p->prefix_len - (unsigned) i * 8 : 0;
                uint8_t mask = bits >= 8 ? 0xff : (uint8_t) (0xff << (8 - bits));
                n.address[i] &= mask;
        }
        return n;
}

bool net_prefix_overlaps(const NetPrefix *a, const NetPrefix *b) {
        NetPrefix shorter, x, y;

        if (a->family != b->family)
                return false;
        /* Two prefixes overlap iff they agree on the shorter prefix length. */
        shorter = *a;
        shorter.prefix_len = MIN(a->prefix_len, b->prefix_len);
        x = net_prefix_network(&shorter);
        shorter = *b;
        shorter.prefix_len = MIN(a->prefix_len, b->prefix_len);
        y = net_prefix_network(&shorter);
        return memcmp(x.address, y.address, sizeof(x.address)) == 0;
}

char *net_prefix_format(const NetPrefix *p, char ret[static NET_PREFIX_STRING_MAX]) {
        char a[INET6_ADDRSTRLEN] = "";

        (void) inet_ntop(p->family, p->address, a, sizeof(a));
        (void) snprintf(ret, NET_PREFIX_STRING_MAX, "%s/%u", a, p->prefix_len);
        return ret;
}

bool net_plan_has_interfaces(const Config *c) {
        for (size_t i = 0; i < c->n_vms; i++)
                if (c->vms[i].n_interfaces > 0)
                        return true;
        return false;
}

/* "nixosVms[i].network.interfaces.NAME" + suffix; NULL on OOM. */
static char *interface_path(size_t vm_index, const char *ifname, const char *suffix) {
        _cleanup_(freep) char *vm = NULL, *ifaces = NULL, *iface = NULL;
        char *s = NULL;

        if (asprintf(&ifaces, "nixosVms[%zu].network.interfaces", vm_index) < 0)
                return NULL;
        iface = config_path_key(ifaces, ifname);
        if (!iface)
                return NULL;
        if (asprintf(&s, "%s%s", iface, suffix) < 0)
                return NULL;
        return s;
}

static bool is_tap_name(const Config *c, const char *name) {
        for (size_t i = 0; i < c->n_vms; i++)
                for (size_t j = 0; j < c->vms[i].n_interfaces; j++)
                        if (streq(c->vms[i].interfaces[j].tap_name, name))
                                return true;
        return false;
}

static bool is_bridge_name(const Config *c, const char *name) {
        for (size_t i = 0; i < c->n_vms; i++)
                for (size_t j = 0; j < c->vms[i].n_interfaces; j++)
                        if (streq_ptr(c->vms[i].interfaces[j].tap_bridge, name))
                                return true;
        return false;
}

/* Finds an earlier hostAddress network that overlaps interface (vi, ii)'s. */
static int check_host_address(const Config *c, size_t vi, size_t ii, ConfigErrors *errors) {
        const NetInterface *ifc = &c->vms[vi].interfaces[ii];
        _cleanup_(freep) char *path = NULL, *other = NULL;
        char a[NET_PREFIX_STRING_MAX], b[NET_PREFIX_STRING_MAX];
        NetPrefix p, q;
        int r;

        if (!ifc->tap_host_address || net_prefix_parse(ifc->tap_host_address, &p) < 0)
                return 0;
        for (size_t vj = 0; vj <= vi; vj++)
                for (size_t ij = 0; ij < c->vms[vj].n_interfaces; ij++) {
                        const NetInterface *o = &c->vms[vj].interfaces[ij];
                        if (vj == vi && ij >= ii)
                                break;
                        if (!o->tap_host_address || net_prefix_parse(o->tap_host_address, &q) < 0 ||
                                        !net_prefix_overlaps(&p, &q))
                                continue;
                        path = interface_path(vi, ifc->name, ".tap.hostAddress");
                        other = interface_path(vj, o->name, ".tap.hostAddress");
                        if (!path || !other)
                                return -ENOMEM;
                        q = net_prefix_network(&q);
                        p = net_prefix_network(&p);
                        r = config_error_add(errors, 0, 0, path,
                                        "network %s overlaps %s (%s) on the same host; "
                                        "give each TAP its own network or use one bridge",
                                        net_prefix_format(&p, a), other, net_prefix_format(&q, b));
                        return r < 0 ? r : 1;
                }
        return 0;
}

int net_plan_check(const Config *c, ConfigErrors *errors) {
        int r, n = 0;

        for (size_t vi = 0; vi < c->n_vms; vi++)
                for (size_t ii = 0; ii < c->vms[vi].n_interfaces; ii++) {
                        const NetInterface *ifc = &c->vms[vi].interfaces[ii];
                        _cleanup_(freep) char *path = NULL;

                        r = check_host_address(c, vi, ii, errors);
                        if (r < 0)
                                return r;
                        n += r;
                        if (ifc->tap_bridge && is_tap_name(c, ifc->tap_bridge)) {
                                path = interface_path(vi, ifc->name, ".tap.bridge");
                                if (!path)
                                        return -ENOMEM;
                                r = config_error_add(errors, 0, 0, path,
                                                "'%s' is also the name of a TAP", ifc->tap_bridge);
                                if (r < 0)
                                        return r;
                                n++;
                        }
                }
        if (c->nat_enable && !isempty(c->nat_interface) &&
                        (is_tap_name(c, c->nat_interface) || is_bridge_name(c, c->nat_interface))) {
                r = config_error_add(errors, 0, 0, "hostNetworking.nat.interface",
                                "'%s' is a VM's TAP or bridge, not an external interface",
                                c->nat_interface);
                if (r < 0)
                        return r;
                n++;
        }
        return n;
}

int net_plan_vm_interfaces(const Config *c, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        int r;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_vms; i++)
                for (size_t j = 0; j < c->vms[i].n_interfaces; j++) {
                        const NetInterface *ifc = &c->vms[i].interfaces[j];
                        /* A TAP in a bridge is seen by the host's IP layer as the bridge; a
                         * TAP without an address is not an IP interface of the host at all. */
                        const char *name = NULL;
                        if (ifc->tap_bridge)
                                name = ifc->tap_bridge;
                        else if (ifc->tap_host_address)
                                name = ifc->tap_name;
                        if (!name || strv_contains(l, name))
                                continue;
                        r = strv_extend(&l, name);
                        if (r < 0)
                                return r;
                }
        *ret = TAKE_PTR(l);
        return 0;
}

bool net_plan_tap_is_kept(const Config *other, const NetInterface *ifc) {
        for (size_t i = 0; other && i < other->n_vms; i++)
                for (size_t j = 0; j < other->vms[i].n_interfaces; j++) {
                        const NetInterface *o = &other->vms[i].interfaces[j];

                        if (streq(o->tap_name, ifc->tap_name))
                                return streq_ptr(o->tap_host_address, ifc->tap_host_address) &&
                                       streq_ptr(o->tap_bridge, ifc->tap_bridge);
                }
        return false;
}

int net_plan_stale_taps(const Config *old, const Config *new, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        int r;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < old->n_vms; i++)
                for (size_t j = 0; j < old->vms[i].n_interfaces; j++) {
                        const NetInterface *was = &old->vms[i].interfaces[j];

                        if (net_plan_tap_is_kept(new, was))
                                continue;
                        r = strv_extend(&l, was->tap_name);
                        if (r < 0)
                                return r;
                }
        *ret = TAKE_PTR(l);
        return 0;
}

static int add_network(char ***l, const char *cidr, int family) {
        char s[NET_PREFIX_STRING_MAX];
        NetPrefix p;

        if (net_prefix_parse(cidr, &p) < 0 || p.family != family)
                return 0;
        p = net_prefix_network(&p);
        net_prefix_format(&p, s);
        if (strv_contains(*l, s))
                return 0;
        return strv_extend(l, s);
}

int net_plan_nat_sources(const Config *c, int family, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        int r;

        if (!l)
                return -ENOMEM;
        if (!IN_SET(family, AF_INET, AF_INET6))
                return -EINVAL;
        for (size_t i = 0; i < c->n_vms; i++)
                for (size_t j = 0; j < c->vms[i].n_interfaces; j++) {
                        const NetInterface *ifc = &c->vms[i].interfaces[j];
                        if (ifc->tap_host_address) {
                                r = add_network(&l, ifc->tap_host_address, family);
                                if (r < 0)
                                        return r;
                        }
                        STRV_FOREACH(a, family == AF_INET ? ifc->addresses : ifc->v6_addresses) {
                                r = add_network(&l, *a, family);
                                if (r < 0)
                                        return r;
                        }
                }
        *ret = TAKE_PTR(l);
        return 0;
}

/* ' { "a", "b" }' for nft. */
static int append_name_set(char **s, char *const *names) {
        int r;

        r = plan_extendf(s, NULL, "{ ");
        STRV_FOREACH(n, names) {
                if (r < 0)
                        return r;
                r = plan_extendf(s, NULL, "%s\"%s\"", n == names ? "" : ", ", *n);
        }
        if (r >= 0)
                r = plan_extendf(s, NULL, " }");
        return r;
}

void net_plan_link_local(const uint8_t mac[static 6], NetPrefix *ret) {
        *ret = (NetPrefix){ .family = AF_INET6,
                .prefix_len = 128,
                .address = { 0xfe, 0x80, [8] = mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe, mac[3],
                                mac[4], mac[5] } };
}

static bool tap_is_isolated(const NetInterface *ifc) {
        return !ifc->tap_host_address && !ifc->tap_bridge;
}

/* "10.0.0.1" for a single address, else "10.0.0.0/24". */
static char *format_source(const NetPrefix *p, char ret[static NET_PREFIX_STRING_MAX]) {
        net_prefix_format(p, ret);
        if (p->prefix_len == (p->family == AF_INET ? 32u : 128u))
                *strchr(ret, '/') = '\0';
        return ret;
}

/* Appends p unless an earlier entry covers it (networks come first, so an overlapping single
 * address lies inside one): an anonymous nft set refuses overlapping elements. */
static int add_source(NetPrefix *l, size_t *n, const NetPrefix *p) {
        for (size_t i = 0; i < *n; i++)
                if (net_prefix_overlaps(&l[i], p))
                        return 0;
        l[(*n)++] = *p;
        return 0;
}

int net_plan_tap_sources(const NetInterface *ifc, int family, NetPrefix **ret, size_t *ret_n) {
        char **addresses = family == AF_INET ? ifc->addresses : ifc->v6_addresses;
        _cleanup_(freep) NetPrefix *l = NULL;
        size_t n = 0;
        NetPrefix p;

        if (!IN_SET(family, AF_INET, AF_INET6))
                return -EINVAL;
        /* A DHCP guest on a bridge: vmsilod knows no network there, so any source goes. */
        if (family == AF_INET && ifc->dhcp && ifc->tap_bridge)
                return -ENOENT;
        l = calloc(strv_length(addresses) + 2, sizeof(NetPrefix));
        if (!l)
                return -ENOMEM;
        /* A guest configured by DHCP, or one that sets itself up, sends from its TAP's network;
         * a guest with static addresses only from those. */
        if (ifc->tap_host_address && net_prefix_parse(ifc->tap_host_address, &p) >= 0 &&
                        p.family == family && ((family == AF_INET && ifc->dhcp) || !addresses[0])) {
                p = net_prefix_network(&p);
                (void) add_source(l, &n, &p);
        }
        STRV_FOREACH(a, addresses)
                if (net_prefix_parse(*a, &p) >= 0) {
                        p.prefix_len = family == AF_INET ? 32 : 128;
                        (void) add_source(l, &n, &p);
                }
        if (family == AF_INET6) {
                net_plan_link_local(ifc->mac, &p);
                (void) add_source(l, &n, &p);
        }
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

/* ' { a, b }' of the sources for nft, or ' { 0x… }' as 128-bit numbers for a raw payload match. */
static int append_source_set(char **s, const NetPrefix *l, size_t n, bool raw) {
        int r;

        r = plan_extendf(s, NULL, " { ");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                char a[NET_PREFIX_STRING_MAX];

                r = plan_extendf(s, NULL, "%s", i == 0 ? "" : ", ");
                if (r >= 0 && !raw)
                        r = plan_extendf(s, NULL, "%s", format_source(&l[i], a));
                if (r >= 0 && raw)
                        r = plan_extendf(s, NULL, "0x");
                for (size_t b = 0; r >= 0 && raw && b < 16; b++)
                        r = plan_extendf(s, NULL, "%02x", l[i].address[b]);
        }
        return r < 0 ? r : plan_extendf(s, NULL, " }");
}

/* Drops the family's packets (and, on a bridge, ARP or neighbour advertisements) from a source
 * the TAP's guest does not own. */
static int append_source_pin(char **s, const NetInterface *ifc, int family) {
        _cleanup_(freep) NetPrefix *l = NULL;
        const char *t = ifc->tap_name;
        bool v4 = family == AF_INET;
        size_t n;
        int r;

        r = net_plan_tap_sources(ifc, family, &l, &n);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (n == 0)
                return plan_extendf(s, NULL, "\t\tiifname \"%s\" meta protocol %s drop\n", t,
                                v4 ? "{ ip, arp }" : "ip6");
        r = plan_extendf(s, NULL, "\t\tiifname \"%s\" %s saddr !=", t, v4 ? "ip" : "ip6");
        if (r >= 0)
                r = append_source_set(s, l, n, false);
        if (r >= 0)
                r = plan_extendf(s, NULL, " drop\n");
        if (r < 0 || !ifc->tap_bridge)
                return r;
        /* Bridge neighbours believe ARP and neighbour advertisements: pin what they claim. */
        if (v4)
                r = plan_extendf(s, NULL, "\t\tiifname \"%s\" arp saddr ip !=", t);
        else
                r = plan_extendf(s, NULL,
                                "\t\tiifname \"%s\" icmpv6 type nd-neighbor-advert @th,64,128 !=",
                                t);
        if (r >= 0)
                r = append_source_set(s, l, n, !v4);
        if (r >= 0)
                r = plan_extendf(s, NULL, " drop\n");
        return r;
}

/* The guest behind TAP ifc sends only from its MAC and addresses, and never as a router or a
 * DHCP server. Shared by the inet prerouting chain (routed TAPs) and the bridge one. */
static int append_tap_guard(char **s, const NetInterface *ifc) {
        char mac[PLAN_MAC_STRING_MAX];
        const char *t = ifc->tap_name;
        int r;

        plan_format_mac(ifc->mac, mac);
        r = plan_extendf(s, NULL,
                        "\t\tiifname \"%s\" ether saddr != %s drop\n"
                        "\t\tiifname \"%s\" icmpv6 type { nd-router-advert, nd-redirect } drop\n"
                        "\t\tiifname \"%s\" udp sport 67 drop\n",
                        t, mac, t, t);
        if (r >= 0 && ifc->tap_bridge)
                r = plan_extendf(s, NULL,
                                "\t\tiifname \"%s\" ether type != { ip, ip6, arp } drop\n"
                                "\t\tiifname \"%s\" arp saddr ether != %s drop\n",
                                t, t, mac);
        if (r >= 0 && ifc->dhcp)
                r = plan_extendf(s, NULL,
                                "\t\tiifname \"%s\" ip saddr 0.0.0.0 udp sport 68 udp dport 67 "
                                "accept\n",
                                t);
        /* Duplicate address detection and MLD send from the unspecified address. */
        if (r >= 0)
                r = plan_extendf(s, NULL,
                                "\t\tiifname \"%s\" ip6 saddr :: icmpv6 type { "
                                "nd-neighbor-solicit, mld-listener-report, mld2-listener-report "
                                "} accept\n",
                                t);
        if (r >= 0)
                r = append_source_pin(s, ifc, AF_INET);
        if (r >= 0)
                r = append_source_pin(s, ifc, AF_INET6);
        return r;
}

/* Whether one of the VM's name servers is the host's address on this TAP. */
static bool host_serves_dns(const VmConfig *vm, const NetInterface *ifc) {
        uint8_t a[16] = {};
        NetPrefix p;

        if (!ifc->tap_host_address || net_prefix_parse(ifc->tap_host_address, &p) < 0)
                return false;
        STRV_FOREACH(ns, vm->nameservers)
                if (inet_pton(p.family, *ns, a) == 1 &&
                                memcmp(a, p.address, p.family == AF_INET ? 4 : 16) == 0)
                        return true;
        return false;
}

/* What a guest may reach on the host itself: ping and neighbour discovery, DHCP if it uses
 * it, DNS if the host is its name server, its tap.allowedHostPorts; nothing else. */
static int append_host_policy(char **s, const VmConfig *vm, const NetInterface *ifc) {
        const char *t = ifc->tap_name;
        int r;

        if (ifc->tap_bridge)
                /* No connection tracking in the bridge family: let replies to connections the
                 * host opened through, but no TCP connection the guest opens. */
                r = plan_extendf(s, NULL,
                                "\t\tiifname \"%s\" ether type arp accept\n"
                                "\t\tiifname \"%s\" tcp flags & (syn | ack) != syn accept\n"
                                "\t\tiifname \"%s\" icmp type echo-reply accept\n"
                                "\t\tiifname \"%s\" icmpv6 type echo-reply accept\n",
                                t, t, t, t);
        else
                r = plan_extendf(s, NULL,
                                "\t\tiifname \"%s\" ct state established,related accept\n", t);
        if (r >= 0)
                r = plan_extendf(s, NULL,
                                "\t\tiifname \"%s\" icmp type echo-request accept\n"
                                "\t\tiifname \"%s\" icmpv6 type { echo-request, "
                                "nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } "
                                "accept\n",
                                t, t);
        if (r >= 0 && ifc->dhcp)
                r = plan_extendf(s, NULL, "\t\tiifname \"%s\" udp dport 67 accept\n", t);
        if (r >= 0 && host_serves_dns(vm, ifc))
                r = plan_extendf(s, NULL,
                                "\t\tiifname \"%s\" meta l4proto { tcp, udp } th dport 53 accept\n",
                                t);
        for (size_t i = 0; r >= 0 && i < ifc->n_tap_allowed_host_ports; i++)
                r = plan_extendf(s, NULL, "\t\tiifname \"%s\" %s dport %u accept\n", t,
                                ifc->tap_allowed_host_ports[i].udp ? "udp" : "tcp",
                                (unsigned) ifc->tap_allowed_host_ports[i].port);
        if (r >= 0)
                r = plan_extendf(s, NULL, "\t\tiifname \"%s\" drop\n", t);
        return r;
}

typedef enum TapSet {
        TAPS_ROUTED,   /* with a hostAddress */
        TAPS_BRIDGED,  /* in a bridge */
        TAPS_ISOLATED, /* neither */
} TapSet;

static bool tap_in_set(const NetInterface *ifc, TapSet set) {
        switch (set) {
        case TAPS_ROUTED:
                return ifc->tap_host_address;
        case TAPS_BRIDGED:
                return ifc->tap_bridge;
        case TAPS_ISOLATED:
                return tap_is_isolated(ifc);
        }
        return false;
}

/* Calls append for every TAP of the set, in configuration order. */
static int append_for_taps(const Config *c, char **s, TapSet set,
                int (*append)(char **s, const VmConfig *vm, const NetInterface *ifc)) {
        int r;

        for (size_t i = 0; i < c->n_vms; i++)
                for (size_t j = 0; j < c->vms[i].n_interfaces; j++) {
                        if (!tap_in_set(&c->vms[i].interfaces[j], set))
                                continue;
                        r = append(s, &c->vms[i], &c->vms[i].interfaces[j]);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int append_guard_rules(char **s, const VmConfig *vm, const NetInterface *ifc) {
        return append_tap_guard(s, ifc);
}

static int append_isolation(char **s, const VmConfig *vm, const NetInterface *ifc) {
        return plan_extendf(s, NULL, "\t\tiifname \"%s\" drop\n", ifc->tap_name);
}

static bool has_taps(const Config *c, TapSet set) {
        for (size_t i = 0; i < c->n_vms; i++)
                for (size_t j = 0; j < c->vms[i].n_interfaces; j++)
                        if (tap_in_set(&c->vms[i].interfaces[j], set))
                                return true;
        return false;
}

/* Opens a base chain named after its hook, policy accept: what the chain does not drop is left
 * to the host's own rules. */
static int append_chain_start(char **s, const char *type, const char *hook, const char *priority) {
        return plan_extendf(s, NULL,
                        "\tchain %s {\n"
                        "\t\ttype %s hook %s priority %s; policy accept;\n",
                        hook, type, hook, priority);
}

/* Before conntrack sees them (priority raw): frames from a routed TAP that its guest could not
 * have sent honestly, and everything from an isolated TAP. */
static int append_prerouting_chain(const Config *c, char **s) {
        int r;

        r = append_chain_start(s, "filter", "prerouting", "raw");
        if (r >= 0)
                r = append_for_taps(c, s, TAPS_ROUTED, append_guard_rules);
        if (r >= 0)
                r = append_for_taps(c, s, TAPS_ISOLATED, append_isolation);
        return r < 0 ? r : plan_extendf(s, NULL, "\t}\n");
}

/* Bridged TAPs: the same guard on the bridge port, before the bridge forwards a frame to its
 * other ports or the host, and the host policy for frames it delivers to the host. */
static int append_bridge_table(const Config *c, char **s) {
        int r;

        if (!has_taps(c, TAPS_BRIDGED))
                return 0;
        r = plan_extendf(s, NULL, "table bridge " NET_PLAN_NFT_TABLE " {\n");
        if (r >= 0)
                r = append_chain_start(s, "filter", "prerouting", "filter");
        if (r >= 0)
                r = append_for_taps(c, s, TAPS_BRIDGED, append_guard_rules);
        if (r >= 0)
                r = plan_extendf(s, NULL, "\t}\n");
        if (r >= 0)
                r = append_chain_start(s, "filter", "input", "filter");
        if (r >= 0)
                r = append_for_taps(c, s, TAPS_BRIDGED, append_host_policy);
        return r < 0 ? r : plan_extendf(s, NULL, "\t}\n}\n");
}

static int append_input_chain(const Config *c, char **s, char *const *vm_ifaces) {
        int r;

        r = append_chain_start(s, "filter", "input", "filter");
        if (r >= 0 && vm_ifaces[0]) {
                /* Guests may talk to the host only on their own link's addresses (their
                 * gateway), broadcast and multicast; never on the host's other addresses. */
                r = plan_extendf(s, NULL, "\t\tiifname ");
                if (r >= 0)
                        r = append_name_set(s, vm_ifaces);
                if (r >= 0)
                        r = plan_extendf(s, NULL,
                                        " fib daddr . iif type != { local, broadcast, "
                                        "multicast } drop\n");
        }
        if (r >= 0)
                r = append_for_taps(c, s, TAPS_ROUTED, append_host_policy);
        if (r >= 0)
                r = plan_extendf(s, NULL, "\t}\n");
        return r;
}

static int append_bridge_accepts(const Config *c, char **s, int r) {
        _cleanup_(strv_freep) char **seen = strv_new_empty();

        if (!seen)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < c->n_vms; i++)
                for (size_t j = 0; r >= 0 && j < c->vms[i].n_interfaces; j++) {
                        const char *br = c->vms[i].interfaces[j].tap_bridge;
                        if (!br || strv_contains(seen, br))
                                continue;
                        r = strv_extend(&seen, br);
                        if (r >= 0)
                                r = plan_extendf(s, NULL,
                                                "\t\tiifname \"%s\" oifname \"%s\" accept\n", br,
                                                br);
                }
        return r;
}

static int append_forward_chain(const Config *c, char **s, char *const *vm_ifaces) {
        int r;

        r = append_chain_start(s, "filter", "forward", "filter");
        if (r < 0 || !vm_ifaces[0])
                return r < 0 ? r : plan_extendf(s, NULL, "\t}\n");
        if (c->nat_enable) {
                r = plan_extendf(s, NULL, "\t\tiifname \"%s\" oifname ", c->nat_interface);
                if (r >= 0)
                        r = append_name_set(s, vm_ifaces);
                if (r >= 0)
                        r = plan_extendf(s, NULL,
                                        " ct state established,related accept\n"
                                        "\t\tiifname ");
                if (r >= 0)
                        r = append_name_set(s, vm_ifaces);
                if (r >= 0)
                        r = plan_extendf(s, NULL, " oifname \"%s\" accept\n", c->nat_interface);
        }
        /* Within one bridge, VMs reach each other: the user put them there. This matters where
         * br_netfilter passes bridged IPv4/IPv6 through this hook (in = out = the bridge). */
        r = append_bridge_accepts(c, s, r);
        /* Nothing else is routed into or out of a VM network: VMs on separate TAPs or bridges
         * cannot reach each other or the host's other networks through the host. */
        if (r >= 0)
                r = plan_extendf(s, NULL, "\t\tiifname ");
        if (r >= 0)
                r = append_name_set(s, vm_ifaces);
        if (r >= 0)
                r = plan_extendf(s, NULL, " drop\n\t\toifname ");
        if (r >= 0)
                r = append_name_set(s, vm_ifaces);
        if (r >= 0)
                r = plan_extendf(s, NULL, " drop\n\t}\n");
        return r;
}

static int append_masquerade(const Config *c, char **s, int family) {
        _cleanup_(strv_freep) char **sources = NULL;
        int r;

        r = net_plan_nat_sources(c, family, &sources);
        /* One rule per network: an anonymous set refuses overlapping intervals. */
        STRV_FOREACH(src, sources) {
                if (r < 0)
                        return r;
                r = plan_extendf(s, NULL, "\t\toifname \"%s\" %s saddr %s masquerade\n",
                                c->nat_interface, family == AF_INET ? "ip" : "ip6", *src);
        }
        return r;
}

static int append_nat_chain(const Config *c, char **s) {
        int r;

        if (!c->nat_enable)
                return 0;
        r = append_chain_start(s, "nat", "postrouting", "srcnat");
        if (r >= 0)
                r = append_masquerade(c, s, AF_INET);
        if (r >= 0)
                r = append_masquerade(c, s, AF_INET6);
        if (r >= 0)
                r = plan_extendf(s, NULL, "\t}\n");
        return r;
}

int net_plan_nft_ruleset(const Config *c, char **ret) {
        _cleanup_(strv_freep) char **vm_ifaces = NULL;
        _cleanup_(freep) char *s = NULL;
        int r;

        r = net_plan_vm_interfaces(c, &vm_ifaces);
        if (r < 0)
                return r;
        /* add + delete + define in one transaction: replaces earlier tables atomically, and
         * works whether or not they exist (a restart after a crash). */
        r = plan_extendf(
                        &s, NULL, "%stable inet " NET_PLAN_NFT_TABLE " {\n", net_plan_nft_remove());
        if (r >= 0)
                r = append_prerouting_chain(c, &s);
        if (r >= 0)
                r = append_input_chain(c, &s, vm_ifaces);
        if (r >= 0)
                r = append_forward_chain(c, &s, vm_ifaces);
        if (r >= 0)
                r = append_nat_chain(c, &s);
        if (r >= 0)
                r = plan_extendf(&s, NULL, "}\n");
        if (r >= 0)
                r = append_bridge_table(c, &s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

const char *net_plan_nft_remove(void) {
        return "add table inet " NET_PLAN_NFT_TABLE "\n"
               "delete table inet " NET_PLAN_NFT_TABLE "\n"
               "add table bridge " NET_PLAN_NFT_TABLE "\n"
               "delete table bridge " NET_PLAN_NFT_TABLE "\n";
}

static int append_routes(
                char **s, const char *word, const char *ifname, const Route *routes, size_t n) {
        int r;

        for (size_t i = 0; i < n; i++) {
                r = plan_extendf(s, " ", "%s=%s,%s,%s", word, ifname, routes[i].destination,
                                routes[i].via);
                if (r < 0)
                        return r;
        }
        return 0;
}

int net_plan_guest_params(const VmConfig *vm, char **s) {
        int r;

        for (size_t i = 0; i < vm->n_interfaces; i++) {
                const NetInterface *ifc = &vm->interfaces[i];

                STRV_FOREACH(a, ifc->addresses) {
                        r = plan_extendf(s, " ", "vmsilo.ip=%s,%s", ifc->name, *a);
                        if (r < 0)
                                return r;
                }
                STRV_FOREACH(a, ifc->v6_addresses) {
                        r = plan_extendf(s, " ", "vmsilo.ip6=%s,%s", ifc->name, *a);
                        if (r < 0)
                                return r;
                }
                r = append_routes(s, "vmsilo.route", ifc->name, ifc->routes, ifc->n_routes);
                if (r >= 0)
                        r = append_routes(s, "vmsilo.route6", ifc->name, ifc->v6_routes,
                                        ifc->n_v6_routes);
                if (r >= 0 && ifc->dhcp)
                        r = plan_extendf(s, " ", "vmsilo.dhcp=%s", ifc->name);
                if (r < 0)
                        return r;
        }
        if (vm->n_interfaces > 0)
                STRV_FOREACH(ns, vm->nameservers) {
                        r = plan_extendf(s, " ", "vmsilo.dns=%s", *ns);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-plan.c: host and guest network setup computed from the configuration. Pure. */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include "config-internal.h"
#include "net-plan.h"
#include "plan.h"
#include "strv.h"

int net_prefix_parse(const char *s, NetPrefix *ret) {
        char buf[INET6_ADDRSTRLEN + 8];
        NetPrefix p = {};
        const char *slash;
        char *end;
        size_t len;
        long n;

        if (!s)
                return -EINVAL;
        slash = strchr(s, '/');
        if (!slash || slash == s || !slash[1])
                return -EINVAL;
        len = (size_t) (slash - s);
        if (len >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (inet_pton(AF_INET, buf, p.address) == 1)
                p.family = AF_INET;
        else if (inet_pton(AF_INET6, buf, p.address) == 1)
                p.family = AF_INET6;
        else
                return -EINVAL;
        if (slash[1] < '0' || slash[1] > '9')
                return -EINVAL;
        errno = 0;
        n = strtol(slash + 1, &end, 10);
        if (errno != 0 || *end || n < 0 || n > (p.family == AF_INET ? 32 : 128))
                return -EINVAL;
        p.prefix_len = (unsigned) n;
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

static int append_input_chain(char **s, char *const *vm_ifaces) {
        int r;

        r = plan_extendf(s, NULL,
                        "\tchain input {\n"
                        "\t\ttype filter hook input priority filter; policy accept;\n");
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

        r = plan_extendf(s, NULL,
                        "\tchain forward {\n"
                        "\t\ttype filter hook forward priority filter; policy accept;\n");
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
        r = plan_extendf(s, NULL,
                        "\tchain postrouting {\n"
                        "\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
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
        /* add + delete + define in one transaction: replaces an earlier table atomically, and
         * works whether or not one exists (a restart after a crash). */
        r = plan_extendf(&s, NULL,
                        "add table inet " NET_PLAN_NFT_TABLE "\n"
                        "delete table inet " NET_PLAN_NFT_TABLE "\n"
                        "table inet " NET_PLAN_NFT_TABLE " {\n");
        if (r >= 0)
                r = append_input_chain(&s, vm_ifaces);
        if (r >= 0)
                r = append_forward_chain(c, &s, vm_ifaces);
        if (r >= 0)
                r = append_nat_chain(c, &s);
        if (r >= 0)
                r = plan_extendf(&s, NULL, "}\n");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

const char *net_plan_nft_remove(void) {
        return "add table inet " NET_PLAN_NFT_TABLE "\n"
               "delete table inet " NET_PLAN_NFT_TABLE "\n";
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

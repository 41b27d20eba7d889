/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-parse-net.c: a VM's network option: nameservers and interfaces.<ifname>, with their
 * address, route and TAP syntax checks. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "config-internal.h"
#include "parse-util.h"
#include "strv.h"

static const char *const network_keys[] = { "nameservers", "interfaces", NULL };
static const char *const interface_keys[] = { "type", "macAddress", "tap", "dhcp", "addresses",
        "routes", "v6Addresses", "v6Routes", NULL };
static const char *const tap_keys[] = { "name", "hostAddress", "bridge", "allowedHostPorts", NULL };
static const char *const route_keys[] = { "via", NULL };
static const char *const interface_types[] = { "tap", NULL };

static const char *family_name(int family) {
        return family == AF_INET ? "IPv4" : "IPv6";
}

static int parse_nameservers(json_t *net, const char *path, VmConfig *vm, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, "nameservers");
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_strv(e, path, net, "nameservers", &vm->nameservers);
        if (r <= 0)
                return r;
        for (size_t i = 0; vm->nameservers[i]; i++) {
                _cleanup_(freep) char *pi = NULL;

                if (parse_ip_address(vm->nameservers[i], AF_UNSPEC, NULL) >= 0)
                        continue;
                pi = config_path_index(p, i);
                if (!pi)
                        return -ENOMEM;
                r = config_error_add(e, 0, 0, pi, "'%s' is not an IPv4 or IPv6 address",
                                vm->nameservers[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* addresses / v6Addresses: every item a CIDR of the given family. */
static int parse_addresses(json_t *o, const char *path, const char *key, int family, char ***ret,
                ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, key);
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_strv(e, path, o, key, ret);
        if (r <= 0)
                return r;
        for (size_t i = 0; (*ret)[i]; i++) {
                _cleanup_(freep) char *pi = NULL;

                r = parse_cidr((*ret)[i], family, NULL, NULL, NULL);
                if (r >= 0)
                        continue;
                pi = config_path_index(p, i);
                if (!pi)
                        return -ENOMEM;
                if (r == -EAFNOSUPPORT)
                        r = config_error_add(e, 0, 0, pi,
                                        "'%s' is not an %s address; list it in %s", (*ret)[i],
                                        family_name(family),
                                        family == AF_INET ? "v6Addresses" : "addresses");
                else
                        r = config_error_add(e, 0, 0, pi,
                                        "'%s' is not an %s address with a prefix length "
                                        "(e.g. '%s')",
                                        (*ret)[i], family_name(family),
                                        family == AF_INET ? "10.0.0.1/24" : "fd00::1/64");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int route_append(Route **routes, size_t *n, const char *destination, char *via) {
        Route *l;
        char *d;

        d = strdup(destination);
        if (!d)
                return -ENOMEM;
        l = reallocarray(*routes, *n + 1, sizeof(Route));
        if (!l) {
                free(d);
                return -ENOMEM;
        }
        *routes = l;
        l[(*n)++] = (Route){ .destination = d, .via = via };
        return 0;
}

/* One routes entry: destination -> { via = "…" }. Returns 1 if valid. */
static int parse_route(ConfigErrors *e, const char *path, const char *dest, json_t *v, int family,
                char **ret_via) {
        _cleanup_(freep) char *pv = config_path_key(path, "via");
        int r;

        if (!pv)
                return -ENOMEM;
        if (parse_cidr(dest, family, NULL, NULL, NULL) < 0)
                return config_error_add(e, 0, 0, path,
                                "destination '%s' is not an %s address with a prefix length", dest,
                                family_name(family));
        if (!json_is_object(v))
                return config_error_add(e, 0, 0, path, "expected an object, got %s",
                                config_json_type_name(v));
        r = config_keys_check(e, path, v, route_keys);
        if (r < 0)
                return r;
        if (!json_object_get(v, "via"))
                return config_error_add(e, 0, 0, pv, "required option is missing");
        r = config_json_string(e, path, v, "via", false, ret_via);
        if (r <= 0)
                return r;
        if (parse_ip_address(*ret_via, family, NULL) >= 0)
                return 1;
        r = config_error_add(
                        e, 0, 0, pv, "'%s' is not an %s address", *ret_via, family_name(family));
        *ret_via = mfree(*ret_via);
        return r;
}

static int parse_routes(json_t *o, const char *path, const char *key, int family, Route **routes,
                size_t *n, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, key);
        const char *dest;
        json_t *obj, *v;
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_object(e, path, o, key, &obj);
        if (r <= 0)
                return r;
        json_object_foreach(obj, dest, v) {
                _cleanup_(freep) char *pd = config_path_key(p, dest), *via = NULL;

                if (!pd)
                        return -ENOMEM;
                r = parse_route(e, pd, dest, v, family, &via);
                if (r > 0) {
                        r = route_append(routes, n, dest, via);
                        if (r >= 0)
                                TAKE_PTR(via);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_ifname(ConfigErrors *e, const char *path, const char *key, const char *name) {
        _cleanup_(freep) char *p = config_path_key(path, key);

        if (!p)
                return -ENOMEM;
        if (ifname_is_valid(name))
                return 1;
        return config_error_add(e, 0, 0, p,
                        "'%s' is not a valid interface name (1-%d printable characters, no "
                        "spaces, '/' or ':')",
                        name, CONFIG_IFNAME_MAX);
}

static int check_host_address(ConfigErrors *e, const char *path, const char *address) {
        _cleanup_(freep) char *p = config_path_key(path, "hostAddress");

        if (!p)
                return -ENOMEM;
        if (parse_cidr(address, AF_UNSPEC, NULL, NULL, NULL) >= 0)
                return 1;
        return config_error_add(e, 0, 0, p,
                        "'%s' is not an IP address with a prefix length (e.g. '10.0.0.254/24')",
                        address);
}

/* "tcp/PORT" or "udp/PORT", PORT 1-65535 in decimal. */
static int parse_host_port(const char *s, HostPort *ret) {
        bool udp;
        uint64_t port;
        char *end;

        if (strncmp(s, "tcp/", 4) == 0)
                udp = false;
        else if (strncmp(s, "udp/", 4) == 0)
                udp = true;
        else
                return -EINVAL;
        s += 4;
        if (*s < '1' || *s > '9')
                return -EINVAL;
        errno = 0;
        port = strtoull(s, &end, 10);
        if (errno != 0 || *end || port > UINT16_MAX)
                return -EINVAL;
        *ret = (HostPort){ .udp = udp, .port = (uint16_t) port };
        return 0;
}

static int parse_allowed_host_ports(
                json_t *tap, const char *path, NetInterface *iface, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, "allowedHostPorts");
        _cleanup_(strv_freep) char **l = NULL;
        size_t n;
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_strv(e, path, tap, "allowedHostPorts", &l);
        if (r <= 0)
                return r;
        n = strv_length(l);
        iface->tap_allowed_host_ports = calloc(n ?: 1, sizeof(HostPort));
        if (!iface->tap_allowed_host_ports)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *pi = NULL;
                HostPort hp;

                if (parse_host_port(l[i], &hp) >= 0) {
                        iface->tap_allowed_host_ports[iface->n_tap_allowed_host_ports++] = hp;
                        continue;
                }
                pi = config_path_index(p, i);
                if (!pi)
                        return -ENOMEM;
                r = config_error_add(e, 0, 0, pi,
                                "'%s' is not a host port (expected 'tcp/PORT' or 'udp/PORT', "
                                "PORT 1-65535)",
                                l[i]);
                if (r < 0)
                        return r;
        }
        return 1;
}

static int parse_tap(json_t *o, const char *path, NetInterface *iface, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, "tap");
        json_t *tap;
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_object(e, path, o, "tap", &tap);
        if (r <= 0)
                return r;
        r = config_keys_check(e, p, tap, tap_keys);
        if (r >= 0)
                r = config_json_string(e, p, tap, "name", true, &iface->tap_name);
        if (r > 0) {
                /* Kept even when invalid, so that derive does not invent a second name. */
                iface->tap_name_derived = false;
                r = check_ifname(e, p, "name", iface->tap_name);
        }
        if (r >= 0)
                r = config_json_string(e, p, tap, "hostAddress", true, &iface->tap_host_address);
        if (r > 0)
                r = check_host_address(e, p, iface->tap_host_address);
        if (r >= 0)
                r = config_json_string(e, p, tap, "bridge", true, &iface->tap_bridge);
        if (r > 0)
                r = check_ifname(e, p, "bridge", iface->tap_bridge);
        if (r >= 0)
                r = parse_allowed_host_ports(tap, p, iface, e);
        if (r >= 0 && iface->tap_host_address && iface->tap_bridge)
                r = config_error_add(e, 0, 0, p, "hostAddress and bridge are mutually exclusive");
        return r < 0 ? r : 0;
}

static int parse_mac_address(json_t *o, const char *path, NetInterface *iface, ConfigErrors *e) {
        _cleanup_(freep) char *s = NULL, *p = config_path_key(path, "macAddress");
        uint8_t mac[6];
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_string(e, path, o, "macAddress", true, &s);
        if (r <= 0)
                return r;
        if (parse_mac(s, mac) < 0)
                return config_error_add(e, 0, 0, p,
                                "'%s' is not a MAC address (expected 'aa:bb:cc:dd:ee:ff')", s);
        if (mac_is_multicast(mac))
                return config_error_add(e, 0, 0, p,
                                "'%s' is a multicast address; the first octet must be even", s);
        memcpy(iface->mac, mac, sizeof(mac));
        iface->mac_derived = false;
        return 0;
}

static int parse_interface(json_t *o, const char *path, NetInterface *iface, ConfigErrors *e) {
        int i, r;

        if (!json_is_object(o))
                return config_error_add(e, 0, 0, path, "expected an object, got %s",
                                config_json_type_name(o));
        r = config_keys_check(e, path, o, interface_keys);
        if (r >= 0)
                r = config_parse_choice(e, path, o, "type", interface_types, &i);
        if (r >= 0)
                r = parse_mac_address(o, path, iface, e);
        if (r >= 0)
                r = parse_tap(o, path, iface, e);
        if (r >= 0)
                r = config_json_bool(e, path, o, "dhcp", &iface->dhcp);
        if (r >= 0)
                r = parse_addresses(o, path, "addresses", AF_INET, &iface->addresses, e);
        if (r >= 0)
                r = parse_addresses(o, path, "v6Addresses", AF_INET6, &iface->v6_addresses, e);
        if (r >= 0)
                r = parse_routes(o, path, "routes", AF_INET, &iface->routes, &iface->n_routes, e);
        if (r >= 0)
                r = parse_routes(o, path, "v6Routes", AF_INET6, &iface->v6_routes,
                                &iface->n_v6_routes, e);
        return r < 0 ? r : 0;
}

static int interface_init(NetInterface *iface, const char *name, unsigned index) {
        *iface = (NetInterface){ .index = index, .mac_derived = true, .tap_name_derived = true };
        iface->name = strdup(name);
        iface->addresses = strv_new_empty();
        iface->v6_addresses = strv_new_empty();
        if (!iface->name || !iface->addresses || !iface->v6_addresses)
                return -ENOMEM;
        return 0;
}

/* Interfaces are kept sorted by name: the Nix attrset order, which the default TAP names'
 * indices follow. */
static int parse_interfaces(json_t *net, const char *path, VmConfig *vm, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, "interfaces");
        _cleanup_(strv_freep) char **names = NULL;
        const char *key;
        json_t *obj, *v;
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_object(e, path, net, "interfaces", &obj);
        if (r <= 0)
                return r;
        if (json_object_size(obj) > CONFIG_INTERFACES_MAX)
                return config_error_add(e, 0, 0, p, "at most %d interfaces are supported, got %zu",
                                CONFIG_INTERFACES_MAX, json_object_size(obj));
        json_object_foreach(obj, key, v)
                if (strv_extend(&names, key) < 0)
                        return -ENOMEM;
        strv_sort(names);
        vm->interfaces = calloc(strv_length(names) ?: 1, sizeof(NetInterface));
        if (!vm->interfaces)
                return -ENOMEM;
        for (size_t i = 0; names && names[i]; i++) {
                _cleanup_(freep) char *pi = config_path_key(p, names[i]);

                if (!pi)
                        return -ENOMEM;
                r = interface_init(&vm->interfaces[vm->n_interfaces++], names[i], (unsigned) i);
                if (r >= 0 && !ifname_is_valid(names[i]))
                        r = config_error_add(e, 0, 0, pi,
                                        "'%s' is not a valid interface name (1-%d printable "
                                        "characters, no spaces, '/' or ':')",
                                        names[i], CONFIG_IFNAME_MAX);
                if (r >= 0)
                        r = parse_interface(
                                        json_object_get(obj, names[i]), pi, &vm->interfaces[i], e);
                if (r < 0)
                        return r;
        }
        return 0;
}

int config_parse_network(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, "network");
        json_t *net;
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_object(e, path, obj, "network", &net);
        if (r <= 0)
                return r;
        r = config_keys_check(e, p, net, network_keys);
        if (r >= 0)
                r = parse_nameservers(net, p, vm, e);
        if (r >= 0)
                r = parse_interfaces(net, p, vm, e);
        return r;
}

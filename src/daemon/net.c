/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net.c: sets up and tears down the host side of VM networking from the configuration, with
 * net-link.c (netlink, TUN) and net-nft.c (libnftables); decisions come from net-plan.c. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>

#include "log.h"
#include "net-link.h"
#include "net-nft.h"
#include "net-plan.h"
#include "net.h"
#include "strv.h"

#define NET_IPV4_FORWARD_PATH "/proc/sys/net/ipv4/ip_forward"
#define NET_IPV6_FORWARD_PATH "/proc/sys/net/ipv6/conf/all/forwarding"

static int write_sysctl(const char *path, const char *value) {
        _cleanup_(closep) int fd = -EBADF;
        size_t n = strlen(value);

        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, value, n) != (ssize_t) n)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

static int setup_interface(const NetInterface *ifc, const char *vm, uid_t uid, gid_t gid) {
        char path[128];
        NetPrefix p;
        int r;

        if (ifc->tap_bridge) {
                r = net_link_bridge_ensure(ifc->tap_bridge);
                if (r < 0)
                        return log_error_errno(r, "Failed to create bridge '%s' for VM '%s': %m",
                                        ifc->tap_bridge, vm);
                r = net_link_set_up(ifc->tap_bridge, NULL);
                if (r < 0)
                        return log_error_errno(
                                        r, "Failed to set bridge '%s' up: %m", ifc->tap_bridge);
        }
        r = net_link_tap_create(ifc->tap_name, uid, gid);
        if (r < 0)
                return log_error_errno(
                                r, "Failed to create TAP '%s' for VM '%s': %m", ifc->tap_name, vm);
        /* Strict reverse-path filtering: a second line behind the nftables source pinning. */
        (void) snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter", ifc->tap_name);
        r = write_sysctl(path, "1\n");
        if (r < 0)
                return log_error_errno(
                                r, "Failed to set rp_filter=1 on TAP '%s': %m", ifc->tap_name);
        if (ifc->tap_host_address) {
                r = net_prefix_parse(ifc->tap_host_address, &p);
                if (r >= 0)
                        r = net_link_address_add(ifc->tap_name, &p);
                if (r < 0)
                        return log_error_errno(r, "Failed to add address %s to TAP '%s': %m",
                                        ifc->tap_host_address, ifc->tap_name);
        }
        r = net_link_set_up(ifc->tap_name, ifc->tap_bridge);
        if (r < 0)
                return log_error_errno(r, "Failed to set TAP '%s' up%s%s: %m", ifc->tap_name,
                                ifc->tap_bridge ? " in bridge " : "", ifc->tap_bridge ?: "");
        log_debug("TAP '%s' for VM '%s' is up.", ifc->tap_name, vm);
        return 0;
}

static int enable_forwarding(const Config *c) {
        _cleanup_(strv_freep) char **v6 = NULL;
        char path[128];
        int r;

        r = write_sysctl(NET_IPV4_FORWARD_PATH, "1\n");
        if (r < 0)
                return log_error_errno(r, "Failed to enable IPv4 forwarding: %m");
        r = net_plan_nat_sources(c, AF_INET6, &v6);
        if (r < 0)
                return log_oom();
        if (!v6[0])
                return 0;
        /* An interface that forwards ignores router advertisements unless accept_ra is 2: keep
         * the uplink's own IPv6 autoconfiguration working once forwarding is on. */
        (void) snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_ra",
                        c->nat_interface);
        r = write_sysctl(path, "2\n");
        if (r < 0)
                log_warning("Failed to set accept_ra=2 on '%s', ignoring: %s", c->nat_interface,
                                strerror(-r));
        r = write_sysctl(NET_IPV6_FORWARD_PATH, "1\n");
        if (r < 0)
                return log_error_errno(r, "Failed to enable IPv6 forwarding: %m");
        return 0;
}

static int apply_ruleset(const Config *c) {
        _cleanup_(freep) char *script = NULL, *error = NULL;
        int r;

        r = net_plan_nft_ruleset(c, &script);
        if (r < 0)
                return log_oom();
        log_debug("nftables script:\n%s", script);
        r = net_nft_run(script, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to install nftables table inet %s: %s",
                                NET_PLAN_NFT_TABLE, strna(error));
        return 0;
}

/* old: the configuration being replaced, whose TAPs a running VMM may hold (a second attach
 * to a busy TAP fails), or NULL at daemon start. */
static int setup(const Config *old, const Config *c, uid_t uid, gid_t gid) {
        int r;

        if (!net_plan_has_interfaces(c))
                return 0;
        for (size_t i = 0; i < c->n_vms; i++)
                for (size_t j = 0; j < c->vms[i].n_interfaces; j++) {
                        const NetInterface *ifc = &c->vms[i].interfaces[j];

                        if (net_plan_tap_is_kept(old, ifc))
                                continue;
                        r = setup_interface(ifc, c->vms[i].name, uid, gid);
                        if (r < 0)
                                return r;
                }
        r = apply_ruleset(c);
        if (r < 0)
                return r;
        if (c->nat_enable) {
                r = enable_forwarding(c);
                if (r < 0)
                        return r;
                log_info("NAT: masquerading VM networks out of '%s'.", c->nat_interface);
        }
        return 0;
}

int net_setup(const Config *c, uid_t uid, gid_t gid) {
        return setup(NULL, c, uid, gid);
}

int net_reload(const Config *old, const Config *new, uid_t uid, gid_t gid) {
        _cleanup_(strv_freep) char **stale = NULL;
        int r;

        r = net_plan_stale_taps(old, new, &stale);
        if (r < 0)
                return log_oom();
        STRV_FOREACH(tap, stale) {
                r = net_link_delete(*tap);
                if (r < 0 && r != -ENODEV)
                        return log_error_errno(r, "Failed to delete TAP '%s': %m", *tap);
                log_info("Deleted TAP '%s': the configuration no longer has it as it was.", *tap);
        }
        if (!net_plan_has_interfaces(new)) {
                net_teardown(old);
                return 0;
        }
        /* Creates what is new and replaces our table in one transaction. */
        return setup(old, new, uid, gid);
}

void net_teardown(const Config *c) {
        _cleanup_(freep) char *error = NULL;

        if (!net_plan_has_interfaces(c))
                return;
        if (net_nft_run(net_plan_nft_remove(), &error) < 0)
                log_warning("Failed to remove nftables table inet %s, ignoring: %s",
                                NET_PLAN_NFT_TABLE, strna(error));
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-plan.h: what the host and guest network setup should be, computed from the configuration:
 * address/prefix math, host-wide checks, the nftables rule set, the guest's kernel words. Pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* The nftables table vmsilod owns; nothing outside it is ever touched. */
#define NET_PLAN_NFT_TABLE "vmsilo"

typedef struct NetPrefix {
        int family;          /* AF_INET or AF_INET6 */
        uint8_t address[16]; /* network byte order; the first 4 bytes for AF_INET */
        unsigned prefix_len;
} NetPrefix;

/* "10.0.0.1/24" or "fd00::1/64"; the host bits are kept. -EINVAL if malformed. */
int net_prefix_parse(const char *s, NetPrefix *ret);
/* The prefix with its host bits cleared. */
NetPrefix net_prefix_network(const NetPrefix *p);
/* Whether two prefixes of the same family share any address. */
bool net_prefix_overlaps(const NetPrefix *a, const NetPrefix *b);
/* "10.0.0.0/24". ret must hold NET_PREFIX_STRING_MAX bytes. */
#define NET_PREFIX_STRING_MAX (46 + 4)
char *net_prefix_format(const NetPrefix *p, char ret[static NET_PREFIX_STRING_MAX]);

/* Whether any VM has a network interface (else the host network is left alone entirely). */
bool net_plan_has_interfaces(const Config *c);

/* Host-wide checks the per-VM config validation cannot make: tap.hostAddress networks that
 * overlap across interfaces, a bridge named like a TAP, the NAT interface named like a TAP or
 * bridge. Each problem is added to errors with its JSON path; returns the number found, or
 * -ENOMEM. */
int net_plan_check(const Config *c, ConfigErrors *errors);

/* The interfaces the VMs' traffic enters the host on: every TAP with a hostAddress and every
 * bridge, deduplicated, as a NULL-terminated strv in configuration order. */
int net_plan_vm_interfaces(const Config *c, char ***ret);

/* The source networks of one family (AF_INET or AF_INET6) masqueraded with NAT: the networks of
 * every tap.hostAddress and of every guest's static address of that family, deduplicated, as a
 * strv of "a.b.c.d/n" or "fd00::/64". */
int net_plan_nat_sources(const Config *c, int family, char ***ret);

/* Whether other (may be NULL) has ifc's TAP with the same host address and bridge: a reload
 * leaves such a TAP alone, whoever uses it. */
bool net_plan_tap_is_kept(const Config *other, const NetInterface *ifc);
/* The TAPs to delete when the configuration changes from old to new: those new does not have,
 * and those whose host address or bridge changed (recreated from scratch, so no old address or
 * bridge port lingers). A strv in old's order. */
int net_plan_stale_taps(const Config *old, const Config *new, char ***ret);

/* The IPv6 link-local address Linux gives a NIC with this MAC by default (EUI-64), as a /128. */
void net_plan_link_local(const uint8_t mac[static 6], NetPrefix *ret);
/* The source addresses (and networks) of one family the guest behind TAP ifc may send from:
 * its static addresses; its TAP's network if it uses DHCP (IPv4) or has no static address of
 * that family; for IPv6 also its link-local address. Deduplicated, a network before the
 * addresses it covers. -ENOENT: any (an IPv4 DHCP guest on a bridge, whose network vmsilod
 * does not know). *ret is freed by the caller. */
int net_plan_tap_sources(const NetInterface *ifc, int family, NetPrefix **ret, size_t *ret_n);

/* The whole nftables script for our tables, replacing any earlier version in one transaction
 * (see docs/networking.md for what it filters). NULL-free: *ret is always a script. */
int net_plan_nft_ruleset(const Config *c, char **ret);
/* The script that removes our tables (inet and bridge) if they exist. */
const char *net_plan_nft_remove(void);

/* Appends the guest's network kernel words for one VM to *s (space-separated): vmsilo.ip=,
 * vmsilo.ip6=, vmsilo.route=, vmsilo.route6=, vmsilo.dhcp=, vmsilo.dns= (docs/networking.md). */
int net_plan_guest_params(const VmConfig *vm, char **s);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net.h: the host side of VM networking: TAPs, bridges, host addresses, the nftables table
 * (isolation and NAT) and IPv4 forwarding. See docs/networking.md. */
#pragma once

#include <sys/types.h>

#include "config.h"

/* At daemon start, before any VM: creates (or adopts) every TAP owned by uid/gid, every named
 * bridge, assigns host addresses, sets links up, installs our nftables table (replacing a stale
 * one) and, with NAT, turns IPv4 forwarding on. Idempotent. Does nothing for a configuration
 * without interfaces. Logs its own errors. */
int net_setup(const Config *c, uid_t uid, gid_t gid);
/* On a configuration reload, after new passed every check: deletes the TAPs new no longer has
 * as they were (net_plan_stale_taps(); a VM still attached loses that network), then does
 * net_setup(new), which replaces our table atomically; removes the table if new has no
 * interfaces. Logs its own errors. */
int net_reload(const Config *old, const Config *new, uid_t uid, gid_t gid);
/* At daemon exit: removes our nftables table. TAPs and bridges stay (persistent, reused by the
 * next start). Logs and carries on past failures. */
void net_teardown(const Config *c);

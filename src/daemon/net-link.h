/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-link.h: host links over netlink (libmnl) and /dev/net/tun: persistent TAPs, bridges,
 * addresses, link state. No logging: callers log once. Every call is idempotent. */
#pragma once

#include <sys/types.h>

#include "net-plan.h"

/* Creates the persistent TAP `name` (or takes over an existing one) owned by uid/gid, so the
 * VMM user may use it. -EEXIST if a link of that name exists and is not a TAP. */
int net_link_tap_create(const char *name, uid_t uid, gid_t gid);
/* Creates the bridge `name` unless it exists; -EEXIST if `name` exists and is no bridge. */
int net_link_bridge_ensure(const char *name);
/* Deletes a link (a TAP: any VMM still attached loses it). -ENODEV if there is none. */
int net_link_delete(const char *name);
/* Sets `name` up, and makes `master` (may be NULL) its bridge. */
int net_link_set_up(const char *name, const char *master);
/* Assigns address p (kept host bits) to `name`; replaces it if already there. */
int net_link_address_add(const char *name, const NetPrefix *p);

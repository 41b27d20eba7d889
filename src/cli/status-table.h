/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* status-table.h: `vmsilo status` as a text table, from the daemon's array of VM objects
 * (docs/daemon-sockets.md). Pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* "-" for none, else the two largest units: "45s", "3m07s", "2h05m", "4d03h". ret must hold
 * STATUS_UPTIME_MAX bytes. Returns ret. */
#define STATUS_UPTIME_MAX 32
char *status_format_uptime(const json_t *uptime_sec, char ret[static STATUS_UPTIME_MAX]);

/* Columns NAME STATE UPTIME MEMORY CPUS SESSIONS VMM ACCEL BALLOON AVAIL, sized to their
 * contents, one line per VM in array order; then a "NAME: failed: REASON" line for each VM with a
 * reason, a "NAME: IFNAME tap TAP mac MAC ADDRESS…" line per network interface and a
 * "NAME: gui: …" line per VM with Wayland companions (compositor or why none; each companion's
 * state, pid, restarts and last error). Missing or
 * mistyped fields print as "-"; control characters in strings print as '?'. ret is allocated.
 * -EINVAL if vms is not an array, -ENOMEM. */
int status_table_format(const json_t *vms, char **ret);

/* `vmsilo list`: the names of the VMs of vms, in array order, one a line, or with json a JSON
 * array of strings and a newline. Names that break the configuration's rules (never sent by
 * vmsilod) are left out, so a script can use every line as an argument. ret is allocated.
 * -EINVAL if vms is not an array, -ENOMEM. */
int status_list_format(const json_t *vms, bool json, char **ret);

/* Adds "balloon_mib" and "guest_available_mib" to each VM object of vms from vmsilo-balloond's
 * status document (docs/balloond.md), matching VMs by name. Ignores anything malformed. */
void status_merge_balloond(json_t *vms, const json_t *balloond);

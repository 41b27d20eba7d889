/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-deps.h: which VMs must run before a VM can start (dependsOn, transitively). Pure. */
#pragma once

#include "config.h"

/* Sets *ret to a strv of VM names in start order: every dependency before the VMs that depend on
 * it, each once, `name` itself last. Returns -ENOENT if a name is unknown and -ELOOP on a cycle
 * (config validation rejects both; this still refuses to loop on a config built by hand). */
int vm_deps_start_order(const Config *c, const char *name, char ***ret);

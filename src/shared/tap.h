/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tap.h: attaching to a TAP interface by name. Needs CAP_NET_ADMIN or the TAP's owner. */
#pragma once

#include <stddef.h>

#include "config.h"

/* Opens /dev/net/tun and attaches to TAP `name` (creating it if missing, which needs
 * CAP_NET_ADMIN). 0 with the fd (O_CLOEXEC), -EEXIST when `name` is not a TAP, or -errno. */
int tap_open(const char *name, int *ret_fd);

/* Opens one fd per interface of vm, in interface index order, for the VMM. *ret_fds is NULL for
 * a VM without interfaces. Logs its own errors. */
int tap_open_vm(const VmConfig *vm, int **ret_fds, size_t *ret_n);
/* Closes and frees what tap_open_vm() returned. */
void tap_close_all(int *fds, size_t n);

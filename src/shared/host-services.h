/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-services.h: which host services a VM's guest may open FORWARD streams to
 * (docs/protocol.md §3.2), and the per-VM bound on such streams. Pure policy, used by the launch
 * plan (to tell the guest what to set up) and by vmsilod (to decide every guest OPEN).
 *
 * To add a service (tray, sound…): one row in host-services.c with the config switch that
 * enables it; docs/protocol.md and docs/daemon-sockets.md list the services. */
#pragma once

#include <stddef.h>

#include "config.h"

/* Guest-opened streams of one VM at once, including those not yet answered. */
#define HOST_SERVICE_STREAMS_MAX 64

/* true if vm's configuration enables service (a name from the guest: any string). */
bool host_service_is_enabled(const VmConfig *vm, const char *untrusted_service);

/* Decides a guest OPEN for service while n_open guest-opened streams are live: 0, -EACCES (not
 * enabled for this VM) or -EMFILE (HOST_SERVICE_STREAMS_MAX reached); *ret_reason says why in
 * words for the REJECT. */
int host_service_check_open(const VmConfig *vm, const char *untrusted_service, size_t n_open,
                const char **ret_reason);

/* The enabled services joined with ',' ("wayland"), or NULL in *ret when none. */
int host_services_format(const VmConfig *vm, char **ret);

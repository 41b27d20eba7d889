/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-paths.h: which host paths vmsilod can use under its systemd unit
 * (data/vmsilod.service.in: ProtectSystem=strict, ProtectHome=read-only, PrivateTmp=yes,
 * DevicePolicy=closed, ReadWritePaths=/run/vmsilo /var/lib/vmsilo /shared), and the warnings
 * `vmsilo config check` prints for configured paths the unit would break. Pure. */
#pragma once

#include "config.h"

typedef enum ServicePathAccess {
        SERVICE_PATH_WRITABLE,
        SERVICE_PATH_READ_ONLY,
        SERVICE_PATH_HIDDEN, /* a private, empty /tmp */
        SERVICE_PATH_DEVICE, /* a device node the unit's DevicePolicy does not allow */
        _SERVICE_PATH_ACCESS_MAX,
} ServicePathAccess;

/* What the unit lets vmsilod (and the VMMs it starts) do at the absolute path; *ret_setting is
 * the unit setting responsible (NULL when writable). */
ServicePathAccess service_path_access(const char *path, const char **ret_setting);

/* One warning line per configured path the unit hides or makes read-only while the VM needs
 * to write it (disks not marked ro, a writable rootDisk, shared directories, sharedHome).
 * *ret is a strv (empty if none). -ENOMEM only. */
int service_paths_check(const Config *c, char ***ret);

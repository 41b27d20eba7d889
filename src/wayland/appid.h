/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* appid.h: the app_id the compositor sees for a guest toplevel: the id of the host desktop entry
 * vmsilod installed for that program ("vmsilo-<vm>.<id>", docs/desktop.md), so the taskbar groups
 * it under "[vm] App" with its icon, or "vmsilo-<vm>" for a program without one. Pure. */
#pragma once

#include <stdbool.h>

/* Whether the VM has a host entry for application id id. */
typedef bool (*AppIdKnown)(const char *vm, const char *id, void *userdata);

/* Writes the app_id for the guest's untrusted_app_id (NULL: none set) to *ret. known may be NULL
 * (no entry is known). */
int appid_format(const char *vm, const char *untrusted_app_id, AppIdKnown known, void *userdata,
                char **ret);

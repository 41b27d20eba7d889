/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-watch.h: finds running VMs by watching the runtime dir with inotify (no polling). vmsilod
 * creates "<name>.qmp" for each running QEMU VM and crosvm creates "<name>-crosvm.socket"; the
 * file goes away when the VM stops. */
#pragma once

#include <systemd/sd-event.h>

#include "config.h"
#include "macro.h"

typedef struct VmWatch VmWatch;

/* appeared: 1 when the socket appeared (or was there at start), 0 when it went away. */
typedef void (*VmWatchCallback)(VmWatch *w, const char *name, VmmKind vmm, const char *path,
                int appeared, void *userdata);

/* Pure: the VM name and VMM a runtime-dir file name stands for; -EINVAL if it is no VM socket
 * (or the name could not be a VM name). *ret_name is allocated. */
int vm_watch_classify(const char *filename, char **ret_name, VmmKind *ret_vmm);

/* Reports the sockets already present through cb before returning. */
int vm_watch_new(sd_event *e, const char *dir, VmWatchCallback cb, void *userdata, VmWatch **ret);
VmWatch *vm_watch_free(VmWatch *w);
DEFINE_FREE_FUNC(VmWatch *, vm_watch_free);

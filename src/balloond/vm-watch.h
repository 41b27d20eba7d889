/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-watch.h: finds running VMs by watching the runtime dir with inotify (no polling). vmsilod
 * creates "<name>.qmp" for each running QEMU VM; crosvm creates "<name>-crosvm.socket" inside
 * the VM's directory "<name>.vmm" (vmsilod makes it, owned by the VM user), so each such
 * directory gets a watch of its own. The socket goes away when the VM stops. */
#pragma once

#include <systemd/sd-event.h>

#include "config.h"
#include "macro.h"

typedef struct VmWatch VmWatch;

/* appeared: 1 when the socket appeared (or was there at start), 0 when it went away. */
typedef void (*VmWatchCallback)(VmWatch *w, const char *name, VmmKind vmm, const char *path,
                int appeared, void *userdata);

/* What a runtime-dir entry stands for. */
typedef enum VmWatchEntry {
        VM_WATCH_QMP,     /* "<name>.qmp": a QEMU VM's balloon monitor */
        VM_WATCH_VMM_DIR, /* "<name>.vmm": a crosvm VM's directory */
} VmWatchEntry;

/* Pure: the VM name and kind a runtime-dir file name stands for; -EINVAL if it is neither (or
 * the name could not be a VM name). *ret_name is allocated. */
int vm_watch_classify(const char *filename, char **ret_name, VmWatchEntry *ret_entry);
/* Pure: whether filename, inside the directory of the VM called name, is its crosvm control
 * socket. */
bool vm_watch_is_crosvm_socket(const char *name, const char *filename);

/* Reports the sockets already present through cb before returning. */
int vm_watch_new(sd_event *e, const char *dir, VmWatchCallback cb, void *userdata, VmWatch **ret);
VmWatch *vm_watch_free(VmWatch *w);
DEFINE_FREE_FUNC(VmWatch *, vm_watch_free);

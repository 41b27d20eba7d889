/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmm-log.h: the VMM's stdout and stderr, read by vmsilod through a pipe into
 * <runtime>/<name>.log (root, 0600), at most VMM_LOG_MAX_BYTES per run: the head is kept (the
 * boot and the first error), then one line says how much was dropped. A VMM, which the guest may
 * make print, cannot fill the disk or show the user's group what it prints. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"

#define VMM_LOG_MAX_BYTES ((uint64_t) 1024 * 1024)

typedef struct VmmLog VmmLog;

/* Truncates (or creates) path, and returns the write end of a pipe for the VMM in
 * *ret_vmm_fd (close-on-exec: the sandbox dup2()s it). At most max_bytes reach the file. */
int vmm_log_new(sd_event *e, const char *path, uint64_t max_bytes, VmmLog **ret,
                int *ret_vmm_fd);
/* Takes what the pipe still holds (the VMM has exited), then closes everything. */
VmmLog *vmm_log_free(VmmLog *l);
DEFINE_FREE_FUNC(VmmLog *, vmm_log_free);

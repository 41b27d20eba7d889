/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmm-log.h: the VMM's stdout and stderr. When vmsilod's own stderr is the journal they go to a
 * journal stream of their own (sd_journal_stream_fd()). Otherwise vmsilod reads them through a
 * pipe into <runtime>/<name>.log (root, 0600), at most VMM_LOG_MAX_BYTES per run: the head is
 * kept (the boot and the first error), then one line says how much was dropped. A VMM, which the
 * guest may make print, cannot fill the disk or show the user's group what it prints. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"

#define VMM_LOG_MAX_BYTES ((uint64_t) 1024 * 1024)

typedef struct VmmLog VmmLog;

/* With journal_identifier: a journal stream under that identifier for the VMM in *ret_vmm_fd,
 * else (or when the journal cannot be reached) truncates (or creates) path and returns the
 * write end of a pipe for the VMM in *ret_vmm_fd (close-on-exec: the sandbox dup2()s it); at
 * most max_bytes reach the file. */
int vmm_log_new(sd_event *e, const char *path, const char *journal_identifier, uint64_t max_bytes,
                VmmLog **ret, int *ret_vmm_fd);
/* Where to read the output: the file's path, or the journalctl command. */
const char *vmm_log_where(const VmmLog *l);
/* Takes what the pipe still holds (the VMM has exited), then closes everything. */
VmmLog *vmm_log_free(VmmLog *l);
DEFINE_FREE_FUNC(VmmLog *, vmm_log_free);

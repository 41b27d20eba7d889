/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* crosvm-control.h: runs `crosvm <subcommand> … SOCKET` against a VM's control socket, with a
 * deadline, and hands its standard output to a callback. crosvm's control protocol is its own
 * business; its CLI is the stable interface (as ChromeOS's crosvm_control is). */
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct CrosvmCall CrosvmCall;

/* error 0: the command exited 0 and untrusted_out holds its stdout (capped, NUL-terminated).
 * -ETIMEDOUT, -EIO (non-zero exit), -EMSGSIZE (output too long). The call is finished after the
 * callback; free it there or later. */
typedef void (*CrosvmCallback)(
                CrosvmCall *c, int error, const char *untrusted_out, size_t len, void *userdata);

/* argv[0] is the crosvm binary. timeout_usec counts from now. */
int crosvm_call_new(sd_event *e, char *const *argv, uint64_t timeout_usec, size_t output_max,
                CrosvmCallback cb, void *userdata, CrosvmCall **ret);
/* Kills a command still running. */
CrosvmCall *crosvm_call_free(CrosvmCall *c);
DEFINE_FREE_FUNC(CrosvmCall *, crosvm_call_free);

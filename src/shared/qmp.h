/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp.h: an asynchronous QMP client on sd-event, shared by vmsilod and vmsilo-balloond. QEMU runs
 * the guest, so its replies are bounded and checked like any other untrusted input. */
#pragma once

#include <jansson.h>
#include <systemd/sd-event.h>

#include "macro.h"

/* A QMP message longer than this closes the connection. */
#define QMP_MESSAGE_MAX (1024 * 1024)
#define QMP_PENDING_MAX 64

typedef struct Qmp Qmp;

/* error 0: untrusted_return is the command's "return" value (borrowed for the call).
 * error -EIO: QEMU answered with an error; desc says what (borrowed, never NULL).
 * error -ECONNRESET: the connection closed or broke before the reply. */
typedef void (*QmpCallback)(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata);

/* Takes fd (a connected stream socket to QEMU's QMP monitor) on success. The capabilities
 * handshake is done here; commands issued before it finishes wait for it. */
int qmp_new(sd_event *e, int fd, const char *description, Qmp **ret);
/* Drops pending commands without calling their callbacks. */
Qmp *qmp_free(Qmp *q);
DEFINE_FREE_FUNC(Qmp *, qmp_free);

/* Queues command with arguments (borrowed; NULL for none); cb (may be NULL) gets the answer.
 * Callbacks must not free the Qmp: defer that (e.g. to the VMM exit handler). */
int qmp_call(Qmp *q, const char *command, json_t *arguments, QmpCallback cb, void *userdata);

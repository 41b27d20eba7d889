/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console.h: a VM's console: the daemon's end of the VMM's console socket, a scrollback of recent
 * output, and the vm-shell clients attached to it. Outlives VMM restarts. */
#pragma once

#include <sys/types.h>
#include <systemd/sd-event.h>

#include "macro.h"

/* Scrollback replayed to a client when it attaches. */
#define CONSOLE_SCROLLBACK_BYTES (64 * 1024)
/* A client that lets this much output pile up unread is disconnected. */
#define CONSOLE_CLIENT_BACKLOG_MAX (1024 * 1024)
/* Attached vm-shell clients; one uid gets half, so the vmsilo user cannot lock root out. */
#define CONSOLE_CLIENTS_MAX 16
#define CONSOLE_CLIENTS_PER_UID_MAX 8

typedef struct Console Console;

int console_new(sd_event *e, const char *vm_name, Console **ret);
Console *console_free(Console *c);
DEFINE_FREE_FUNC(Console *, console_free);

/* Takes fd (the daemon's end of the VMM console socket) on success; replaces an older one. */
int console_attach_vmm(Console *c, int fd);
void console_detach_vmm(Console *c);
/* Takes fd (an accepted client of uid, authorised) on success; -EMFILE over CONSOLE_CLIENTS_MAX,
 * -EUSERS over CONSOLE_CLIENTS_PER_UID_MAX. */
int console_add_client(Console *c, int fd, uid_t uid);

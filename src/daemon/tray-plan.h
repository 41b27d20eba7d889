/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-plan.h: the bubblewrap command line of a VM's tray host half (docs/tray.md). Pure. */
#pragma once

/* The host half's socket in the VM's services directory: vmsilod relays the guest's FORWARD
 * streams to host service "tray" there (host-forward.h). */
#define TRAY_SERVICE_SOCKET "tray.sock"
/* The user's session bus in their runtime dir, as sd_bus_open_user() finds it. */
#define TRAY_USER_BUS_NAME "bus"

typedef struct TrayContext {
        const char *vm_name;
        const char *dir;       /* absolute: the VM's services directory */
        const char *bus;       /* absolute: the user's session bus socket */
        const char *binary;    /* absolute: vmsilo-tray */
        const char *color;     /* the VM's colour, as configured */
        const char *log_level; /* vmsilo-tray.logLevel */
} TrayContext;

/* The full argv (bwrap first) that runs `vmsilo-tray host` of ctx in the companion sandbox,
 * with the session bus socket as the only other thing of the host it sees. */
int tray_plan_argv(const TrayContext *ctx, char ***ret);

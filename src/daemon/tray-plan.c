/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-plan.c: the tray host half's command line: the Wayland companions' sandbox (no network,
 * no capabilities, an empty environment, /usr read-only, the VM's services directory) plus the
 * user's session bus socket, read-only, named in DBUS_SESSION_BUS_ADDRESS. The bus is the one
 * thing the host half talks to besides the stream: it exports proxy items there. */
#include "tray-plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "companion-plan.h"
#include "macro.h"
#include "strv.h"

int tray_plan_argv(const TrayContext *ctx, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        _cleanup_(freep) char *address = NULL, *socket = NULL;
        int r;

        if (!l || asprintf(&socket, "%s/" TRAY_SERVICE_SOCKET, ctx->dir) < 0)
                return -ENOMEM;
        r = companion_bus_address(ctx->bus, &address);
        if (r >= 0)
                r = companion_sandbox_args(ctx->dir, &l);
        if (r >= 0)
                r = companion_bind_binary(ctx->binary, &l);
        if (r < 0)
                return r;
        r = strv_extend_strv(&l,
                        (char *const[]){ "--ro-bind", (char *) ctx->bus, (char *) ctx->bus,
                                        "--setenv", "DBUS_SESSION_BUS_ADDRESS", address, "--",
                                        (char *) ctx->binary, "host", "--vm", (char *) ctx->vm_name,
                                        "--color", (char *) ctx->color, "--listen", socket,
                                        "--log-level", (char *) ctx->log_level, NULL });
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

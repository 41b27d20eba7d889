/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sound-plan.c: how a VM's sound bus and player run (see sound-plan.h). The bus runs in the
 * companions' bubblewrap (companion-plan.c); the player in the VMM's sandbox (sandbox.h), because
 * QEMU must see it in its PID namespace (docs/sound.md). Neither has a network; the player alone
 * gets the user's Pulse directory. */
#include "sound-plan.h"

#include <errno.h>
#include <stdio.h>

#include "companion-plan.h"
#include "macro.h"
#include "plan.h"
#include "strv.h"

/* A custom bus that only the user reaches (EXTERNAL: the socket's peer credentials), anyone on
 * it may own any name and call anyone: it joins exactly one QEMU and one vmsilo-sound. The
 * listen line is dbus-daemon's required default; --address replaces it. */
const char sound_plan_bus_config[] =
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
                "1.0//EN\"\n"
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                "<busconfig>\n"
                "  <type>custom</type>\n"
                "  <listen>unix:tmpdir=/nonexistent</listen>\n"
                "  <auth>EXTERNAL</auth>\n"
                "  <policy context=\"default\">\n"
                "    <allow user=\"*\"/>\n"
                "    <allow own=\"*\"/>\n"
                "    <allow send_destination=\"*\"/>\n"
                "    <allow receive_sender=\"*\"/>\n"
                "  </policy>\n"
                "</busconfig>\n";

static int bus_address(const SoundContext *ctx, char **ret) {
        _cleanup_(freep) char *path = NULL;

        if (asprintf(&path, "%s/" SOUND_BUS_SOCKET, ctx->dir) < 0)
                return -ENOMEM;
        return companion_bus_address(path, ret);
}

int sound_plan_bus_argv(const SoundContext *ctx, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        _cleanup_(freep) char *address = NULL;
        int r;

        if (!l)
                return -ENOMEM;
        r = bus_address(ctx, &address);
        if (r >= 0)
                r = companion_sandbox_args(ctx->dir, &l);
        /* dbus-daemon wants its user in the password database (world-readable files) and a
         * machine id. */
        if (r >= 0)
                r = companion_extend(
                                &l, (const char *const[]){ "--ro-bind", ctx->bus_config,
                                                    ctx->bus_config, "--ro-bind", "/etc/passwd",
                                                    "/etc/passwd", "--ro-bind", "/etc/group",
                                                    "/etc/group", "--ro-bind-try",
                                                    "/etc/machine-id", "/etc/machine-id", "--",
                                                    SOUND_DBUS_DAEMON_BINARY, "--nofork",
                                                    "--nopidfile", "--nosyslog", "--config-file",
                                                    ctx->bus_config, "--address", address, NULL });
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

int sound_plan_player(const SoundContext *ctx, LaunchPlan **ret) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        _cleanup_(freep) char *address = NULL, *socket = NULL, *server = NULL;
        int r;

        if (asprintf(&socket, "%s/" SOUND_BUS_SOCKET, ctx->dir) < 0 ||
                        asprintf(&server, "unix:%s/native", ctx->pulse_dir) < 0)
                return -ENOMEM;
        r = bus_address(ctx, &address);
        if (r >= 0)
                r = plan_new(&p);
        if (r >= 0)
                r = plan_append_strv(p, (char *const[]){ (char *) ctx->sound_binary, "--bus",
                                                        address, "--name", (char *) ctx->vm_name,
                                                        "--server", server, NULL });
        if (r >= 0 && ctx->capture)
                r = plan_append(p, "--capture");
        /* Connecting to a socket needs write access to it; the Pulse directory, not its socket:
         * a server that starts after the VM is found by the player's retries (if the directory
         * existed when the VM started; docs/sound.md). */
        if (r >= 0)
                r = plan_add_path(p, socket, /* writable= */ true);
        if (r >= 0)
                r = plan_add_path(p, ctx->pulse_dir, /* writable= */ false);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

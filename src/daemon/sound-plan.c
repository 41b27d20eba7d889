/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sound-plan.c: command lines of a VM's sound bus and player (see sound-plan.h). Both run in the
 * companions' sandbox (companion-plan.c): no network, nothing of the host but /usr and the VM's
 * companion directory; the player alone also gets the user's Pulse directory. */
#include "sound-plan.h"

#include <errno.h>
#include <stdio.h>

#include "companion-plan.h"
#include "macro.h"
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
        return asprintf(ret, "unix:path=%s/" SOUND_BUS_SOCKET, ctx->dir) < 0 ? -ENOMEM : 0;
}

int sound_plan_bus_argv(const SoundContext *ctx, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        _cleanup_(freep) char *address = NULL;
        int r;

        if (!l || bus_address(ctx, &address) < 0)
                return -ENOMEM;
        r = companion_plan_sandbox(ctx->dir, &l);
        if (r < 0)
                return r;
        /* dbus-daemon wants its user in the password database (world-readable files) and a
         * machine id. */
        r = companion_plan_extend(&l,
                        (const char *const[]){ "--ro-bind", ctx->bus_config, ctx->bus_config,
                                        "--ro-bind", "/etc/passwd", "/etc/passwd", "--ro-bind",
                                        "/etc/group", "/etc/group",
                                        "--ro-bind-try", "/etc/machine-id", "/etc/machine-id",
                                        "--", SOUND_DBUS_DAEMON_BINARY, "--nofork", "--nopidfile",
                                        "--nosyslog", "--config-file", ctx->bus_config,
                                        "--address", address, NULL });
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

int sound_plan_player_argv(const SoundContext *ctx, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        _cleanup_(freep) char *address = NULL;
        int r;

        if (!l || bus_address(ctx, &address) < 0)
                return -ENOMEM;
        r = companion_plan_sandbox(ctx->dir, &l);
        if (r >= 0)
                r = companion_plan_bind_binary(&l, ctx->sound_binary);
        /* -try: a server that starts later is found by the player's retries only if its
         * directory existed when the VM started (docs/sound.md). */
        if (r >= 0)
                r = companion_plan_extend(&l,
                                (const char *const[]){ "--ro-bind-try", ctx->pulse_dir,
                                                SOUND_PULSE_DIR_INSIDE, "--setenv", "PULSE_SERVER",
                                                "unix:" SOUND_PULSE_DIR_INSIDE "/native",
                                                "--setenv", "HOME", "/tmp", "--",
                                                ctx->sound_binary, "--bus", address, "--name",
                                                ctx->vm_name, NULL });
        if (r >= 0 && ctx->capture)
                r = strv_extend(&l, "--capture");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

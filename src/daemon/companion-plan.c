/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* companion-plan.c: bubblewrap command lines for the Wayland companions, and the compositor
 * choice. Each companion runs as the configured user (vmsilod drops to it before exec) in a
 * sandbox with no network, no IPC or PID sharing, no capabilities, an empty environment, /usr
 * read-only and nothing else of the host but the sockets it serves or reaches: the VM's
 * companion directory and, for the fence alone, the compositor's socket. */
#include "companion-plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

static const char *const companion_kind_names[_COMPANION_KIND_MAX] = {
        [COMPANION_FENCE] = "fence",
        [COMPANION_WAYPIPE] = "waypipe",
};

const char *companion_kind_to_string(CompanionKind k) {
        return k >= 0 && k < _COMPANION_KIND_MAX ? companion_kind_names[k] : NULL;
}

const char *companion_socket_name(CompanionKind k) {
        return k == COMPANION_FENCE ? WAYLAND_FENCE_SOCKET : WAYLAND_SERVICE_SOCKET;
}

static bool path_under_usr(const char *path) {
        return strncmp(path, "/usr/", 5) == 0;
}

static int extend_many(char ***l, const char *const *args) {
        for (; *args; args++) {
                int r = strv_extend(l, *args);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int sandbox_args(const CompanionContext *ctx, char ***l) {
        static const char *const base[] = {
                COMPANION_BWRAP_BINARY,
                "--unshare-all",
                "--die-with-parent",
                "--new-session",
                "--cap-drop",
                "ALL",
                "--clearenv",
                "--ro-bind",
                "/usr",
                "/usr",
                "--symlink",
                "usr/bin",
                "/bin",
                "--symlink",
                "usr/sbin",
                "/sbin",
                "--symlink",
                "usr/lib",
                "/lib",
                "--symlink",
                "usr/lib64",
                "/lib64",
                /* ASan reads /proc/self/maps; this /proc is the sandbox's own PID namespace. */
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--tmpfs",
                "/tmp",
                NULL,
        };
        int r;

        r = extend_many(l, base);
        if (r < 0)
                return r;
        return extend_many(l, (const char *const[]){ "--bind", ctx->dir, ctx->dir, "--setenv",
                                              "XDG_RUNTIME_DIR", ctx->dir, NULL });
}

int companion_plan_argv(CompanionKind k, const CompanionContext *ctx, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        _cleanup_(freep) char *fence_socket = NULL, *waypipe_socket = NULL, *frame_width = NULL;
        int r;

        if (!l)
                return -ENOMEM;
        if (asprintf(&fence_socket, "%s/%s", ctx->dir, WAYLAND_FENCE_SOCKET) < 0 ||
                        asprintf(&waypipe_socket, "%s/%s", ctx->dir, WAYLAND_SERVICE_SOCKET) < 0 ||
                        asprintf(&frame_width, "%u", ctx->frame_width) < 0)
                return -ENOMEM;
        r = sandbox_args(ctx, &l);
        if (r < 0)
                return r;

        switch (k) {
        case COMPANION_FENCE:
                /* A build-tree binary (tests) is outside /usr: it alone is added, read-only. */
                if (!path_under_usr(ctx->fence_binary)) {
                        r = extend_many(&l, (const char *const[]){ "--ro-bind", ctx->fence_binary,
                                                            ctx->fence_binary, NULL });
                        if (r < 0)
                                return r;
                }
                r = extend_many(&l,
                                (const char *const[]){ "--ro-bind", ctx->compositor,
                                                ctx->compositor, "--", ctx->fence_binary, "--vm",
                                                ctx->vm_name, "--listen", fence_socket,
                                                "--upstream", ctx->compositor, "--color",
                                                ctx->color, "--frame-width", frame_width, NULL });
                break;
        case COMPANION_WAYPIPE:
                r = extend_many(&l,
                                (const char *const[]){ "--setenv", "WAYLAND_DISPLAY", fence_socket,
                                                "--", COMPANION_WAYPIPE_BINARY, "--no-gpu",
                                                "--socket", waypipe_socket, "client", NULL });
                break;
        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

bool companion_is_display_name(const char *name) {
        const char *p;

        if (strncmp(name, "wayland-", 8) != 0)
                return false;
        p = name + 8;
        if (!*p)
                return false;
        for (; *p; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

CompositorPick companion_pick_compositor(char *const *names, size_t n, size_t *ret_index) {
        size_t found = n;

        for (size_t i = 0; i < n; i++) {
                if (!companion_is_display_name(names[i]))
                        continue;
                if (found < n)
                        return COMPOSITOR_MANY;
                found = i;
        }
        if (found == n)
                return COMPOSITOR_NONE;
        *ret_index = found;
        return COMPOSITOR_FOUND;
}

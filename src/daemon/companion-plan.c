/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* companion-plan.c: bubblewrap command lines for the Wayland companions, and the compositor
 * choice. Each companion runs as the configured user (vmsilod drops to it before exec) in a
 * sandbox with no network, no IPC or PID sharing, no capabilities, an empty environment, /usr
 * read-only and nothing else of the host but the sockets it serves or reaches: the VM's
 * companion directory and, for the fence alone, the compositor's socket, vmsilo-clipboard's
 * directory and (read-only) the host entries directory, whose names make app_ids.
 * vmsilo-clipboard itself runs in the same sandbox with only its own directory, and the user's
 * session bus socket for its desktop notifications. */
#include "companion-plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

int companion_extend(char ***l, const char *const *args) {
        for (; *args; args++) {
                int r = strv_extend(l, *args);
                if (r < 0)
                        return r;
        }
        return 0;
}

int companion_sandbox_args(const char *dir, char ***l) {
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

        r = companion_extend(l, base);
        if (r < 0)
                return r;
        return companion_extend(l, (const char *const[]){ "--bind", dir, dir, "--setenv",
                                                   "XDG_RUNTIME_DIR", dir, NULL });
}

/* A binary outside /usr (a build tree, in tests) is bound read-only at its path, nothing else of
 * that tree. */
int companion_bind_binary(const char *binary, char ***l) {
        if (path_under_usr(binary))
                return 0;
        return companion_extend(l, (const char *const[]){ "--ro-bind", binary, binary, NULL });
}

/* The fence reaches vmsilo-clipboard's socket through its directory (read-only: connecting
 * needs no write), bound even before the socket exists, and is told where it is. */
static int clipboard_args(const CompanionContext *ctx, char ***l) {
        _cleanup_(freep) char *dir = NULL;
        const char *slash;

        if (!ctx->clipboard)
                return 0;
        slash = strrchr(ctx->clipboard, '/');
        if (!slash || slash == ctx->clipboard)
                return -EINVAL;
        dir = strndup(ctx->clipboard, (size_t) (slash - ctx->clipboard));
        if (!dir)
                return -ENOMEM;
        return companion_extend(l, (const char *const[]){ "--ro-bind", dir, dir, NULL });
}

/* A D-Bus unix:path= address for path: bytes outside its optionally-escaped set are %XX (D-Bus
 * specification, "Server Addresses"). */
int companion_bus_address(const char *path, char **ret) {
        static const char plain[] = "-_/.\\*";
        char *a = malloc(strlen("unix:path=") + 3 * strlen(path) + 1), *p;

        if (!a)
                return -ENOMEM;
        p = stpcpy(a, "unix:path=");
        for (const unsigned char *c = (const unsigned char *) path; *c; c++)
                if ((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
                                (*c >= 'A' && *c <= 'Z') || strchr(plain, *c))
                        *p++ = (char) *c;
                else
                        p += sprintf(p, "%%%02x", *c);
        *p = 0;
        *ret = a;
        return 0;
}

/* The user's session bus, <runtime>/bus beside dir (D-Bus's default $XDG_RUNTIME_DIR/bus), for
 * vmsilo-clipboard's notifications: the socket alone, read-only (connecting needs no write), if
 * it exists when the clipboard starts. */
static int session_bus_args(const char *dir, char ***l) {
        _cleanup_(freep) char *bus = NULL, *address = NULL;
        const char *slash = strrchr(dir, '/');
        int r;

        if (!slash || slash == dir)
                return -EINVAL;
        if (asprintf(&bus, "%.*s/bus", (int) (slash - dir), dir) < 0)
                return -ENOMEM;
        r = companion_bus_address(bus, &address);
        if (r < 0)
                return r;
        return companion_extend(l, (const char *const[]){ "--ro-bind-try", bus, bus, "--setenv",
                                                   "DBUS_SESSION_BUS_ADDRESS", address, NULL });
}

int companion_plan_clipboard_argv(const char *binary, const char *dir, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        _cleanup_(freep) char *socket = NULL;
        int r;

        if (!l)
                return -ENOMEM;
        if (asprintf(&socket, "%s/%s", dir, CLIPBOARD_SOCKET_NAME) < 0)
                return -ENOMEM;
        r = companion_sandbox_args(dir, &l);
        if (r >= 0)
                r = session_bus_args(dir, &l);
        if (r >= 0)
                r = companion_bind_binary(binary, &l);
        if (r >= 0)
                r = companion_extend(&l,
                                (const char *const[]){ "--", binary, "--socket", socket, NULL });
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

int companion_plan_argv(CompanionKind k, const CompanionContext *ctx, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        _cleanup_(freep) char *fence_socket = NULL, *waypipe_socket = NULL, *frame_width = NULL,
                              *control_socket = NULL;
        int r;

        if (!l)
                return -ENOMEM;
        if (asprintf(&fence_socket, "%s/%s", ctx->dir, WAYLAND_FENCE_SOCKET) < 0 ||
                        asprintf(&waypipe_socket, "%s/%s", ctx->dir, WAYLAND_SERVICE_SOCKET) < 0 ||
                        asprintf(&control_socket, "%s/%s", ctx->dir, WAYLAND_CONTROL_SOCKET) < 0 ||
                        asprintf(&frame_width, "%u", ctx->frame_width) < 0)
                return -ENOMEM;
        r = companion_sandbox_args(ctx->dir, &l);
        if (r < 0)
                return r;

        switch (k) {
        case COMPANION_FENCE:
                r = companion_bind_binary(ctx->fence_binary, &l);
                if (r >= 0)
                        r = clipboard_args(ctx, &l);
                if (r < 0)
                        return r;
                /* -try: before the first menu sync there may be no entries directory; the
                 * fence then gives every window the VM's app_id */
                r = companion_extend(&l,
                                (const char *const[]){ "--ro-bind", ctx->compositor,
                                                ctx->compositor, "--ro-bind-try", ctx->entries_dir,
                                                ctx->entries_dir, "--", ctx->fence_binary, "--vm",
                                                ctx->vm_name, "--listen", fence_socket,
                                                "--upstream", ctx->compositor, "--color",
                                                ctx->color, "--frame-width", frame_width,
                                                "--entries", ctx->entries_dir, NULL });
                if (r >= 0 && ctx->clipboard)
                        r = companion_extend(
                                        &l, (const char *const[]){ "--clipboard", ctx->clipboard,
                                                            "--control", control_socket, NULL });
                if (r >= 0 && ctx->copy_key)
                        r = companion_extend(&l,
                                        (const char *const[]){ "--copy-key", ctx->copy_key, NULL });
                if (r >= 0 && ctx->paste_key)
                        r = companion_extend(&l, (const char *const[]){ "--paste-key",
                                                                 ctx->paste_key, NULL });
                break;
        case COMPANION_WAYPIPE:
                r = companion_extend(&l,
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

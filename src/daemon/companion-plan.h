/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* companion-plan.h: the per-VM host companions of a VM with a GPU (docs/graphics.md): their
 * bubblewrap command lines, and which compositor socket they front. Pure: no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum CompanionKind {
        COMPANION_FENCE,   /* vmsilo-wayland: the only one that reaches the real compositor */
        COMPANION_WAYPIPE, /* waypipe client: serves the guest's waypipe server, draws on the fence
                            */
        _COMPANION_KIND_MAX,
} CompanionKind;

#include "wayland-layout.h"

#define COMPANION_BWRAP_BINARY "/usr/bin/bwrap"
#define COMPANION_WAYPIPE_BINARY "/usr/bin/waypipe"

/* A dying companion is started again at most this often; beyond it, it stays failed. */
#define COMPANION_RESTARTS_MAX 5
#define COMPANION_RESTART_WINDOW_USEC ((unsigned long long) 30 * 1000000)

typedef struct CompanionContext {
        const char *vm_name;
        const char *dir;          /* absolute: the VM's companion directory */
        const char *compositor;   /* absolute: the user's compositor socket */
        const char *fence_binary; /* absolute: vmsilo-wayland */
        const char *color;        /* the VM's color, as configured: the fence's frame */
        unsigned frame_width;     /* the VM's frameWidth */
        const char *entries_dir;  /* absolute: the host entries vmsilod installs (desktop.c) */
        const char *clipboard;    /* absolute: vmsilo-clipboard's socket, NULL: none */
        const char *copy_key;     /* clipboardCopyKey, NULL: the fence's default */
        const char *paste_key;    /* clipboardPasteKey, NULL: the fence's default */
} CompanionContext;

const char *companion_kind_to_string(CompanionKind k);

/* The socket companion k listens on, in the companion directory. */
const char *companion_socket_name(CompanionKind k);

/* Appends args (NULL-terminated) to *l. */
int companion_extend(char ***l, const char *const *args);
/* Appends the sandbox every companion shares (bwrap first, up to its options): nothing of the
 * host but /usr read-only and dir (the VM's companion directory, also XDG_RUNTIME_DIR). */
int companion_sandbox_args(const char *dir, char ***l);
/* Binds binary read-only at its path when it is outside /usr (a build tree, in tests). */
int companion_bind_binary(const char *binary, char ***l);
/* "unix:path=" and path, escaped as the D-Bus specification's "Server Addresses" asks. */
int companion_bus_address(const char *path, char **ret);

/* The full argv (bwrap first) that runs companion k of ctx in its sandbox. */
int companion_plan_argv(CompanionKind k, const CompanionContext *ctx, char ***ret);

/* The user's vmsilo-clipboard (binary, absolute) in the same sandbox, with dir (absolute: the
 * user's <runtime>/vmsilo) its only writable place and its socket dir/CLIPBOARD_SOCKET_NAME, and
 * the user's session bus <runtime>/bus (if there is one) for its notifications. */
#define CLIPBOARD_SOCKET_NAME "clipboard.sock"
int companion_plan_clipboard_argv(const char *binary, const char *dir, char ***ret);

/* Whether name is a display socket name a client would try: "wayland-<digits>". */
bool companion_is_display_name(const char *name);

typedef enum CompositorPick {
        COMPOSITOR_FOUND,
        COMPOSITOR_NONE,
        COMPOSITOR_MANY,
} CompositorPick;

/* Of the live display sockets found in the user's runtime dir (names, n), the one to use:
 * exactly one live wayland-N. *ret_index is set when COMPOSITOR_FOUND. */
CompositorPick companion_pick_compositor(char *const *names, size_t n, size_t *ret_index);

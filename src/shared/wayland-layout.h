/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wayland-layout.h: where a VM's host companions keep their sockets in vmsilod's runtime dir
 * (docs/daemon-sockets.md). Shared by vmsilod (companion.c, the crosvm launch) and
 * `vmsilo config plan`. */
#pragma once

/* <runtime>/services/: root's, 0755. */
#define WAYLAND_SERVICES_DIR "services"
/* <runtime>/services/<name>/: created by root, owned by the configured user, mode 0700. */
/* vmsilo-wayland's socket: waypipe client (and crosvm's --wayland-sock) draw on it. */
#define WAYLAND_FENCE_SOCKET "fence.sock"
/* vmsilo-wayland's control socket: `vmsilo clipboard copy-from|paste-to` (the user's). */
#define WAYLAND_CONTROL_SOCKET "control.sock"
/* waypipe client's socket: the host service `wayland` the guest's streams are relayed to. */
#define WAYLAND_SERVICE_SOCKET "wayland.sock"
/* asprintf() format of the fence socket's path from the runtime dir and the VM name. */
#define WAYLAND_FENCE_SOCKET_FORMAT "%s/" WAYLAND_SERVICES_DIR "/%s/" WAYLAND_FENCE_SOCKET
#define WAYLAND_CONTROL_SOCKET_FORMAT "%s/" WAYLAND_SERVICES_DIR "/%s/" WAYLAND_CONTROL_SOCKET

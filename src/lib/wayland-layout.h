/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wayland-layout.h: where a VM's Wayland companions keep their sockets in vmsilod's runtime dir
 * (docs/daemon-sockets.md). Shared by vmsilod (companion.c, the crosvm launch) and
 * `vmsilo config plan`. */
#pragma once

/* <runtime>/<name>.wl: created by root, owned by the configured user, mode 0700. */
#define WAYLAND_DIR_SUFFIX ".wl"
/* vmsilo-wayland's socket: waypipe client (and crosvm's --wayland-sock) draw on it. */
#define WAYLAND_FENCE_SOCKET "fence.sock"
/* waypipe client's socket: vmsilod relays the guest's `wayland` streams to it. */
#define WAYLAND_SERVICE_SOCKET "waypipe.sock"
/* asprintf() format of the fence socket's path from the runtime dir and the VM name. */
#define WAYLAND_FENCE_SOCKET_FORMAT "%s/%s" WAYLAND_DIR_SUFFIX "/" WAYLAND_FENCE_SOCKET

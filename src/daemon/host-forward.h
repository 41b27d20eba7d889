/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-forward.h: guest-opened FORWARD streams (docs/protocol.md §3.2) relayed to a VM's host
 * service socket, <runtime dir>/services/<vm>/<service>.sock, where the service's companion
 * (e.g. `waypipe client` for "wayland"), running as the configured user, listens
 * (docs/daemon-sockets.md). The directory is that user's: vmsilod connects as root, so it
 * relays only to a socket whose listener is that user (SO_PEERCRED), never to one a symlink
 * there points at (another user's, root's).
 *
 * Flow control is the stream's own: we grant the guest HOST_FORWARD_WINDOW_BYTES and return
 * credit only for bytes the service socket took, and read the service only while the guest's
 * window is open and the agent channel is not congested. A companion that stops reading, or a
 * guest that stops reading, stalls only that stream; what we buffer per stream is bounded by the
 * window we granted.
 *
 * Ownership: each HostForward is on its Vm's list (Vm::host_forwards) and is the mux userdata
 * of its stream; the mux's on_close (also on channel reset) frees it. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "protocol.h"
#include "stream-pipe.h"
#include "vm.h"

/* What we grant the guest per stream for data towards the service. */
#define HOST_FORWARD_WINDOW_BYTES (256U * 1024U)

/* The guest opened stream id: checks the service against the VM's config and the per-VM cap
 * (host-services.h), connects to the service socket and ACCEPTs, or REJECTs with the reason. */
void host_forward_on_open(Vm *vm, uint32_t id, const FrameOpen *req);
void host_forward_on_data(HostForward *f, const uint8_t *data, size_t len);
void host_forward_on_eof(HostForward *f);
/* The guest granted credit, or the channel drained: reading may resume. */
void host_forward_on_writable(HostForward *f);
/* The stream ended (peer CLOSE/REJECT, protocol error, channel reset): frees f. */
void host_forward_on_close(HostForward *f);

/* The service socket path for vm and service; NULL on OOM. */
char *host_forward_socket_path(const Vm *vm, const char *service);
/* Makes <runtime>/services/ (root's, 0755) and <runtime>/services/<vm>/ (the configured user's,
 * 0700) for the VM's companions to bind their sockets in. */
int host_forward_prepare_dir(const Vm *vm);

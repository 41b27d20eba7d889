/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* backend-crosvm.h: what differs when the VMM is crosvm: its files live in a per-VM directory
 * the VM user owns (crosvm creates its control socket itself), the agent is reached over vsock
 * (CID per VM) instead of an inherited virtio-serial socket, and a stop is `crosvm stop`, crosvm's
 * documented control command (its socket protocol is internal to crosvm). */
#pragma once

#include <sys/types.h>

/* "<runtime_dir>/<name>.vmm": created 0700 and owned by uid/gid if missing. */
int crosvm_prepare_dir(
                const char *runtime_dir, const char *name, uid_t uid, gid_t gid, char **ret_dir);
/* The agent link's host end binds a vsock port in this range: Linux lets only a process with
 * CAP_NET_BIND_SERVICE bind a port up to 1023, so the agent knows the link comes from root on
 * the host (docs/protocol.md, "Who may connect"). One port per live link, so at most 512 crosvm
 * VMs at once. */
#define CROSVM_AGENT_SOURCE_PORT_MAX 1023u
#define CROSVM_AGENT_SOURCE_PORT_MIN 512u

/* Binds the AF_VSOCK socket fd to the highest free port in that range: the port, or -errno
 * (-EADDRINUSE when every one is taken, -EACCES without CAP_NET_BIND_SERVICE). */
int crosvm_bind_privileged_port(int fd);
/* One non-blocking connect attempt to the agent: 0 with a connected fd, -errno otherwise
 * (-ECONNREFUSED/-ECONNRESET/-ENODEV while the guest boots: try again). */
int crosvm_connect_agent(unsigned cid, unsigned port, int *ret_fd);
/* Runs `<crosvm> stop <dir>/<name>-crosvm.socket` (crosvm: an absolute path) in the background
 * with a clean environment; returns its pid. */
int crosvm_request_stop(const char *crosvm, const char *dir, const char *name, pid_t *ret_pid);

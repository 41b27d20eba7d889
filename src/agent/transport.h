/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* transport.h: how the agent reaches the host: a named virtio-console port, vsock, an inherited
 * fd, or stdin/stdout. The protocol above does not care which. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>

#define TRANSPORT_VIRTIO_PORT_NAME "org.vmsilo.agent"
#define TRANSPORT_SYSFS_VIRTIO_PORTS "/sys/class/virtio-ports"

typedef enum TransportKind {
        TRANSPORT_VIRTIO,
        TRANSPORT_VSOCK,
        TRANSPORT_FD,
        TRANSPORT_STDIO,
        _TRANSPORT_KIND_MAX,
        _TRANSPORT_KIND_INVALID = -EINVAL,
} TransportKind;

const char *transport_kind_to_string(TransportKind k);

#define TRANSPORT_DEV_DIR "/dev"

/* Finds the port whose <sysfs_dir>/<vportNpM>/name is name and returns "<dev_dir>/vportNpM"
 * (the device name is the sysfs directory name: busybox mdev makes no /dev/virtio-ports/
 * links). -ENOENT if there is none. */
int transport_virtio_find(
                const char *sysfs_dir, const char *dev_dir, const char *name, char **ret_dev);
/* Opens that device non-blocking (a terminal, as tests use in place of a port, is made raw).
 * -ENOTCONN while the host end is not connected (the port reports POLLHUP), so the caller
 * retries later instead of spinning on HUP. */
int transport_virtio_open(
                const char *sysfs_dir, const char *dev_dir, const char *name, int *ret_fd);
/* Listening AF_VSOCK socket on port, any CID. */
int transport_vsock_listen(unsigned port, int *ret_fd);
/* Linux lets only CAP_NET_BIND_SERVICE bind a vsock port up to this (af_vsock.c,
 * LAST_RESERVED_PORT); vmsilod binds one before it connects. */
#define TRANSPORT_VSOCK_HOST_PORT_MAX 1023u
/* Pure: whether a connection from peer (as accept() filled it, len bytes) may drive the agent:
 * AF_VSOCK from VMADDR_CID_HOST and a privileged port, so root on the host (docs/protocol.md,
 * "Who may connect"). Anything else is false, other address families included. */
bool transport_vsock_peer_is_host(const struct sockaddr_storage *peer, socklen_t len);
/* Accepts one connection on listen_fd. Returns 0 with the non-blocking fd if its peer passes
 * transport_vsock_peer_is_host(); otherwise closes it at once and returns -EPERM with the peer's
 * address in reterr_peer, for the log. Other failures of accept4(): -errno. */
int transport_vsock_accept(int listen_fd, int *ret_fd, struct sockaddr_storage *reterr_peer);

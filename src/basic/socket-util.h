/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* socket-util.h: unix socket helpers shared by the daemon and the client. */
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

/* Binds and listens on a SOCK_STREAM unix socket at path (replacing a stale socket file), then
 * chmods it to mode. Returns a non-blocking, close-on-exec fd or -errno (-ENAMETOOLONG when path
 * does not fit sun_path). */
int socket_listen_unix(const char *path, mode_t mode, int *ret);
/* Connects a blocking, close-on-exec SOCK_STREAM socket to path. */
int socket_connect_unix(const char *path, int *ret);
/* Connects a non-blocking, close-on-exec SOCK_STREAM socket to the socket called name in dirfd,
 * for root in a directory another user controls: name is opened O_PATH|O_NOFOLLOW (a link is
 * -ELOOP), must be a socket (-ENOTSOCK) owned by owner (-EPERM), and is connected through
 * /proc/self/fd, never by path, so no link the user plants is followed. A full backlog is
 * -EAGAIN. ret_ino (may be NULL) gets the socket's inode once it passed those checks. */
int socket_connect_unix_at(int dirfd, const char *name, uid_t owner, int *ret_fd, ino_t *ret_ino);
/* The same, non-blocking: a unix connect completes at once or fails (-EAGAIN: backlog full). */
int socket_connect_unix_nonblocking(const char *path, int *ret);
/* The credentials of the process at the other end (SO_PEERCRED; pid 0 if it is in a PID
 * namespace we cannot see into). */
int socket_peer_cred(int fd, struct ucred *ret);
/* Binds the AF_VSOCK socket fd to the highest free port from max down to min: the port, or
 * -errno (-EADDRINUSE when every one is taken). Below 1024 only a process with
 * CAP_NET_BIND_SERVICE may bind (-EACCES otherwise), which is what makes such a port proof of
 * root on the host to a guest. */
int socket_bind_vsock_port(int fd, unsigned max, unsigned min);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* socket-util.c: unix socket helpers. */
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "macro.h"
#include "socket-util.h"

static int sockaddr_un_set(struct sockaddr_un *sa, const char *path) {
        size_t len = strlen(path);

        if (len == 0 || len >= sizeof(sa->sun_path))
                return -ENAMETOOLONG;
        *sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
        memcpy(sa->sun_path, path, len + 1);
        return 0;
}

/* A unix stream socket (with flags) and the address of path, or -errno. */
static int unix_socket(const char *path, int flags, struct sockaddr_un *ret_sa) {
        int r, fd;

        r = sockaddr_un_set(ret_sa, path);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
        return fd < 0 ? -errno : fd;
}

int socket_listen_unix(const char *path, mode_t mode, int *ret) {
        _cleanup_(closep) int fd = -EBADF;
        struct sockaddr_un sa;

        fd = unix_socket(path, SOCK_NONBLOCK, &sa);
        if (fd < 0)
                return fd;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        if (chmod(path, mode) < 0)
                return -errno;
        if (listen(fd, SOMAXCONN) < 0)
                return -errno;

        *ret = TAKE_FD(fd);
        return 0;
}

static int connect_unix(const char *path, int flags, int *ret) {
        _cleanup_(closep) int fd = -EBADF;
        struct sockaddr_un sa;

        fd = unix_socket(path, flags, &sa);
        if (fd < 0)
                return fd;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;

        *ret = TAKE_FD(fd);
        return 0;
}

int socket_connect_unix(const char *path, int *ret) {
        return connect_unix(path, 0, ret);
}

int socket_connect_unix_nonblocking(const char *path, int *ret) {
        return connect_unix(path, SOCK_NONBLOCK, ret);
}

int socket_peer_cred(int fd, struct ucred *ret) {
        struct ucred cred;
        socklen_t len = sizeof(cred);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        if (len != sizeof(cred))
                return -EIO;
        *ret = cred;
        return 0;
}

int socket_connect_unix_at(int dirfd, const char *name, uid_t owner, int *ret_fd, ino_t *ret_ino) {
        _cleanup_(closep) int path_fd = -EBADF;
        char proc_path[sizeof("/proc/self/fd/") + 12]; /* an int's digits and sign */
        struct stat st;

        path_fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (path_fd < 0)
                return -errno;
        if (fstat(path_fd, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode))
                return -ELOOP;
        if (!S_ISSOCK(st.st_mode))
                return -ENOTSOCK;
        if (st.st_uid != owner)
                return -EPERM;
        if (ret_ino)
                *ret_ino = st.st_ino;
        (void) snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", path_fd);
        return connect_unix(proc_path, SOCK_NONBLOCK, ret_fd);
}

int socket_bind_vsock_port(int fd, unsigned max, unsigned min) {
        for (unsigned port = max; port >= min; port--) {
                struct sockaddr_vm sa = {
                        .svm_family = AF_VSOCK,
                        .svm_cid = VMADDR_CID_ANY,
                        .svm_port = port,
                };

                if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0)
                        return (int) port;
                /* Another link holds this one. */
                if (errno != EADDRINUSE)
                        return -errno;
        }
        return -EADDRINUSE;
}

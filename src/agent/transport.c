/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* transport.c: opening the agent's end of the host channel. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"
#include "transport.h"

static const char *const transport_kind_table[_TRANSPORT_KIND_MAX] = {
        [TRANSPORT_VIRTIO] = "virtio",
        [TRANSPORT_VSOCK] = "vsock",
        [TRANSPORT_FD] = "fd",
        [TRANSPORT_STDIO] = "stdio",
};

const char *transport_kind_to_string(TransportKind k) {
        if (k < 0 || k >= _TRANSPORT_KIND_MAX)
                return NULL;
        return transport_kind_table[k];
}

static bool port_has_name(const char *sysfs_dir, const char *port, const char *name) {
        char path[4096], buf[256];
        ssize_t n;
        int fd;

        if ((size_t) snprintf(path, sizeof(path), "%s/%s/name", sysfs_dir, port) >= sizeof(path))
                return false;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        n = read(fd, buf, sizeof(buf) - 1);
        (void) close(fd);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return streq(buf, name);
}

int transport_virtio_find(
                const char *sysfs_dir, const char *dev_dir, const char *name, char **ret_dev) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        d = opendir(sysfs_dir);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                char *dev;

                if (de->d_name[0] == '.' || !port_has_name(sysfs_dir, de->d_name, name))
                        continue;
                if (asprintf(&dev, "%s/%s", dev_dir, de->d_name) < 0)
                        return -ENOMEM;
                *ret_dev = dev;
                return 0;
        }
        return -ENOENT;
}

int transport_virtio_open(
                const char *sysfs_dir, const char *dev_dir, const char *name, int *ret_fd) {
        _cleanup_(freep) char *dev = NULL;
        _cleanup_(closep) int fd = -EBADF;
        struct pollfd p;
        int r;

        r = transport_virtio_find(sysfs_dir, dev_dir, name, &dev);
        if (r < 0)
                return r;
        fd = open(dev, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        /* virtio_console reports POLLHUP for as long as no host process has the port open. */
        p = (struct pollfd){ .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 0) < 0)
                return -errno;
        if (p.revents & POLLHUP)
                return -ENOTCONN;
        if (isatty(fd)) {
                struct termios t;
                if (tcgetattr(fd, &t) < 0)
                        return -errno;
                cfmakeraw(&t);
                if (tcsetattr(fd, TCSANOW, &t) < 0)
                        return -errno;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int transport_vsock_listen(unsigned port, int *ret_fd) {
        _cleanup_(closep) int fd = -EBADF;
        struct sockaddr_vm sa = {
                .svm_family = AF_VSOCK,
                .svm_port = port,
                .svm_cid = VMADDR_CID_ANY,
        };

        fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        if (listen(fd, 1) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

bool transport_vsock_peer_is_host(const struct sockaddr_storage *peer, socklen_t len) {
        const struct sockaddr_vm *untrusted_vm = (const struct sockaddr_vm *) peer;
        bool host;

        /* sanitize start: the kernel fills the address, but only vsock carries the proof */
        if (len < (socklen_t) sizeof(struct sockaddr_vm) || peer->ss_family != AF_VSOCK)
                return false;
        host = untrusted_vm->svm_cid == VMADDR_CID_HOST;
        host = host && untrusted_vm->svm_port <= TRANSPORT_VSOCK_HOST_PORT_MAX;
        /* sanitize end */
        return host;
}

int transport_vsock_accept(int listen_fd, int *ret_fd, struct sockaddr_storage *reterr_peer) {
        struct sockaddr_storage peer = {};
        socklen_t len = sizeof(peer);
        _cleanup_(closep) int fd = -EBADF;

        fd = accept4(listen_fd, (struct sockaddr *) &peer, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (!transport_vsock_peer_is_host(&peer, len)) {
                *reterr_peer = peer;
                return -EPERM; /* closes fd: the peer learns nothing but EOF */
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

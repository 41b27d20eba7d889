/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* backend-crosvm.c: crosvm's per-VM directory, vsock agent link and stop command. */
#include <linux/vm_sockets.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "backend-crosvm.h"
#include "macro.h"


int crosvm_prepare_dir(
                const char *runtime_dir, const char *name, uid_t uid, gid_t gid, char **ret_dir) {
        _cleanup_(freep) char *dir = NULL;

        if (asprintf(&dir, "%s/%s.vmm", runtime_dir, name) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (chown(dir, uid, gid) < 0)
                return -errno;
        *ret_dir = TAKE_PTR(dir);
        return 0;
}

int crosvm_bind_privileged_port(int fd) {
        for (unsigned port = CROSVM_AGENT_SOURCE_PORT_MAX; port >= CROSVM_AGENT_SOURCE_PORT_MIN;
                        port--) {
                struct sockaddr_vm sa = {
                        .svm_family = AF_VSOCK,
                        .svm_cid = VMADDR_CID_ANY,
                        .svm_port = port,
                };

                if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0)
                        return (int) port;
                /* Another VM's agent link holds this one. */
                if (errno != EADDRINUSE)
                        return -errno;
        }
        return -EADDRINUSE;
}

int crosvm_connect_agent(unsigned cid, unsigned port, int *ret_fd) {
        struct sockaddr_vm sa = {
                .svm_family = AF_VSOCK,
                .svm_cid = cid,
                .svm_port = port,
        };
        _cleanup_(closep) int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int r;

        if (fd < 0)
                return -errno;
        /* The agent serves only a privileged source port: proof that we are root on the host. */
        r = crosvm_bind_privileged_port(fd);
        if (r < 0)
                return r;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int crosvm_request_stop(const char *crosvm, const char *dir, const char *name, pid_t *ret_pid) {
        _cleanup_(freep) char *socket_path = NULL;
        static char *const clean_env[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        char *argv[] = { (char *) crosvm, (char *) "stop", NULL, NULL };
        int r;

        if (asprintf(&socket_path, "%s/%s-crosvm.socket", dir, name) < 0)
                return -ENOMEM;
        argv[2] = socket_path;
        r = posix_spawn(ret_pid, argv[0], NULL, NULL, argv, clean_env);
        return r == 0 ? 0 : -r;
}

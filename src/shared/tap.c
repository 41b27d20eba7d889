/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tap.c: attaching to a TAP interface by name (vmsilod and `vm-start-debug`). */
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "log.h"
#include "macro.h"
#include "tap.h"

int tap_open(const char *name, int *ret_fd) {
        _cleanup_(closep) int fd = -EBADF;
        struct ifreq ifr = {};

        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
        memcpy(ifr.ifr_name, name, strlen(name));
        if (ioctl(fd, TUNSETIFF, &ifr) < 0)
                return errno == EINVAL ? -EEXIST : -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

void tap_close_all(int *fds, size_t n) {
        for (size_t i = 0; fds && i < n; i++)
                safe_close(fds[i]);
        free(fds);
}

int tap_open_vm(const VmConfig *vm, int **ret_fds, size_t *ret_n) {
        int *fds = NULL;
        int r;

        if (vm->n_interfaces > 0) {
                fds = malloc(vm->n_interfaces * sizeof(int));
                if (!fds)
                        return log_oom();
        }
        for (size_t i = 0; i < vm->n_interfaces; i++)
                fds[i] = -EBADF;
        for (size_t i = 0; i < vm->n_interfaces; i++) {
                const NetInterface *ifc = &vm->interfaces[i];
                r = tap_open(ifc->tap_name, &fds[ifc->index]);
                if (r < 0) {
                        tap_close_all(fds, vm->n_interfaces);
                        return log_error_errno(r, "Failed to open TAP '%s' for VM '%s': %m",
                                        ifc->tap_name, vm->name);
                }
        }
        *ret_fds = fds;
        *ret_n = vm->n_interfaces;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>

#include "fd-util.h"

int fd_set_nonblock(int fd) {
        int flags = fcntl(fd, F_GETFL);

        if (flags < 0)
                return -errno;
        if (flags & O_NONBLOCK)
                return 0;
        return fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? -errno : 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio.c: whole-file reads with a size cap. */
#include <fcntl.h>

#include "fileio.h"
#include "macro.h"

int read_full_file(const char *path, size_t max_bytes, char **ret, size_t *ret_size) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0, allocated = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        for (;;) {
                ssize_t n;

                if (allocated - size < 2) {
                        size_t grow = allocated ? allocated * 2 : 4096;
                        char *p;

                        if (allocated > max_bytes + 1)
                                return -EFBIG;
                        p = realloc(buf, grow);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = grow;
                }
                n = read(fd, buf + size, allocated - size - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size > max_bytes)
                        return -EFBIG;
        }

        buf[size] = '\0';
        if (ret_size)
                *ret_size = size;
        *ret = TAKE_PTR(buf);
        return 0;
}

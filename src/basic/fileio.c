/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio.c: whole-file reads with a size cap, and whole writes. */
#include <fcntl.h>
#include <stdint.h>

#include "fileio.h"
#include "macro.h"

ssize_t read_retry(int fd, void *buf, size_t size) {
        for (;;) {
                ssize_t n = read(fd, buf, size);

                if (n >= 0)
                        return n;
                if (errno != EINTR)
                        return -errno;
        }
}

int read_full_fd(int fd, size_t max_bytes, char **ret, size_t *ret_size) {
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0, allocated = 0;

        for (;;) {
                ssize_t n;

                if (allocated - size < 2) {
                        size_t grow = allocated ? allocated * 2 : 4096;
                        char *p;

                        /* Room for max_bytes, the NUL and one byte to see that there is more. */
                        if (max_bytes < SIZE_MAX - 2)
                                grow = MIN(grow, max_bytes + 2);

                        if (allocated > max_bytes + 1)
                                return -EFBIG;
                        p = realloc(buf, grow);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = grow;
                }
                n = read_retry(fd, buf + size, allocated - size - 1);
                if (n < 0)
                        return (int) n;
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

int read_full_file(const char *path, size_t max_bytes, char **ret, size_t *ret_size) {
        _cleanup_(closep) int fd = -EBADF;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max_bytes, ret, ret_size);
}

int write_full_fd(int fd, const void *data, size_t size) {
        const uint8_t *p = data;

        while (size > 0) {
                ssize_t n = write(fd, p, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

int write_new_file_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode) {
        _cleanup_(closep) int fd = -EBADF;
        int r;

        fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
                        mode);
        if (fd < 0)
                return -errno;
        r = write_full_fd(fd, data, size);
        if (r < 0)
                return r;
        return fsync(fd) < 0 ? -errno : 0;
}

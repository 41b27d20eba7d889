/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* safe-open.c: see safe-open.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "safe-open.h"

int safe_openat2(int dir_fd, const char *path, int flags, uint64_t resolve) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = resolve,
        };
        long fd;

        fd = syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
        return fd < 0 ? -errno : (int) fd;
}

int safe_open_dir(const char *path) {
        if (!path || path[0] != '/')
                return -EINVAL;
        return safe_openat2(AT_FDCWD, path, O_RDONLY | O_DIRECTORY,
                        RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

int safe_check_dir_owner(int fd, uid_t uid, uid_t *ret_owner) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        *ret_owner = st.st_uid;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (st.st_uid != 0 && st.st_uid != uid)
                return -EPERM;
        /* Someone else who may write it could swap entries under us (a sticky dir, like /tmp,
         * keeps them to their own). */
        if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
                return -EPERM;
        return 0;
}

int safe_prepare_root_dir(const char *path, const char *what) {
        _cleanup_(closep) int fd = -EBADF;
        bool created;
        uid_t owner;
        int r;

        created = mkdir(path, 0755) >= 0;
        if (!created && errno != EEXIST)
                return log_error_errno(errno, "Cannot create the %s '%s': %m", what, path);
        fd = safe_open_dir(path);
        if (fd == -ELOOP)
                return log_error_errno(fd,
                                "The %s '%s' has a symbolic link in its path; configure the "
                                "real path.",
                                what, path);
        if (fd < 0)
                return log_error_errno(fd, "Cannot open the %s '%s': %m", what, path);
        /* What we just made gets its mode whatever the umask, and nothing else is changed. */
        if (created && fchmod(fd, 0755) < 0)
                return log_error_errno(errno, "Cannot set the mode of '%s': %m", path);
        r = safe_check_dir_owner(fd, 0, &owner);
        if (r == -EPERM)
                return log_error_errno(r,
                                "The %s '%s' belongs to uid %u or is writable by others; it "
                                "must be root's and not group- or world-writable.",
                                what, path, (unsigned) owner);
        if (r < 0)
                return log_error_errno(r, "Cannot check the %s '%s': %m", what, path);
        return 0;
}

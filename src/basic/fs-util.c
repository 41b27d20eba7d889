/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fs-util.c: directory creation, walking and removal. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "log.h"
#include "macro.h"

int mkdir_parents(char *path, mode_t mode) {
        for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                int r = 0;

                *slash = '\0';
                if (mkdir(path, mode) < 0 && errno != EEXIST)
                        r = -errno;
                *slash = '/';
                if (r < 0)
                        return r;
        }
        return 0;
}

int mkdir_p(const char *path, mode_t mode) {
        _cleanup_(freep) char *p = strdup(path);
        int r;

        if (!p)
                return -ENOMEM;
        r = mkdir_parents(p, mode);
        if (r < 0)
                return r;
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int dir_stream(int fd, DIR **ret) {
        int dup_fd, r;

        dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dup_fd < 0)
                return -errno;
        *ret = fdopendir(dup_fd);
        if (!*ret) {
                r = -errno;
                (void) close(dup_fd);
                return r;
        }
        return 0;
}

int dir_next(DIR *d, struct dirent **ret) {
        for (;;) {
                errno = 0;
                *ret = readdir(d);
                if (!*ret)
                        return errno != 0 ? -errno : 0;
                if (!streq((*ret)->d_name, ".") && !streq((*ret)->d_name, ".."))
                        return 1;
        }
}

static int rm_rf_children_at(int fd, dev_t dev, unsigned depth);

/* Removes the entry name of the directory fd, a whole tree if it is a directory. */
static int rm_rf_entry(int fd, const char *name, dev_t dev, unsigned depth) {
        _cleanup_(closep) int sub = -EBADF;
        struct stat st;
        int r;

        if (unlinkat(fd, name, 0) >= 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR)
                return -errno;
        sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 || fstat(sub, &st) < 0)
                return -errno;
        if (st.st_dev != dev)
                return -EBUSY;
        /* A read-only directory's entries cannot go otherwise. */
        if ((st.st_mode & 0700) != 0700 && fchmod(sub, 0700) < 0)
                return -errno;
        r = rm_rf_children_at(sub, dev, depth + 1);
        if (unlinkat(fd, name, AT_REMOVEDIR) < 0 && r == 0)
                r = -errno;
        return r;
}

static int rm_rf_children_at(int fd, dev_t dev, unsigned depth) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r, ret = 0;

        if (depth > FS_TREE_DEPTH_MAX)
                return -ELOOP;
        r = dir_stream(fd, &d);
        if (r < 0)
                return r;
        while ((r = dir_next(d, &de)) > 0) {
                int k = rm_rf_entry(fd, de->d_name, dev, depth);

                if (k < 0 && ret == 0)
                        ret = k;
        }
        return ret < 0 ? ret : r;
}

int rm_rf_children(int fd) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        return rm_rf_children_at(fd, st.st_dev, 0);
}

int rm_rf(const char *path) {
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        return rm_rf_entry(AT_FDCWD, path, st.st_dev, 0);
}

void rm_rf_and_freep(char **path) {
        int r;

        if (!*path)
                return;
        r = rm_rf(*path);
        if (r < 0)
                (void) log_warning_errno(r, "Failed to remove '%s', ignoring: %m", *path);
        *path = mfree(*path);
}

int mkdtemp_beside(const char *path, char **ret) {
        _cleanup_(freep) char *dir_copy = strdup(path), *base_copy = strdup(path), *tmp = NULL;

        if (!dir_copy || !base_copy)
                return -ENOMEM;
        if (asprintf(&tmp, "%s/.%s.tmp-XXXXXX", dirname(dir_copy), basename(base_copy)) < 0)
                return -ENOMEM;
        if (!mkdtemp(tmp))
                return -errno;
        *ret = TAKE_PTR(tmp);
        return 0;
}

int rename_into_place(const char *tmp, const char *path) {
        _cleanup_(freep) char *old = NULL;

        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) >= 0)
                return 0;
        if (errno != EEXIST && errno != ENOTEMPTY && errno != EINVAL && errno != ENOSYS)
                return -errno;
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;
        if (asprintf(&old, "%s.old", tmp) < 0)
                return -ENOMEM;
        if (rename(path, old) < 0 && errno != ENOENT)
                return -errno;
        if (rename(tmp, path) < 0) {
                int r = -errno;
                (void) rename(old, path);
                return r;
        }
        return rename(old, tmp) < 0 ? -errno : 0;
}

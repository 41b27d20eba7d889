/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpio.c: newc cpio archive writer. Pure. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buffer.h"
#include "cpio.h"

#define CPIO_ALIGN 4

void cpio_writer_init(CpioWriter *w, CpioWriteFunc write, void *userdata) {
        *w = (CpioWriter){
                .write = write,
                .userdata = userdata,
                .next_ino = 1,
        };
}

bool cpio_path_is_valid(const char *path) {
        size_t n;

        if (!path)
                return false;
        n = strlen(path);
        if (n == 0 || n > CPIO_PATH_MAX || path[0] == '/' || path[n - 1] == '/')
                return false;
        for (const char *p = path; *p;) {
                size_t len = strcspn(p, "/");

                if (len == 0 || (len == 1 && p[0] == '.') ||
                                (len == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += len;
                if (*p == '/')
                        p++;
        }
        return true;
}

static int cpio_writer_emit(CpioWriter *w, const void *data, size_t size) {
        int r;

        if (size == 0)
                return 0;
        r = w->write(data, size, w->userdata);
        if (r < 0)
                return r;
        w->size_bytes += size;
        return 0;
}

static int cpio_writer_pad(CpioWriter *w) {
        static const uint8_t zeros[CPIO_ALIGN] = {};
        size_t rest = w->size_bytes % CPIO_ALIGN;

        return rest == 0 ? 0 : cpio_writer_emit(w, zeros, CPIO_ALIGN - rest);
}

/* One header + name + padding + data + padding. ino 0 is only used for the trailer. */
static int cpio_writer_entry(CpioWriter *w, uint32_t ino, const char *name, mode_t mode,
                uint32_t nlink, unsigned rdev_major, unsigned rdev_minor, const void *data,
                size_t size) {
        char header[CPIO_HEADER_SIZE + 1];
        size_t name_size = strlen(name) + 1;
        int r;

        (void) snprintf(header, sizeof(header),
                        CPIO_NEWC_MAGIC "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino,
                        (unsigned) mode, 0u /* uid */, 0u /* gid */, nlink, 0u /* mtime */,
                        (uint32_t) size, 0u /* devmajor */, 0u /* devminor */, rdev_major,
                        rdev_minor, (uint32_t) name_size, 0u /* check */);
        r = cpio_writer_emit(w, header, CPIO_HEADER_SIZE);
        if (r < 0)
                return r;
        r = cpio_writer_emit(w, name, name_size);
        if (r < 0)
                return r;
        r = cpio_writer_pad(w);
        if (r < 0)
                return r;
        r = cpio_writer_emit(w, data, size);
        if (r < 0)
                return r;
        return cpio_writer_pad(w);
}

static int cpio_writer_add(CpioWriter *w, const char *path, mode_t mode, uint32_t nlink,
                unsigned rdev_major, unsigned rdev_minor, const void *data, size_t size) {
        if (w->finished)
                return -ESTALE;
        if (!cpio_path_is_valid(path))
                return -EINVAL;
        if (size > CPIO_FILE_SIZE_MAX)
                return -EFBIG;
        if (w->next_ino == UINT32_MAX)
                return -ENOSPC;
        return cpio_writer_entry(
                        w, w->next_ino++, path, mode, nlink, rdev_major, rdev_minor, data, size);
}

int cpio_writer_add_directory(CpioWriter *w, const char *path, mode_t perm) {
        if (perm & ~07777)
                return -EINVAL;
        return cpio_writer_add(w, path, S_IFDIR | perm, 2, 0, 0, NULL, 0);
}

int cpio_writer_add_file(
                CpioWriter *w, const char *path, mode_t perm, const void *data, size_t size) {
        if (perm & ~07777 || (size > 0 && !data))
                return -EINVAL;
        return cpio_writer_add(w, path, S_IFREG | perm, 1, 0, 0, data, size);
}

int cpio_writer_add_symlink(CpioWriter *w, const char *path, const char *target) {
        size_t n;

        if (!target)
                return -EINVAL;
        n = strlen(target);
        if (n == 0 || n > CPIO_PATH_MAX)
                return -EINVAL;
        /* The link body is the target without a NUL, as cpio(1) and the kernel expect. */
        return cpio_writer_add(w, path, S_IFLNK | 0777, 1, 0, 0, target, n);
}

int cpio_writer_add_device(CpioWriter *w, const char *path, mode_t type, mode_t perm,
                unsigned major, unsigned minor) {
        if (!IN_SET(type, (mode_t) S_IFCHR, (mode_t) S_IFBLK) || perm & ~07777)
                return -EINVAL;
        return cpio_writer_add(w, path, type | perm, 1, major, minor, NULL, 0);
}

int cpio_writer_finish(CpioWriter *w) {
        int r;

        if (w->finished)
                return -ESTALE;
        r = cpio_writer_entry(w, 0, CPIO_TRAILER_NAME, 0, 1, 0, 0, NULL, 0);
        if (r < 0)
                return r;
        w->finished = true;
        return 0;
}

int cpio_buffer_write(const void *data, size_t size, void *userdata) {
        return buffer_append(userdata, data, size);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpio.h: a writer for "newc" (SVR4, magic 070701) cpio archives as the kernel unpacks into its
 * initramfs. Pure: bytes go to a caller-supplied callback (cpio_buffer_write() is a ready one that
 * appends to a Buffer in memory), nothing here opens a file. Every entry gets mtime 0, uid/gid 0,
 * nlink 1 (2 for directories) and inode numbers counting up from 1, so equal calls give equal
 * bytes.
 *
 * Paths are relative ("dev/console", not "/dev/console"), without "." or ".." components, empty
 * components or a trailing slash. The archive does not create parents: add "dev" before
 * "dev/console" (the kernel's unpacker does not create them either). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

#define CPIO_NEWC_MAGIC "070701"
#define CPIO_HEADER_SIZE 110
#define CPIO_TRAILER_NAME "TRAILER!!!"
/* Longest path accepted, without the NUL. */
#define CPIO_PATH_MAX 4095
/* newc stores sizes in 8 hex digits. */
#define CPIO_FILE_SIZE_MAX UINT32_MAX

/* Receives the next size bytes of the archive; returns >= 0 or -errno, which aborts the entry
 * and is passed back to the writer's caller. */
typedef int (*CpioWriteFunc)(const void *data, size_t size, void *userdata);

typedef struct CpioWriter {
        CpioWriteFunc write;
        void *userdata;      /* not owned */
        uint64_t size_bytes; /* bytes written so far */
        uint32_t next_ino;
        bool finished; /* trailer written; further adds fail with -ESTALE */
} CpioWriter;

void cpio_writer_init(CpioWriter *w, CpioWriteFunc write, void *userdata);

/* perm: permission bits (07777 mask); the file type comes from the function. All return 0 or
 * -EINVAL (bad path or mode), -EFBIG (over CPIO_FILE_SIZE_MAX), -ESTALE (after finish) or the
 * callback's error. After a callback error the archive is truncated mid-entry: discard it. */
int cpio_writer_add_directory(CpioWriter *w, const char *path, mode_t perm);
int cpio_writer_add_file(
                CpioWriter *w, const char *path, mode_t perm, const void *data, size_t size);
int cpio_writer_add_symlink(CpioWriter *w, const char *path, const char *target);
/* type: S_IFCHR or S_IFBLK. */
int cpio_writer_add_device(CpioWriter *w, const char *path, mode_t type, mode_t perm,
                unsigned major, unsigned minor);
/* Writes the trailer entry. */
int cpio_writer_finish(CpioWriter *w);

bool cpio_path_is_valid(const char *path);

/* A CpioWriteFunc that appends to userdata, a Buffer (buffer.h): the archive in memory. */
int cpio_buffer_write(const void *data, size_t size, void *userdata);

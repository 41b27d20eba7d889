/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio.h: whole-file reads with a size cap, and whole writes. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Reads all of path into a NUL-terminated buffer. Files larger than max_bytes are -EFBIG (so a
 * hostile or broken file cannot make us allocate without bound). *ret_size may be NULL. */
int read_full_file(const char *path, size_t max_bytes, char **ret, size_t *ret_size);
/* As read_full_file(), from fd (a file, pipe or socket) until EOF; fd stays open. */
int read_full_fd(int fd, size_t max_bytes, char **ret, size_t *ret_size);
/* read(2) into buf, retried on EINTR: the bytes read (at most size), 0 at end of file, or -errno
 * (-EAGAIN on an empty non-blocking fd). */
ssize_t read_retry(int fd, void *buf, size_t size);
/* Writes all size bytes of data to fd, retrying short writes and EINTR. */
int write_full_fd(int fd, const void *data, size_t size);
/* Creates name in dir_fd (it must not exist; a symlink there is not followed), writes data and
 * fsyncs it: one file of a directory that is renamed into place afterwards. */
int write_new_file_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fs-util.h: directories: creating paths, walking entries, removing trees without following
 * links or leaving the file system. */
#pragma once

#include <dirent.h>
#include <sys/types.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

/* Trees deeper than this are refused (-ELOOP) rather than walked. */
#define FS_TREE_DEPTH_MAX 256u

/* Creates the missing parent directories of path with mode, not path itself. path is changed
 * while it runs and restored; nothing is allocated, so a child after clone() may call it. */
int mkdir_parents(char *path, mode_t mode);
/* Creates path and its missing parents with mode (an existing directory is fine). */
int mkdir_p(const char *path, mode_t mode);

/* A stream over a duplicate of fd, so closing it leaves fd open. */
int dir_stream(int fd, DIR **ret);
/* The next entry other than "." and "..": 1, 0 at the end, or -errno. */
int dir_next(DIR *d, struct dirent **ret);

/* Removes everything below the directory fd, never following a link or entering another file
 * system (-EBUSY: a mount point is left in place); a read-only directory is made writable
 * first, so its owner can empty it. The first error is returned, after removing what can be. */
int rm_rf_children(int fd);
/* Removes path and everything below it the same way; 0 if it does not exist. */
int rm_rf(const char *path);
/* For _cleanup_ on a temporary tree's path: rm_rf() (a failure is logged as a warning), then
 * free(). Nothing if *path is NULL. */
void rm_rf_and_freep(char **path);

/* A fresh directory "<dir of path>/.<name of path>.tmp-XXXXXX" (mode 0700, mkdtemp()) for
 * building what will replace path: its name in *ret. */
int mkdtemp_beside(const char *path, char **ret);
/* Moves the directory tmp to path: a rename where path is free, else an exchange, after which
 * the old tree is at tmp for the caller to remove. Without RENAME_EXCHANGE (some file systems)
 * two renames, with a short window without path, never a half-written one. */
int rename_into_place(const char *tmp, const char *path);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* safe-open.h: how root opens a path that someone else may influence: never through a symbolic
 * link, with the owner checked on the opened fd (not on an earlier stat()), and directories made
 * relative to fds that were checked. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* openat2(): path below dir_fd with the RESOLVE_* flags in resolve; O_CLOEXEC is added. */
int safe_openat2(int dir_fd, const char *path, int flags, uint64_t resolve);

/* Opens the absolute path as a directory, following no symbolic link in any component
 * (RESOLVE_NO_SYMLINKS): -ELOOP if one is a link, -ENOTDIR if it is not a directory. */
int safe_open_dir(const char *path);

/* Whether a directory fd is safe for root to create things in on behalf of uid: owned by root
 * or uid, and not writable by others unless sticky. 0, or -EPERM with *ret_owner set. */
int safe_check_dir_owner(int fd, uid_t uid, uid_t *ret_owner);

/* A directory of root's own (the runtime dir, the state dir): created 0755 if missing (then its
 * mode is set whatever the umask), opened without following links, and refused (-EPERM) if
 * another uid owns it or others can write it. Logs what is wrong. */
int safe_prepare_root_dir(const char *path, const char *what);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spawn-util.h: running a helper program (mkfs.ext4, qemu-img, mmdebstrap…) to completion, and
 * waiting for a child, with or without a deadline. Its asynchronous counterpart on sd-event,
 * with a deadline, is helper.h: vmsilod never waits for a child. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* Starts argv (argv[0] looked up in $PATH) with stdin from /dev/null, stdout on stdout_fd (-1:
 * /dev/null), stderr inherited, and envp (NULL: our environment), without waiting: its pid in
 * *ret_pid, or -errno if it could not be started. The one way our programs spawn a helper
 * program; the caller reaps it (wait_child(), or an sd-event child source). */
int spawn_child(char *const *argv, char *const *envp, int stdout_fd, pid_t *ret_pid);
/* spawn_child(), then waits for it. Returns 0 if it exited with status 0, -EIO if it failed or
 * was killed, -errno if it could not be started. */
int spawn_wait(char *const *argv, char *const *envp, int stdout_fd);

/* Waits for the child pid (retrying on EINTR): 0 with its wait status, or -errno. */
int wait_child(pid_t pid, int *ret_status);
/* Waits at most timeout_usec for the child pid through its pidfd, then kills it (SIGKILL) and
 * reaps it: 0 with its wait status, -ETIME if it had to be killed, or -errno. */
int wait_child_deadline(pid_t pid, int pidfd, uint64_t timeout_usec, int *ret_status);
/* 0 for a wait status of a child that exited with status 0, else -EIO. */
int wait_status_to_errno(int status);

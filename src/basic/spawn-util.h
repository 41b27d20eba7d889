/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spawn-util.h: running a helper program (mkfs.ext4, qemu-img, mmdebstrap…) to completion. */
#pragma once

/* Runs argv (argv[0] looked up in $PATH) with stdin from /dev/null, stdout on stdout_fd (-1:
 * /dev/null), stderr inherited, and envp (NULL: our environment); waits for it. Returns 0 if it
 * exited with status 0, -EIO if it failed or was killed, -errno if it could not be started. */
int spawn_wait(char *const *argv, char *const *envp, int stdout_fd);

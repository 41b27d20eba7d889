/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spawn-util.c: see spawn-util.h. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn-util.h"

extern char **environ;

int spawn_wait(char *const *argv, char *const *envp, int stdout_fd) {
        posix_spawn_file_actions_t actions;
        int r, status;
        pid_t pid;

        r = posix_spawn_file_actions_init(&actions);
        if (r != 0)
                return -r;
        r = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = stdout_fd >= 0 ? posix_spawn_file_actions_adddup2(
                                                     &actions, stdout_fd, STDOUT_FILENO)
                                   : posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
                                                     "/dev/null", O_WRONLY, 0);
        if (r == 0)
                r = posix_spawnp(&pid, argv[0], &actions, NULL, argv, envp ? envp : environ);
        posix_spawn_file_actions_destroy(&actions);
        if (r != 0)
                return -r;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

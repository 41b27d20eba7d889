/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spawn-util.c: see spawn-util.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn-util.h"

extern char **environ;

int spawn_child(char *const *argv, char *const *envp, int stdout_fd, pid_t *ret_pid) {
        posix_spawn_file_actions_t actions;
        int r;

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
                r = posix_spawnp(ret_pid, argv[0], &actions, NULL, argv, envp ? envp : environ);
        posix_spawn_file_actions_destroy(&actions);
        return -r;
}

int spawn_wait(char *const *argv, char *const *envp, int stdout_fd) {
        int r, status;
        pid_t pid;

        r = spawn_child(argv, envp, stdout_fd, &pid);
        if (r < 0)
                return r;
        r = wait_child(pid, &status);
        return r < 0 ? r : wait_status_to_errno(status);
}

int wait_child(pid_t pid, int *ret_status) {
        while (waitpid(pid, ret_status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

int wait_child_deadline(pid_t pid, int pidfd, uint64_t timeout_usec, int *ret_status) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        bool killed;
        int r;

        do
                r = poll(&p, 1, (int) (timeout_usec / 1000));
        while (r < 0 && errno == EINTR);
        killed = r <= 0;
        if (killed)
                (void) kill(pid, SIGKILL);
        r = wait_child(pid, ret_status);
        if (r < 0)
                return r;
        return killed ? -ETIME : 0;
}

int wait_status_to_errno(int status) {
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

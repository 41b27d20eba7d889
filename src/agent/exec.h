/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec.h: starting a session's program: user, groups, environment, cgroup, stdio, exec. */
#pragma once

#include <sys/types.h>

#include "passwd.h"
#include "protocol.h"

/* Exit codes of a child that could not exec, as shells use them, so the host can tell "command
 * not found" apart from other failures; a message on the program's stderr says more. */
#define EXEC_EXIT_NOT_FOUND 127
#define EXEC_EXIT_CANNOT_EXECUTE 126

typedef struct ExecContext {
        const char *etc_dir;      /* passwd and group live here; "/etc" in the guest */
        const char *default_user; /* used when the request names none */
        char *const *file_env;    /* the session environment file's entries */
        const char *cgroup_path;  /* the session's cgroup, NULL without cgroup2 */
} ExecContext;

typedef struct ExecChild {
        pid_t pid;
        int stdin_fd;  /* write end; with a PTY a dup of the master */
        int stdout_fd; /* read end; with a PTY the master (carries stderr too) */
        int stderr_fd; /* read end; -EBADF with a PTY */
} ExecChild;

void exec_child_finish(ExecChild *c);

/* Decides the user a request runs as: requested, or default_user when NULL. Pure.
 * Root (uid 0) is allowed only when requested explicitly as "root": a default user or another
 * name that maps to uid 0 gives -EPERM. */
int exec_check_user(const char *requested, const PasswdEntry *pw);

/* Resolves the user, builds the environment and forks the program as a new session. Fails
 * before forking with a negative errno and a human reason in *ret_reason (static string):
 * -ENOENT unknown user, -EPERM root not explicit, or a system error. Exec failures happen in
 * the child and show as exit codes EXEC_EXIT_*. */
int exec_spawn(const FrameOpen *req, const ExecContext *ctx, ExecChild *ret,
                const char **ret_reason);

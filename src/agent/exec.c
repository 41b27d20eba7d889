/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec.c: fork and exec of a session's program. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "exec.h"
#include "fd-util.h"
#include "pty.h"
#include "session-env.h"
#include "strv.h"

extern char **environ;

void exec_child_finish(ExecChild *c) {
        c->stdin_fd = safe_close(c->stdin_fd);
        c->stdout_fd = safe_close(c->stdout_fd);
        c->stderr_fd = safe_close(c->stderr_fd);
        c->pid = 0;
}

int exec_check_user(const char *requested, const PasswdEntry *pw) {
        if (pw->uid == 0 && !streq_ptr(requested, "root"))
                return -EPERM;
        return 0;
}

/* Everything the child needs, computed before fork so the child only makes system calls. */
typedef struct ExecPlan {
        const FrameOpen *req;
        const ExecContext *ctx;
        PasswdEntry pw;
        gid_t *groups;
        size_t n_groups;
        char **env;
        int pty_slave;
        /* child side: [0] stdin read end, [1] stdout write end, [2] stderr write end */
        int child_fds[3];
} ExecPlan;

static void exec_plan_finish(ExecPlan *p) {
        passwd_entry_finish(&p->pw);
        free(p->groups);
        p->env = strv_free(p->env);
        for (size_t i = 0; i < ELEMENTSOF(p->child_fds); i++)
                p->child_fds[i] = safe_close(p->child_fds[i]);
        p->pty_slave = safe_close(p->pty_slave);
}

static _noreturn_ void child_fail(int exit_code, int error, const char *what, const char *arg) {
        errno = error < 0 ? -error : error;
        (void) dprintf(STDERR_FILENO, "vmsilo-agent: %s '%s': %m\n", what, arg);
        _exit(exit_code);
}

/* Moves the three child fds to 0, 1, 2. First above 2 so no dup2() clobbers a later source. */
static int child_setup_pipes(ExecPlan *p) {
        int high[3];

        for (int i = 0; i < 3; i++) {
                high[i] = fcntl(p->child_fds[i], F_DUPFD_CLOEXEC, 3);
                if (high[i] < 0)
                        return -errno;
        }
        for (int i = 0; i < 3; i++)
                if (dup2(high[i], i) < 0)
                        return -errno;
        return 0;
}

static void child_reset_signals(void) {
        sigset_t all;

        for (int sig = 1; sig < _NSIG; sig++)
                (void) signal(sig, SIG_DFL);
        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
}

static int child_drop_privileges(const ExecPlan *p) {
        if (setgroups(p->n_groups, p->groups) < 0)
                return -errno;
        if (setgid(p->pw.gid) < 0)
                return -errno;
        if (setuid(p->pw.uid) < 0)
                return -errno;
        return 0;
}

static _noreturn_ void exec_child(ExecPlan *p) {
        const FrameOpen *req = p->req;
        int r;

        child_reset_signals();
        if (setsid() < 0)
                child_fail(EXEC_EXIT_NOT_FOUND, errno, "setsid() failed for", req->argv[0]);
        /* Joining the cgroup first means every process the program ever forks is in it. */
        if (p->ctx->cgroup_path)
                (void) cgroup_enter(p->ctx->cgroup_path);
        r = req->pty ? pty_attach_child(p->pty_slave) : child_setup_pipes(p);
        if (r < 0)
                _exit(EXEC_EXIT_NOT_FOUND); /* no stderr to say so on */
        (void) close_range(3, ~0U, 0);
        r = child_drop_privileges(p);
        if (r < 0)
                child_fail(EXEC_EXIT_NOT_FOUND, r, "cannot switch to user", p->pw.name);
        if (req->cwd && chdir(req->cwd) < 0)
                child_fail(EXEC_EXIT_NOT_FOUND, errno, "cannot change directory to", req->cwd);
        if (!req->cwd && chdir(p->pw.home) < 0 && chdir("/") < 0)
                child_fail(EXEC_EXIT_NOT_FOUND, errno, "cannot change directory to", "/");
        /* execvp() searches the PATH of the current environment, so install ours first. */
        environ = p->env;
        execvp(req->argv[0], req->argv);
        if (IN_SET(errno, ENOENT, ENOTDIR)) {
                (void) dprintf(STDERR_FILENO, "vmsilo-agent: %s: command not found\n",
                                req->argv[0]);
                _exit(EXEC_EXIT_NOT_FOUND);
        }
        child_fail(EXEC_EXIT_CANNOT_EXECUTE, errno, "cannot execute", req->argv[0]);
}

static int make_pipe(int *ret_child, int *ret_parent, bool child_reads) {
        int fds[2];

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        *ret_child = child_reads ? fds[0] : fds[1];
        *ret_parent = child_reads ? fds[1] : fds[0];
        return fd_set_nonblock(*ret_parent);
}

static int exec_plan_stdio(ExecPlan *p, ExecChild *c) {
        int r;

        if (p->req->pty) {
                r = pty_open(p->req->pty_rows, p->req->pty_cols, &c->stdout_fd, &p->pty_slave);
                if (r < 0)
                        return r;
                c->stdin_fd = fcntl(c->stdout_fd, F_DUPFD_CLOEXEC, 3);
                return c->stdin_fd < 0 ? -errno : 0;
        }
        r = make_pipe(&p->child_fds[0], &c->stdin_fd, true);
        if (r >= 0)
                r = make_pipe(&p->child_fds[1], &c->stdout_fd, false);
        if (r >= 0)
                r = make_pipe(&p->child_fds[2], &c->stderr_fd, false);
        return r;
}

static int exec_plan_user(ExecPlan *p, const char **ret_reason) {
        const char *name = p->req->user ?: p->ctx->default_user;
        int r;

        r = passwd_lookup(p->ctx->etc_dir, name, &p->pw);
        if (r == -ENOENT)
                *ret_reason = "no such user";
        if (r < 0)
                return r;
        r = exec_check_user(p->req->user, &p->pw);
        if (r < 0) {
                *ret_reason = "running as root must be requested explicitly as user 'root'";
                return r;
        }
        r = passwd_lookup_groups(p->ctx->etc_dir, p->pw.name, p->pw.gid, &p->groups, &p->n_groups);
        if (r < 0)
                *ret_reason = "cannot read the group database";
        return r;
}

int exec_spawn(const FrameOpen *req, const ExecContext *ctx, ExecChild *ret,
                const char **ret_reason) {
        ExecPlan p = {
                .req = req,
                .ctx = ctx,
                .child_fds = { -EBADF, -EBADF, -EBADF },
                .pty_slave = -EBADF,
        };
        ExecChild c = { .stdin_fd = -EBADF, .stdout_fd = -EBADF, .stderr_fd = -EBADF };
        const char *term = NULL;
        pid_t pid;
        int r;

        *ret_reason = "cannot start the program";
        r = exec_plan_user(&p, ret_reason);
        if (r >= 0 && req->pty)
                term = req->term && req->term[0] ? req->term : "xterm-256color";
        if (r >= 0)
                r = session_env_build(&p.pw, term, ctx->file_env, req->env, &p.env);
        if (r >= 0)
                r = exec_plan_stdio(&p, &c);
        if (r < 0) {
                exec_plan_finish(&p);
                exec_child_finish(&c);
                return r;
        }

        pid = fork();
        if (pid < 0) {
                r = -errno;
                exec_plan_finish(&p);
                exec_child_finish(&c);
                return r;
        }
        if (pid == 0)
                exec_child(&p);

        exec_plan_finish(&p);
        c.pid = pid;
        *ret = c;
        return 0;
}

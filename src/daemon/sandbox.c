/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox.c: fork/exec of a VMM as the VM user. */
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "sandbox.h"

/* Above any target number a plan uses, so moving fds into place never clobbers a source. */
#define SANDBOX_FD_PARK_MIN 64

static int fd_for(const PlanFd *pf, const SandboxFds *fds) {
        switch (pf->role) {
        case PLAN_FD_ROLE_QMP:
                return fds->qmp;
        case PLAN_FD_ROLE_AGENT:
                return fds->agent;
        case PLAN_FD_ROLE_CONSOLE:
                return fds->console;
        case PLAN_FD_ROLE_BALLOON_QMP:
                return fds->balloon_qmp;
        case PLAN_FD_ROLE_TAP:
                return pf->index < fds->n_taps ? fds->taps[pf->index] : -EBADF;
        default:
                return -EBADF;
        }
}

/* VFIO pins guest RAM: the limit and its hard cap, while we may still raise them (root with
 * CAP_SYS_RESOURCE). Without that capability the soft limit goes up to the hard one and the
 * VMM log says so: the VMM then fails to map the device with its own clear error. */
static void set_memlock(uint64_t bytes) {
        struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };
        int error;

        if (setrlimit(RLIMIT_MEMLOCK, &rl) >= 0)
                return;
        error = errno;
        if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0)
                return;
        dprintf(STDERR_FILENO,
                        "vmsilod: cannot raise RLIMIT_MEMLOCK to %" PRIu64 " bytes (%s); the "
                        "VMM gets the hard limit, %" PRIu64 " bytes, and may fail to pin guest "
                        "memory for VFIO\n",
                        bytes, strerror(error), (uint64_t) rl.rlim_max);
        rl.rlim_cur = rl.rlim_max;
        (void) setrlimit(RLIMIT_MEMLOCK, &rl);
}

/* Runs in the child only: async-signal-safe calls, _exit() on every failure. */
_noreturn_ static void child(const LaunchPlan *plan, const SandboxFds *fds, uid_t uid, gid_t gid) {
        int parked[PLAN_FD_TAP_BASE + CONFIG_INTERFACES_MAX];
        pid_t daemon_pid = getppid();
        sigset_t all;
        int devnull, highest = 2;

        /* sd-event blocks the signals it handles; a VMM must start with a clean slate. */
        (void) sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
        for (int sig = 1; sig < _NSIG; sig++)
                (void) signal(sig, SIG_DFL);

        if (setsid() < 0)
                _exit(127);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(127);

        if (plan->n_fds > ELEMENTSOF(parked))
                _exit(127);
        for (size_t i = 0; i < plan->n_fds; i++) {
                int src = fd_for(&plan->fds[i], fds);
                if (src < 0)
                        _exit(127);
                parked[i] = fcntl(src, F_DUPFD_CLOEXEC, SANDBOX_FD_PARK_MIN);
                if (parked[i] < 0)
                        _exit(127);
        }
        devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0)
                _exit(127);
        if (fds->output >= 0 && (dup2(fds->output, STDOUT_FILENO) < 0 ||
                                                dup2(fds->output, STDERR_FILENO) < 0))
                _exit(127);
        for (size_t i = 0; i < plan->n_fds; i++) {
                if (dup2(parked[i], plan->fds[i].target_fd) < 0)
                        _exit(127);
                highest = MAX(highest, plan->fds[i].target_fd);
        }
        (void) close_range((unsigned) highest + 1, ~0U, 0);

        if (plan->memlock_bytes > 0)
                set_memlock(plan->memlock_bytes);
        if (uid != geteuid()) {
                if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
                                setresuid(uid, uid, uid) < 0)
                        _exit(127);
        }
        /* Only now: changing the effective uid or gid clears the parent-death signal (prctl(2)).
         * A daemon that died before this point has been replaced as our parent: give up. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != daemon_pid)
                _exit(127);

        execvp(plan->argv[0], plan->argv);
        dprintf(STDERR_FILENO, "vmsilod: cannot execute '%s': %s\n", plan->argv[0],
                        strerror(errno));
        _exit(127);
}

int sandbox_spawn(const LaunchPlan *plan, const SandboxFds *fds, uid_t uid, gid_t gid,
                pid_t *ret_pid) {
        pid_t pid;

        if (!plan || plan->n_argv == 0)
                return -EINVAL;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                child(plan, fds, uid, gid);

        *ret_pid = pid;
        return 0;
}

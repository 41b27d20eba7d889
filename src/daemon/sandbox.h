/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox.h: starting a VMM process as the unprivileged VM user, with no_new_privs, only the fds
 * its launch plan names, and nothing else inherited from the daemon. */
#pragma once

#include <sys/types.h>

#include "plan.h"

typedef struct SandboxFds {
        int qmp; /* -EBADF when the plan does not use it */
        int agent;
        int console;
        int balloon_qmp; /* listening socket for vmsilo-balloond's QMP monitor */
        const int *taps; /* by interface index */
        size_t n_taps;
        int output; /* becomes the VMM's stdout and stderr; stdin is /dev/null */
} SandboxFds;

/* Forks and execs plan->argv as uid/gid (no supplementary groups) unless uid is our own, with
 * PR_SET_NO_NEW_PRIVS and PR_SET_PDEATHSIG=SIGKILL (a VMM never outlives vmsilod: a daemon crash
 * stops its VMs instead of orphaning them). Each plan fd is dup2()ed to its target number; every
 * other fd is closed. The child is in a session of its own. Returns 0 with the pid, or -errno if
 * the fork failed; an exec failure shows up as exit status 127 and a message on `output`. */
int sandbox_spawn(const LaunchPlan *plan, const SandboxFds *fds, uid_t uid, gid_t gid,
                pid_t *ret_pid);

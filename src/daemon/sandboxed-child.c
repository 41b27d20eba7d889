/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandboxed-child.c: starting and killing a host companion's process (see sandboxed-child.h).
 * A killed child is reaped by the loop later, never waited for: a companion that ignores
 * nothing still takes a moment to die, and vmsilod serves on meanwhile. */
#include "sandboxed-child.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "strv.h"

/* Starts plan as m's user, beside vmm's (a PID namespace's first process) when vmm > 0. */
static int spawn(Manager *m, const LaunchPlan *plan, pid_t vmm, sd_event_child_handler_t handler,
                void *userdata, sd_event_source **ret_source, pid_t *ret_pid) {
        const SandboxFds fds = {
                .qmp = -EBADF,
                .agent = -EBADF,
                .console = -EBADF,
                .balloon_qmp = -EBADF,
                .input = -EBADF,
                .output = STDERR_FILENO,
        };
        pid_t pid;
        int r;

        r = vmm > 0 ? sandbox_spawn_beside(plan, &fds, m->user_uid, m->user_gid, vmm, &pid)
                    : sandbox_spawn(plan, &fds, m->user_uid, m->user_gid, &pid);
        if (r < 0)
                return r;
        r = sd_event_add_child(m->event, ret_source, pid, WEXITED, handler, userdata);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                return r;
        }
        *ret_pid = pid;
        return 0;
}

int sandboxed_child_spawn(Manager *m, char **argv, sd_event_child_handler_t handler, void *userdata,
                sd_event_source **ret_source, pid_t *ret_pid) {
        const LaunchPlan plan = { .argv = argv, .n_argv = strv_length(argv) };

        return spawn(m, &plan, 0, handler, userdata, ret_source, ret_pid);
}

int sandboxed_child_spawn_beside(Manager *m, const LaunchPlan *plan, pid_t vmm,
                sd_event_child_handler_t handler, void *userdata, sd_event_source **ret_source,
                pid_t *ret_pid) {
        return spawn(m, plan, vmm, handler, userdata, ret_source, ret_pid);
}

void sandboxed_child_kill(sd_event_source **s) {
        if (!*s)
                return;
        (void) sd_event_source_send_child_signal(*s, SIGKILL, NULL, 0);
        (void) sd_event_source_set_userdata(*s, NULL);
        (void) sd_event_source_set_floating(*s, true);
        *s = sd_event_source_unref(*s);
}

bool sandboxed_child_reaped(sd_event_source *s, void *userdata) {
        if (userdata)
                return false;
        (void) sd_event_source_set_floating(s, false);
        return true;
}

char *sandboxed_child_exit_reason(const siginfo_t *si) {
        char *s;
        int r;

        if (si->si_code == CLD_EXITED)
                r = asprintf(&s, "exited with status %d", si->si_status);
        else
                r = asprintf(&s, "killed by signal %s", sigabbrev_np(si->si_status) ?: "?");
        return r < 0 ? NULL : s;
}

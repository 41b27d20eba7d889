/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* helper.c: see helper.h. */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "helper.h"
#include "log.h"

struct Helper {
        char *what;
        pid_t pid;
        sd_event_source *child;
        sd_event_source *deadline;
        uint64_t timeout_usec;
        bool timed_out;
        helper_done_t done;
        void *userdata;
};

static int on_helper_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Helper *h = userdata;
        int result;

        if (!h) /* freed: the source stayed, floating, only to reap the child */
                return 0;
        /* Not reaped yet (sd-event waits with WNOWAIT until we return), so the group is still
         * ours: whatever the child started and left behind goes too. */
        (void) kill(-h->pid, SIGKILL);
        h->deadline = sd_event_source_disable_unref(h->deadline);
        if (h->timed_out)
                result = -ETIME;
        else if (si->si_code == CLD_EXITED && si->si_status == EXIT_SUCCESS)
                result = 0;
        else
                result = -EIO;
        h->pid = 0;
        h->done(h, result, h->userdata);
        return 0;
}

static int on_helper_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        Helper *h = userdata;

        log_error("%s took more than %" PRIu64 " s; killing it.", h->what,
                        h->timeout_usec / 1000000);
        h->timed_out = true;
        (void) kill(-h->pid, SIGKILL);
        return 0;
}

_noreturn_ static void helper_child(helper_run_t run, void *userdata) {
        sigset_t all;

        /* The daemon blocks SIGCHLD for sd-event; a helper's own children need it. */
        (void) sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
        if (setpgid(0, 0) < 0)
                _exit(EXIT_FAILURE);
        (void) close_range(3, ~0U, 0);
        _exit(run(userdata) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

int helper_fork(sd_event *e, const char *what, helper_run_t run, uint64_t timeout_usec,
                helper_done_t done, void *userdata, Helper **ret) {
        _cleanup_(helper_freep) Helper *h = NULL;
        pid_t pid;
        int r;

        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->what = strdup(what);
        if (!h->what)
                return -ENOMEM;
        h->timeout_usec = timeout_usec;
        h->done = done;
        h->userdata = userdata;
        /* The daemon has no threads, so everything is usable in the child after fork(). */
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                helper_child(run, userdata);
        /* Also here: the deadline may come before the child has run setpgid(). */
        (void) setpgid(pid, pid);
        h->pid = pid;
        r = sd_event_add_child(e, &h->child, pid, WEXITED, on_helper_exit, h);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                (void) sd_event_add_child(e, NULL, pid, WEXITED, on_helper_exit, NULL);
                h->pid = 0;
                return r;
        }
        r = sd_event_add_time_relative(
                        e, &h->deadline, CLOCK_MONOTONIC, timeout_usec, 0, on_helper_deadline, h);
        if (r < 0)
                return r;
        log_debug("%s: started as pid %d.", what, (int) pid);
        *ret = TAKE_PTR(h);
        return 0;
}

Helper *helper_free(Helper *h) {
        if (!h)
                return NULL;
        if (h->pid > 0) {
                (void) kill(-h->pid, SIGKILL);
                (void) sd_event_source_set_userdata(h->child, NULL);
                (void) sd_event_source_set_floating(h->child, true);
        }
        h->child = sd_event_source_unref(h->child);
        h->deadline = sd_event_source_disable_unref(h->deadline);
        free(h->what);
        free(h);
        return NULL;
}

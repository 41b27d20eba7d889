/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clipboard-service.c: vmsilod's one vmsilo-clipboard. Root prepares <user runtime dir>/vmsilo
 * with openat-relative calls that never follow a link the user could have planted (as for the
 * companions' directories), then the daemon runs as the user in bubblewrap with that directory
 * alone writable. */
#include "clipboard-service.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "companion-plan.h"
#include "companion.h"
#include "log.h"
#include "ratelimit.h"
#include "sandboxed-child.h"
#include "strv.h"
#include "time-util.h"

#define CLIPBOARD_DIR_NAME "vmsilo"

struct ClipboardService {
        Manager *manager;
        char *dir;    /* <user runtime dir>/vmsilo */
        char *socket; /* dir/clipboard.sock */
        pid_t pid;
        sd_event_source *child; /* NULL: not running */
        Ratelimit restart_limit;
        bool failed; /* died too often: left alone until the daemon restarts */
};

/* The user's runtime dir must exist (the user's session: the compositor is in it too); root
 * makes vmsilo/ in it, or takes the user's own, never through a link. */
static int dir_prepare(const ClipboardService *s, const char *user_runtime_dir) {
        _cleanup_(closep) int runtime_fd = -EBADF, fd = -EBADF;
        Manager *m = s->manager;

        runtime_fd = open(user_runtime_dir, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (runtime_fd < 0)
                return -errno;
        if (mkdirat(runtime_fd, CLIPBOARD_DIR_NAME, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(runtime_fd, CLIPBOARD_DIR_NAME, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fchown(fd, m->user_uid, m->user_gid) < 0 || fchmod(fd, 0700) < 0)
                return -errno;
        return 0;
}

static int spawn(ClipboardService *s);

static int on_clipboard_exit(sd_event_source *source, const siginfo_t *si, void *userdata) {
        ClipboardService *s = userdata;
        unsigned suppressed;

        _cleanup_(freep) char *reason = NULL;

        if (sandboxed_child_reaped(source, s))
                return 0; /* killed by clipboard_service_free() */
        reason = sandboxed_child_exit_reason(si);
        log_warning("vmsilo-clipboard (pid %d) %s; the global clipboard's text is lost.",
                        (int) s->pid, strna(reason));
        s->child = sd_event_source_disable_unref(s->child);
        s->pid = 0;
        if (!ratelimit_below(&s->restart_limit, now_usec(), &suppressed)) {
                s->failed = true;
                log_error("vmsilo-clipboard died %u times within %llu s; not restarting it (the "
                          "clipboard keys do nothing).",
                                COMPANION_RESTARTS_MAX + 1,
                                COMPANION_RESTART_WINDOW_USEC / 1000000);
                return 0;
        }
        (void) spawn(s);
        return 0;
}

static int spawn(ClipboardService *s) {
        Manager *m = s->manager;
        _cleanup_(strv_freep) char **argv = NULL;
        pid_t pid;
        int r;

        r = companion_plan_clipboard_argv(m->options.clipboard_binary, s->dir, &argv);
        if (r >= 0)
                r = sandboxed_child_spawn(m, argv, on_clipboard_exit, s, &s->child, &pid);
        if (r < 0)
                return log_error_errno(r, "Cannot start vmsilo-clipboard: %m");
        (void) sd_event_source_set_description(s->child, "clipboard-child");
        s->pid = pid;
        log_info("vmsilo-clipboard started (pid %d), socket %s.", (int) pid, s->socket);
        return 0;
}

static int service_new(Manager *m, ClipboardService **ret) {
        _cleanup_(clipboard_service_freep) ClipboardService *s = NULL;
        _cleanup_(freep) char *user_runtime_dir = NULL;
        int r;

        if (m->user_uid == 0)
                return -EPERM; /* never as root, as the companions */
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->manager = m;
        s->restart_limit = RATELIMIT_INIT(COMPANION_RESTART_WINDOW_USEC, COMPANION_RESTARTS_MAX);
        if (asprintf(&user_runtime_dir, "%s/%u", m->options.user_runtime_base,
                            (unsigned) m->user_uid) < 0 ||
                        asprintf(&s->dir, "%s/" CLIPBOARD_DIR_NAME, user_runtime_dir) < 0 ||
                        asprintf(&s->socket, "%s/" CLIPBOARD_SOCKET_NAME, s->dir) < 0)
                return -ENOMEM;
        r = dir_prepare(s, user_runtime_dir);
        if (r < 0)
                return log_warning_errno(r, "Cannot prepare %s for vmsilo-clipboard: %m", s->dir);
        r = spawn(s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

const char *clipboard_service_acquire(Manager *m) {
        if (!m->clipboard && service_new(m, &m->clipboard) < 0)
                return NULL;
        if (!m->clipboard->child && !m->clipboard->failed)
                (void) spawn(m->clipboard);
        return m->clipboard->child ? m->clipboard->socket : NULL;
}

ClipboardService *clipboard_service_free(ClipboardService *s) {
        if (!s)
                return NULL;
        sandboxed_child_kill(&s->child);
        free(s->dir);
        free(s->socket);
        free(s);
        return NULL;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* companion.c: supervising a VM's Wayland companions. Root prepares their directory with
 * openat-relative calls that never follow a link the user could have planted, then the
 * companions run as the user (sandbox_spawn() drops to it, companion-plan.c adds bubblewrap).
 * The compositor is looked for every COMPANION_SCAN_INTERVAL_USEC; the companions are started
 * when one appears and restarted when it changes (a new socket inode). */
#include "companion.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clipboard-service.h"
#include "companion-plan.h"
#include "desktop-layout.h"
#include "fs-util.h"
#include "log.h"
#include "ratelimit.h"
#include "sandboxed-child.h"
#include "socket-util.h"
#include "string-util.h"
#include "strv.h"
#include "time-util.h"

#define COMPANION_SCAN_INTERVAL_USEC ((uint64_t) 1000000)
#define COMPANION_DISPLAYS_MAX 32

typedef enum CompanionState {
        COMPANION_WAITING, /* no compositor yet */
        COMPANION_RUNNING,
        COMPANION_FAILED, /* died too often: left alone until the compositor changes */
} CompanionState;

static const char *const companion_state_names[] = {
        [COMPANION_WAITING] = "waiting",
        [COMPANION_RUNNING] = "running",
        [COMPANION_FAILED] = "failed",
};

typedef struct CompanionProcess {
        Companions *owner;
        CompanionKind kind;
        CompanionState state;
        pid_t pid;
        sd_event_source *child;
        Ratelimit restart_limit;
        unsigned restarts;
        char *last_error;
} CompanionProcess;

struct Companions {
        Manager *manager;
        char *vm_name;
        char *color;                /* the VM's, for the fence's frame */
        unsigned frame_width;       /* the VM's frameWidth */
        char *entries_dir;          /* <state>/exports/share/applications: the fence's app_ids */
        char *copy_key, *paste_key; /* clipboardCopyKey, clipboardPasteKey */
        char *dir_name;             /* the VM's name, in <runtime>/services */
        char *dir;                  /* absolute */
        int services_fd;            /* <runtime>/services */
        int dir_fd;
        char *user_runtime_dir; /* where the compositor's socket is looked for */
        char *display;          /* waylandDisplay, or NULL: the one live wayland-N */
        char *compositor;       /* absolute path in use, NULL when none */
        ino_t compositor_ino;
        char *fingerprint; /* displays_fingerprint() when the compositor was chosen */
        char *problem;     /* why there is no compositor */
        sd_event_source *scan_timer;
        CompanionProcess procs[_COMPANION_KIND_MAX];
};

/* ---- the companion directory ---- */

/* Root's <runtime>/services holds <name>: root creates it there (the user cannot replace it), opens
 * it without following links, and only then hands it to the user. */
static int dir_prepare(Companions *c, uid_t uid, gid_t gid) {
        _cleanup_(closep) int runtime_fd = -EBADF;

        runtime_fd = open(c->manager->options.runtime_dir, O_DIRECTORY | O_CLOEXEC);
        if (runtime_fd < 0)
                return -errno;
        if (mkdirat(runtime_fd, WAYLAND_SERVICES_DIR, 0755) < 0 && errno != EEXIST)
                return -errno;
        c->services_fd = openat(
                        runtime_fd, WAYLAND_SERVICES_DIR, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (c->services_fd < 0)
                return -errno;
        if (mkdirat(c->services_fd, c->dir_name, 0700) < 0 && errno != EEXIST)
                return -errno;
        c->dir_fd = openat(c->services_fd, c->dir_name, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (c->dir_fd < 0)
                return -errno;
        if (fchown(c->dir_fd, uid, gid) < 0 || fchmod(c->dir_fd, 0700) < 0)
                return -errno;
        return 0;
}

/* ---- processes ---- */

static int process_spawn(CompanionProcess *p);

/* A companion's socket is removed only around its own runs: before it starts and once it is
 * killed. Another listener in the directory (a test's) is left alone. */
static void process_remove_socket(CompanionProcess *p) {
        (void) unlinkat(p->owner->dir_fd, companion_socket_name(p->kind), 0);
}

static void process_stop(CompanionProcess *p) {
        if (p->child) {
                process_remove_socket(p);
                /* SIGKILL: no exit handler of the old one may unlink its successor's socket. */
                sandboxed_child_kill(&p->child);
        }
        p->pid = 0;
        p->state = COMPANION_WAITING;
}

static void process_fail(CompanionProcess *p, char *reason) {
        free(p->last_error);
        p->last_error = reason;
}

static int on_process_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        CompanionProcess *p = userdata;
        Companions *c;
        unsigned suppressed;
        char *reason = NULL;

        if (sandboxed_child_reaped(s, p))
                return 0; /* stopped on purpose */
        c = p->owner;
        reason = sandboxed_child_exit_reason(si);
        log_warning("VM '%s': companion %s (pid %d) %s.", c->vm_name,
                        companion_kind_to_string(p->kind), (int) p->pid, strna(reason));
        process_fail(p, reason);
        p->child = sd_event_source_disable_unref(p->child);
        p->pid = 0;
        process_remove_socket(p);

        if (!ratelimit_below(&p->restart_limit, now_usec(), &suppressed)) {
                p->state = COMPANION_FAILED;
                log_error("VM '%s': companion %s died %u times within %llu s; not restarting it "
                          "(its windows are gone; the VM runs on).",
                                c->vm_name, companion_kind_to_string(p->kind),
                                COMPANION_RESTARTS_MAX + 1,
                                COMPANION_RESTART_WINDOW_USEC / 1000000);
                return 0;
        }
        p->restarts++;
        (void) process_spawn(p);
        return 0;
}

static int process_spawn(CompanionProcess *p) {
        Companions *c = p->owner;
        Manager *m = c->manager;
        _cleanup_(strv_freep) char **argv = NULL;
        const CompanionContext ctx = {
                .vm_name = c->vm_name,
                .dir = c->dir,
                .compositor = c->compositor,
                .fence_binary = m->options.wayland_binary,
                .color = c->color,
                .frame_width = c->frame_width,
                .entries_dir = c->entries_dir,
                .clipboard = p->kind == COMPANION_FENCE ? clipboard_service_acquire(m) : NULL,
                .copy_key = c->copy_key,
                .paste_key = c->paste_key,
        };
        pid_t pid;
        int r;

        /* A killed companion leaves its socket behind; waypipe would not bind over it. */
        process_remove_socket(p);
        r = companion_plan_argv(p->kind, &ctx, &argv);
        if (r >= 0)
                r = sandboxed_child_spawn(m, argv, on_process_exit, p, &p->child, &pid);
        if (r < 0) {
                process_fail(p, strprintf("cannot start: %s", strerror(-r)));
                p->state = COMPANION_FAILED;
                return log_error_errno(r, "VM '%s': cannot start companion %s: %m", c->vm_name,
                                companion_kind_to_string(p->kind));
        }
        p->pid = pid;
        p->state = COMPANION_RUNNING;
        log_info("VM '%s': companion %s started (pid %d), compositor %s.", c->vm_name,
                        companion_kind_to_string(p->kind), (int) pid, c->compositor);
        return 0;
}

static void companions_stop_all(Companions *c) {
        for (CompanionKind k = 0; k < _COMPANION_KIND_MAX; k++)
                process_stop(&c->procs[k]);
}

static void companions_start_all(Companions *c) {
        for (CompanionKind k = 0; k < _COMPANION_KIND_MAX; k++) {
                CompanionProcess *p = &c->procs[k];
                p->restart_limit = (Ratelimit) RATELIMIT_INIT(
                                COMPANION_RESTART_WINDOW_USEC, COMPANION_RESTARTS_MAX);
                p->restarts = 0;
                (void) process_spawn(p);
        }
}

/* ---- finding the compositor ---- */

/* Whether name in dirfd is the user's socket and someone listens on it (a full backlog counts).
 * socket_connect_unix_at() never follows the user's links. */
static bool socket_is_live(int dirfd, const char *name, uid_t owner, ino_t *ret_ino) {
        _cleanup_(closep) int fd = -EBADF;
        int r;

        r = socket_connect_unix_at(dirfd, name, owner, &fd, ret_ino);
        return r >= 0 || r == -EAGAIN;
}

static char *compositor_find_configured(const Companions *c, char **ret_path, ino_t *ret_ino) {
        const char *slash = strrchr(c->display, '/');
        _cleanup_(freep) char *parent = NULL;
        _cleanup_(closep) int dfd = -EBADF;
        char *problem = NULL;

        if (slash)
                parent = strndup(c->display, (size_t) (slash - c->display) ?: 1);
        dfd = open(parent ?: c->user_runtime_dir, O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0 && socket_is_live(dfd, slash ? slash + 1 : c->display, c->manager->user_uid,
                                        ret_ino)) {
                if (slash)
                        *ret_path = strdup(c->display);
                else
                        *ret_path = strprintf("%s/%s", c->user_runtime_dir, c->display);
                return NULL;
        }
        problem = strprintf("no compositor: waylandDisplay '%s' is not a live socket", c->display);
        return problem;
}

/* Sets *ret_path and *ret_ino to the compositor socket, or returns a problem for status and logs.
 */
static char *compositor_find(const Companions *c, char **ret_path, ino_t *ret_ino) {
        _cleanup_(closedirp) DIR *d = NULL;
        char *live[COMPANION_DISPLAYS_MAX];
        ino_t inos[COMPANION_DISPLAYS_MAX];
        size_t n = 0, pick;
        CompositorPick result;
        struct dirent *de;
        char *problem = NULL;

        if (c->display)
                return compositor_find_configured(c, ret_path, ret_ino);
        d = opendir(c->user_runtime_dir);
        if (!d) {
                problem = strprintf("no compositor: cannot open %s: %s", c->user_runtime_dir,
                                strerror(errno));
                return problem;
        }
        while ((de = readdir(d)) && n < COMPANION_DISPLAYS_MAX) {
                if (!companion_is_display_name(de->d_name) ||
                                !socket_is_live(dirfd(d), de->d_name, c->manager->user_uid,
                                                &inos[n]))
                        continue;
                live[n] = de->d_name;
                n++;
        }
        result = companion_pick_compositor(live, n, &pick);
        if (result == COMPOSITOR_FOUND) {
                *ret_path = strprintf("%s/%s", c->user_runtime_dir, live[pick]);
                *ret_ino = inos[pick];
                return NULL;
        }
        if (result == COMPOSITOR_NONE)
                problem = strprintf("no compositor: no live wayland-N socket in %s",
                                c->user_runtime_dir);
        else
                problem = strprintf("no compositor: %zu live wayland-N sockets in %s; set "
                                    "waylandDisplay",
                                n, c->user_runtime_dir);
        return problem;
}

/* What the display sockets look like without connecting to them: each wayland-N socket's name
 * and inode (or the configured display's). NULL when out of memory. */
static char *displays_fingerprint(const Companions *c) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_(freep) char *fp = strdup("");
        struct dirent *de;
        struct stat st;

        if (c->display) {
                _cleanup_(freep) char *path =
                                c->display[0] == '/' ? strdup(c->display)
                                                     : strprintf("%s/%s", c->user_runtime_dir,
                                                                       c->display);
                if (!path || lstat(path, &st) < 0)
                        return NULL;
                return strprintf("%ju", (uintmax_t) st.st_ino);
        }
        d = opendir(c->user_runtime_dir);
        if (!d)
                return NULL;
        while (fp && (de = readdir(d))) {
                char *more;

                if (!companion_is_display_name(de->d_name) ||
                                fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                                !S_ISSOCK(st.st_mode))
                        continue;
                more = strprintf("%s%s:%ju;", fp, de->d_name, (uintmax_t) st.st_ino);
                free(fp);
                fp = more;
        }
        return TAKE_PTR(fp);
}

static void companions_scan(Companions *c) {
        _cleanup_(freep) char *path = NULL, *problem = NULL, *fp = NULL;
        ino_t ino = 0;

        /* With a compositor in use, nothing is probed (no connection a second to it) until the
         * display sockets change: a compositor restart makes a new socket inode. */
        fp = displays_fingerprint(c);
        if (c->compositor && fp && c->fingerprint && streq(fp, c->fingerprint))
                return;
        free(c->fingerprint);
        c->fingerprint = TAKE_PTR(fp);

        problem = compositor_find(c, &path, &ino);
        if (problem) {
                if (!c->problem || !streq(c->problem, problem))
                        log_warning("VM '%s': %s; its windows wait for one.", c->vm_name, problem);
                companions_stop_all(c);
                c->compositor = mfree(c->compositor);
                free(c->problem);
                c->problem = TAKE_PTR(problem);
                return;
        }
        if (!path)
                return; /* out of memory: try again at the next scan */
        if (c->compositor && streq(c->compositor, path) && c->compositor_ino == ino)
                return;

        log_info("VM '%s': compositor %s%s.", c->vm_name, path,
                        c->compositor ? " (changed: restarting the companions)" : "");
        companions_stop_all(c);
        c->problem = mfree(c->problem);
        free(c->compositor);
        c->compositor = TAKE_PTR(path);
        c->compositor_ino = ino;
        companions_start_all(c);
}

static int on_scan_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Companions *c = userdata;

        companions_scan(c);
        (void) sd_event_source_set_time(s, usec + COMPANION_SCAN_INTERVAL_USEC);
        return 0;
}

/* ---- lifecycle ---- */

int companions_new(Manager *m, const Config *config, const VmConfig *vm, Companions **ret) {
        _cleanup_(companions_freep) Companions *c = NULL;
        int r;

        if (m->user_uid == 0)
                return log_error_errno(EPERM,
                                "VM '%s': the configured user is root; Wayland "
                                "companions never run as root.",
                                vm->name);
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->manager = m;
        c->services_fd = c->dir_fd = -EBADF;
        for (CompanionKind k = 0; k < _COMPANION_KIND_MAX; k++)
                c->procs[k] = (CompanionProcess){ .owner = c, .kind = k };
        c->vm_name = strdup(vm->name);
        c->color = strdup(vm->color);
        c->frame_width = vm->frame_width;
        c->copy_key = strdup(config->clipboard_copy_key);
        c->paste_key = strdup(config->clipboard_paste_key);
        if (!c->color || !c->copy_key || !c->paste_key)
                return -ENOMEM;
        if (!c->vm_name || !(c->dir_name = strdup(vm->name)) ||
                        asprintf(&c->dir, "%s/" WAYLAND_SERVICES_DIR "/%s", m->options.runtime_dir,
                                        vm->name) < 0 ||
                        asprintf(&c->user_runtime_dir, "%s/%u", m->options.user_runtime_base,
                                        (unsigned) m->user_uid) < 0 ||
                        asprintf(&c->entries_dir, "%s/" DESKTOP_EXPORTS_APPLICATIONS_DIR,
                                        m->options.state_dir) < 0)
                return -ENOMEM;
        if (config->wayland_display) {
                c->display = strdup(config->wayland_display);
                if (!c->display)
                        return -ENOMEM;
        }
        r = dir_prepare(c, m->user_uid, m->user_gid);
        if (r < 0)
                return log_error_errno(r, "VM '%s': cannot prepare %s: %m", vm->name, c->dir);
        r = sd_event_add_time_relative(
                        m->event, &c->scan_timer, CLOCK_MONOTONIC, 0, 0, on_scan_timer, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_enabled(c->scan_timer, SD_EVENT_ON);
        *ret = TAKE_PTR(c);
        return 0;
}

Companions *companions_free(Companions *c) {
        if (!c)
                return NULL;
        c->scan_timer = sd_event_source_disable_unref(c->scan_timer);
        for (CompanionKind k = 0; k < _COMPANION_KIND_MAX; k++) {
                process_stop(&c->procs[k]);
                free(c->procs[k].last_error);
        }
        /* Only if empty: a listener that is not ours keeps it. The fence's control socket is
         * left by the killed fence. */
        if (c->dir_fd >= 0) {
                (void) unlinkat(c->dir_fd, WAYLAND_CONTROL_SOCKET, 0);
                (void) unlinkat(c->services_fd, c->dir_name, AT_REMOVEDIR);
        }
        safe_close(c->dir_fd);
        safe_close(c->services_fd);
        free(c->vm_name);
        free(c->color);
        free(c->entries_dir);
        free(c->copy_key);
        free(c->paste_key);
        free(c->dir_name);
        free(c->dir);
        free(c->user_runtime_dir);
        free(c->display);
        free(c->compositor);
        free(c->fingerprint);
        free(c->problem);
        free(c);
        return NULL;
}

json_t *companions_to_json(const Companions *c) {
        json_t *list = json_array();

        for (CompanionKind k = 0; list && k < _COMPANION_KIND_MAX; k++) {
                const CompanionProcess *p = &c->procs[k];
                json_array_append_new(list,
                                json_pack("{s:s, s:s, s:o, s:i, s:s?}", "name",
                                                companion_kind_to_string(k), "state",
                                                companion_state_names[p->state], "pid",
                                                p->pid > 0 ? json_integer(p->pid) : json_null(),
                                                "restarts", (int) p->restarts, "last_error",
                                                p->last_error));
        }
        return json_pack("{s:s?, s:s?, s:o}", "compositor", c->compositor, "problem", c->problem,
                        "companions", list);
}

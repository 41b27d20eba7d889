/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-companion.c: supervising a VM's tray host half. The user's session bus is looked for
 * every TRAY_SCAN_INTERVAL_USEC by its inode alone; a new inode (a bus that appeared or was
 * restarted) is probed once and the host half (re)started on it. Exits are restarted at most
 * COMPANION_RESTARTS_MAX times per COMPANION_RESTART_WINDOW_USEC: the host half exits at each
 * stream end, so a guest that reconnects in a loop ends up without a tray, not with a host
 * spawning sandboxes in a loop. */
#include "tray-companion.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "companion-plan.h"
#include "host-forward.h"
#include "log.h"
#include "ratelimit.h"
#include "sandboxed-child.h"
#include "socket-util.h"
#include "strv.h"
#include "tray-plan.h"

#define TRAY_SCAN_INTERVAL_USEC ((uint64_t) 1000000)

typedef enum TrayState {
        TRAY_WAITING, /* no session bus yet */
        TRAY_RUNNING,
        TRAY_FAILED, /* exited too often: left alone until the bus changes */
} TrayState;

static const char *const tray_state_names[] = {
        [TRAY_WAITING] = "waiting",
        [TRAY_RUNNING] = "running",
        [TRAY_FAILED] = "failed",
};

struct TrayCompanion {
        Manager *manager;
        char *vm_name;
        char *color;
        char *log_level;
        char *dir; /* the VM's services directory */
        int dir_fd;
        char *user_runtime_dir;
        char *bus;     /* <user_runtime_dir>/bus */
        ino_t bus_ino; /* of the bus in use or last tried; 0 when none */
        TrayState state;
        pid_t pid;
        sd_event_source *child;
        sd_event_source *scan_timer;
        Ratelimit restart_limit;
        unsigned restarts;
        char *last_error;
};

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

/* Only around its own runs: the host half removes its socket itself once the guest connected. */
static void remove_socket(TrayCompanion *t) {
        (void) unlinkat(t->dir_fd, TRAY_SERVICE_SOCKET, 0);
}

static void tray_stop(TrayCompanion *t) {
        if (t->child) {
                remove_socket(t);
                sandboxed_child_kill(&t->child);
        }
        t->pid = 0;
        t->state = TRAY_WAITING;
}

static int tray_spawn(TrayCompanion *t);

static int on_host_half_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        TrayCompanion *t = userdata;
        unsigned suppressed;

        if (sandboxed_child_reaped(s, t))
                return 0; /* stopped on purpose */
        free(t->last_error);
        t->last_error = sandboxed_child_exit_reason(si);
        /* Status 0 is a stream that ended (the guest half went away): routine. */
        log_full(si->si_code == CLD_EXITED && si->si_status == 0 ? LOG_INFO : LOG_WARNING,
                        "VM '%s': tray host half (pid %d) %s.", t->vm_name, (int) t->pid,
                        strna(t->last_error));
        t->child = sd_event_source_disable_unref(t->child);
        t->pid = 0;
        remove_socket(t);
        if (!ratelimit_below(&t->restart_limit, now_usec(), &suppressed)) {
                t->state = TRAY_FAILED;
                log_error("VM '%s': tray host half exited %u times within %llu s; not restarting "
                          "it (the VM's tray items are gone; the VM runs on).",
                                t->vm_name, COMPANION_RESTARTS_MAX + 1,
                                COMPANION_RESTART_WINDOW_USEC / 1000000);
                return 0;
        }
        t->restarts++;
        (void) tray_spawn(t);
        return 0;
}

static int tray_spawn(TrayCompanion *t) {
        Manager *m = t->manager;
        _cleanup_(strv_freep) char **argv = NULL;
        const TrayContext ctx = {
                .vm_name = t->vm_name,
                .dir = t->dir,
                .bus = t->bus,
                .binary = m->options.tray_binary,
                .color = t->color,
                .log_level = t->log_level,
        };
        pid_t pid;
        int r;

        remove_socket(t); /* left by a killed run; bind would fail on it */
        r = tray_plan_argv(&ctx, &argv);
        if (r >= 0)
                r = sandboxed_child_spawn(m, argv, on_host_half_exit, t, &t->child, &pid);
        if (r < 0) {
                free(t->last_error);
                if (asprintf(&t->last_error, "cannot start: %s", strerror(-r)) < 0)
                        t->last_error = NULL;
                t->state = TRAY_FAILED;
                return log_error_errno(
                                r, "VM '%s': cannot start the tray host half: %m", t->vm_name);
        }
        t->pid = pid;
        t->state = TRAY_RUNNING;
        log_info("VM '%s': tray host half started (pid %d) on %s.", t->vm_name, (int) pid, t->bus);
        return 0;
}

/* The bus socket's inode without connecting, 0 when there is none. */
static ino_t bus_inode(const TrayCompanion *t) {
        struct stat st;

        if (lstat(t->bus, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_uid != t->manager->user_uid)
                return 0;
        return st.st_ino;
}

static bool bus_is_live(const TrayCompanion *t) {
        _cleanup_(closep) int dfd = -EBADF, fd = -EBADF;
        int r;

        dfd = open(t->user_runtime_dir, O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return false;
        r = socket_connect_unix_at(dfd, TRAY_USER_BUS_NAME, t->manager->user_uid, &fd, NULL);
        return r >= 0 || r == -EAGAIN;
}

static void tray_scan(TrayCompanion *t) {
        ino_t ino = bus_inode(t);

        if (ino == t->bus_ino)
                return;
        tray_stop(t);
        t->bus_ino = ino;
        if (ino == 0) {
                log_info("VM '%s': no session bus at %s; its tray items wait for one.", t->vm_name,
                                t->bus);
                return;
        }
        if (!bus_is_live(t)) {
                t->bus_ino = 0; /* probed again at the next scan */
                return;
        }
        t->restart_limit = RATELIMIT_INIT(COMPANION_RESTART_WINDOW_USEC, COMPANION_RESTARTS_MAX);
        t->restarts = 0;
        (void) tray_spawn(t);
}

static int on_scan_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        tray_scan(userdata);
        (void) sd_event_source_set_time(s, usec + TRAY_SCAN_INTERVAL_USEC);
        return 0;
}

int tray_companion_new(Vm *vm, TrayCompanion **ret) {
        _cleanup_(tray_companion_freep) TrayCompanion *t = NULL;
        Manager *m = vm->manager;
        int r;

        if (m->user_uid == 0)
                return log_error_errno(EPERM,
                                "VM '%s': the configured user is root; the tray host half never "
                                "runs as root.",
                                vm->config->name);
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        *t = (TrayCompanion){ .manager = m, .dir_fd = -EBADF };
        t->vm_name = strdup(vm->config->name);
        t->color = strdup(vm->config->color);
        t->log_level = strdup(m->config->tray_log_level);
        if (!t->vm_name || !t->color || !t->log_level ||
                        asprintf(&t->user_runtime_dir, "%s/%u", m->options.user_runtime_base,
                                        (unsigned) m->user_uid) < 0 ||
                        asprintf(&t->bus, "%s/" TRAY_USER_BUS_NAME, t->user_runtime_dir) < 0)
                return -ENOMEM;
        r = host_forward_prepare_dir(vm);
        if (r < 0)
                return log_error_errno(r, "VM '%s': cannot prepare its services directory: %m",
                                t->vm_name);
        t->dir = host_forward_socket_path(vm, "tray");
        if (!t->dir)
                return -ENOMEM;
        *strrchr(t->dir, '/') = 0;
        /* Root made it in root's <runtime>/services: opening it follows no link of the user's. */
        t->dir_fd = open(t->dir, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (t->dir_fd < 0)
                return log_error_errno(errno, "VM '%s': cannot open %s: %m", t->vm_name, t->dir);
        r = sd_event_add_time_relative(
                        m->event, &t->scan_timer, CLOCK_MONOTONIC, 0, 0, on_scan_timer, t);
        if (r < 0)
                return r;
        (void) sd_event_source_set_enabled(t->scan_timer, SD_EVENT_ON); /* not a oneshot */
        *ret = TAKE_PTR(t);
        return 0;
}

TrayCompanion *tray_companion_free(TrayCompanion *t) {
        if (!t)
                return NULL;
        t->scan_timer = sd_event_source_disable_unref(t->scan_timer);
        if (t->dir_fd >= 0) {
                tray_stop(t);
                /* Only if empty: the Wayland companions may still be there. */
                (void) rmdir(t->dir);
        }
        safe_close(t->dir_fd);
        free(t->vm_name);
        free(t->color);
        free(t->log_level);
        free(t->dir);
        free(t->user_runtime_dir);
        free(t->bus);
        free(t->last_error);
        free(t);
        return NULL;
}

json_t *tray_companion_to_json(const TrayCompanion *t) {
        return json_pack("{s:s, s:s, s:o, s:i, s:s?}", "bus", t->bus, "state",
                        tray_state_names[t->state], "pid",
                        t->pid > 0 ? json_integer(t->pid) : json_null(), "restarts",
                        (int) t->restarts, "last_error", t->last_error);
}

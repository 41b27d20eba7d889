/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sound.c: supervising a QEMU VM's sound bus (dbus-daemon) and player (vmsilo-sound). Both run as
 * the configured user (sandbox_spawn() drops to it): the bus in bubblewrap before the VMM, the
 * player in the VMM's sandbox and PID namespace after it (sound-plan.c). Only the player holds
 * the user's sound server; the VMM never does (docs/sound.md). */
#include "sound.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "qemu-plan.h"
#include "safe-open.h"
#include "sandboxed-child.h"
#include "socket-util.h"
#include "sound-plan.h"
#include "strv.h"
#include "wayland-layout.h"

/* How long QEMU's start waits for the VM's bus: dbus-daemon listens within milliseconds, a
 * loaded machine may take a second. The daemon's loop waits meanwhile (docs/sound.md). */
#define SOUND_BUS_TIMEOUT_USEC ((uint64_t) 5000000)
#define SOUND_BUS_POLL_USEC ((uint64_t) 10000)

typedef struct SoundProcess {
        Sound *owner;
        const char *what; /* "bus", "player" */
        pid_t pid;
        sd_event_source *child;
        char *last_error; /* why it ended, NULL while it runs or never ran */
} SoundProcess;

struct Sound {
        Manager *manager;
        char *vm_name;
        bool capture;
        char *dir; /* the VM's companion directory */
        char *bus_path;
        bool bus_up;
        char *pulse_dir; /* the user's Pulse directory, as the host sees it */
        char *problem;   /* why there is no sound, for status */
        SoundProcess bus, player;
        LaunchPlan *player_plan; /* until the VMM runs (sound_start_player()) */
};

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

static int on_sound_process_exit(sd_event_source *source, const siginfo_t *si, void *userdata) {
        SoundProcess *p = userdata;

        if (sandboxed_child_reaped(source, userdata))
                return 0;
        free(p->last_error);
        p->last_error = sandboxed_child_exit_reason(si);
        /* The player ends cleanly when QEMU leaves the bus: the VM is stopping. */
        if (si->si_code == CLD_EXITED && si->si_status == 0)
                log_info("VM '%s': sound %s (pid %d) ended.", p->owner->vm_name, p->what,
                                (int) p->pid);
        else
                log_warning("VM '%s': sound %s (pid %d) %s; the VM runs on without sound.",
                                p->owner->vm_name, p->what, (int) p->pid, strna(p->last_error));
        p->child = sd_event_source_disable_unref(p->child);
        p->pid = 0;
        return 0;
}

static void sound_process_started(SoundProcess *p) {
        log_info("VM '%s': sound %s started (pid %d).", p->owner->vm_name, p->what, (int) p->pid);
}

static void sound_process_stop(SoundProcess *p) {
        sandboxed_child_kill(&p->child);
        p->pid = 0;
        p->last_error = mfree(p->last_error);
}

/* The bus configuration is root's, in the runtime directory, rewritten at each start. */
static int bus_config_write(const char *path) {
        _cleanup_(closep) int fd = -EBADF;
        size_t n = strlen(sound_plan_bus_config);

        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        if (write(fd, sound_plan_bus_config, n) != (ssize_t) n)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

/* Waits (bounded) until the user's dbus-daemon listens on the bus socket. The socket is in the
 * user's directory: socket_connect_unix_at() follows no link and wants the user's socket. */
static int bus_wait(Sound *s) {
        _cleanup_(closep) int dir_fd = safe_open_dir(s->dir);
        uint64_t deadline = now_usec() + SOUND_BUS_TIMEOUT_USEC;

        if (dir_fd < 0)
                return dir_fd;
        for (;;) {
                _cleanup_(closep) int fd = -EBADF;
                int r = socket_connect_unix_at(
                                dir_fd, SOUND_BUS_SOCKET, s->manager->user_uid, &fd, NULL);
                if (r >= 0 || r == -EAGAIN)
                        return 0;
                if (!s->bus.child)
                        return -ESRCH; /* it died: on_sound_process_exit() said why */
                if (now_usec() > deadline)
                        return -ETIMEDOUT;
                (void) usleep(SOUND_BUS_POLL_USEC);
        }
}

/* Whether the user's sound server listens now (for the log line and status). */
static bool server_is_live(const Sound *s) {
        _cleanup_(closep) int dir_fd = safe_open_dir(s->pulse_dir), fd = -EBADF;

        if (dir_fd < 0)
                return false;
        int r = socket_connect_unix_at(dir_fd, "native", s->manager->user_uid, &fd, NULL);
        return r >= 0 || r == -EAGAIN;
}

static int sound_start(Sound *s, const VmConfig *vm) {
        Manager *m = s->manager;
        _cleanup_(strv_freep) char **bus_argv = NULL;
        _cleanup_(freep) char *config = NULL;
        SoundContext ctx;
        int r;

        if (asprintf(&config, "%s/" SOUND_BUS_CONFIG, m->options.runtime_dir) < 0)
                return -ENOMEM;
        ctx = (SoundContext){
                .vm_name = vm->name,
                .dir = s->dir,
                .bus_config = config,
                .pulse_dir = s->pulse_dir,
                .sound_binary = m->options.sound_binary,
                .capture = s->capture,
        };
        r = bus_config_write(config);
        if (r >= 0)
                r = sound_plan_bus_argv(&ctx, &bus_argv);
        if (r >= 0)
                r = sound_plan_player(&ctx, &s->player_plan);
        if (r < 0)
                return r;
        r = sandboxed_child_spawn(
                        m, bus_argv, on_sound_process_exit, &s->bus, &s->bus.child, &s->bus.pid);
        if (r < 0)
                return r;
        sound_process_started(&s->bus);
        r = bus_wait(s);
        if (r < 0)
                return r;
        s->bus_up = true;
        return 0;
}

int sound_new(Manager *m, const VmConfig *vm, Sound **ret) {
        _cleanup_(sound_freep) Sound *s = NULL;
        QemuSound wanted;
        int r;

        if (!vm->sound.enabled) {
                *ret = NULL;
                return 0;
        }
        if (m->user_uid == 0)
                return log_error_errno(-EPERM,
                                "VM '%s': the configured user is root; its sound companion "
                                "never runs as root.",
                                vm->name);
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->manager = m;
        s->bus = (SoundProcess){ .owner = s, .what = "bus" };
        s->player = (SoundProcess){ .owner = s, .what = "player" };
        r = qemu_plan_sound(vm, &wanted);
        if (r < 0)
                return r; /* validation refused this config before */
        s->capture = wanted.capture;
        if (!(s->vm_name = strdup(vm->name)) ||
                        asprintf(&s->dir, "%s/" WAYLAND_SERVICES_DIR "/%s", m->options.runtime_dir,
                                        vm->name) < 0 ||
                        asprintf(&s->bus_path, "%s/" SOUND_BUS_SOCKET, s->dir) < 0 ||
                        asprintf(&s->pulse_dir, "%s/%u/pulse", m->options.user_runtime_base,
                                        (unsigned) m->user_uid) < 0)
                return -ENOMEM;
        if (!server_is_live(s))
                log_warning("VM '%s': no sound server at %s/native; its sound plays nowhere "
                            "until one starts.",
                                vm->name, s->pulse_dir);
        r = sound_start(s, vm);
        if (r < 0) {
                if (asprintf(&s->problem, "no sound: the VM's bus did not start: %s",
                                    strerror(-r)) < 0)
                        s->problem = NULL;
                log_error("VM '%s': %s; it starts without a sound device.", vm->name, s->problem);
                sound_process_stop(&s->bus);
                sound_process_stop(&s->player);
                s->bus_up = false;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

Sound *sound_free(Sound *s) {
        if (!s)
                return NULL;
        sound_process_stop(&s->player);
        sound_process_stop(&s->bus);
        if (s->dir) {
                _cleanup_(closep) int dir_fd = safe_open_dir(s->dir);

                /* The bus is killed: its socket goes, and the VM's services directory with it
                 * when no other host service of the VM is left there (ENOTEMPTY otherwise). */
                if (dir_fd >= 0)
                        (void) unlinkat(dir_fd, SOUND_BUS_SOCKET, 0);
                (void) rmdir(s->dir);
        }
        plan_free(s->player_plan);
        free(s->vm_name);
        free(s->dir);
        free(s->bus_path);
        free(s->pulse_dir);
        free(s->problem);
        free(s);
        return NULL;
}

int sound_start_player(Sound *s, pid_t vmm) {
        _cleanup_(plan_freep) LaunchPlan *plan = NULL;
        int r;

        if (!s || !s->bus_up || !s->player_plan)
                return 0;
        plan = TAKE_PTR(s->player_plan);
        r = sandboxed_child_spawn_beside(s->manager, plan, vmm, on_sound_process_exit, &s->player,
                        &s->player.child, &s->player.pid);
        if (r < 0) {
                if (asprintf(&s->problem, "no sound: vmsilo-sound did not start: %s",
                                    strerror(-r)) < 0)
                        s->problem = NULL;
                return log_error_errno(r, "VM '%s': cannot start vmsilo-sound: %m", s->vm_name);
        }
        sound_process_started(&s->player);
        return 0;
}

const char *sound_bus_path(const Sound *s) {
        return s && s->bus_up ? s->bus_path : NULL;
}

static json_t *process_to_json(const SoundProcess *p) {
        return json_pack("{s:s, s:o, s:s?}", "state", p->child ? "running" : "stopped", "pid",
                        p->pid > 0 ? json_integer(p->pid) : json_null(), "last_error",
                        p->last_error);
}

json_t *sound_to_json(const Sound *s) {
        return json_pack("{s:b, s:s, s:o, s:o, s:s?}", "capture", s->capture, "server",
                        server_is_live(s) ? "running" : "missing", "bus", process_to_json(&s->bus),
                        "player", process_to_json(&s->player), "problem", s->problem);
}

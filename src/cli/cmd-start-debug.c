/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-start-debug.c: `vm-start-debug NAME` runs the VM's VMM in the foreground, bypassing
 * vmsilod: the console is the terminal, QMP and the agent channel are sockets the VMM creates in
 * <runtime>/<name>-debug/. Run as root: it opens the TAPs, then starts the VMM in the same
 * sandbox as vmsilod (sandbox.h), as the configured user, never as root. For boot problems. */
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accel.h"
#include "cli-util.h"
#include "cli.h"
#include "crosvm-plan.h"
#include "image-layout.h"
#include "launch-context.h"
#include "layout.h"
#include "log.h"
#include "path-util.h"
#include "plan-validate.h"
#include "qemu-plan.h"
#include "sandbox.h"
#include "spawn-util.h"
#include "strv.h"
#include "tap.h"

typedef struct DebugLaunch {
        const Config *config;
        const VmConfig *vm;
        size_t vm_index;
        VmmKind vmm;
        AccelKind accel;
        uint32_t tsc_khz; /* for a TCG guest's kernel; 0 unknown */
        uid_t uid;        /* the configured user the VMM runs as */
        gid_t gid;
        char *socket_dir; /* <runtime>/<name>-debug: the VMM's QMP and agent sockets */
        LaunchPaths paths;
        LaunchContext ctx;
} DebugLaunch;

static void debug_launch_finish(DebugLaunch *l) {
        free(l->socket_dir);
        launch_paths_finish(&l->paths);
}

static void help(const char *program) {
        printf("Usage: %s [OPTIONS] NAME\n"
               "\n"
               "Run the VMM of VM NAME in the foreground, without vmsilod, with its console on\n"
               "this terminal, in vmsilod's sandbox as the configured user. For debugging boot\n"
               "problems; needs root (except --dry-run).\n"
               "\n"
               "Options:\n"
               "  -h --help             show this help\n"
               "  -n --dry-run          print the command line and exit\n"
               "     --vmm qemu|crosvm  override the configured VMM\n"
               "     --config FILE      the configuration (default: " CONFIG_DEFAULT_PATH ")\n"
               "     --state-dir DIR    where the default image lives (default: $" CLI_STATE_DIR_ENV
               " or " CLI_STATE_DIR_DEFAULT ")\n"
               "     --runtime-dir DIR  where the VMM puts its sockets (default: "
               "$" CLI_RUNTIME_DIR_ENV " or " CLI_RUNTIME_DIR_DEFAULT ")\n"
               "\n"
               "Environment: VMSILO_ACCEL=kvm|tcg|auto overrides the configured acceleration.\n",
                        program);
}

static const char *vmm_reason(const Config *c, const VmConfig *vm, const char *vmm_option,
                bool crosvm_available) {
        if (vmm_option)
                return "--vmm";
        if (vm->vmm != VMM_AUTO)
                return "set for this VM";
        if (c->vmm != VMM_AUTO)
                return "set globally";
        return crosvm_available ? "auto: crosvm found in PATH" : "auto: crosvm not found in PATH";
}

static int resolve_vmm(DebugLaunch *l, const char *vmm_option) {
        _cleanup_(config_errors_finish) ConfigErrors errors = {};
        bool crosvm_available = path_find_executable(CROSVM_PLAN_BINARY_DEFAULT);
        int r;

        l->vmm = vmm_option ? vmm_kind_from_string(vmm_option)
                            : config_vm_vmm(l->config, l->vm, crosvm_available);
        fprintf(stderr, "VMM: %s (%s)\n", vmm_kind_to_string(l->vmm),
                        vmm_reason(l->config, l->vm, vmm_option, crosvm_available));
        r = plan_validate_vm(l->vm, l->vm_index, l->vmm, &errors);
        if (r < 0)
                return log_error_errno(r, "cannot check VM '%s' for %s: %m", l->vm->name,
                                vmm_kind_to_string(l->vmm));
        for (size_t i = 0; i < errors.n_items; i++)
                log_error("%s: %s", errors.items[i].path, errors.items[i].message);
        if (r > 0)
                return -EINVAL;
        return 0;
}

/* A dry run changes nothing on the host (no /dev/kvm ACL): it assumes the grant works. */
static int resolve_accel(DebugLaunch *l, bool dry_run) {
        const char *reason;
        gid_t kvm_group;
        int r;

        if (l->vmm == VMM_CROSVM) {
                l->accel = ACCEL_KVM;
                fprintf(stderr, "Acceleration: kvm (crosvm always uses KVM)\n");
                return 0;
        }
        r = accel_resolve(config_vm_accel(l->config, l->vm), getenv("VMSILO_ACCEL"),
                        dry_run || sandbox_kvm_prepare(SANDBOX_KVM_PATH, l->uid, &kvm_group) >= 0,
                        &l->accel, &l->tsc_khz, &reason);
        if (r < 0)
                return log_error_errno(r, "cannot choose the acceleration: %s", reason);
        fprintf(stderr, "Acceleration: %s (%s)\n", accel_kind_to_string(l->accel), reason);
        return 0;
}

static int check_boot_file(const char *path, bool dry_run) {
        if (access(path, R_OK) == 0)
                return 0;
        if (dry_run) {
                log_warning_errno(errno, "cannot read '%s': %m", path);
                return 0;
        }
        return log_error_errno(errno,
                        "cannot read '%s': %m (build the default image with 'vmsilo image build', "
                        "or set the VM's kernel and initramfs)",
                        path);
}

/* crosvm's cross-domain GPU wants the host compositor's socket. */
static char *wayland_socket_path(void) {
        const char *display = getenv("WAYLAND_DISPLAY"), *dir = getenv("XDG_RUNTIME_DIR");
        char *path;

        if (!display || display[0] == '\0')
                return NULL;
        if (display[0] == '/')
                return strdup(display);
        if (!dir || dir[0] == '\0' || asprintf(&path, "%s/%s", dir, display) < 0)
                return NULL;
        return path;
}

static int build_plan(DebugLaunch *l, LaunchPlan **ret) {
        int r;

        if (l->vmm == VMM_CROSVM)
                r = crosvm_plan_build(l->config, l->vm, &l->ctx, ret);
        else
                r = qemu_plan_build(l->config, l->vm, &l->ctx, ret);
        if (r < 0)
                return log_error_errno(
                                r, "cannot build the launch plan of VM '%s': %m", l->vm->name);
        return 0;
}

/* The launch context, as vmsilod's but in the foreground (no overlay disk: the root's upper
 * layer is tmpfs), checking the files it names. */
static int resolve_context(DebugLaunch *l, const char *state_dir, bool dry_run) {
        _cleanup_(freep) char *wayland = l->vmm == VMM_CROSVM ? wayland_socket_path() : NULL;
        LaunchSetup setup = {
                .vmm = l->vmm,
                .state_dir = state_dir,
                .runtime_dir = l->socket_dir,
                .debug = true,
                .host_wayland = wayland,
                .accel = l->accel,
                .tsc_khz = l->tsc_khz,
        };
        int r;

        r = launch_context_build(l->vm, &setup, &l->paths, &l->ctx);
        if (r < 0)
                return log_oom();
        r = check_boot_file(l->ctx.kernel, dry_run);
        if (r >= 0 && l->ctx.initramfs)
                r = check_boot_file(l->ctx.initramfs, dry_run);
        if (r < 0)
                return r;
        if (l->ctx.built_root_disk && access(l->ctx.built_root_disk, R_OK) < 0) {
                if (!dry_run)
                        return log_error_errno(errno,
                                        "cannot read '%s': %m (build it with 'vmsilo image "
                                        "build %s')",
                                        l->ctx.built_root_disk, l->vm->name);
                log_warning_errno(errno, "cannot read '%s': %m", l->ctx.built_root_disk);
        }
        return 0;
}

/* Shell-quotes one word when it needs it, so the printed line can be pasted. */
static void print_word(FILE *f, const char *w) {
        if (w[0] != '\0' && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789-_./=:,+@%") == strlen(w)) {
                fputs(w, f);
                return;
        }
        fputc('\'', f);
        for (const char *p = w; *p != '\0'; p++)
                if (*p == '\'')
                        fputs("'\\''", f);
                else
                        fputc(*p, f);
        fputc('\'', f);
}

static void print_argv(FILE *f, char *const *argv) {
        for (size_t i = 0; argv[i]; i++) {
                if (i > 0)
                        fputc(' ', f);
                print_word(f, argv[i]);
        }
        fputc('\n', f);
}

static int find_vm(DebugLaunch *l, const char *name, const char *config_path) {
        for (size_t i = 0; i < l->config->n_vms; i++)
                if (streq(l->config->vms[i].name, name)) {
                        l->vm = &l->config->vms[i];
                        l->vm_index = i;
                        return 0;
                }
        return log_error_errno(ENOENT, "no VM named '%s' in '%s'", name, config_path);
}

/* The configured user, refused if it is root by another name (config-parse.c refuses "root").
 * A dry run only prints, so a user missing on this host is a warning there. */
static int resolve_user(DebugLaunch *l, bool dry_run) {
        const struct passwd *pw;

        errno = 0;
        pw = getpwnam(l->config->user);
        if (!pw && dry_run) {
                log_warning_errno(errno ?: ENOENT, "user: '%s' does not exist on this host",
                                l->config->user);
                l->uid = getuid();
                l->gid = getgid();
                return 0;
        }
        if (!pw)
                return log_error_errno(errno ?: ENOENT, "user: '%s' does not exist on this host",
                                l->config->user);
        if (pw->pw_uid == 0)
                return log_error_errno(EPERM,
                                "user: must not be root: '%s' has uid 0, and the VMM runs as "
                                "this user",
                                l->config->user);
        l->uid = pw->pw_uid;
        l->gid = pw->pw_gid;
        return 0;
}

/* <runtime>/<name>-debug, the VMM user's: the VMM creates its QMP and agent sockets there and
 * sees nothing else of the runtime directory (vmsilod's sockets live beside it). */
static int make_socket_dir(const DebugLaunch *l) {
        struct stat st;

        if (mkdir(l->socket_dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "cannot create '%s': %m", l->socket_dir);
        if (lstat(l->socket_dir, &st) < 0)
                return log_error_errno(errno, "cannot check '%s': %m", l->socket_dir);
        if (!S_ISDIR(st.st_mode))
                return log_error_errno(ENOTDIR, "'%s' is not a directory", l->socket_dir);
        if (chown(l->socket_dir, l->uid, l->gid) < 0 || chmod(l->socket_dir, 0700) < 0)
                return log_error_errno(errno, "cannot hand '%s' to the VM user: %m", l->socket_dir);
        return 0;
}

static int prepare(const StartDebugOptions *o, DebugLaunch *l, LaunchPlan **ret) {
        const char *config_path = cli_config_path(o->config_path);
        const char *runtime_dir = cli_runtime_dir(o->runtime_dir);
        int r;

        r = find_vm(l, o->vm, config_path);
        if (r < 0)
                return r;
        r = resolve_user(l, o->dry_run);
        if (r < 0)
                return r;
        l->socket_dir = layout_runtime_file(runtime_dir, l->vm->name, "-debug");
        if (!l->socket_dir)
                return log_oom();
        r = resolve_vmm(l, o->vmm);
        if (r < 0)
                return r;
        r = resolve_accel(l, o->dry_run);
        if (r < 0)
                return r;
        r = resolve_context(l, cli_state_dir(o->state_dir), o->dry_run);
        if (r < 0)
                return r;
        if (!o->dry_run) {
                if (mkdir(runtime_dir, 0755) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "cannot create '%s': %m", runtime_dir);
                r = make_socket_dir(l);
                if (r < 0)
                        return r;
        }
        return build_plan(l, ret);
}

static volatile sig_atomic_t vmm_pid;

/* QEMU stops cleanly on SIGTERM; ours would otherwise kill it through PDEATHSIG. */
static void forward_signal(int sig) {
        if (vmm_pid > 0)
                (void) kill(vmm_pid, sig);
}

/* Starts the VMM in the sandbox with the terminal as its console and waits for it. Our exit
 * status is the VMM's. */
static int run_vmm(const DebugLaunch *l, const LaunchPlan *plan) {
        struct sigaction forward = { .sa_handler = forward_signal };
        sigset_t held;
        int *taps = NULL, status;
        size_t n_taps = 0;
        SandboxFds fds;
        pid_t pid;
        int r;

        /* Every inherited-fd switch but the TAPs' is off. */
        r = tap_open_vm(l->vm, &taps, &n_taps);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        fds = (SandboxFds){
                .qmp = -EBADF,
                .agent = -EBADF,
                .console = -EBADF,
                .balloon_qmp = -EBADF,
                .taps = taps,
                .n_taps = n_taps,
                .input = STDIN_FILENO,
                .output = -EBADF,
        };
        /* Held until vmm_pid is known: a signal in between would be lost. The sandbox gives
         * the VMM an empty mask. */
        (void) sigemptyset(&held);
        (void) sigaddset(&held, SIGTERM);
        (void) sigaddset(&held, SIGHUP);
        (void) sigprocmask(SIG_BLOCK, &held, NULL);
        (void) sigaction(SIGTERM, &forward, NULL);
        (void) sigaction(SIGHUP, &forward, NULL);
        r = sandbox_spawn(plan, &fds, l->uid, l->gid, &pid);
        tap_close_all(taps, n_taps);
        if (r < 0) {
                log_error_errno(r, "cannot start '%s': %m", plan->argv[0]);
                return CLI_EXIT_FAILURE;
        }
        vmm_pid = pid;
        (void) sigprocmask(SIG_UNBLOCK, &held, NULL);
        /* The console has the terminal and passes Ctrl+C to the guest. */
        fprintf(stderr, "Stop it with a poweroff in the guest or 'kill %d'.\n", (int) getpid());
        (void) fflush(stderr);
        r = wait_child(pid, &status);
        if (r < 0) {
                log_error_errno(r, "cannot wait for the VMM: %m");
                return CLI_EXIT_FAILURE;
        }
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        log_error("the VMM was killed by signal %s", strsignal(WTERMSIG(status)));
        return CLI_EXIT_FAILURE;
}

int cmd_start_debug(int argc, char **argv) {
        _cleanup_(debug_launch_finish) DebugLaunch launch = {};
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(plan_freep) LaunchPlan *plan = NULL;
        _cleanup_(freep) char *error = NULL;
        StartDebugOptions o;
        int r;

        r = cli_args_parse_start_debug(argc, argv, &o, &error);
        if (r < 0)
                return cli_usage_error(cli_program_name(argv[0]), TAKE_PTR(error));
        if (o.help) {
                help(cli_program_name(argv[0]));
                return CLI_EXIT_OK;
        }

        r = config_load_file_logged(cli_config_path(o.config_path), &config);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        launch.config = config;
        if (!o.dry_run && geteuid() != 0) {
                log_error("vm-start-debug must run as root: it opens the VM's TAPs, then starts the "
                          "VMM in vmsilod's sandbox as user '%s' (--dry-run needs no root)",
                                config->user);
                return CLI_EXIT_FAILURE;
        }
        r = prepare(&o, &launch, &plan);
        if (r < 0)
                return CLI_EXIT_FAILURE;

        if (o.dry_run) {
                print_argv(stdout, plan->argv);
                return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
        }
        print_argv(stderr, plan->argv);
        return run_vmm(&launch, plan);
}

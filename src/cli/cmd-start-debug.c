/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-start-debug.c: `vm-start-debug NAME` runs the VM's VMM in the foreground, bypassing
 * vmsilod: the console is the terminal, QMP and the agent channel are sockets the VMM creates in
 * the runtime directory, TAPs are opened by name. For boot problems; usually run with sudo. */
#include <assert.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel.h"
#include "cli-util.h"
#include "cli.h"
#include "crosvm-plan.h"
#include "image-plan.h"
#include "log.h"
#include "path-util.h"
#include "plan-validate.h"
#include "qemu-plan.h"
#include "rootfs-layout.h"
#include "strv.h"

/* The default guest image `vmsilo image build` writes, below the state directory. */
#define START_DEBUG_IMAGE_DIR "images/default"

typedef struct DebugLaunch {
        const Config *config;
        const VmConfig *vm;
        size_t vm_index;
        VmmKind vmm;
        AccelKind accel;
        uint32_t tsc_khz; /* for a TCG guest's kernel; 0 unknown */
        char *kernel;
        char *initramfs;
        char *root_disk; /* the built image (guestPrograms), or NULL */
        char *wayland_socket;
} DebugLaunch;

static void debug_launch_finish(DebugLaunch *l) {
        free(l->kernel);
        free(l->initramfs);
        free(l->root_disk);
        free(l->wayland_socket);
}

static void help(const char *program) {
        printf("Usage: %s [OPTIONS] NAME\n"
               "\n"
               "Run the VMM of VM NAME in the foreground, without vmsilod, with its console on\n"
               "this terminal. For debugging boot problems; usually needs root.\n"
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

static int resolve_accel(DebugLaunch *l) {
        const char *reason;
        int r;

        if (l->vmm == VMM_CROSVM) {
                l->accel = ACCEL_KVM;
                fprintf(stderr, "Acceleration: kvm (crosvm always uses KVM)\n");
                return 0;
        }
        r = accel_resolve(config_vm_accel(l->config, l->vm), getenv("VMSILO_ACCEL"), &l->accel,
                        &l->tsc_khz, &reason);
        if (r < 0)
                return log_error_errno(r, "cannot choose the acceleration: %s", reason);
        fprintf(stderr, "Acceleration: %s (%s)\n", accel_kind_to_string(l->accel), reason);
        return 0;
}

/* The VM's own file, else the default image's file `name`. NULL on OOM. */
static char *boot_file(const char *configured, const char *state_dir, const char *name) {
        char *path;

        if (configured)
                return strdup(configured);
        if (asprintf(&path, "%s/" START_DEBUG_IMAGE_DIR "/%s", state_dir, name) < 0)
                return NULL;
        return path;
}

static int resolve_boot_files(DebugLaunch *l, const char *state_dir) {
        l->kernel = boot_file(l->vm->kernel, state_dir, IMAGE_KERNEL_NAME);
        l->initramfs = boot_file(l->vm->initramfs, state_dir, IMAGE_INITRD_NAME);
        if (!l->kernel || !l->initramfs)
                return log_oom();
        /* A debug launch makes no overlay disk: the root's upper layer is tmpfs. */
        if (rootfs_vm_needs_image(l->vm) &&
                        asprintf(&l->root_disk, "%s/" ROOTFS_VMS_DIR "/%s/" ROOTFS_IMAGE_NAME,
                                        state_dir, l->vm->name) < 0) {
                l->root_disk = NULL;
                return log_oom();
        }
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

static int build_plan(DebugLaunch *l, const char *runtime_dir, LaunchPlan **ret) {
        const struct passwd *pw = l->config->user ? getpwnam(l->config->user) : NULL;
        LaunchContext ctx = {
                .runtime_dir = runtime_dir,
                .kernel = l->kernel,
                .initramfs = l->initramfs,
                .built_root_disk = l->root_disk,
                .wayland_socket = l->wayland_socket,
                .accel = l->accel,
                .tsc_khz = l->tsc_khz,
                .home_uid = pw ? pw->pw_uid : getuid(),
                .home_gid = pw ? pw->pw_gid : getgid(),
        };
        int r;

        if (l->vmm == VMM_CROSVM)
                r = crosvm_plan_build(l->config, l->vm, &ctx, ret);
        else
                r = qemu_plan_build(l->config, l->vm, &ctx, ret);
        if (r < 0)
                return log_error_errno(
                                r, "cannot build the launch plan of VM '%s': %m", l->vm->name);
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

static int prepare(const StartDebugOptions *o, DebugLaunch *l, LaunchPlan **ret) {
        const char *config_path = cli_config_path(o->config_path);
        const char *runtime_dir = cli_runtime_dir(o->runtime_dir);
        int r;

        r = find_vm(l, o->vm, config_path);
        if (r < 0)
                return r;
        r = resolve_vmm(l, o->vmm);
        if (r < 0)
                return r;
        r = resolve_accel(l);
        if (r < 0)
                return r;
        r = resolve_boot_files(l, cli_state_dir(o->state_dir));
        if (r < 0)
                return r;
        r = check_boot_file(l->kernel, o->dry_run);
        if (r < 0)
                return r;
        r = check_boot_file(l->initramfs, o->dry_run);
        if (r < 0)
                return r;
        if (l->root_disk && access(l->root_disk, R_OK) < 0) {
                if (!o->dry_run)
                        return log_error_errno(errno,
                                        "cannot read '%s': %m (build it with 'vmsilo image "
                                        "build %s')",
                                        l->root_disk, l->vm->name);
                log_warning_errno(errno, "cannot read '%s': %m", l->root_disk);
        }
        l->wayland_socket = l->vmm == VMM_CROSVM ? wayland_socket_path() : NULL;
        if (!o->dry_run && mkdir(runtime_dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "cannot create '%s': %m", runtime_dir);
        return build_plan(l, runtime_dir, ret);
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

        r = cli_config_load(cli_config_path(o.config_path), &config);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        launch.config = config;
        r = prepare(&o, &launch, &plan);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        /* Every inherited-fd switch is off, so the plan needs no fds from us. */
        assert(plan->n_fds == 0);

        if (o.dry_run) {
                print_argv(stdout, plan->argv);
                return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
        }
        print_argv(stderr, plan->argv);
        /* exec keeps our pid. The console has the terminal and passes Ctrl+C to the guest. */
        fprintf(stderr, "Stop it with a poweroff in the guest or 'kill %d'.\n", (int) getpid());
        (void) fflush(stderr);
        execvp(plan->argv[0], plan->argv);
        log_error_errno(errno, "cannot run '%s': %m", plan->argv[0]);
        return CLI_EXIT_FAILURE;
}

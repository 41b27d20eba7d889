/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-plan.c: `vmsilo config plan`: print the VMM command line vmsilod would run for one VM. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "accel.h"
#include "cli-util.h"
#include "cli.h"
#include "config.h"
#include "crosvm-plan.h"
#include "launch-context.h"
#include "layout.h"
#include "log.h"
#include "path-util.h"
#include "plan-validate.h"
#include "plan.h"
#include "qemu-plan.h"
#include "vmsilo-config.h"

#define PLAN_PROGRAM "vmsilo config plan"
#define PLAN_RUNTIME_DIR_DEFAULT VMSILO_RUNTIME_DIR
#define PLAN_STATE_DIR VMSILO_STATE_DIR
/* Where `vmsilo image build` puts the default guest image. */
#define PLAN_IMAGE_DIR PLAN_STATE_DIR "/" IMAGE_DEFAULT_DIR

static VmmKind arg_vmm = VMM_AUTO;
static AccelKind arg_accel = ACCEL_AUTO;

static void help(FILE *f) {
        fprintf(f,
                        "Usage: vmsilo config plan [OPTIONS] [FILE] VMNAME\n"
                        "\n"
                        "Print the VMM command line vmsilod would run for VMNAME, one argument per "
                        "line,\n"
                        "then one '# fd TARGET ROLE INDEX' line per file descriptor the VMM "
                        "inherits\n"
                        "(default FILE: %s). Paths the daemon decides at start-up are shown\n"
                        "with their defaults: runtime dir $VMSILO_RUNTIME_DIR or %s, kernel and\n"
                        "initramfs from %s.\n"
                        "\n"
                        "Options:\n"
                        "     --vmm crosvm|qemu   plan for this VMM (default: the configured one; "
                        "'auto'\n"
                        "                         means crosvm when it is in PATH)\n"
                        "     --accel kvm|tcg     QEMU acceleration (default: configured, else "
                        "probed)\n"
                        "  -h --help              show this help\n",
                        CONFIG_DEFAULT_PATH, PLAN_RUNTIME_DIR_DEFAULT, PLAN_IMAGE_DIR);
}

/* Returns 1 if help was printed, 0 with the positional arguments set, -EINVAL on a usage error. */
static int parse_argv(int argc, char **argv, const char **ret_path, const char **ret_vm) {
        enum {
                ARG_VMM = 0x100,
                ARG_ACCEL
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "vmm", required_argument, NULL, ARG_VMM },
                { "accel", required_argument, NULL, ARG_ACCEL },
                {},
        };
        _cleanup_(freep) char *error = NULL;
        const char *value;
        int c, n;

        /* No '+': the options may follow [FILE] VMNAME too. */
        cli_args_begin();
        while ((c = cli_args_next_option(argc, argv, ":h", options, &value, &error)) > 0)
                switch (c) {
                case 'h':
                        help(stdout);
                        return 1;
                case ARG_VMM:
                        arg_vmm = vmm_kind_from_string(value);
                        if (!IN_SET(arg_vmm, VMM_QEMU, VMM_CROSVM))
                                return cli_usage_errorf(PLAN_PROGRAM,
                                                       "--vmm must be 'crosvm' or 'qemu', got '%s'",
                                                       value),
                                       -EINVAL;
                        break;
                case ARG_ACCEL:
                        arg_accel = accel_kind_from_string(value);
                        if (!IN_SET(arg_accel, ACCEL_KVM, ACCEL_TCG))
                                return cli_usage_errorf(PLAN_PROGRAM,
                                                       "--accel must be 'kvm' or 'tcg', got '%s'",
                                                       value),
                                       -EINVAL;
                        break;
                }
        if (c < 0)
                return cli_usage_error(PLAN_PROGRAM, TAKE_PTR(error)), -EINVAL;
        n = argc - optind;
        if (n < 1 || n > 2)
                return cli_usage_errorf(
                                       PLAN_PROGRAM, "expected [FILE] VMNAME, got %d arguments", n),
                       -EINVAL;
        *ret_path = n == 2 ? argv[optind] : CONFIG_DEFAULT_PATH;
        *ret_vm = argv[argc - 1];
        return 0;
}

static AccelKind resolve_accel(const Config *c, const VmConfig *vm, uint32_t *ret_tsc_khz) {
        const char *reason = NULL;
        AccelKind k;
        int r;

        *ret_tsc_khz = 0;
        r = accel_resolve(arg_accel != ACCEL_AUTO ? arg_accel : config_vm_accel(c, vm),
                        arg_accel != ACCEL_AUTO ? NULL : getenv("VMSILO_ACCEL"),
                        /* The plan shows vmsilod's choice, which grants the VMM /dev/kvm. */
                        /* vmm_kvm_access= */ true, &k, ret_tsc_khz, &reason);
        if (r < 0) {
                log_warning_errno(r, "VM '%s': %s; planning with TCG.", vm->name, strna(reason));
                return ACCEL_TCG;
        }
        return k;
}

static int print_plan(const Config *c, const VmConfig *vm, VmmKind vmm) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        _cleanup_(launch_paths_finish) LaunchPaths paths = {};
        const char *runtime_dir = getenv("VMSILO_RUNTIME_DIR");
        LaunchSetup setup = {
                .vmm = vmm,
                .state_dir = PLAN_STATE_DIR,
                .runtime_dir = runtime_dir && *runtime_dir ? runtime_dir : PLAN_RUNTIME_DIR_DEFAULT,
        };
        LaunchContext ctx;
        int r;

        if (vmm == VMM_QEMU)
                setup.accel = resolve_accel(c, vm, &setup.tsc_khz);
        /* As vmsilod fills it; the plan never checks files. */
        r = launch_context_build(vm, &setup, &paths, &ctx);
        if (r < 0)
                return log_oom();
        r = vmm == VMM_QEMU ? qemu_plan_build(c, vm, &ctx, &p) : crosvm_plan_build(c, vm, &ctx, &p);
        if (r < 0)
                return log_error_errno(r, "Failed to build the %s plan of VM '%s': %m",
                                vmm_kind_to_string(vmm), vm->name);
        for (size_t i = 0; i < p->n_argv; i++)
                printf("%s\n", p->argv[i]);
        for (size_t i = 0; i < p->n_fds; i++)
                printf("# fd %i %s %u\n", p->fds[i].target_fd,
                                plan_fd_role_to_string(p->fds[i].role), p->fds[i].index);
        return 0;
}

int cmd_config_plan(int argc, char **argv) {
        _cleanup_(config_errors_finish) ConfigErrors errors = {};
        _cleanup_(config_freep) Config *c = NULL;
        const char *path, *name;
        const VmConfig *vm;
        VmmKind vmm;
        int r;

        r = parse_argv(argc, argv, &path, &name);
        if (r != 0)
                return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        r = config_load_file(path, &c, &errors);
        if (r == -ENOMEM)
                return log_oom(), CLI_EXIT_FAILURE;
        if (r < 0) {
                config_errors_print(&errors, path, stderr);
                return CLI_EXIT_FAILURE;
        }
        vm = config_find_vm(c, name);
        if (!vm) {
                log_error("%s: no VM named '%s'.", path, name);
                return CLI_EXIT_FAILURE;
        }
        vmm = arg_vmm != VMM_AUTO
                              ? arg_vmm
                              : config_vm_vmm(c, vm,
                                                path_find_executable(CROSVM_PLAN_BINARY_DEFAULT));
        r = plan_validate_vm(vm, (size_t) (vm - c->vms), vmm, &errors);
        if (r < 0)
                return log_error_errno(r, "Failed to check VM '%s': %m", name), CLI_EXIT_FAILURE;
        if (r > 0) {
                config_errors_print(&errors, path, stderr);
                return CLI_EXIT_FAILURE;
        }
        r = print_plan(c, vm, vmm);
        return r < 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-check.c: host-side checks made before the daemon starts anything, and again on each
 * configuration reload before the new configuration replaces the running one. */
#include <pwd.h>
#include <stdio.h>

#include "host-check.h"
#include "log.h"
#include "net-plan.h"
#include "plan-validate.h"
#include "plan.h"
#include "spawn-util.h"


int host_check_user(const Config *c, uid_t *ret_uid, gid_t *ret_gid) {
        struct passwd *pw;

        errno = 0;
        pw = getpwnam(c->user);
        if (!pw)
                return log_error_errno(errno ?: ENOENT,
                                "user: '%s' does not exist on this host; create it or set "
                                "\"user\" to an existing account",
                                c->user);
        if (pw->pw_uid == 0)
                return log_error_errno(EPERM,
                                "user: must not be root: '%s' has uid 0, and the VMMs run as "
                                "this user",
                                c->user);
        *ret_uid = pw->pw_uid;
        *ret_gid = pw->pw_gid;
        return 0;
}

static int check_path(const char *vm, const char *option, const char *path) {
        if (!path || access(path, R_OK) >= 0)
                return 0;
        log_error_errno(errno, "VM '%s': %s '%s' is not readable: %m", vm, option, path);
        return 1;
}

int host_check_paths(const Config *c) {
        int problems = 0;

        for (size_t i = 0; i < c->n_vms; i++) {
                const VmConfig *vm = &c->vms[i];

                problems += check_path(vm->name, "kernel", vm->kernel);
                problems += check_path(vm->name, "initramfs", vm->initramfs);
                if (vm->root_disk)
                        problems += check_path(vm->name, "rootDisk.path", vm->root_disk->path);
                for (size_t j = 0; j < vm->n_additional_disks; j++)
                        problems += check_path(vm->name, "additionalDisks.path",
                                        vm->additional_disks[j].path);
        }
        return problems;
}

bool host_needs_default_image(const Config *c) {
        for (size_t i = 0; i < c->n_vms; i++)
                if (!c->vms[i].kernel)
                        return true;
        return false;
}

int host_build_default_image(const char *builder, const char *state_dir) {
        char *argv[] = { (char *) builder, (char *) "image", (char *) "build",
                (char *) "--state-dir", (char *) state_dir, NULL };
        int r;

        /* Its progress goes where ours goes. */
        r = spawn_wait(argv, /* envp= */ NULL, STDOUT_FILENO);
        if (r == -EIO)
                return log_error_errno(r, "Building the default guest image failed; see the "
                                          "messages above.");
        if (r < 0)
                return log_error_errno(r, "Cannot run '%s image build': %m", builder);
        return 0;
}

/* Logs every error and appends it to *text, one per line. */
static int log_config_errors(const ConfigErrors *errors, const char *path, char **text) {
        for (size_t i = 0; i < errors->n_items; i++) {
                _cleanup_(freep) char *line = NULL;

                if (config_error_format(&errors->items[i], path, &line) < 0)
                        return log_oom();
                log_error("%s", line);
                if (plan_extendf(text, "\n", "%s", line) < 0)
                        return log_oom();
        }
        return 0;
}

/* Each VM's resolved VMM, in config order; NULL on OOM. */
static VmmKind *vmm_kinds(const Config *c, bool crosvm) {
        VmmKind *vmms = calloc(c->n_vms ?: 1, sizeof(VmmKind));

        for (size_t i = 0; vmms && i < c->n_vms; i++)
                vmms[i] = config_vm_vmm(c, &c->vms[i], crosvm);
        return vmms;
}

static int check_vmm_support(const Config *c, bool crosvm, ConfigErrors *errors) {
        _cleanup_(freep) VmmKind *vmms = vmm_kinds(c, crosvm);

        if (!vmms)
                return -ENOMEM;
        return plan_validate_config(c, vmms, errors);
}

int host_load_config(const char *path, bool crosvm, Config **ret, char **reterr) {
        _cleanup_(config_errors_finish) ConfigErrors errors = {};
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *text = NULL;
        int r, problems;

        r = config_load_file(path, &c, &errors);
        if (r >= 0) {
                /* Network and VMM checks both run, so every problem is reported at once. */
                r = net_plan_check(c, &errors);
                if (r >= 0) {
                        int v = check_vmm_support(c, crosvm, &errors);
                        r = v < 0 ? v : r + v;
                }
        }
        (void) log_config_errors(&errors, path, &text);
        if (r == 0) {
                problems = host_check_paths(c);
                if (problems > 0) {
                        r = problems;
                        (void) plan_extendf(&text, "\n",
                                        "%i configured file(s) are missing or unreadable; see "
                                        "vmsilod's log",
                                        problems);
                }
        }
        if (r != 0) {
                if (reterr)
                        *reterr = TAKE_PTR(text);
                return r < 0 ? r : -EINVAL;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int host_check_share_hosts(const char *path, const Config *c, bool crosvm, uid_t uid, gid_t gid,
                char **reterr) {
        _cleanup_(config_errors_finish) ConfigErrors errors = {};
        _cleanup_(freep) VmmKind *vmms = vmm_kinds(c, crosvm);
        _cleanup_(freep) char *text = NULL;
        int r;

        if (!vmms)
                return log_oom();
        r = plan_validate_share_hosts(c, vmms, uid, gid, &errors);
        (void) log_config_errors(&errors, path, &text);
        if (r == 0)
                return 0;
        if (reterr)
                *reterr = TAKE_PTR(text);
        return r < 0 ? r : -EINVAL;
}

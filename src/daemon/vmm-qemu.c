/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmm-qemu.c: the QEMU backend: acceleration per start, QMP and the agent on inherited socket
 * pairs, vmsilo-balloond's own QMP monitor, `quit` to stop. */
#include <unistd.h>

#include "accel.h"
#include "layout.h"
#include "log.h"
#include "qemu-plan.h"
#include "socket-util.h"
#include "vm.h"
#include "vmm.h"

static int qemu_choose_accel(Vm *vm) {
        const char *why = NULL;
        gid_t kvm_group;
        int r;

        r = accel_resolve(config_vm_accel(vm->manager->config, vm->config),
                        vm->manager->options.accel_override,
                        sandbox_kvm_prepare(SANDBOX_KVM_PATH, vm->manager->user_uid, &kvm_group) >=
                                        0,
                        &vm->accel, &vm->tsc_khz, &why);
        if (r < 0) {
                vm_set_failure(vm, "%s", why);
                return r;
        }
        log_info("VM '%s': %s acceleration (%s).", vm->config->name,
                        vm->accel == ACCEL_KVM ? "KVM" : "TCG", why);
        return 0;
}

static int qemu_prepare(Vm *vm, LaunchSetup *setup) {
        int r;

        r = qemu_choose_accel(vm);
        if (r < 0)
                return r;
        /* Root starts it: from the build's absolute path, never through $PATH. */
        setup->binary = vm->manager->options.qemu_system;
        setup->accel = vm->accel;
        setup->tsc_khz = vm->tsc_khz;
        return 0;
}

static char *balloon_socket_path(const Vm *vm) {
        return layout_runtime_file(vm->manager->options.runtime_dir, vm->config->name,
                        LAYOUT_BALLOON_QMP_SUFFIX);
}

/* vmsilo-balloond's own QMP monitor: a listening socket QEMU accepts on. It exists exactly while
 * the VMM runs, which is how the balloon daemon discovers running VMs (inotify). Root only. */
static int qemu_open_fds(Vm *vm, SandboxFds *fds) {
        _cleanup_(freep) char *path = NULL;
        int r;

        if (!plan_vm_has_balloon(vm->config))
                return 0;
        path = balloon_socket_path(vm);
        r = path ? socket_listen_unix(path, 0600, &fds->balloon_qmp) : -ENOMEM;
        if (r < 0)
                vm_set_failure(vm, "cannot create the balloon monitor socket: %s", strerror(-r));
        return r;
}

static int qemu_attach(Vm *vm, int *ours) {
        int r;

        r = vm_open_agent(vm, ours[VMM_PAIR_AGENT]);
        if (r < 0)
                return r;
        ours[VMM_PAIR_AGENT] = -EBADF;
        r = qmp_new(vm->manager->event, ours[VMM_PAIR_QMP], vm->config->name, &vm->qmp);
        if (r < 0)
                return r;
        ours[VMM_PAIR_QMP] = -EBADF;
        return 0;
}

static int qemu_request_stop(Vm *vm) {
        if (!vm->qmp)
                return -ENOTCONN;
        return qmp_call(vm->qmp, "quit", NULL, NULL, NULL);
}

static void qemu_release(Vm *vm) {
        _cleanup_(freep) char *path = balloon_socket_path(vm);

        vm->qmp = qmp_free(vm->qmp);
        if (path)
                (void) unlink(path);
}

const VmmOps vmm_qemu_ops = {
        .prepare = qemu_prepare,
        .plan = qemu_plan_build,
        .open_fds = qemu_open_fds,
        .attach = qemu_attach,
        .request_stop = qemu_request_stop,
        .release = qemu_release,
        .chooses_accel = true,
};

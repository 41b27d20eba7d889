/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmm-qemu.c: the QEMU backend: acceleration per start, QMP and the agent on inherited socket
 * pairs, vmsilo-balloond's own QMP monitor, the VM's sound bus, `quit` to stop. */
#include <unistd.h>

#include "accel.h"
#include "layout.h"
#include "log.h"
#include "qemu-plan.h"
#include "qmp.h"
#include "socket-util.h"
#include "sound.h"
#include "vm.h"
#include "vmm.h"

/* vm->backend, from prepare to release. */
typedef struct QemuVm {
        AccelKind accel;  /* chosen at prepare */
        uint32_t tsc_khz; /* host clock for a TCG guest's kernel, 0 if unknown */
        Sound *sound;     /* with sound on: its bus and player */
        Qmp *qmp;         /* once the VMM runs */
} QemuVm;

static int qemu_choose_accel(Vm *vm, QemuVm *q) {
        const char *why = NULL;
        gid_t kvm_group;
        int r;

        r = accel_resolve(config_vm_accel(vm->manager->config, vm->config),
                        vm->manager->options.accel_override,
                        sandbox_kvm_prepare(SANDBOX_KVM_PATH, vm->manager->user_uid, &kvm_group) >=
                                        0,
                        &q->accel, &q->tsc_khz, &why);
        if (r < 0) {
                vm_set_failure(vm, "%s", why);
                return r;
        }
        log_info("VM '%s': %s acceleration (%s).", vm->config->name,
                        q->accel == ACCEL_KVM ? "KVM" : "TCG", why);
        return 0;
}

static int qemu_prepare(Vm *vm, LaunchSetup *setup) {
        QemuVm *q;
        int r;

        q = vm->backend = calloc(1, sizeof(QemuVm));
        if (!q) {
                vm_set_failure(vm, "out of memory");
                return -ENOMEM;
        }
        r = qemu_choose_accel(vm, q);
        if (r < 0)
                return r;
        /* QEMU joins the VM's sound bus as it starts: the bus is up first (sound.c). */
        (void) sound_new(vm->manager, vm->config, &q->sound);
        /* Root starts it: from the build's absolute path, never through $PATH. */
        setup->binary = vm->manager->options.qemu_system;
        setup->accel = q->accel;
        setup->tsc_khz = q->tsc_khz;
        setup->sound_bus = sound_bus_path(q->sound);
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
        QemuVm *q = vm->backend;
        int r;

        /* QEMU takes the player's listeners only from a process it sees (docs/sound.md). */
        (void) sound_start_player(q->sound, vm->pid);
        r = vm_open_agent(vm, ours[VMM_PAIR_AGENT]);
        if (r < 0)
                return r;
        ours[VMM_PAIR_AGENT] = -EBADF;
        r = qmp_new(vm->manager->event, ours[VMM_PAIR_QMP], vm->config->name, &q->qmp);
        if (r < 0)
                return r;
        ours[VMM_PAIR_QMP] = -EBADF;
        return 0;
}

static int qemu_request_stop(Vm *vm) {
        QemuVm *q = vm->backend;

        if (!q || !q->qmp)
                return -ENOTCONN;
        return qmp_call(q->qmp, "quit", NULL, NULL, NULL);
}

static void qemu_release(Vm *vm) {
        QemuVm *q = vm->backend;
        _cleanup_(freep) char *path = NULL;

        if (!q)
                return;
        path = balloon_socket_path(vm);
        if (path)
                (void) unlink(path);
        qmp_free(q->qmp);
        sound_free(q->sound);
        vm->backend = mfree(q);
}

static void qemu_status(const Vm *vm, json_t *o) {
        const QemuVm *q = vm->backend;

        (void) json_object_set_new(o, "accel", json_string(accel_kind_to_string(q->accel)));
        if (q->sound)
                (void) json_object_set_new(o, "sound", sound_to_json(q->sound));
}

const VmmOps vmm_qemu_ops = {
        .kind = VMM_QEMU,
        .shares_mapped_xattr = true,
        .prepare = qemu_prepare,
        .plan = qemu_plan_build,
        .open_fds = qemu_open_fds,
        .attach = qemu_attach,
        .request_stop = qemu_request_stop,
        .release = qemu_release,
        .status = qemu_status,
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmm.h: what differs between the VMMs vmsilod runs, behind one table of operations, so that
 * vm.c (state, start, stop escalation) has no VMM branch. vmm-qemu.c: QMP on an inherited
 * socket pair, the agent on virtio-serial, vmsilo-balloond's own monitor, acceleration chosen
 * per start. vmm-crosvm.c: a per-VM directory for the control socket crosvm makes itself, the
 * agent over vsock, `crosvm stop`. Every operation that fails sets the VM's failure reason
 * (vm_set_failure()) and returns -errno. */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "launch-context.h"
#include "plan.h"
#include "sandbox.h"

typedef struct Vm Vm;

/* The socket pairs vm.c makes for every VMM; a backend takes the ends it uses. */
enum {
        VMM_PAIR_QMP,
        VMM_PAIR_AGENT,
        VMM_PAIR_CONSOLE,
        _VMM_PAIR_MAX
};

typedef struct VmmOps {
        /* Before the launch context: fills the VMM's part of *setup (its binary; QEMU: the
         * acceleration it chooses; crosvm: makes the VM user's directory). */
        int (*prepare)(Vm *vm, LaunchSetup *setup);
        int (*plan)(const Config *c, const VmConfig *vm, const LaunchContext *ctx,
                        LaunchPlan **ret);
        /* The VMM's inherited fds beyond the socket pairs (QEMU: vmsilo-balloond's monitor);
         * the caller closes them after the spawn. NULL: none. */
        int (*open_fds)(Vm *vm, SandboxFds *fds);
        /* The VMM runs: takes the daemon's ends it uses from ours[] (setting each to -EBADF)
         * and reaches the agent. */
        int (*attach)(Vm *vm, int *ours);
        /* The stop step after the agent's power-off: asks the VMM to exit; -errno if it
         * cannot (then it is killed). */
        int (*request_stop)(Vm *vm);
        /* The VMM is gone, or never ran: undoes prepare, open_fds and attach. */
        void (*release)(Vm *vm);
        /* Whether vm->accel means anything (crosvm always uses KVM). */
        bool chooses_accel;
} VmmOps;

extern const VmmOps vmm_qemu_ops;
extern const VmmOps vmm_crosvm_ops;

static inline const VmmOps *vmm_ops(VmmKind k) {
        return k == VMM_CROSVM ? &vmm_crosvm_ops : &vmm_qemu_ops;
}

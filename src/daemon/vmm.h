/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmm.h: what differs between the VMMs vmsilod runs, behind one table of operations, so that
 * vm.c (state, start, stop escalation) has no VMM branch. vmm-qemu.c: QMP on an inherited
 * socket pair, the agent on virtio-serial, vmsilo-balloond's own monitor, acceleration chosen
 * per start, the VM's sound bus. vmm-crosvm.c: a per-VM directory for the control socket crosvm
 * makes itself, the agent over vsock, `crosvm stop`. What a backend keeps about a start lives in
 * its own struct at vm->backend, from prepare to release. Every operation that fails sets the
 * VM's failure reason (vm_set_failure()) and returns -errno. */
#pragma once

#include <jansson.h>
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
        VmmKind kind;
        /* Shares are QEMU's 9p server with security_model=mapped-xattr: the guest owner of a
         * share's root and the symbolic links of a new shared home live in user xattrs
         * (shares.h). Otherwise the guest sees the host's owners and links as they are. */
        bool shares_mapped_xattr;
        /* Before the launch context, with vm->backend NULL: makes it and fills the VMM's part of
         * *setup (its binary; QEMU: the acceleration it chooses, the sound bus it joins; crosvm:
         * makes the VM user's directory). */
        int (*prepare)(Vm *vm, LaunchSetup *setup);
        int (*plan)(const Config *c, const VmConfig *vm, const LaunchContext *ctx,
                        LaunchPlan **ret);
        /* The VMM's inherited fds beyond the socket pairs (QEMU: vmsilo-balloond's monitor);
         * the caller closes them after the spawn. NULL: none. */
        int (*open_fds)(Vm *vm, SandboxFds *fds);
        /* The VMM (vm->pid) runs: takes the daemon's ends it uses from ours[] (setting each to
         * -EBADF) and reaches the agent. */
        int (*attach)(Vm *vm, int *ours);
        /* The stop step after the agent's power-off: asks the VMM to exit; -errno if it
         * cannot (then it is killed). */
        int (*request_stop)(Vm *vm);
        /* The VMM is gone, or never ran: undoes prepare, open_fds and attach, and frees
         * vm->backend. A no-op without it. */
        void (*release)(Vm *vm);
        /* While the VMM exists: sets the backend's fields of the VM's status object o
         * (docs/daemon-sockets.md: "accel", "sound"). NULL: none (crosvm always uses KVM). */
        void (*status)(const Vm *vm, json_t *o);
} VmmOps;

extern const VmmOps vmm_qemu_ops;
extern const VmmOps vmm_crosvm_ops;

static inline const VmmOps *vmm_ops(VmmKind k) {
        return k == VMM_CROSVM ? &vmm_crosvm_ops : &vmm_qemu_ops;
}

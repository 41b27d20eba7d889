/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-state.h: the VM lifecycle as a pure transition function. vm.c is the only writer of a VM's
 * state and acts on the change (spawn, stop, kill, notify waiters). */
#pragma once

#include <errno.h>

typedef enum VmState {
        VM_STOPPED,
        VM_STARTING, /* VMM spawned, waiting for the agent's HELLO */
        VM_RUNNING,  /* agent said HELLO: requests are served */
        VM_STOPPING, /* graceful stop under way: agent power-off, then QMP quit, then SIGKILL */
        VM_FAILED,   /* the VMM died or never came up; the reason is kept in the Vm */
        _VM_STATE_MAX,
        _VM_STATE_INVALID = -EINVAL,
} VmState;

typedef enum VmEvent {
        VM_EVENT_START,        /* a client, autoStart or a dependent VM wants it running */
        VM_EVENT_AGENT_READY,  /* the agent's HELLO arrived */
        VM_EVENT_STOP,         /* vm-stop, idle shutdown, daemon shutdown */
        VM_EVENT_START_FAILED, /* spawn failed or boot timed out */
        VM_EVENT_VMM_EXITED,   /* the VMM process is gone (pidfd readable) */
        _VM_EVENT_MAX,
        _VM_EVENT_INVALID = -EINVAL,
} VmEvent;

/* The state after event e in state s. Returns s itself when the event does not apply (a start
 * request for a running VM, a stop for a stopped one): the caller treats that as "nothing to do".
 */
VmState vm_state_next(VmState s, VmEvent e);

/* Whether the VMM process may exist in this state. */
int vm_state_has_vmm(VmState s);

const char *vm_state_to_string(VmState s);
VmState vm_state_from_string(const char *s);
const char *vm_event_to_string(VmEvent e);
VmEvent vm_event_from_string(const char *s);

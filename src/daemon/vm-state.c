/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-state.c: VM lifecycle transitions. Pure. */
#include "vm-state.h"
#include "string-table.h"

/* Every (state, event) pair is answered here; a pair equal to its own state is a no-op. A crash
 * while starting or running is FAILED (sessions get an error; the next request starts it again).
 * A VMM exit while stopping is the goal; a failed start while stopping changes nothing. */
static const VmState transitions[_VM_STATE_MAX][_VM_EVENT_MAX] = {
        [VM_STOPPED] = {
                [VM_EVENT_START] = VM_STARTING,
                [VM_EVENT_AGENT_READY] = VM_STOPPED,
                [VM_EVENT_STOP] = VM_STOPPED,
                [VM_EVENT_START_FAILED] = VM_STOPPED,
                [VM_EVENT_VMM_EXITED] = VM_STOPPED,
        },
        [VM_STARTING] = {
                [VM_EVENT_START] = VM_STARTING,
                [VM_EVENT_AGENT_READY] = VM_RUNNING,
                [VM_EVENT_STOP] = VM_STOPPING,
                [VM_EVENT_START_FAILED] = VM_FAILED,
                [VM_EVENT_VMM_EXITED] = VM_FAILED,
        },
        [VM_RUNNING] = {
                [VM_EVENT_START] = VM_RUNNING,
                [VM_EVENT_AGENT_READY] = VM_RUNNING,
                [VM_EVENT_STOP] = VM_STOPPING,
                [VM_EVENT_START_FAILED] = VM_RUNNING,
                [VM_EVENT_VMM_EXITED] = VM_FAILED,
        },
        [VM_STOPPING] = {
                [VM_EVENT_START] = VM_STOPPING,
                [VM_EVENT_AGENT_READY] = VM_STOPPING,
                [VM_EVENT_STOP] = VM_STOPPING,
                [VM_EVENT_START_FAILED] = VM_STOPPING,
                [VM_EVENT_VMM_EXITED] = VM_STOPPED,
        },
        [VM_FAILED] = {
                [VM_EVENT_START] = VM_STARTING,
                [VM_EVENT_AGENT_READY] = VM_FAILED,
                [VM_EVENT_STOP] = VM_STOPPED,
                [VM_EVENT_START_FAILED] = VM_FAILED,
                [VM_EVENT_VMM_EXITED] = VM_FAILED,
        },
};

VmState vm_state_next(VmState s, VmEvent e) {
        if (s < 0 || s >= _VM_STATE_MAX || e < 0 || e >= _VM_EVENT_MAX)
                return _VM_STATE_INVALID;
        return transitions[s][e];
}

int vm_state_has_vmm(VmState s) {
        return s == VM_STARTING || s == VM_RUNNING || s == VM_STOPPING;
}

static const char *const vm_state_table[_VM_STATE_MAX] = {
        [VM_STOPPED] = "stopped",
        [VM_STARTING] = "starting",
        [VM_RUNNING] = "running",
        [VM_STOPPING] = "stopping",
        [VM_FAILED] = "failed",
};

static const char *const vm_event_table[_VM_EVENT_MAX] = {
        [VM_EVENT_START] = "start",
        [VM_EVENT_AGENT_READY] = "agent-ready",
        [VM_EVENT_STOP] = "stop",
        [VM_EVENT_START_FAILED] = "start-failed",
        [VM_EVENT_VMM_EXITED] = "vmm-exited",
};

DEFINE_STRING_TABLE_LOOKUP(vm_state, VmState, _VM_STATE_MAX);
DEFINE_STRING_TABLE_LOOKUP(vm_event, VmEvent, _VM_EVENT_MAX);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-vm-state.c: every (state, event) pair of the VM lifecycle, and the string tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "macro.h"
#include "vm-state.h"

/* The expected table, written out independently of vm-state.c's: a changed rule fails here. */
static const struct {
        VmState from;
        VmEvent event;
        VmState to;
} expected[] = {
        { VM_STOPPED, VM_EVENT_START, VM_STARTING },
        { VM_STOPPED, VM_EVENT_AGENT_READY, VM_STOPPED },
        { VM_STOPPED, VM_EVENT_STOP, VM_STOPPED },
        { VM_STOPPED, VM_EVENT_START_FAILED, VM_STOPPED },
        { VM_STOPPED, VM_EVENT_VMM_EXITED, VM_STOPPED },
        { VM_STARTING, VM_EVENT_START, VM_STARTING },
        { VM_STARTING, VM_EVENT_AGENT_READY, VM_RUNNING },
        { VM_STARTING, VM_EVENT_STOP, VM_STOPPING },
        { VM_STARTING, VM_EVENT_START_FAILED, VM_FAILED },
        { VM_STARTING, VM_EVENT_VMM_EXITED, VM_FAILED },
        { VM_RUNNING, VM_EVENT_START, VM_RUNNING },
        { VM_RUNNING, VM_EVENT_AGENT_READY, VM_RUNNING },
        { VM_RUNNING, VM_EVENT_STOP, VM_STOPPING },
        { VM_RUNNING, VM_EVENT_START_FAILED, VM_RUNNING },
        { VM_RUNNING, VM_EVENT_VMM_EXITED, VM_FAILED },
        { VM_STOPPING, VM_EVENT_START, VM_STOPPING },
        { VM_STOPPING, VM_EVENT_AGENT_READY, VM_STOPPING },
        { VM_STOPPING, VM_EVENT_STOP, VM_STOPPING },
        { VM_STOPPING, VM_EVENT_START_FAILED, VM_STOPPING },
        { VM_STOPPING, VM_EVENT_VMM_EXITED, VM_STOPPED },
        { VM_FAILED, VM_EVENT_START, VM_STARTING },
        { VM_FAILED, VM_EVENT_AGENT_READY, VM_FAILED },
        { VM_FAILED, VM_EVENT_STOP, VM_STOPPED },
        { VM_FAILED, VM_EVENT_START_FAILED, VM_FAILED },
        { VM_FAILED, VM_EVENT_VMM_EXITED, VM_FAILED },
};

static void test_vm_state_next_answers_every_pair_as_specified(void **state) {
        assert_int_equal(ELEMENTSOF(expected), (size_t) _VM_STATE_MAX * _VM_EVENT_MAX);
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                VmState got = vm_state_next(expected[i].from, expected[i].event);
                if (got != expected[i].to)
                        fail_msg("%s + %s: expected %s, got %s",
                                        vm_state_to_string(expected[i].from),
                                        vm_event_to_string(expected[i].event),
                                        vm_state_to_string(expected[i].to),
                                        vm_state_to_string(got));
        }
}

static void test_vm_state_next_rejects_out_of_range_input(void **state) {
        assert_int_equal(vm_state_next(_VM_STATE_MAX, VM_EVENT_START), _VM_STATE_INVALID);
        assert_int_equal(vm_state_next(VM_STOPPED, _VM_EVENT_MAX), _VM_STATE_INVALID);
        assert_int_equal(vm_state_next(_VM_STATE_INVALID, VM_EVENT_START), _VM_STATE_INVALID);
}

static void test_vm_state_has_vmm_only_while_it_may_run(void **state) {
        assert_false(vm_state_has_vmm(VM_STOPPED));
        assert_true(vm_state_has_vmm(VM_STARTING));
        assert_true(vm_state_has_vmm(VM_RUNNING));
        assert_true(vm_state_has_vmm(VM_STOPPING));
        assert_false(vm_state_has_vmm(VM_FAILED));
}

static void test_vm_state_strings_round_trip(void **state) {
        for (VmState s = 0; s < _VM_STATE_MAX; s++) {
                assert_non_null(vm_state_to_string(s));
                assert_int_equal(vm_state_from_string(vm_state_to_string(s)), s);
        }
        for (VmEvent e = 0; e < _VM_EVENT_MAX; e++) {
                assert_non_null(vm_event_to_string(e));
                assert_int_equal(vm_event_from_string(vm_event_to_string(e)), e);
        }
        assert_null(vm_state_to_string(_VM_STATE_MAX));
        assert_int_equal(vm_state_from_string("sleeping"), _VM_STATE_INVALID);
        assert_int_equal(vm_event_from_string(NULL), _VM_EVENT_INVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vm_state_next_answers_every_pair_as_specified),
                cmocka_unit_test(test_vm_state_next_rejects_out_of_range_input),
                cmocka_unit_test(test_vm_state_has_vmm_only_while_it_may_run),
                cmocka_unit_test(test_vm_state_strings_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

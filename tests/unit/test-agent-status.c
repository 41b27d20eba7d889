/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-agent-status.c: tests for src/agent/agent-status.c (when the agent pushes STATUS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "agent-status.h"

#define SEC 1000000ULL

static void test_agent_status_plan_sends_first_status_at_once(void **state) {
        AgentStatus s = {};
        uint64_t wait_usec = 0;

        assert_int_equal(agent_status_plan(&s, 5 * SEC, &wait_usec), AGENT_STATUS_SEND_NOW);
}

static void test_agent_status_plan_is_quiet_without_change(void **state) {
        AgentStatus s = { .live_sessions = 2, .last_activity_usec = 3 * SEC };
        uint64_t wait_usec = 0;

        agent_status_mark_sent(&s, 4 * SEC);
        assert_int_equal(agent_status_plan(&s, 100 * SEC, &wait_usec), AGENT_STATUS_NOTHING);
}

static void test_agent_status_plan_sends_live_change_at_once(void **state) {
        AgentStatus s = { .live_sessions = 1 };
        uint64_t wait_usec = 0;

        agent_status_mark_sent(&s, 10 * SEC);
        s.live_sessions = 0;
        assert_int_equal(agent_status_plan(&s, 10 * SEC + 1, &wait_usec), AGENT_STATUS_SEND_NOW);
}

static void test_agent_status_plan_rate_limits_activity(void **state) {
        AgentStatus s = { .live_sessions = 1, .last_activity_usec = 10 * SEC };
        uint64_t wait_usec = 0;

        agent_status_mark_sent(&s, 10 * SEC);
        s.last_activity_usec = 10 * SEC + 300000;
        assert_int_equal(agent_status_plan(&s, 10 * SEC + 300000, &wait_usec),
                        AGENT_STATUS_SEND_LATER);
        assert_int_equal(wait_usec, AGENT_STATUS_ACTIVITY_INTERVAL_USEC - 300000);
        assert_int_equal(agent_status_plan(&s, 11 * SEC, &wait_usec), AGENT_STATUS_SEND_NOW);
}

static void test_agent_status_reset_connection_resends(void **state) {
        AgentStatus s = {};
        uint64_t wait_usec = 0;

        agent_status_mark_sent(&s, SEC);
        agent_status_reset_connection(&s);
        assert_int_equal(agent_status_plan(&s, SEC, &wait_usec), AGENT_STATUS_SEND_NOW);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_agent_status_plan_sends_first_status_at_once),
                cmocka_unit_test(test_agent_status_plan_is_quiet_without_change),
                cmocka_unit_test(test_agent_status_plan_sends_live_change_at_once),
                cmocka_unit_test(test_agent_status_plan_rate_limits_activity),
                cmocka_unit_test(test_agent_status_reset_connection_resends),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

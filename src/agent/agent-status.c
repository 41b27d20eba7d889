/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-status.c: STATUS push policy. Pure. */
#include "agent-status.h"

AgentStatusAction agent_status_plan(
                const AgentStatus *s, uint64_t now_usec, uint64_t *ret_wait_usec) {
        uint64_t due_usec;

        if (!s->sent || s->live_sessions != s->sent_live_sessions)
                return AGENT_STATUS_SEND_NOW;
        if (s->last_activity_usec == s->sent_activity_usec)
                return AGENT_STATUS_NOTHING;
        due_usec = s->sent_at_usec + AGENT_STATUS_ACTIVITY_INTERVAL_USEC;
        if (now_usec >= due_usec)
                return AGENT_STATUS_SEND_NOW;
        *ret_wait_usec = due_usec - now_usec;
        return AGENT_STATUS_SEND_LATER;
}

void agent_status_mark_sent(AgentStatus *s, uint64_t now_usec) {
        s->sent = true;
        s->sent_live_sessions = s->live_sessions;
        s->sent_activity_usec = s->last_activity_usec;
        s->sent_at_usec = now_usec;
}

void agent_status_reset_connection(AgentStatus *s) {
        s->sent = false;
}

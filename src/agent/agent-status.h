/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-status.h: when to push STATUS (live sessions, last activity) to the host. Pure.
 * A change of live sessions is sent at once (idle shutdown depends on it); activity alone at most
 * once per AGENT_STATUS_ACTIVITY_INTERVAL_USEC, so a busy stream does not flood the channel. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define AGENT_STATUS_ACTIVITY_INTERVAL_USEC (1000ULL * 1000ULL)

typedef struct AgentStatus {
        uint32_t live_sessions;
        uint64_t last_activity_usec; /* CLOCK_MONOTONIC */
        bool sent;                   /* something was sent on this connection */
        uint32_t sent_live_sessions;
        uint64_t sent_activity_usec;
        uint64_t sent_at_usec;
} AgentStatus;

typedef enum AgentStatusAction {
        AGENT_STATUS_NOTHING,
        AGENT_STATUS_SEND_NOW,
        AGENT_STATUS_SEND_LATER, /* *ret_wait_usec set */
} AgentStatusAction;

AgentStatusAction agent_status_plan(
                const AgentStatus *s, uint64_t now_usec, uint64_t *ret_wait_usec);
void agent_status_mark_sent(AgentStatus *s, uint64_t now_usec);
/* A new connection: the next plan sends at once. */
void agent_status_reset_connection(AgentStatus *s);

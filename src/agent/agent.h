/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent.h: the Agent (one per process): the host channel, its mux, and the streams on it.
 *
 * Ownership: Agent owns the EventLoop's sources for the channel, signals and timers, the Mux, and
 * every ExecStream and ForwardStream (linked lists below). A stream's mux userdata points at
 * its AgentStream header; the mux's on_close is the only place a stream learns it is over. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "agent-status.h"
#include "args.h"
#include "buffer.h"
#include "event-loop.h"
#include "mux.h"
#include "stream-pipe.h"

/* Window the agent grants the host for stdin / forwarded data, per stream. */
#define AGENT_STREAM_WINDOW_BYTES (256U * 1024U)
/* EXEC streams batch credit and size output reads like FORWARD streams (stream-pipe.h): without
 * both, windows fragment into 1-byte frames ("silly window syndrome"). */
#define AGENT_GRANT_BATCH_BYTES STREAM_PIPE_GRANT_BATCH_BYTES
/* Delay before retrying a virtio port whose host end is not connected. */
#define AGENT_RECONNECT_USEC (500ULL * 1000ULL)

typedef struct Agent Agent;
typedef struct ExecStream ExecStream;
typedef struct ForwardStream ForwardStream;
typedef struct ForwardListener ForwardListener;

/* First member of ExecStream and ForwardStream: what the mux userdata points at. */
typedef struct AgentStream {
        StreamKind kind;
} AgentStream;

struct Agent {
        const AgentArgs *args;
        EventLoop *loop;
        Mux *mux;
        char **file_env;
        char *cgroup_base; /* NULL: no cgroup2, sessions tracked by process group */

        /* The host channel: in_fd is read, out_fd written; for a socket or port out_fd is a dup
         * of in_fd so each has its own epoll registration. -EBADF while disconnected. */
        int in_fd, out_fd;
        EventSource *in_source, *out_source;
        bool channel_broken; /* set by on_channel_error, handled after mux_feed() returns */

        int listen_fd; /* vsock only */
        EventSource *listen_source;
        int reconnect_timer_fd; /* virtio only */
        EventSource *reconnect_timer_source;
        bool reconnect_logged;
        int status_timer_fd;
        EventSource *status_timer_source;
        int signal_fd;
        EventSource *signal_source;
        int inotify_fd; /* cgroup.events watches; -EBADF without cgroup2 */
        EventSource *inotify_source;
        EventSource *post_source; /* agent_post(): after every batch */

        ExecStream *execs; /* doubly linked via ExecStream.next/prev */
        ForwardStream *forwards;
        ForwardListener *forward_listeners; /* singly linked; see forward-listen.h */
        uint32_t next_session_id;
        AgentStatus status;
        bool exiting;
};

int agent_new(const AgentArgs *args, Agent **ret);
Agent *agent_free(Agent *a);
DEFINE_FREE_FUNC(Agent *, agent_free);
/* Runs until SIGTERM/SIGINT, POWER in --fd/--stdio mode, or the end of a --fd/--stdio channel. */
int agent_run(Agent *a);

/* For the stream files. */
void agent_touch(Agent *a);
bool agent_output_is_full(const Agent *a);

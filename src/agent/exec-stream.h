/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec-stream.h: one EXEC stream and, after it ends, the session it leaves behind until every
 * process of it has exited. */
#pragma once

#include "agent.h"

struct ExecStream {
        AgentStream header;
        Agent *agent;
        uint32_t id; /* 0 once the stream is over (closed by us or the peer) */
        uint32_t session_id;
        pid_t pid; /* main process; also the process group and session id */
        bool reaped;
        int wait_status;
        bool pty;
        uint8_t pty_eof_char;

        int stdin_fd; /* -EBADF once closed */
        EventSource *stdin_source;
        Buffer stdin_buffer; /* host data not yet written; <= the window we granted */
        uint32_t ungranted;  /* written to the program, credit not yet returned */
        size_t send_min;     /* see stream_pipe_send_min() */
        bool stdin_eof_received;
        int out_fds[3]; /* [1] stdout, [2] stderr; [0] unused */
        EventSource *out_sources[3];

        char *cgroup_path; /* NULL without cgroup2 */
        int cgroup_wd;
        bool live; /* counts in STATUS live_sessions */
        ExecStream *next, *prev;
};

void exec_stream_on_open(Agent *a, uint32_t id, const FrameOpen *req);
ExecStream *exec_stream_free(ExecStream *s);
void exec_stream_on_data(ExecStream *s, uint8_t fd, const uint8_t *data, size_t len);
void exec_stream_on_eof(ExecStream *s, uint8_t fd);
void exec_stream_on_signal(ExecStream *s, uint32_t signo);
void exec_stream_on_resize(ExecStream *s, uint16_t rows, uint16_t cols);
void exec_stream_on_close(ExecStream *s, int error);
/* After each batch of events: (un)pause output reads by window and queue space. */
void exec_stream_update(ExecStream *s);
/* pid was reaped with status; returns true if it was this stream's main process. */
bool exec_stream_on_reaped(ExecStream *s, pid_t pid, int status);
/* Re-evaluates liveness (cgroup empty / process group gone); may free s. */
void exec_stream_check_live(ExecStream *s);
/* SIGKILLs every process of the session (channel lost, agent exiting). */
void exec_stream_kill(ExecStream *s);
unsigned exec_stream_count_live(const Agent *a);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* forward.h: a FORWARD stream relayed to a guest unix socket: either opened by the host and
 * connected to <services dir>/<service>.sock, or opened by us for a connection accepted on a
 * forward-listen.c socket (guest_opened). */
#pragma once

#include "agent.h"

struct ForwardStream {
        AgentStream header;
        Agent *agent;
        uint32_t id;
        int fd;     /* connected AF_UNIX socket */
        int out_fd; /* dup of fd for its own epoll registration */
        LoopSource *in_source, *out_source;
        Buffer to_service;
        uint32_t ungranted; /* written to the service, credit not yet returned */
        size_t send_min;    /* see AGENT_SEND_MIN_BYTES */
        bool eof_received;  /* host sent EOF; shutdown(SHUT_WR) once to_service drained */
        bool shut_down_write;
        bool eof_sent;     /* the service closed its end; we sent EOF */
        bool guest_opened; /* we sent the OPEN; nothing is read before the host's ACCEPT */
        ForwardStream *next, *prev;
};

void forward_stream_on_open(Agent *a, uint32_t id, const FrameOpen *req);
/* Opens a FORWARD stream to the host service for the accepted connection fd (taken, also on
 * failure, which is logged: the connection is closed). */
int forward_stream_open_to_host(Agent *a, int fd, const char *service);
void forward_stream_on_accept(ForwardStream *f);
ForwardStream *forward_stream_free(ForwardStream *f);
void forward_stream_on_data(ForwardStream *f, const uint8_t *data, size_t len);
void forward_stream_on_eof(ForwardStream *f);
void forward_stream_on_close(ForwardStream *f);
void forward_stream_update(ForwardStream *f);

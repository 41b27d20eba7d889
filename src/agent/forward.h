/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* forward.h: a FORWARD stream relayed to a guest unix socket: either opened by the host and
 * connected to <services dir>/<service>.sock, or opened by us for a connection accepted on a
 * forward-listen.c socket (guest_opened). */
#pragma once

#include "agent.h"
#include "stream-pipe.h"

struct ForwardStream {
        AgentStream header;
        Agent *agent;
        int fd;     /* connected AF_UNIX socket */
        int out_fd; /* dup of fd for its own epoll registration */
        EventSource *in_source, *out_source;
        StreamPipe pipe;   /* the relay; pipe.id is the stream id */
        bool guest_opened; /* we sent the OPEN (forward-listen.c) */
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

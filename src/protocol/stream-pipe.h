/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stream-pipe.h: the relay between one FORWARD stream of a Mux and a local socket, shared by the
 * agent (forward.c: host- and guest-opened streams) and vmsilod (host-forward.c). It does the
 * reads, writes, credit and EOFs; the owner only watches the fds on its own event loop (read
 * while stream_pipe_wants_read(), write while stream_pipe_wants_write()) and ends the stream
 * when a call returns non-zero.
 *
 * Flow control: data from the peer is buffered (at most the window we granted) and credit is
 * returned only for bytes the socket took, in batches of STREAM_PIPE_GRANT_BATCH_BYTES or when
 * all is written; the socket is read only while the peer's window has send_min bytes, so a slow
 * side stalls only this stream and windows do not fragment into tiny frames. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buffer.h"
#include "mux.h"

#define STREAM_PIPE_GRANT_BATCH_BYTES (32U * 1024U)
#define STREAM_PIPE_SEND_MIN_BYTES (16U * 1024U)

typedef struct StreamPipe {
        Mux *mux;
        uint32_t id;
        int in_fd, out_fd; /* the socket, read and written (may be the same fd); not owned */
        Buffer to_fd;
        uint32_t ungranted; /* written to out_fd, credit not yet returned */
        size_t send_min;    /* SIZE_MAX until the stream is accepted */
        bool eof_received;  /* peer sent EOF: shutdown(SHUT_WR) once to_fd drained */
        bool shut_down_write;
        bool eof_sent; /* in_fd reached EOF: we sent EOF */
} StreamPipe;

/* The smallest window worth reading for, given the peer's initial window: min(16 KiB, 1/4). */
size_t stream_pipe_send_min(uint32_t initial_window);

/* Sets up p for stream id (not yet accepted: nothing is read until stream_pipe_start()). */
void stream_pipe_init(StreamPipe *p, Mux *mux, uint32_t id, int in_fd, int out_fd);
void stream_pipe_finish(StreamPipe *p);
/* The stream is accepted: reading may start, sized by the send window now. */
void stream_pipe_start(StreamPipe *p);

bool stream_pipe_wants_read(const StreamPipe *p);
bool stream_pipe_wants_write(const StreamPipe *p);

/* Each returns 0 to go on, 1 when both directions are finished (close the stream with 0), or a
 * negative errno (close it with that). */
int stream_pipe_on_data(StreamPipe *p, const uint8_t *data, size_t len);
int stream_pipe_on_eof(StreamPipe *p);
int stream_pipe_flush(StreamPipe *p);
int stream_pipe_read(StreamPipe *p);

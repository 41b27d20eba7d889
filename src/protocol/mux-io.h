/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mux-io.h: a Mux's bytes through one non-blocking fd, for whichever event loop drives it:
 * vmsilod's Channel (sd-event) and the vm-run client's SessionChannel (event-loop.h). */
#pragma once

#include "mux.h"

/* Reads once from fd and feeds what came to the mux. > 0: bytes fed; 0: nothing to read now;
 * < 0: the connection is over, with *reterr_reason saying why in words: -ECONNRESET when the
 * peer closed it, the mux's error when the protocol broke, or the read's -errno. */
int mux_io_read(Mux *m, int fd, const char **reterr_reason);
/* Writes as much of the mux's output as fd takes now (send() without SIGPIPE on a socket,
 * write() otherwise). 0, also when it would block; -errno when the connection is over. */
int mux_io_write(Mux *m, int fd);

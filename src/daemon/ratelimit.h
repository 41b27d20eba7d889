/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ratelimit.h: at most burst events per interval, e.g. log lines a local user can trigger at
 * will (refused connections, running out of fds). Pure: the caller passes the time. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct Ratelimit {
        uint64_t interval_usec;
        unsigned burst;
        uint64_t window_start_usec;
        unsigned n;          /* events let through in this window */
        unsigned suppressed; /* events refused since the last one let through */
} Ratelimit;

#define RATELIMIT_INIT(interval, b) ((Ratelimit){ .interval_usec = (interval), .burst = (b) })

/* Whether one more event at now_usec (CLOCK_MONOTONIC) may go through. When it may,
 * *ret_suppressed is how many were refused since the previous one, for "(N more suppressed)". */
bool ratelimit_below(Ratelimit *rl, uint64_t now_usec, unsigned *ret_suppressed);

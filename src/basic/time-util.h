/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* time-util.h: time in µs (uint64_t, STYLE.md) and the monotonic clock every deadline uses. */
#pragma once

#include <stdint.h>
#include <time.h>

#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
#define NSEC_PER_USEC UINT64_C(1000)

/* CLOCK_MONOTONIC in µs: deadlines and uptimes, never wall-clock time. */
static inline uint64_t now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

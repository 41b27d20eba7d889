/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ratelimit.c: fixed-window event rate limit. Pure. */
#include "ratelimit.h"

bool ratelimit_below(Ratelimit *rl, uint64_t now_usec, unsigned *ret_suppressed) {
        if (rl->n == 0 || now_usec - rl->window_start_usec >= rl->interval_usec) {
                rl->window_start_usec = now_usec;
                rl->n = 0;
        }
        if (rl->n >= rl->burst) {
                rl->suppressed++;
                return false;
        }
        rl->n++;
        *ret_suppressed = rl->suppressed;
        rl->suppressed = 0;
        return true;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run-exit.c: vm-run's exit status from a session's end. Pure. */
#include "run-exit.h"
#include "cli.h"

int run_exit_status(const SessionResult *result) {
        if (result->error != 0)
                return CLI_EXIT_VMSILO;
        switch (result->how) {
        case EXIT_HOW_EXITED:
                if (result->code < 0 || result->code > 255)
                        return CLI_EXIT_VMSILO;
                return result->code;
        case EXIT_HOW_SIGNALED:
                if (result->code < 1 || result->code > SIGNAL_NUMBER_MAX)
                        return CLI_EXIT_VMSILO;
                return 128 + result->code;
        default:
                return CLI_EXIT_VMSILO;
        }
}

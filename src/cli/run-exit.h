/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run-exit.h: vm-run's exit status from a session's end. Pure. */
#pragma once

#include "session.h"

/* The command's exit code 0..255; 128 + N when signal N killed it; CLI_EXIT_VMSILO (125) when the
 * command could not be run or its end is unknown (refused, VM failed to start, connection lost):
 * result->reason then says why. Out-of-range values from the peer count as the latter. */
int run_exit_status(const SessionResult *result);

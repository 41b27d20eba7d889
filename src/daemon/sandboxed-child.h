/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandboxed-child.h: a host companion's process (Wayland companions, tray host half): started as
 * the configured user from a bwrap argv, watched by the event loop, killed without waiting. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "manager.h"
#include "plan.h"

/* Runs argv as m's configured user, stdin /dev/null and stdout/stderr ours; handler gets its
 * exit with userdata. On failure nothing runs. */
int sandboxed_child_spawn(Manager *m, char **argv, sd_event_child_handler_t handler, void *userdata,
                sd_event_source **ret_source, pid_t *ret_pid);

/* The same for a contained plan (the VMM's sandbox, sandbox.h) that joins the PID namespace of
 * vmm, a running VMM of ours (sandbox_spawn_beside()). */
int sandboxed_child_spawn_beside(Manager *m, const LaunchPlan *plan, pid_t vmm,
                sd_event_child_handler_t handler, void *userdata, sd_event_source **ret_source,
                pid_t *ret_pid);

/* SIGKILLs the child of *s and forgets it: the loop keeps the source, without userdata, until
 * the child is reaped (see sandboxed_child_reaped()). Nothing if *s is NULL. */
void sandboxed_child_kill(sd_event_source **s);

/* For the handler: true when this is the exit of a child killed by sandboxed_child_kill()
 * (userdata NULL); the loop's last reference is dropped, and the handler returns. */
bool sandboxed_child_reaped(sd_event_source *s, void *userdata);

/* What the exit in si was, for logs and status ("exited with status 1", "killed by signal
 * KILL"); NULL when out of memory. */
char *sandboxed_child_exit_reason(const siginfo_t *si);

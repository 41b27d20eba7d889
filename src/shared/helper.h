/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* helper.h: a child process of vmsilod (a VM's pre-start work: the home template copy as the
 * user, mkfs.ext4 and qemu-img for the overlay disk; `crosvm stop`), never waited for
 * synchronously: an sd-event
 * child source, a deadline after which its whole process group gets SIGKILL, and a callback with
 * the result. The child starts with no fd but 0-2, every signal unblocked, in a process group of
 * its own, so whatever it starts dies with it at the deadline. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct Helper Helper;

/* result: 0 if the child exited with status 0, -ETIME if it was killed at its deadline, -EIO if
 * it failed otherwise. The callback may free the helper. */
typedef void (*helper_done_t)(Helper *h, int result, void *userdata);
/* Runs in the child, which exits with EXIT_SUCCESS if it returns >= 0. */
typedef int (*helper_run_t)(void *userdata);

/* Forks a child that runs run(userdata). what names it in the log. */
int helper_fork(sd_event *e, const char *what, helper_run_t run, uint64_t timeout_usec,
                helper_done_t done, void *userdata, Helper **ret);

/* Kills a running child (its process group) without waiting: sd-event reaps it later. */
Helper *helper_free(Helper *h);
DEFINE_FREE_FUNC(Helper *, helper_free);

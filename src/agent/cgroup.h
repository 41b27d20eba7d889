/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup.h: one cgroup2 group per session, so "the session is over" means every process it
 * started has exited (populated 0 in cgroup.events), not just the first one. Without a cgroup2
 * mount the agent falls back to the session's process group (see exec-stream.c). */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Finds the mount point of the first cgroup2 file system in f (mountinfo(5) format). Pure.
 * -ENOENT if none. */
int cgroup_find_mount(FILE *mountinfo, char **ret);
/* The unified ("0::") path of the calling process from f (cgroups(7) /proc/PID/cgroup). Pure. */
int cgroup_parse_self(FILE *proc_cgroup, char **ret);
/* <cgroup2 mount><own cgroup>: where session groups are created. -ENOENT without cgroup2. */
int cgroup_base_acquire(char **ret);

/* Creates <base>/vmsilo-session-<agent pid>-<id>. */
int cgroup_session_create(const char *base, uint32_t id, char **ret_path);
/* Moves the calling process into path. Only open/write/close: callable in a forked child. */
int cgroup_enter(const char *path);
/* 1 if some process is in the group (or a descendant group), 0 if empty, -errno. */
int cgroup_is_populated(const char *path);
/* Adds an IN_MODIFY watch on path/cgroup.events to inotify_fd. */
int cgroup_watch(int inotify_fd, const char *path, int *ret_wd);
/* SIGKILLs every process of the group (cgroup.kill where the kernel has it, else cgroup.procs). */
int cgroup_kill_all(const char *path);
/* rmdir; -EBUSY while populated. */
int cgroup_remove(const char *path);
/* Parses "vmsilo-session-<pid>-<n>" into the agent pid that created it. Pure. */
int cgroup_session_name_parse(const char *name, pid_t *ret_agent_pid);
/* Kills and removes the session groups under base left by agents that no longer run (an agent
 * that crashed and was restarted): nobody can see their output, nor count them. Returns how many
 * groups were found. Groups of live agents (tests run several on one host) are left alone. */
int cgroup_cleanup_stale(const char *base);

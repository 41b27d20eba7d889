/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox.h: starting a VMM process as the unprivileged VM user, contained: its own mount, PID,
 * network, IPC and UTS namespaces, a minimal root holding only what its launch plan names, no
 * supplementary groups but the one /dev/kvm needs, no_new_privs and a seccomp deny list under
 * QEMU's own -sandbox. Shared by vmsilod and `vm-start-debug`; docs/sandbox.md explains it. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "plan.h"

#define SANDBOX_KVM_PATH "/dev/kvm"

typedef struct SandboxFds {
        int qmp; /* -EBADF when the plan does not use it */
        int agent;
        int console;
        int balloon_qmp; /* listening socket for vmsilo-balloond's QMP monitor */
        const int *taps; /* by interface index */
        size_t n_taps;
        int input;  /* becomes the VMM's stdin; -EBADF: /dev/null */
        int output; /* becomes the VMM's stdout and stderr; -EBADF: keep ours */
} SandboxFds;

/* How the VMM user gets read-write access to the KVM node. */
typedef enum SandboxKvmAccess {
        SANDBOX_KVM_OWNER, /* it owns the node */
        SANDBOX_KVM_OTHER, /* the node is rw for everyone */
        SANDBOX_KVM_GROUP, /* rw for the node's group: that group is its only supplementary one */
        SANDBOX_KVM_ACL,   /* a POSIX ACL entry for its uid, as logind's uaccess adds */
} SandboxKvmAccess;

/* Pure: which of the above fits a node of this mode and owner for the VMM's uid. */
SandboxKvmAccess sandbox_kvm_access(mode_t mode, uid_t owner, uid_t uid);

/* Makes path (normally SANDBOX_KVM_PATH) openable read-write by uid the way
 * sandbox_kvm_access() says: adds the ACL entry if that is the way (kept: it is the access a
 * `kvm` group member has, and every VMM start needs it again). *ret_group is the group to give
 * the VMM, or (gid_t) -1 for none. 0, or -errno (-ENOENT: no KVM on this host). */
int sandbox_kvm_prepare(const char *path, uid_t uid, gid_t *ret_group);

/* Starts plan->argv as uid/gid, never as root (-EPERM), with PR_SET_NO_NEW_PRIVS and
 * PR_SET_PDEATHSIG=SIGKILL (a VMM never outlives its starter: a daemon crash stops its VMs
 * instead of orphaning them). Each plan fd is dup2()ed to its target number; every other fd is
 * closed. The child is in a session of its own. A contained plan (plan->contained: every VMM's)
 * also gets the namespaces, the minimal root with plan->paths and the seccomp filter; -EPERM for
 * a device path plan_device_is_allowed() refuses, and exit status 127 when one is not a
 * character device node. Returns 0 with the pid,
 * or -errno if it could not be started; a failure in the child shows up as exit status 127 and a
 * message on `output`. */
int sandbox_spawn(const LaunchPlan *plan, const SandboxFds *fds, uid_t uid, gid_t gid,
                pid_t *ret_pid);

/* As sandbox_spawn() for a contained plan, but the process joins the PID namespace of vmm (a
 * contained VMM we started and have not reaped) instead of getting its own: the VMM sees it,
 * and it dies when the VMM, PID 1 there, does. The other namespaces, root and filter are its
 * own as for any contained plan. -EINVAL for a plan that is not contained. */
int sandbox_spawn_beside(const LaunchPlan *plan, const SandboxFds *fds, uid_t uid, gid_t gid,
                pid_t vmm, pid_t *ret_pid);

/* Whether pid runs in our own PID namespace. The daemon gives no authority to a peer that does
 * not (a contained VMM, whatever socket it found); a peer we cannot see (pid 0) does not. */
bool sandbox_pid_is_ours(pid_t pid);

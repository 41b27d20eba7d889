/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox.c: starting a VMM contained (namespaces, minimal root, seccomp) as the VM user. */
#include <acl/libacl.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-util.h"
#include "path-util.h"
#include "sandbox.h"

/* Above any target number a plan uses, so moving fds into place never clobbers a source. */
#define SANDBOX_FD_PARK_MIN 64

#define SANDBOX_NAMESPACES (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

/* The new root is built here (a tmpfs over /tmp, in the child's mount namespace only), with the
 * host's root moved to OLD while the binds are made. */
#define SANDBOX_STAGE "/tmp"
#define SANDBOX_OLD "/old"
#define SANDBOX_NEW "/new"

/* Read-only from the host: the programs and libraries. Merged-/usr links are copied as links. */
static const char *const sandbox_system_paths[] = { "/usr", "/bin", "/sbin", "/lib", "/lib64",
        "/lib32", "/libx32", "/etc/ld.so.cache", "/nix/store", NULL };
static const char *const sandbox_devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
        "/dev/urandom", NULL };

/* What a VMM never needs and an escaped one would use to reach past its namespaces: other
 * processes' memory (ptrace, process_vm_*, kcmp), the kernel's larger attack surfaces (bpf,
 * perf, keyrings, userfaultfd: QEMU uses it only for postcopy migration), and undoing the
 * containment (mount, namespaces, modules). EPERM, not a kill: QEMU probes some of them. */
static const char *const sandbox_denied_syscalls[] = { "ptrace", "process_vm_readv",
        "process_vm_writev", "kcmp", "perf_event_open", "bpf", "keyctl", "add_key", "request_key",
        "userfaultfd", "mount", "umount", "umount2", "pivot_root", "chroot", "unshare", "setns",
        "fsopen", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "init_module",
        "finit_module", "delete_module", "kexec_load", "kexec_file_load", "open_by_handle_at",
        "name_to_handle_at", "iopl", "ioperm", "swapon", "swapoff", "reboot", "acct", "quotactl",
        "syslog", "lookup_dcookie", "personality", NULL };

static const unsigned long sandbox_clone_namespace_flags[] = { CLONE_NEWNS, CLONE_NEWPID,
        CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWUSER, CLONE_NEWCGROUP };

static int fd_for(const PlanFd *pf, const SandboxFds *fds) {
        switch (pf->role) {
        case PLAN_FD_ROLE_QMP:
                return fds->qmp;
        case PLAN_FD_ROLE_AGENT:
                return fds->agent;
        case PLAN_FD_ROLE_CONSOLE:
                return fds->console;
        case PLAN_FD_ROLE_BALLOON_QMP:
                return fds->balloon_qmp;
        case PLAN_FD_ROLE_TAP:
                return pf->index < fds->n_taps ? fds->taps[pf->index] : -EBADF;
        default:
                return -EBADF;
        }
}

SandboxKvmAccess sandbox_kvm_access(mode_t mode, uid_t owner, uid_t uid) {
        if (owner == uid && (mode & (S_IRUSR | S_IWUSR)) == (S_IRUSR | S_IWUSR))
                return SANDBOX_KVM_OWNER;
        if ((mode & (S_IROTH | S_IWOTH)) == (S_IROTH | S_IWOTH))
                return SANDBOX_KVM_OTHER;
        if ((mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP))
                return SANDBOX_KVM_GROUP;
        return SANDBOX_KVM_ACL;
}

static void acl_freep(acl_t *acl) {
        if (*acl)
                (void) acl_free(*acl);
}

static int kvm_grant_acl(const char *path, uid_t uid) {
        _cleanup_(acl_freep) acl_t acl = NULL;
        acl_entry_t entry = NULL;
        acl_permset_t perms;
        int which = ACL_FIRST_ENTRY;

        acl = acl_get_file(path, ACL_TYPE_ACCESS);
        if (!acl)
                return -errno;
        /* Reuse the uid's entry when an earlier start (or logind) made one. */
        for (acl_entry_t e; acl_get_entry(acl, which, &e) > 0; which = ACL_NEXT_ENTRY) {
                acl_tag_t tag;
                uid_t *q;

                if (acl_get_tag_type(e, &tag) < 0 || tag != ACL_USER)
                        continue;
                q = acl_get_qualifier(e);
                if (q && *q == uid)
                        entry = e;
                (void) acl_free(q);
                if (entry)
                        break;
        }
        if (!entry && (acl_create_entry(&acl, &entry) < 0 ||
                                      acl_set_tag_type(entry, ACL_USER) < 0 ||
                                      acl_set_qualifier(entry, &uid) < 0))
                return -errno;
        if (acl_get_permset(entry, &perms) < 0 || acl_add_perm(perms, ACL_READ) < 0 ||
                        acl_add_perm(perms, ACL_WRITE) < 0 || acl_set_permset(entry, perms) < 0 ||
                        acl_calc_mask(&acl) < 0 || acl_set_file(path, ACL_TYPE_ACCESS, acl) < 0)
                return -errno;
        return 0;
}

int sandbox_kvm_prepare(const char *path, uid_t uid, gid_t *ret_group) {
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode))
                return -ENODEV;
        *ret_group = (gid_t) -1;
        switch (sandbox_kvm_access(st.st_mode, st.st_uid, uid)) {
        case SANDBOX_KVM_GROUP:
                *ret_group = st.st_gid;
                return 0;
        case SANDBOX_KVM_ACL:
                return kvm_grant_acl(path, uid);
        default:
                return 0;
        }
}

bool sandbox_pid_is_ours(pid_t pid) {
        char path[64];
        struct stat ours, theirs;

        if (pid <= 0)
                return false;
        (void) snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) pid);
        if (stat("/proc/self/ns/pid", &ours) < 0 || stat(path, &theirs) < 0)
                return false;
        return ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

static int filter_new(scmp_filter_ctx *ret) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        for (size_t i = 0; sandbox_denied_syscalls[i]; i++) {
                int nr = seccomp_syscall_resolve_name(sandbox_denied_syscalls[i]);

                if (nr == __NR_SCMP_ERROR)
                        continue; /* not on this architecture */
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
                if (r < 0)
                        return r;
        }
        /* Threads yes, new namespaces no. clone3 passes its flags in memory a filter cannot
         * read: ENOSYS makes glibc fall back to clone, whose flags it can. */
        for (size_t i = 0; i < ELEMENTSOF(sandbox_clone_namespace_flags); i++) {
                unsigned long flag = sandbox_clone_namespace_flags[i];

                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
                if (r < 0)
                        return r;
        }
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ctx);
        return 0;
}

/* ---- the child: all below runs after clone(), single-threaded, and _exit()s on error ---- */

_noreturn_ static void fail(const char *what) {
        dprintf(STDERR_FILENO, "vmsilo sandbox: %s: %s\n", what, strerror(errno));
        _exit(127);
}

/* Makes SANDBOX_NEW + path show the host's source (under SANDBOX_OLD): a copy of a symlink, or a
 * bind mount remounted with `flags` (MS_RDONLY, MS_NOEXEC…). A path the host lacks is skipped:
 * the VMM then fails on it with the error it would have had anyway. A device must be a character
 * device node, not a link to one: anything else stops the start. */
static void expose_from(const char *path, const char *source, unsigned long flags, bool device) {
        char src[PATH_MAX], dst[PATH_MAX], link[PATH_MAX];
        struct stat st;
        ssize_t n;

        if (snprintf(src, sizeof(src), SANDBOX_OLD "%s", source) >= (int) sizeof(src) ||
                        snprintf(dst, sizeof(dst), SANDBOX_NEW "%s", path) >= (int) sizeof(dst)) {
                errno = ENAMETOOLONG;
                fail(path);
        }
        if (lstat(src, &st) < 0)
                return;
        if (device && !S_ISCHR(st.st_mode)) {
                errno = ENODEV;
                fail(source);
        }
        if (mkdir_parents(dst, 0755) < 0)
                fail(dst);
        if (S_ISLNK(st.st_mode)) {
                n = readlink(src, link, sizeof(link) - 1);
                if (n < 0)
                        fail(path);
                link[n] = '\0';
                if (symlink(link, dst) < 0 && errno != EEXIST)
                        fail(path);
                return;
        }
        if (stat(src, &st) < 0)
                return;
        if (S_ISDIR(st.st_mode)) {
                if (mkdir(dst, 0755) < 0 && errno != EEXIST)
                        fail(path);
        } else {
                int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
                /* Already there: inside a read-only bind made before (a kernel under /usr). */
                if (fd < 0 && errno != EROFS && errno != EEXIST)
                        fail(path);
                if (fd >= 0)
                        (void) close(fd);
        }
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                fail(path);
        if (mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | flags, NULL) < 0)
                fail(path);
}

static void expose(const char *path, unsigned long flags) {
        expose_from(path, path, flags, /* device= */ false);
}

static bool under_system_path(const char *path) {
        for (size_t i = 0; sandbox_system_paths[i]; i++) {
                size_t len = strlen(sandbox_system_paths[i]);
                if (strncmp(path, sandbox_system_paths[i], len) == 0 && path[len] == '/')
                        return true;
        }
        return false;
}

/* The VMM's whole file system: /usr and friends read-only, a few devices, a fresh /proc for its
 * PID namespace, a small /tmp, the plan's paths at their own names, and nothing else: no /home,
 * /run/user, runtime or state directory but what the plan names. */
static void build_root(const LaunchPlan *plan, const char *binary, bool kvm) {
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                fail("making / private");
        if (mount("tmpfs", SANDBOX_STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") < 0)
                fail("mounting the staging tmpfs");
        if (mkdir(SANDBOX_STAGE SANDBOX_OLD, 0700) < 0 ||
                        syscall(SYS_pivot_root, SANDBOX_STAGE, SANDBOX_STAGE SANDBOX_OLD) < 0 ||
                        chdir("/") < 0)
                fail("moving the host root aside");
        if (mkdir(SANDBOX_NEW, 0755) < 0 ||
                        mount("tmpfs", SANDBOX_NEW, "tmpfs", MS_NOSUID | MS_NODEV,
                                        "mode=0755,size=1m") < 0)
                fail("mounting the new root");
        if (mkdir(SANDBOX_NEW "/tmp", 01777) < 0 ||
                        mount("tmpfs", SANDBOX_NEW "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
                                        "mode=1777,size=16m") < 0)
                fail("mounting /tmp");

        for (size_t i = 0; sandbox_system_paths[i]; i++)
                expose(sandbox_system_paths[i], MS_RDONLY | MS_NODEV);
        if (!under_system_path(binary))
                expose(binary, MS_RDONLY | MS_NODEV);
        for (size_t i = 0; sandbox_devices[i]; i++)
                expose(sandbox_devices[i], MS_NOEXEC);
        if (kvm)
                expose(SANDBOX_KVM_PATH, MS_NOEXEC);
        if (symlink("/proc/self/fd", SANDBOX_NEW "/dev/fd") < 0)
                fail("/dev/fd");
        for (size_t i = 0; i < plan->n_paths; i++) {
                const PlanPath *pp = &plan->paths[i];

                expose_from(pp->path, pp->source ?: pp->path,
                                MS_NOEXEC | (pp->device ? 0 : MS_NODEV) |
                                                (pp->writable ? 0 : MS_RDONLY),
                                pp->device);
        }
        if (mkdir(SANDBOX_NEW "/proc", 0555) < 0 ||
                        mount("proc", SANDBOX_NEW "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                        NULL) < 0)
                fail("mounting /proc");
        if (mount(NULL, SANDBOX_NEW, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                fail("making the new root read-only");

        /* pivot_root(".", "."): the host root lands on top of the new one, then goes entirely. */
        if (chdir(SANDBOX_NEW) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
                        umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
                fail("entering the new root");
}

static void move_fds(const LaunchPlan *plan, const SandboxFds *fds) {
        int parked[PLAN_FD_TAP_BASE + CONFIG_INTERFACES_MAX];
        int input, highest = 2;

        if (plan->n_fds > ELEMENTSOF(parked))
                _exit(127);
        for (size_t i = 0; i < plan->n_fds; i++) {
                int src = fd_for(&plan->fds[i], fds);
                if (src < 0)
                        _exit(127);
                parked[i] = fcntl(src, F_DUPFD_CLOEXEC, SANDBOX_FD_PARK_MIN);
                if (parked[i] < 0)
                        _exit(127);
        }
        input = fds->input >= 0 ? fds->input : open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (input < 0 || dup2(input, STDIN_FILENO) < 0)
                _exit(127);
        if (fds->output >= 0 && (dup2(fds->output, STDOUT_FILENO) < 0 ||
                                                dup2(fds->output, STDERR_FILENO) < 0))
                _exit(127);
        for (size_t i = 0; i < plan->n_fds; i++) {
                if (dup2(parked[i], plan->fds[i].target_fd) < 0)
                        _exit(127);
                highest = MAX(highest, plan->fds[i].target_fd);
        }
        /* Close-on-exec rather than closed: the parent's pidfd is still needed until exec. */
        if (close_range((unsigned) highest + 1, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                fail("close_range");
}

typedef struct ChildArgs {
        const LaunchPlan *plan;
        const SandboxFds *fds;
        const char *binary;
        uid_t uid;
        gid_t gid;
        gid_t kvm_group; /* (gid_t) -1: none */
        bool kvm;
        int parent_pidfd;
        scmp_filter_ctx filter; /* NULL for a plan that is not contained */
} ChildArgs;

/* VFIO pins guest RAM: the limit and its hard cap, while we may still raise them (root with
 * CAP_SYS_RESOURCE). Without that capability the soft limit goes up to the hard one and the
 * VMM log says so: the VMM then fails to map the device with its own clear error. */
static void set_memlock(uint64_t bytes) {
        struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };
        int error;

        if (setrlimit(RLIMIT_MEMLOCK, &rl) >= 0)
                return;
        error = errno;
        if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0)
                return;
        dprintf(STDERR_FILENO,
                        "vmsilod: cannot raise RLIMIT_MEMLOCK to %" PRIu64 " bytes (%s); the "
                        "VMM gets the hard limit, %" PRIu64 " bytes, and may fail to pin guest "
                        "memory for VFIO\n",
                        bytes, strerror(error), (uint64_t) rl.rlim_max);
        rl.rlim_cur = rl.rlim_max;
        (void) setrlimit(RLIMIT_MEMLOCK, &rl);
}

_noreturn_ static void child(const ChildArgs *a) {
        sigset_t all;
        struct pollfd parent = { .fd = a->parent_pidfd, .events = POLLIN };

        /* sd-event blocks the signals it handles; a VMM must start with a clean slate. */
        (void) sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
        for (int sig = 1; sig < _NSIG; sig++)
                (void) signal(sig, SIG_DFL);

        if (setsid() < 0)
                _exit(127);
        move_fds(a->plan, a->fds);
        if (a->plan->memlock_bytes > 0)
                set_memlock(a->plan->memlock_bytes);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                fail("no_new_privs");
        if (a->filter)
                build_root(a->plan, a->binary, a->kvm);

        if (setgroups(a->kvm_group != (gid_t) -1 ? 1 : 0, &a->kvm_group) < 0 ||
                        setresgid(a->gid, a->gid, a->gid) < 0 ||
                        setresuid(a->uid, a->uid, a->uid) < 0)
                fail("dropping privileges");
        /* Only now: changing the effective uid or gid clears the parent-death signal (prctl(2)).
         * getppid() says nothing in a new PID namespace (0): the parent's pidfd turns readable
         * if it died before this point, and then we give up. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || poll(&parent, 1, 0) != 0)
                _exit(127);
        if (a->filter && seccomp_load(a->filter) < 0)
                fail("loading the seccomp filter");

        execv(a->binary, a->plan->argv);
        fail(a->binary);
}

/* Clones the sandbox's child; with pid_ns_fd >= 0 the child is a member of that PID namespace
 * instead of the first process of a new one. setns() moves only where our next child goes (our
 * own namespace stays), and we move that back right after the clone. */
static pid_t clone_child(const LaunchPlan *plan, int pid_ns_fd) {
        unsigned long flags = plan->contained ? SANDBOX_NAMESPACES : 0;
        _cleanup_(closep) int own = -EBADF;
        pid_t pid;
        int error;

        if (pid_ns_fd >= 0) {
                own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
                if (own < 0 || setns(pid_ns_fd, CLONE_NEWPID) < 0)
                        return -errno;
                flags &= ~(unsigned long) CLONE_NEWPID;
        }
        /* Raw clone with no stack acts like fork(); the child is PID 1 of its namespace (or a
         * member of pid_ns_fd's) and still our child, so waiting, PDEATHSIG and SIGKILL work as
         * before. */
        pid = (pid_t) syscall(SYS_clone, SIGCHLD | flags, NULL, NULL, NULL, 0);
        if (pid == 0)
                return 0; /* the child: it has its namespace */
        error = errno;
        if (own >= 0 && setns(own, CLONE_NEWPID) < 0)
                /* Our later children would land in that namespace: nothing may start any more. */
                abort();
        return pid < 0 ? -error : pid;
}

static int spawn(const LaunchPlan *plan, const SandboxFds *fds, uid_t uid, gid_t gid, int pid_ns_fd,
                pid_t *ret_pid) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx filter = NULL;
        _cleanup_(freep) char *binary = NULL;
        _cleanup_(closep) int parent_pidfd = -EBADF;
        ChildArgs a;
        pid_t pid;
        int r;

        if (!plan || plan->n_argv == 0)
                return -EINVAL;
        if (uid == 0)
                return -EPERM;
        /* Checked again here, not only where plans are built: a node outside the list would
         * lose its nodev, and with it whatever the mount kept from the VMM. */
        for (size_t i = 0; i < plan->n_paths; i++)
                if (plan->paths[i].device && !plan_device_is_allowed(plan->paths[i].path))
                        return -EPERM;
        r = path_resolve_executable(plan->argv[0], &binary);
        if (r < 0)
                return r;
        a = (ChildArgs){ .plan = plan,
                .fds = fds,
                .binary = binary,
                .uid = uid,
                .gid = gid,
                .kvm_group = (gid_t) -1 };
        /* Always, not only for KVM plans: QEMU probes /dev/kvm, and a host where only TCG runs
         * (CI's paravirtual KVM) should still exercise the access a KVM host relies on. */
        a.kvm = sandbox_kvm_prepare(SANDBOX_KVM_PATH, uid, &a.kvm_group) >= 0;
        if (plan->contained) {
                r = filter_new(&filter);
                if (r < 0)
                        return r;
                a.filter = filter;
        }
        parent_pidfd = pidfd_open(getpid(), 0);
        if (parent_pidfd < 0)
                return -errno;
        a.parent_pidfd = parent_pidfd;

        pid = clone_child(plan, pid_ns_fd);
        if (pid < 0)
                return pid;
        if (pid == 0)
                child(&a);

        *ret_pid = pid;
        return 0;
}

int sandbox_spawn(const LaunchPlan *plan, const SandboxFds *fds, uid_t uid, gid_t gid,
                pid_t *ret_pid) {
        return spawn(plan, fds, uid, gid, -EBADF, ret_pid);
}

int sandbox_spawn_beside(const LaunchPlan *plan, const SandboxFds *fds, uid_t uid, gid_t gid,
                pid_t vmm, pid_t *ret_pid) {
        _cleanup_(closep) int ns = -EBADF;
        char path[64];

        if (!plan || !plan->contained)
                return -EINVAL;
        /* vmm is our unreaped child: its number is not anyone else's. */
        (void) snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) vmm);
        ns = open(path, O_RDONLY | O_CLOEXEC);
        if (ns < 0)
                return -errno;
        return spawn(plan, fds, uid, gid, ns, ret_pid);
}

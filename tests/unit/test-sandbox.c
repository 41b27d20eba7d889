/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-sandbox.c: how the VMM user gets /dev/kvm (the decision, and the ACL it adds), the PID
 * namespace check of socket peers, and which device nodes a contained plan reaches. The
 * containment itself is tested end to end through vmsilod (tests/integration/test_sandbox.py). */
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"

#define VMM_UID 4242
#define VMM_GID 4242

static void test_kvm_access_follows_the_node_mode(void **state) {
        /* Debian: root:kvm 0660. */
        assert_int_equal(sandbox_kvm_access(020660, 0, VMM_UID), SANDBOX_KVM_GROUP);
        /* root:root 0600 (no kvm group): only an ACL entry, as logind's uaccess makes. */
        assert_int_equal(sandbox_kvm_access(020600, 0, VMM_UID), SANDBOX_KVM_ACL);
        /* A group with read only is no use. */
        assert_int_equal(sandbox_kvm_access(020640, 0, VMM_UID), SANDBOX_KVM_ACL);
        assert_int_equal(sandbox_kvm_access(020666, 0, VMM_UID), SANDBOX_KVM_OTHER);
        assert_int_equal(sandbox_kvm_access(020600, VMM_UID, VMM_UID), SANDBOX_KVM_OWNER);
}

/* Whether uid/gid, with no supplementary groups (plus `group` if any), may open path rw. */
static bool user_can_open_rw(const char *path, uid_t uid, gid_t gid, gid_t group) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                if (setgroups(group != (gid_t) -1 ? 1 : 0, &group) < 0 ||
                                setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                        _exit(2);
                /* access(2), not open(2): the test directory may be on a nodev mount. */
                _exit(access(path, R_OK | W_OK) == 0 ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_kvm_prepare_grants_exactly_the_vmm_user(void **state) {
        char dir[] = "/tmp/test-sandbox-XXXXXX", node[64];
        gid_t group = 0;

        if (geteuid() != 0)
                skip();
        assert_non_null(mkdtemp(dir));
        assert_int_equal(chmod(dir, 0755), 0);
        (void) snprintf(node, sizeof(node), "%s/kvm", dir);
        assert_int_equal(mknod(node, S_IFCHR | 0600, makedev(1, 3)), 0);
        assert_int_equal(chmod(node, 0600), 0);
        assert_false(user_can_open_rw(node, VMM_UID, VMM_GID, (gid_t) -1));

        /* root:root 0600: an ACL entry for the uid, none for anyone else. */
        assert_int_equal(sandbox_kvm_prepare(node, VMM_UID, &group), 0);
        assert_int_equal(group, (gid_t) -1);
        assert_true(user_can_open_rw(node, VMM_UID, VMM_GID, (gid_t) -1));
        assert_false(user_can_open_rw(node, VMM_UID + 1, VMM_GID, (gid_t) -1));
        /* Idempotent: a second start reuses the entry. */
        assert_int_equal(sandbox_kvm_prepare(node, VMM_UID, &group), 0);
        assert_true(user_can_open_rw(node, VMM_UID, VMM_GID, (gid_t) -1));

        /* A group-rw node: the group is what the VMM gets. */
        assert_int_equal(unlink(node), 0);
        assert_int_equal(mknod(node, S_IFCHR | 0660, makedev(1, 3)), 0);
        assert_int_equal(chown(node, 0, 4343), 0);
        assert_int_equal(chmod(node, 0660), 0);
        assert_int_equal(sandbox_kvm_prepare(node, VMM_UID, &group), 0);
        assert_int_equal(group, 4343);
        assert_true(user_can_open_rw(node, VMM_UID, VMM_GID, group));
        assert_false(user_can_open_rw(node, VMM_UID, VMM_GID, (gid_t) -1));

        assert_int_equal(unlink(node), 0);
        assert_int_equal(rmdir(dir), 0);
}

static void test_kvm_prepare_refuses_what_is_no_device(void **state) {
        gid_t group;

        assert_int_equal(sandbox_kvm_prepare("/nonexistent/kvm", VMM_UID, &group), -ENOENT);
        assert_int_equal(sandbox_kvm_prepare("/tmp", VMM_UID, &group), -ENODEV);
}

static void test_pid_namespace_check(void **state) {
        assert_true(sandbox_pid_is_ours(getpid()));
        /* SO_PEERCRED's pid for a peer in a namespace we cannot see into. */
        assert_false(sandbox_pid_is_ours(0));
        assert_false(sandbox_pid_is_ours(-1));
}

static const SandboxFds no_fds = { .qmp = -EBADF,
        .agent = -EBADF,
        .console = -EBADF,
        .balloon_qmp = -EBADF,
        .input = -EBADF,
        .output = -EBADF };

/* Runs `sh -c script` contained as VMM_UID with the one path pp: its exit status (127: the
 * sandbox refused to start it) and its output in ret (at most size - 1 bytes). */
static int spawn_with_path(const PlanPath *pp, const char *script, char *ret, size_t size) {
        char *argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) script, NULL };
        LaunchPlan plan = { .argv = argv, .n_argv = 3, .paths = (PlanPath *) pp, .n_paths = 1 };
        SandboxFds fds = no_fds;
        int out[2], status;
        ssize_t n;
        pid_t pid;

        plan.contained = true;
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        fds.output = out[1];
        assert_int_equal(sandbox_spawn(&plan, &fds, VMM_UID, VMM_GID, &pid), 0);
        assert_int_equal(close(out[1]), 0);
        /* To the end: a shell may write one message in several pieces. */
        for (size_t got = 0;; got += (size_t) n) {
                n = read(out[0], ret + got, size - 1 - got);
                assert_true(n >= 0);
                if (n == 0) {
                        ret[got] = '\0';
                        break;
                }
        }
        assert_int_equal(close(out[0]), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void test_spawn_binds_only_character_devices_it_allows(void **state) {
        char dir[] = "/tmp/test-sandbox-XXXXXX", node[64], file[64], out[256];
        const char *open_it = "exec 3<>/dev/vfio/5 && echo opened";
        PlanPath pp = { .path = (char *) "/dev/vfio/5", .writable = true, .device = true };
        char *argv[] = { (char *) "/bin/true", NULL };
        LaunchPlan plan;
        pid_t pid;

        if (geteuid() != 0)
                skip();
        assert_non_null(mkdtemp(dir));
        (void) snprintf(node, sizeof(node), "%s/node", dir);
        (void) snprintf(file, sizeof(file), "%s/file", dir);
        assert_int_equal(mknod(node, S_IFCHR | 0600, makedev(1, 3)), 0);
        assert_int_equal(chown(node, VMM_UID, VMM_GID), 0);
        assert_int_equal(mknod(file, S_IFREG | 0666, 0), 0);

        /* The device, from its source, at the path the VMM uses. */
        pp.source = node;
        assert_int_equal(spawn_with_path(&pp, open_it, out, sizeof(out)), 0);
        assert_string_equal(out, "opened\n");
        /* The same node as a plain path is bound nodev: no device through it. */
        pp.device = false;
        assert_int_not_equal(spawn_with_path(&pp, open_it, out, sizeof(out)), 0);
        assert_non_null(strstr(out, "Permission denied"));
        /* A device path whose source is no character device stops the start. */
        pp.device = true;
        pp.source = file;
        assert_int_equal(spawn_with_path(&pp, open_it, out, sizeof(out)), 127);
        assert_non_null(strstr(out, "vmsilo sandbox:"));
        /* A node the list does not allow is refused before anything starts. */
        pp.path = (char *) "/dev/mem";
        pp.source = node;
        plan = (LaunchPlan){ .argv = argv, .n_argv = 1, .paths = &pp, .n_paths = 1 };
        plan.contained = true;
        assert_int_equal(sandbox_spawn(&plan, &no_fds, VMM_UID, VMM_GID, &pid), -EPERM);

        assert_int_equal(unlink(node), 0);
        assert_int_equal(unlink(file), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kvm_access_follows_the_node_mode),
                cmocka_unit_test(test_kvm_prepare_grants_exactly_the_vmm_user),
                cmocka_unit_test(test_kvm_prepare_refuses_what_is_no_device),
                cmocka_unit_test(test_pid_namespace_check),
                cmocka_unit_test(test_spawn_binds_only_character_devices_it_allows),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

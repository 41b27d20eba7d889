/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-vm-watch.c: which runtime-dir names are VM sockets, and the watch on a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vm-watch.h"

static void test_classify_names_vm_sockets(void **state) {
        static const struct {
                const char *file;
                const char *name; /* NULL: not a VM socket */
                VmWatchEntry entry;
        } cases[] = {
                { "work.qmp", "work", VM_WATCH_QMP },
                { "work.vmm", "work", VM_WATCH_VMM_DIR },
                { "my-vm.qmp", "my-vm", VM_WATCH_QMP },
                { ".qmp", NULL, 0 },
                { ".vmm", NULL, 0 },
                { "work-crosvm.socket", NULL, 0 },
                { "work-command.socket", NULL, 0 },
                { "balloond.json", NULL, 0 },
                { ".hidden.qmp", NULL, 0 },
                { "work.qmp.tmp", NULL, 0 },
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
                  "qmp",
                                NULL, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *name = NULL;
                VmWatchEntry entry = VM_WATCH_QMP;
                int r = vm_watch_classify(cases[i].file, &name, &entry);

                if (!cases[i].name) {
                        if (r != -EINVAL)
                                fail_msg("'%s' classified as a VM socket", cases[i].file);
                        continue;
                }
                if (r < 0 || !streq(name, cases[i].name) || entry != cases[i].entry)
                        fail_msg("'%s': r=%d name=%s", cases[i].file, r, strna(name));
                free(name);
        }
}

static void test_crosvm_socket_is_the_vms_own(void **state) {
        assert_true(vm_watch_is_crosvm_socket("work", "work-crosvm.socket"));
        assert_false(vm_watch_is_crosvm_socket("work", "other-crosvm.socket"));
        assert_false(vm_watch_is_crosvm_socket("work", "work-crosvm.socket.tmp"));
        assert_false(vm_watch_is_crosvm_socket("work", "work.qmp"));
        assert_false(vm_watch_is_crosvm_socket("work", "wor-crosvm.socket"));
}

typedef struct Seen {
        char names[8][80];
        int appeared[8];
        size_t n;
} Seen;

static void record(VmWatch *w, const char *name, VmmKind vmm, const char *path, int appeared,
                void *userdata) {
        Seen *s = userdata;

        if (s->n < 8) {
                snprintf(s->names[s->n], sizeof(s->names[0]), "%s/%s", name,
                                vmm_kind_to_string(vmm));
                s->appeared[s->n++] = appeared;
        }
}

static void touch(const char *dir, const char *name) {
        char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
}

static void run_until(sd_event *e, const Seen *seen, size_t n) {
        for (int i = 0; i < 20 && seen->n < n; i++)
                assert_true(sd_event_run(e, 100000) >= 0);
        assert_int_equal(seen->n, n);
}

/* A QEMU VM's monitor sits in the runtime dir; a crosvm VM's control socket in <name>.vmm/,
 * whether that directory was there at start or appears later. */
static void test_watch_reports_existing_new_and_removed_sockets(void **state) {
        char dir[] = "/tmp/test-vm-watch-XXXXXX", path[256], old_vmm[64], new_vmm[64];
        sd_event *e = NULL;
        VmWatch *w = NULL;
        Seen seen = {};

        assert_non_null(mkdtemp(dir));
        touch(dir, "old.qmp");
        touch(dir, "stray-crosvm.socket"); /* not in a VM directory: no VM */
        snprintf(old_vmm, sizeof(old_vmm), "%s/cold.vmm", dir);
        assert_int_equal(mkdir(old_vmm, 0700), 0);
        touch(old_vmm, "cold-crosvm.socket");
        touch(old_vmm, "other-crosvm.socket"); /* another VM's name: ignored */
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(vm_watch_new(e, dir, record, &seen, &w), 0);
        assert_int_equal(seen.n, 2);
        assert_true(streq(seen.names[0], "old/qemu") || streq(seen.names[1], "old/qemu"));
        assert_true(streq(seen.names[0], "cold/crosvm") || streq(seen.names[1], "cold/crosvm"));

        snprintf(new_vmm, sizeof(new_vmm), "%s/new.vmm", dir);
        assert_int_equal(mkdir(new_vmm, 0700), 0);
        run_until(e, &seen, 2); /* the watch on new.vmm is in place before crosvm starts */
        touch(new_vmm, "new-crosvm.socket");
        run_until(e, &seen, 3);
        assert_string_equal(seen.names[2], "new/crosvm");
        assert_int_equal(seen.appeared[2], 1);

        snprintf(path, sizeof(path), "%s/old.qmp", dir);
        unlink(path);
        run_until(e, &seen, 4);
        assert_string_equal(seen.names[3], "old/qemu");
        assert_int_equal(seen.appeared[3], 0);

        snprintf(path, sizeof(path), "%s/new-crosvm.socket", new_vmm);
        unlink(path);
        assert_int_equal(rmdir(new_vmm), 0);
        run_until(e, &seen, 5);
        assert_string_equal(seen.names[4], "new/crosvm");
        assert_int_equal(seen.appeared[4], 0);

        vm_watch_free(w);
        sd_event_unref(e);
        snprintf(path, sizeof(path), "%s/cold-crosvm.socket", old_vmm);
        unlink(path);
        snprintf(path, sizeof(path), "%s/other-crosvm.socket", old_vmm);
        unlink(path);
        rmdir(old_vmm);
        snprintf(path, sizeof(path), "%s/stray-crosvm.socket", dir);
        unlink(path);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classify_names_vm_sockets),
                cmocka_unit_test(test_crosvm_socket_is_the_vms_own),
                cmocka_unit_test(test_watch_reports_existing_new_and_removed_sockets),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

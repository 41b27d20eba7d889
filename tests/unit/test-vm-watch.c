/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-vm-watch.c: which runtime-dir names are VM sockets, and the watch on a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "vm-watch.h"

static void test_classify_names_vm_sockets(void **state) {
        static const struct {
                const char *file;
                const char *name; /* NULL: not a VM socket */
                VmmKind vmm;
        } cases[] = {
                { "work.qmp", "work", VMM_QEMU },
                { "work-crosvm.socket", "work", VMM_CROSVM },
                { "my-vm.qmp", "my-vm", VMM_QEMU },
                { ".qmp", NULL, 0 },
                { "-crosvm.socket", NULL, 0 },
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
                VmmKind vmm = _VMM_KIND_INVALID;
                int r = vm_watch_classify(cases[i].file, &name, &vmm);

                if (!cases[i].name) {
                        if (r != -EINVAL)
                                fail_msg("'%s' classified as a VM socket", cases[i].file);
                        continue;
                }
                if (r < 0 || !streq(name, cases[i].name) || vmm != cases[i].vmm)
                        fail_msg("'%s': r=%d name=%s", cases[i].file, r, strna(name));
                free(name);
        }
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

static void test_watch_reports_existing_new_and_removed_sockets(void **state) {
        char dir[] = "/tmp/test-vm-watch-XXXXXX", path[128];
        sd_event *e = NULL;
        VmWatch *w = NULL;
        Seen seen = {};
        FILE *f;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/old.qmp", dir);
        f = fopen(path, "w");
        fclose(f);
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(vm_watch_new(e, dir, record, &seen, &w), 0);
        assert_int_equal(seen.n, 1);
        assert_string_equal(seen.names[0], "old/qemu");

        snprintf(path, sizeof(path), "%s/new-crosvm.socket", dir);
        f = fopen(path, "w");
        fclose(f);
        snprintf(path, sizeof(path), "%s/old.qmp", dir);
        unlink(path);
        for (int i = 0; i < 10 && seen.n < 3; i++)
                assert_true(sd_event_run(e, 100000) >= 0);
        assert_int_equal(seen.n, 3);
        assert_string_equal(seen.names[1], "new/crosvm");
        assert_int_equal(seen.appeared[1], 1);
        assert_string_equal(seen.names[2], "old/qemu");
        assert_int_equal(seen.appeared[2], 0);

        vm_watch_free(w);
        sd_event_unref(e);
        snprintf(path, sizeof(path), "%s/new-crosvm.socket", dir);
        unlink(path);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classify_names_vm_sockets),
                cmocka_unit_test(test_watch_reports_existing_new_and_removed_sockets),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-vmm-log.c: tests for src/daemon/vmm-log.c: the capped root-only file a VMM's output goes
 * to when vmsilod's stderr is not the journal, and the fall-back to it when the journal cannot
 * be reached. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "vmm-log.h"

typedef struct Fixture {
        char dir[64];
        char path[96];
        sd_event *event;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        strcpy(f->dir, "/tmp/test-vmm-log-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof(f->path), "%s/vm.log", f->dir);
        assert_int_equal(sd_event_new(&f->event), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        (void) unlink(f->path);
        (void) rmdir(f->dir);
        sd_event_unref(f->event);
        free(f);
        return 0;
}

static size_t read_log(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        assert_true(fd >= 0);
        n = read(fd, buf, size - 1);
        assert_true(n >= 0);
        buf[n] = '\0';
        close(fd);
        return (size_t) n;
}

/* The head up to the cap, then one line with what was dropped; root-only. */
static void test_file_keeps_the_head_and_counts_the_rest(void **state) {
        Fixture *f = *state;
        VmmLog *l = NULL;
        char buf[512];
        struct stat st;
        int vmm_fd = -1;

        /* An older vmsilod's group-readable file: the mode is fixed. */
        close(open(f->path, O_WRONLY | O_CREAT, 0640));
        assert_int_equal(vmm_log_new(f->event, f->path, NULL, 16, &l, &vmm_fd), 0);
        assert_string_equal(vmm_log_where(l), f->path);
        assert_int_equal(write_full_fd(vmm_fd, "0123456789abcdefOVERFLOW", 24), 0);
        close(vmm_fd);
        for (int i = 0; i < 5; i++)
                assert_true(sd_event_run(f->event, 10000) >= 0);
        vmm_log_free(l);

        read_log(f->path, buf, sizeof(buf));
        assert_true(strncmp(buf, "0123456789abcdef\n", 17) == 0);
        assert_non_null(strstr(buf, "8 more bytes of VMM output were dropped"));
        assert_int_equal(stat(f->path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
}

/* Asked for the journal where there is none (no journald socket here), the file takes over. */
static void test_journal_unreachable_falls_back_to_the_file(void **state) {
        Fixture *f = *state;
        VmmLog *l = NULL;
        char buf[64];
        int vmm_fd = -1;

        if (access("/run/systemd/journal/stdout", F_OK) == 0)
                skip(); /* a journal exists: the stream would go there */
        assert_int_equal(vmm_log_new(f->event, f->path, "vmsilo-vmm-test", 1024, &l, &vmm_fd), 0);
        assert_string_equal(vmm_log_where(l), f->path);
        assert_int_equal(write_full_fd(vmm_fd, "boot\n", 5), 0);
        close(vmm_fd);
        vmm_log_free(l);
        read_log(f->path, buf, sizeof(buf));
        assert_string_equal(buf, "boot\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(
                                test_file_keeps_the_head_and_counts_the_rest, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_journal_unreachable_falls_back_to_the_file, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

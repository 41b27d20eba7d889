/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-paste-serve.c: the paste key's text written into the guest's pipes: whole, once per
 * read, closed empty when there is no text or too many reads at once. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "paste-serve.h"

typedef struct Fixture {
        sd_event *event;
        PasteServe paste;
} Fixture;

static int setup(void **state) {
        static Fixture fx;

        fx = (Fixture){};
        assert_int_equal(sd_event_new(&fx.event), 0);
        paste_serve_init(&fx.paste, fx.event, "test");
        *state = &fx;
        return 0;
}

static int teardown(void **state) {
        Fixture *fx = *state;

        paste_serve_finish(&fx->paste);
        sd_event_unref(fx->event);
        return 0;
}

/* A pipe whose write end goes to the paste (taken); returns the read end. */
static int read_end(Fixture *fx) {
        int fds[2];

        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        paste_serve_write(&fx->paste, fds[1]);
        return fds[0];
}

/* Runs the loop until fd has all the data (and its end) and returns how many bytes came. */
static size_t drain(Fixture *fx, int fd, char *buf, size_t cap) {
        size_t got = 0;

        assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
        for (unsigned i = 0; i < 100000; i++) {
                ssize_t n = read(fd, buf + got, cap - got);

                if (n == 0)
                        return got;
                if (n > 0)
                        got += (size_t) n;
                else
                        assert_int_equal(errno, EAGAIN);
                assert_true(sd_event_run(fx->event, 1000) >= 0);
        }
        fail_msg("the write never ended");
        return 0;
}

static void test_paste_serve_writes_the_whole_text_each_time(void **state) {
        Fixture *fx = *state;
        size_t size = 300 * 1024; /* more than a pipe holds: several writes */
        _cleanup_(freep) char *text = malloc(size), *got = malloc(size + 1);

        assert_non_null(text);
        assert_non_null(got);
        for (size_t i = 0; i < size; i++)
                text[i] = (char) ('a' + i % 26);
        assert_int_equal(paste_serve_set(&fx->paste, text, size), 0);
        for (int round = 0; round < 2; round++) {
                int fd = read_end(fx);

                assert_int_equal(drain(fx, fd, got, size + 1), size);
                assert_memory_equal(got, text, size);
                close(fd);
        }
}

static void test_paste_serve_closes_empty_without_text(void **state) {
        Fixture *fx = *state;
        char buf[16];
        int fd;

        fd = read_end(fx); /* nothing offered yet */
        assert_int_equal(read(fd, buf, sizeof(buf)), 0);
        close(fd);
        assert_int_equal(paste_serve_set(&fx->paste, "x", 1), 0);
        paste_serve_forget(&fx->paste); /* the guest set its own selection */
        fd = read_end(fx);
        assert_int_equal(read(fd, buf, sizeof(buf)), 0);
        close(fd);
}

static void test_paste_serve_caps_reads_at_once(void **state) {
        Fixture *fx = *state;
        size_t size = 1024 * 1024;
        _cleanup_(freep) char *text = calloc(1, size), *got = malloc(size + 1);
        int fds[PASTE_SERVE_WRITERS_MAX + 1];
        char byte;

        assert_non_null(text);
        assert_non_null(got);
        memset(text, 'q', size);
        assert_int_equal(paste_serve_set(&fx->paste, text, size), 0);
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                fds[i] = read_end(fx);
        /* the one too many got nothing; the others are still being written */
        assert_int_equal(read(fds[PASTE_SERVE_WRITERS_MAX], &byte, 1), 0);
        assert_int_equal(drain(fx, fds[0], got, size + 1), size);
        /* and the text forgotten meanwhile does not cut the reads under way */
        paste_serve_forget(&fx->paste);
        assert_int_equal(drain(fx, fds[1], got, size + 1), size);
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                close(fds[i]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(
                                test_paste_serve_writes_the_whole_text_each_time, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_paste_serve_closes_empty_without_text, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_paste_serve_caps_reads_at_once, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-fs-util.c: tests for src/basic/fs-util.c on a temp dir: mkdir_p(), and rm_rf() removing
 * read-only directories without following links out of the tree. */
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

#include "fs-util.h"

static char base[] = "/tmp/test-fs-util-XXXXXX";

static void path(char *buf, size_t size, const char *rel) {
        snprintf(buf, size, "%s/%s", base, rel);
}

static void touch(const char *rel) {
        char p[256];

        path(p, sizeof(p), rel);
        close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
}

static bool exists(const char *rel) {
        char p[256];
        struct stat st;

        path(p, sizeof(p), rel);
        return lstat(p, &st) == 0;
}

static void test_mkdir_p_makes_every_level_once(void **state) {
        char p[256];
        struct stat st;

        path(p, sizeof(p), "a/b/c");
        assert_int_equal(mkdir_p(p, 0750), 0);
        assert_int_equal(stat(p, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 0007, 0); /* mode 0750, whatever the umask adds */
        assert_int_equal(mkdir_p(p, 0750), 0);  /* already there */
        touch("a/file");
        path(p, sizeof(p), "a/file/x");
        assert_int_equal(mkdir_p(p, 0755), -ENOTDIR);
}

static void test_rm_rf_removes_read_only_trees_but_not_what_links_point_at(void **state) {
        char p[256], target[256];

        path(p, sizeof(p), "tree/ro/deep");
        assert_int_equal(mkdir_p(p, 0755), 0);
        touch("tree/ro/deep/f");
        touch("outside");
        path(target, sizeof(target), "outside");
        path(p, sizeof(p), "tree/ro/link");
        assert_int_equal(symlink(target, p), 0);
        path(p, sizeof(p), "tree/ro");
        assert_int_equal(chmod(p, 0500), 0);

        path(p, sizeof(p), "tree");
        assert_int_equal(rm_rf(p), 0);
        assert_false(exists("tree"));
        assert_true(exists("outside"));
        assert_int_equal(rm_rf(p), 0); /* gone already */
}

static void test_rm_rf_children_keeps_the_directory(void **state) {
        char p[256];
        int fd;

        path(p, sizeof(p), "keep/sub");
        assert_int_equal(mkdir_p(p, 0755), 0);
        touch("keep/sub/f");
        touch("keep/g");
        path(p, sizeof(p), "keep");
        fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(rm_rf_children(fd), 0);
        close(fd);
        assert_true(exists("keep"));
        assert_false(exists("keep/sub"));
        assert_false(exists("keep/g"));
}

/* The cleanup of a temporary tree: it goes with its path, and a NULL path is nothing. */
static void test_rm_rf_and_freep_removes_the_tree_and_frees(void **state) {
        char p[256];
        char *tmp, *none = NULL;

        path(p, sizeof(p), "tmp-tree/sub");
        assert_int_equal(mkdir_p(p, 0755), 0);
        touch("tmp-tree/sub/f");
        path(p, sizeof(p), "tmp-tree");
        tmp = strdup(p);
        assert_non_null(tmp);
        rm_rf_and_freep(&tmp);
        assert_null(tmp);
        assert_false(exists("tmp-tree"));
        rm_rf_and_freep(&none);
        assert_null(none);
}

/* A build in a temp dir beside its target, then swapped in: the old tree ends up at tmp. */
static void test_rename_into_place_swaps_and_keeps_the_old_at_tmp(void **state) {
        char out[256];
        char *tmp = NULL, *tmp2 = NULL;

        path(out, sizeof(out), "image");
        assert_int_equal(mkdtemp_beside(out, &tmp), 0);
        assert_non_null(strstr(tmp, "/.image.tmp-"));
        assert_int_equal(strncmp(tmp, base, strlen(base)), 0);
        assert_int_equal(rename_into_place(tmp, out), 0); /* nothing there yet */
        assert_false(exists(strrchr(tmp, '/') + 1));
        touch("image/first");

        assert_int_equal(mkdtemp_beside(out, &tmp2), 0);
        assert_int_equal(rename_into_place(tmp2, out), 0);
        assert_false(exists("image/first")); /* the new, empty one */
        snprintf(out, sizeof(out), "%s/first", tmp2);
        assert_int_equal(access(out, F_OK), 0); /* the old one, for the caller to remove */
        assert_int_equal(rm_rf(tmp2), 0);
        free(tmp);
        free(tmp2);
}

static int setup(void **state) {
        return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state) {
        return rm_rf(base) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mkdir_p_makes_every_level_once),
                cmocka_unit_test(test_rm_rf_removes_read_only_trees_but_not_what_links_point_at),
                cmocka_unit_test(test_rm_rf_children_keeps_the_directory),
                cmocka_unit_test(test_rm_rf_and_freep_removes_the_tree_and_frees),
                cmocka_unit_test(test_rename_into_place_swaps_and_keeps_the_old_at_tmp),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-safe-open.c: safe-open.c on temp directories: no link followed in any component, the
 * owner and mode of a directory root writes in, and root's own directories made and checked. */
#include <errno.h>
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

#include "safe-open.h"

static char *path_in(const char *dir, const char *name) {
        char *p;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static int setup(void **state) {
        char *dir = strdup("/tmp/test-safe-open-XXXXXX");

        assert_non_null(mkdtemp(dir));
        *state = dir;
        return 0;
}

static int teardown(void **state) {
        char cmd[128];

        (void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *) *state);
        assert_int_equal(system(cmd), 0);
        free(*state);
        return 0;
}

static void test_open_dir_follows_no_link_anywhere(void **state) {
        char *real = path_in(*state, "real"), *link = path_in(*state, "link");
        char *through = path_in(*state, "link/sub"), *inside = path_in(*state, "real/sub");
        int fd;

        assert_int_equal(mkdir(real, 0755), 0);
        assert_int_equal(mkdir(inside, 0755), 0);
        assert_int_equal(symlink(real, link), 0);
        fd = safe_open_dir(inside);
        assert_true(fd >= 0);
        (void) close(fd);
        assert_int_equal(safe_open_dir(link), -ELOOP);
        assert_int_equal(safe_open_dir(through), -ELOOP);
        assert_int_equal(safe_open_dir("relative/path"), -EINVAL);
        free(real);
        free(link);
        free(through);
        free(inside);
}

static void test_check_dir_owner_wants_root_or_the_user_and_no_writers(void **state) {
        char *d = path_in(*state, "d");
        uid_t owner;
        int fd;

        if (geteuid() != 0)
                skip();
        assert_int_equal(mkdir(d, 0755), 0);
        fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(safe_check_dir_owner(fd, 1234, &owner), 0);
        assert_int_equal(fchown(fd, 1234, 1234), 0);
        assert_int_equal(safe_check_dir_owner(fd, 1234, &owner), 0);
        assert_int_equal(safe_check_dir_owner(fd, 999, &owner), -EPERM);
        assert_int_equal(owner, 1234);
        assert_int_equal(fchown(fd, 0, 0), 0);
        assert_int_equal(fchmod(fd, 0777), 0);
        assert_int_equal(safe_check_dir_owner(fd, 1234, &owner), -EPERM);
        assert_int_equal(fchmod(fd, 01777), 0); /* like /tmp */
        assert_int_equal(safe_check_dir_owner(fd, 1234, &owner), 0);
        (void) close(fd);
        free(d);
}

static void test_prepare_root_dir_makes_and_checks(void **state) {
        char *made = path_in(*state, "made"), *theirs = path_in(*state, "theirs");
        char *link = path_in(*state, "link");
        struct stat st;
        mode_t old;

        if (geteuid() != 0)
                skip();
        /* Made 0755 whatever the umask. */
        old = umask(077);
        assert_int_equal(safe_prepare_root_dir(made, "test dir"), 0);
        (void) umask(old);
        assert_int_equal(stat(made, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        assert_int_equal(safe_prepare_root_dir(made, "test dir"), 0);
        /* An existing dir is checked, not changed. */
        assert_int_equal(chmod(made, 0777), 0);
        assert_int_equal(safe_prepare_root_dir(made, "test dir"), -EPERM);
        assert_int_equal(stat(made, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0777);
        assert_int_equal(mkdir(theirs, 0755), 0);
        assert_int_equal(chown(theirs, 1234, 1234), 0);
        assert_int_equal(safe_prepare_root_dir(theirs, "test dir"), -EPERM);
        assert_int_equal(symlink(*state, link), 0);
        assert_int_equal(safe_prepare_root_dir(link, "test dir"), -ELOOP);
        free(made);
        free(theirs);
        free(link);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_open_dir_follows_no_link_anywhere),
                T(test_check_dir_owner_wants_root_or_the_user_and_no_writers),
                T(test_prepare_root_dir_makes_and_checks),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-shares.c: shares.c on temp directories: path helpers, the template copy (never following
 * links, skipping special files, the guest owner for QEMU), clearing, and home creation. Runs
 * as whoever runs the suite: the copy child keeps the caller's ids. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <cmocka.h>

#include "shares.h"

static const ShareOwner guest = { .has_uid = true, .uid = 1000, .has_gid = true, .gid = 1001 };

typedef struct Fixture {
        char dir[64];
        int src, dst;
} Fixture;

static void write_file(int dir, const char *name, const char *text, mode_t mode) {
        int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        assert_int_equal(fchmod(fd, mode), 0);
        assert_int_equal(close(fd), 0);
}

static char *read_file(int dir, const char *name) {
        static char buf[256];
        int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        ssize_t n;

        assert_true(fd >= 0);
        n = read(fd, buf, sizeof(buf) - 1);
        assert_true(n >= 0);
        buf[n] = '\0';
        (void) close(fd);
        return buf;
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        strcpy(f->dir, "/tmp/test-shares-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        f->src = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(mkdirat(f->src, "template", 0755), 0);
        assert_int_equal(mkdirat(f->src, "out", 0700), 0);
        f->dst = openat(f->src, "out", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(f->dst >= 0);
        int t = openat(f->src, "template", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(t >= 0);
        (void) close(f->src);
        f->src = t;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        char cmd[256];

        /* Not shares_clear_dir(): the deep template is deeper than it goes. */
        (void) snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' && rm -rf '%s'", f->dir, f->dir);
        assert_int_equal(system(cmd), 0);
        (void) close(f->src);
        (void) close(f->dst);
        free(f);
        return 0;
}

/* A template with one of everything: files, a read-only directory, a link out, a FIFO. */
static void fill_template(int t) {
        int sub;

        write_file(t, ".profile", "export A=1\n", 0640);
        assert_int_equal(mkdirat(t, "conf", 0755), 0);
        sub = openat(t, "conf", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(sub >= 0);
        write_file(sub, "app.ini", "x=1\n", 0600);
        assert_int_equal(fchmod(sub, 0555), 0);
        (void) close(sub);
        assert_int_equal(symlinkat("/etc/shadow", t, "shadow"), 0);
        assert_int_equal(mkfifoat(t, "fifo", 0644), 0);
}

static bool has_user_xattrs(int fd) {
        return fsetxattr(fd, "user.test", "x", 1, 0) == 0 || errno != EOPNOTSUPP;
}

static uint32_t get_xattr_id(int dir, const char *name, const char *key) {
        char path[256];
        uint8_t le[4];

        (void) snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir, name);
        assert_int_equal(lgetxattr(path, key, le, sizeof(le)), 4);
        return le[0] | le[1] << 8 | le[2] << 16 | (uint32_t) le[3] << 24;
}

static void test_split_path_gives_parent_and_name(void **state) {
        static const struct {
                const char *path, *parent, *name;
        } cases[] = {
                { "/shared/work", "/shared", "work" },
                { "/x", "/", "x" },
                { "/a/b/.home", "/a/b", ".home" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *parent = NULL, *name = NULL;

                assert_int_equal(shares_split_path(cases[i].path, &parent, &name), 0);
                assert_string_equal(parent, cases[i].parent);
                assert_string_equal(name, cases[i].name);
                free(parent);
                free(name);
        }
}

static void test_split_path_rejects_what_names_no_new_directory(void **state) {
        static const char *const bad[] = { "", "work", "/", "/a/", "/a/.", "/a/.." };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *parent = NULL, *name = NULL;

                assert_int_equal(shares_split_path(bad[i], &parent, &name), -EINVAL);
                assert_null(parent);
                assert_null(name);
        }
}

static void test_temp_name_is_hidden_and_a_mkdtemp_template(void **state) {
        char *s = NULL;

        assert_int_equal(shares_temp_name("work", &s), 0);
        assert_string_equal(s, ".work.tmp-XXXXXX");
        free(s);
}

static void test_copy_tree_copies_files_dirs_and_links_without_following(void **state) {
        Fixture *f = *state;
        SharesCopyStats stats = {};
        struct stat st;
        char target[64];
        ssize_t n;

        fill_template(f->src);
        assert_int_equal(shares_copy_tree(f->src, f->dst, &guest, false, &stats), 0);
        assert_int_equal(stats.files, 2);
        assert_int_equal(stats.directories, 1);
        assert_int_equal(stats.symlinks, 1);
        assert_int_equal(stats.skipped, 1);

        assert_string_equal(read_file(f->dst, ".profile"), "export A=1\n");
        assert_int_equal(fstatat(f->dst, ".profile", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(fstatat(f->dst, "conf", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0555);
        assert_string_equal(read_file(f->dst, "conf/app.ini"), "x=1\n");
        n = readlinkat(f->dst, "shadow", target, sizeof(target) - 1);
        assert_int_equal(n, strlen("/etc/shadow"));
        target[n] = '\0';
        assert_string_equal(target, "/etc/shadow");
        assert_int_equal(fstatat(f->dst, "fifo", &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(errno, ENOENT);
}

static void test_copy_tree_records_the_guest_owner(void **state) {
        Fixture *f = *state;
        SharesCopyStats stats = {};

        if (!has_user_xattrs(f->dst))
                skip();
        fill_template(f->src);
        assert_int_equal(shares_copy_tree(f->src, f->dst, &guest, false, &stats), 0);
        assert_int_equal(get_xattr_id(f->dst, ".profile", SHARES_XATTR_UID), 1000);
        assert_int_equal(get_xattr_id(f->dst, ".profile", SHARES_XATTR_GID), 1001);
        assert_int_equal(get_xattr_id(f->dst, "conf", SHARES_XATTR_UID), 1000);
        assert_int_equal(get_xattr_id(f->dst, "conf/app.ini", SHARES_XATTR_GID), 1001);
}

static void test_copy_tree_writes_links_in_qemus_form(void **state) {
        Fixture *f = *state;
        SharesCopyStats stats = {};
        struct stat st;

        if (!has_user_xattrs(f->dst))
                skip();
        assert_int_equal(symlinkat("../elsewhere", f->src, "link"), 0);
        assert_int_equal(shares_copy_tree(f->src, f->dst, &guest, true, &stats), 0);
        assert_int_equal(fstatat(f->dst, "link", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_string_equal(read_file(f->dst, "link"), "../elsewhere");
        assert_int_equal(get_xattr_id(f->dst, "link", SHARES_XATTR_MODE), S_IFLNK | 0777);
        assert_int_equal(get_xattr_id(f->dst, "link", SHARES_XATTR_UID), 1000);
}

static void test_copy_tree_refuses_a_template_deeper_than_max(void **state) {
        Fixture *f = *state;
        SharesCopyStats stats = {};
        int dir = dup(f->src);

        for (int i = 0; i <= SHARES_COPY_DEPTH_MAX + 1; i++) {
                int sub;

                assert_int_equal(mkdirat(dir, "d", 0755), 0);
                sub = openat(dir, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_true(sub >= 0);
                (void) close(dir);
                dir = sub;
        }
        (void) close(dir);
        assert_int_equal(shares_copy_tree(f->src, f->dst, &guest, false, &stats), -ELOOP);
}

static void test_clear_dir_removes_read_only_subdirectories(void **state) {
        Fixture *f = *state;
        SharesCopyStats stats = {};
        DIR *d;
        int n = 0;

        fill_template(f->src);
        assert_int_equal(shares_copy_tree(f->src, f->dst, &guest, false, &stats), 0);
        assert_int_equal(shares_clear_dir(f->dst), 0);
        d = fdopendir(dup(f->dst));
        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));)
                n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
        (void) closedir(d);
        assert_int_equal(n, 0);
}

static char *path_in(const Fixture *f, const char *name) {
        char *s;

        assert_true(asprintf(&s, "%s/%s", f->dir, name) > 0);
        return s;
}

/* Whether f->dir has a leftover ".home.tmp-*". */
static bool has_temp_leftover(const Fixture *f) {
        DIR *d = opendir(f->dir);
        bool found = false;

        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));)
                found = found || strncmp(de->d_name, ".home.tmp-", 10) == 0;
        (void) closedir(d);
        return found;
}

static void test_create_home_copies_the_template_once(void **state) {
        Fixture *f = *state;
        char *home = path_in(f, "home"), *template = path_in(f, "template");
        int fd;
        struct stat st;

        write_file(f->src, ".profile", "v1\n", 0644);
        assert_int_equal(shares_create_home(home, template, false, getuid(), getgid()), 1);
        assert_int_equal(stat(home, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_int_equal(st.st_uid, getuid());

        /* A changed template never reaches an existing home. */
        assert_int_equal(unlinkat(f->src, ".profile", 0), 0);
        write_file(f->src, ".profile", "v2\n", 0644);
        write_file(f->src, "new", "n\n", 0644);
        assert_int_equal(shares_create_home(home, template, false, getuid(), getgid()), 0);
        fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_string_equal(read_file(fd, ".profile"), "v1\n");
        assert_int_equal(faccessat(fd, "new", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        (void) close(fd);
        assert_false(has_temp_leftover(f));
        free(home);
        free(template);
}

static void test_create_home_without_template_is_empty(void **state) {
        Fixture *f = *state;
        char *home = path_in(f, "home"), *missing = path_in(f, "no-template");
        int fd;
        DIR *d;
        int n = 0;

        assert_int_equal(shares_create_home(home, missing, false, getuid(), getgid()), 1);
        fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        d = fdopendir(fd);
        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));)
                n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
        (void) closedir(d);
        assert_int_equal(n, 0);
        free(home);
        free(missing);
}

static void test_create_home_failure_leaves_nothing(void **state) {
        Fixture *f = *state;
        char *home = path_in(f, "home"), *not_dir = path_in(f, "template/file");

        write_file(f->src, "file", "not a directory\n", 0644);
        assert_true(shares_create_home(home, not_dir, false, getuid(), getgid()) < 0);
        assert_int_equal(access(home, F_OK), -1);
        assert_false(has_temp_leftover(f));
        free(home);
        free(not_dir);
}

/* The copy runs as the VM user: a file only root can read fails the copy, never leaks. */
static void test_create_home_copies_with_the_users_permissions(void **state) {
        Fixture *f = *state;
        char *home = path_in(f, "home"), *template = path_in(f, "template");
        const uid_t nobody = 65534;
        struct stat st;

        if (geteuid() != 0)
                skip();
        assert_int_equal(chmod(f->dir, 0755), 0);
        write_file(f->src, "public", "anyone\n", 0644);
        write_file(f->src, "secret", "root only\n", 0600);
        assert_true(shares_create_home(home, template, false, nobody, nobody) < 0);
        assert_int_equal(access(home, F_OK), -1);
        assert_false(has_temp_leftover(f));

        assert_int_equal(unlinkat(f->src, "secret", 0), 0);
        assert_int_equal(shares_create_home(home, template, false, nobody, nobody), 1);
        assert_int_equal(stat(home, &st), 0);
        assert_int_equal(st.st_uid, nobody);
        free(home);
        home = path_in(f, "home/public");
        assert_int_equal(stat(home, &st), 0);
        assert_int_equal(st.st_uid, nobody);
        free(home);
        free(template);
}

static void test_set_guest_owner_writes_little_endian_ids(void **state) {
        Fixture *f = *state;
        ShareOwner only_uid = { .has_uid = true, .uid = 0x01020304 };
        uint8_t le[4];

        if (!has_user_xattrs(f->dst))
                skip();
        assert_int_equal(shares_set_guest_owner(f->dst, &only_uid), 0);
        assert_int_equal(fgetxattr(f->dst, SHARES_XATTR_UID, le, sizeof(le)), 4);
        assert_memory_equal(le, ((uint8_t[]){ 4, 3, 2, 1 }), 4);
        assert_int_equal(fgetxattr(f->dst, SHARES_XATTR_GID, le, sizeof(le)), -1);
        assert_int_equal(errno, ENODATA);
}

/* The count of entries in dir other than "." and "..". */
static int count_entries(const char *dir) {
        DIR *d = opendir(dir);
        int n = 0;

        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));)
                n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
        (void) closedir(d);
        return n;
}

/* <dir>/user (the user's, 0755) and <dir>/secret (root's, 0700): what a user swaps in. */
static void make_user_and_secret(const Fixture *f, uid_t user) {
        char *u = path_in(f, "user"), *secret = path_in(f, "secret");

        assert_int_equal(chmod(f->dir, 0755), 0);
        assert_int_equal(mkdir(u, 0755), 0);
        assert_int_equal(chown(u, user, user), 0);
        assert_int_equal(mkdir(secret, 0700), 0);
        free(u);
        free(secret);
}

/* sharedHome under a user-owned dir whose component the user made a link to a root-only dir:
 * root follows no link, so nothing appears there. */
static void test_create_home_follows_no_link_in_its_path(void **state) {
        Fixture *f = *state;
        const uid_t nobody = 65534;
        char *link = path_in(f, "user/vms"), *secret = path_in(f, "secret");
        char *home = path_in(f, "user/vms/h"), *deeper = path_in(f, "user/vms/sub/h");

        if (geteuid() != 0)
                skip();
        make_user_and_secret(f, nobody);
        assert_int_equal(symlink(secret, link), 0);
        assert_int_equal(shares_create_home(home, "/nonexistent", false, nobody, nobody), -ELOOP);
        /* As a grandparent too (the parent would be created in it). */
        assert_int_equal(shares_create_home(deeper, "/nonexistent", false, nobody, nobody), -ELOOP);
        assert_int_equal(count_entries(secret), 0);
        free(link);
        free(secret);
        free(home);
        free(deeper);
}

/* A parent of another user: root does not make a home for the vmsilo user in it. */
static void test_create_home_refuses_a_parent_of_another_user(void **state) {
        Fixture *f = *state;
        char *parent = path_in(f, "other"), *home = path_in(f, "other/h");

        if (geteuid() != 0)
                skip();
        assert_int_equal(mkdir(parent, 0755), 0);
        assert_int_equal(chown(parent, 12345, 12345), 0);
        assert_int_equal(shares_create_home(home, "/nonexistent", false, 65534, 65534), -EPERM);
        assert_int_equal(count_entries(parent), 0);
        /* World-writable without the sticky bit: anyone could swap entries. */
        assert_int_equal(chown(parent, 0, 0), 0);
        assert_int_equal(chmod(parent, 0777), 0);
        assert_int_equal(shares_create_home(home, "/nonexistent", false, 65534, 65534), -EPERM);
        assert_int_equal(count_entries(parent), 0);
        free(parent);
        free(home);
}

/* The user swaps the parent between a real dir and a link to the root-only dir as fast as it
 * can while homes are made: whichever it is at each moment, nothing lands in the secret dir. */
static void test_create_home_survives_racing_link_swaps(void **state) {
        Fixture *f = *state;
        const uid_t nobody = 65534;
        char *real = path_in(f, "user/vms"), *link = path_in(f, "user/vms.link");
        char *secret = path_in(f, "secret"), home[128];
        int created = 0, refused = 0, status;
        pid_t swapper;

        if (geteuid() != 0)
                skip();
        make_user_and_secret(f, nobody);
        assert_int_equal(mkdir(real, 0755), 0);
        assert_int_equal(chown(real, nobody, nobody), 0);
        assert_int_equal(symlink(secret, link), 0);
        swapper = fork();
        assert_true(swapper >= 0);
        if (swapper == 0) {
                if (setresgid(nobody, nobody, nobody) < 0 || setresuid(nobody, nobody, nobody) < 0)
                        _exit(1);
                for (;;)
                        (void) renameat2(AT_FDCWD, real, AT_FDCWD, link, RENAME_EXCHANGE);
        }
        for (int i = 0; i < 200; i++) {
                (void) snprintf(home, sizeof(home), "%s/h%d", real, i);
                if (shares_create_home(home, "/nonexistent", false, nobody, nobody) > 0)
                        created++;
                else
                        refused++;
        }
        assert_int_equal(kill(swapper, SIGKILL), 0);
        assert_int_equal(waitpid(swapper, &status, 0), swapper);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(count_entries(secret), 0);
        assert_int_equal(created + refused, 200);
        free(real);
        free(link);
        free(secret);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_split_path_gives_parent_and_name),
                cmocka_unit_test(test_split_path_rejects_what_names_no_new_directory),
                cmocka_unit_test(test_temp_name_is_hidden_and_a_mkdtemp_template),
                T(test_copy_tree_copies_files_dirs_and_links_without_following),
                T(test_copy_tree_records_the_guest_owner),
                T(test_copy_tree_writes_links_in_qemus_form),
                T(test_copy_tree_refuses_a_template_deeper_than_max),
                T(test_clear_dir_removes_read_only_subdirectories),
                T(test_create_home_copies_the_template_once),
                T(test_create_home_without_template_is_empty),
                T(test_create_home_failure_leaves_nothing),
                T(test_create_home_copies_with_the_users_permissions),
                T(test_set_guest_owner_writes_little_endian_ids),
                T(test_create_home_follows_no_link_in_its_path),
                T(test_create_home_refuses_a_parent_of_another_user),
                T(test_create_home_survives_racing_link_swaps),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

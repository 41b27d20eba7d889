/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-passwd.c: tests for src/agent/passwd.c (passwd/group parsing without NSS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "passwd.h"

typedef struct Fixture {
        char dir[64];
} Fixture;

static void write_file(const char *dir, const char *name, const char *text) {
        char path[128];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static int setup(void **state) {
        Fixture *fx = calloc(1, sizeof(*fx));

        assert_non_null(fx);
        snprintf(fx->dir, sizeof(fx->dir), "/tmp/test-passwd-XXXXXX");
        assert_non_null(mkdtemp(fx->dir));
        write_file(fx->dir, "passwd",
                        "root:x:0:0:root:/root:/bin/bash\n"
                        "broken line without colons\n"
                        "user:x:1000:1000:User,,,:/home/user:/bin/zsh\n"
                        "nohome:x:1001:1001::::\n"
                        "baduid:x:abc:1002::/home/b:/bin/sh\n");
        write_file(fx->dir, "group",
                        "root:x:0:\n"
                        "user:x:1000:\n"
                        "audio:x:29:pulse,user\n"
                        "video:x:44:user\n"
                        "dup:x:29:user\n"
                        "users:x:100:alice,bob\n"
                        "garbage\n"
                        "wheel:x:10:userx,user\n");
        *state = fx;
        return 0;
}

static int teardown(void **state) {
        Fixture *fx = *state;
        char path[128];

        snprintf(path, sizeof(path), "%s/passwd", fx->dir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/group", fx->dir);
        unlink(path);
        rmdir(fx->dir);
        free(fx);
        return 0;
}

static void test_passwd_parse_line_reads_every_field(void **state) {
        PasswdEntry e;

        assert_int_equal(passwd_parse_line("user:x:1000:100:U:/home/user:/bin/zsh", &e), 0);
        assert_string_equal(e.name, "user");
        assert_int_equal(e.uid, 1000);
        assert_int_equal(e.gid, 100);
        assert_string_equal(e.home, "/home/user");
        assert_string_equal(e.shell, "/bin/zsh");
        passwd_entry_finish(&e);
}

static void test_passwd_parse_line_defaults_empty_home_and_shell(void **state) {
        PasswdEntry e;

        assert_int_equal(passwd_parse_line("n:x:1:1:::", &e), 0);
        assert_string_equal(e.home, "/");
        assert_string_equal(e.shell, "/bin/sh");
        passwd_entry_finish(&e);
}

static void test_passwd_parse_line_rejects_malformed_lines(void **state) {
        static const char *const bad[] = {
                "",                                   /* empty */
                "user:x:1000:1000:U:/home/user",      /* six fields */
                "user:x:1000:1000:U:/home/user:/s:x", /* eight fields */
                ":x:1000:1000:U:/h:/s",               /* empty name */
                "user:x:-1:1000:U:/h:/s",             /* negative uid */
                "user:x:1000:abc:U:/h:/s",            /* non-numeric gid */
                "user:x::1000:U:/h:/s",               /* empty uid */
                "user:x:4294967295:1:U:/h:/s",        /* (uid_t) -1 */
                "user:x:99999999999:1:U:/h:/s",       /* overflow */
        };
        PasswdEntry e = { .uid = 65 };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(passwd_parse_line(bad[i], &e), -EINVAL);
                assert_int_equal(e.uid, 65);
        }
}

static void test_passwd_lookup_skips_malformed_lines(void **state) {
        Fixture *fx = *state;
        PasswdEntry e;

        assert_int_equal(passwd_lookup(fx->dir, "user", &e), 0);
        assert_int_equal(e.uid, 1000);
        assert_string_equal(e.shell, "/bin/zsh");
        passwd_entry_finish(&e);
}

static void test_passwd_lookup_unknown_user_is_enoent(void **state) {
        Fixture *fx = *state;
        PasswdEntry e;

        assert_int_equal(passwd_lookup(fx->dir, "nobody-here", &e), -ENOENT);
        assert_int_equal(passwd_lookup(fx->dir, "use", &e), -ENOENT); /* no prefix match */
        assert_int_equal(passwd_lookup(fx->dir, "baduid", &e), -ENOENT);
}

static void test_passwd_lookup_missing_file_is_enoent(void **state) {
        PasswdEntry e;

        assert_int_equal(passwd_lookup("/nonexistent-dir", "root", &e), -ENOENT);
}

static void test_passwd_groups_lists_primary_then_memberships_without_duplicates(void **state) {
        Fixture *fx = *state;
        gid_t *l = NULL;
        size_t n = 0;

        assert_int_equal(passwd_lookup_groups(fx->dir, "user", 1000, &l, &n), 0);
        assert_int_equal(n, 4);
        assert_int_equal(l[0], 1000);
        assert_int_equal(l[1], 29);
        assert_int_equal(l[2], 44);
        assert_int_equal(l[3], 10);
        free(l);
}

static void test_passwd_groups_ignores_groups_of_others(void **state) {
        Fixture *fx = *state;
        gid_t *l = NULL;
        size_t n = 0;

        assert_int_equal(passwd_lookup_groups(fx->dir, "pulse", 500, &l, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(l[0], 500);
        assert_int_equal(l[1], 29);
        free(l);
}

static void test_passwd_groups_without_group_file_is_primary_only(void **state) {
        gid_t *l = NULL;
        size_t n = 0;

        assert_int_equal(passwd_lookup_groups("/nonexistent-dir", "user", 7, &l, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(l[0], 7);
        free(l);
}

static void test_passwd_groups_caps_the_count(void **state) {
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        gid_t *l = NULL;
        size_t n = 0;
        FILE *f;

        assert_non_null(mem);
        for (unsigned i = 0; i < PASSWD_GROUPS_MAX + 50; i++)
                fprintf(mem, "g%u:x:%u:user\n", i, 20000 + i);
        fclose(mem);
        f = fmemopen(text, size, "r");
        assert_non_null(f);
        assert_int_equal(passwd_find_groups(f, "user", 1, &l, &n), 0);
        assert_int_equal(n, PASSWD_GROUPS_MAX);
        fclose(f);
        free(text);
        free(l);
}

static void test_passwd_find_skips_overlong_lines(void **state) {
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        PasswdEntry e;
        FILE *f;

        assert_non_null(mem);
        fputs("user:x:1:1:", mem);
        for (unsigned i = 0; i < PASSWD_LINE_MAX; i++)
                fputc('g', mem);
        fputs(":/h:/s\nuser:x:2:2::/home:/bin/sh\n", mem);
        fclose(mem);
        f = fmemopen(text, size, "r");
        assert_non_null(f);
        assert_int_equal(passwd_find(f, "user", &e), 0);
        assert_int_equal(e.uid, 2);
        passwd_entry_finish(&e);
        fclose(f);
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_passwd_parse_line_reads_every_field),
                cmocka_unit_test(test_passwd_parse_line_defaults_empty_home_and_shell),
                cmocka_unit_test(test_passwd_parse_line_rejects_malformed_lines),
                cmocka_unit_test_setup_teardown(
                                test_passwd_lookup_skips_malformed_lines, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_passwd_lookup_unknown_user_is_enoent, setup, teardown),
                cmocka_unit_test(test_passwd_lookup_missing_file_is_enoent),
                cmocka_unit_test_setup_teardown(
                                test_passwd_groups_lists_primary_then_memberships_without_duplicates,
                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_passwd_groups_ignores_groups_of_others, setup, teardown),
                cmocka_unit_test(test_passwd_groups_without_group_file_is_primary_only),
                cmocka_unit_test(test_passwd_groups_caps_the_count),
                cmocka_unit_test(test_passwd_find_skips_overlong_lines),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

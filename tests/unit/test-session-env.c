/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-session-env.c: tests for src/agent/session-env.c (env file and session environment). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "session-env.h"
#include "strv.h"

static FILE *text_file(const char *text) {
        FILE *f = fmemopen((void *) text, strlen(text), "r");

        assert_non_null(f);
        return f;
}

static const char *env_get(char **env, const char *key) {
        size_t n = strlen(key);

        STRV_FOREACH(e, env)
                if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
                        return *e + n + 1;
        return NULL;
}

static void test_session_env_parse_line_accepts_assignments(void **state) {
        static const struct {
                const char *line, *expected;
        } table[] = {
                { "WAYLAND_DISPLAY=wayland-0", "WAYLAND_DISPLAY=wayland-0" },
                { "  XDG_RUNTIME_DIR=/run/user/1000", "XDG_RUNTIME_DIR=/run/user/1000" },
                { "export DISPLAY=:0", "DISPLAY=:0" },
                { "_X1=", "_X1=" },
                { "A=b=c", "A=b=c" },
        };

        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
                char *a = NULL;
                assert_int_equal(session_env_parse_line(table[i].line, &a), 0);
                assert_string_equal(a, table[i].expected);
                free(a);
        }
}

static void test_session_env_parse_line_skips_blank_and_comments(void **state) {
        static const char *const lines[] = { "", "   ", "# comment", "  # WAYLAND_DISPLAY=x" };

        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
                char *a = (char *) "untouched";
                assert_int_equal(session_env_parse_line(lines[i], &a), 0);
                assert_null(a);
        }
}

static void test_session_env_parse_line_rejects_malformed(void **state) {
        static const char *const lines[] = {
                "NOEQUALS",
                "=value",
                "1ABC=x",
                "A-B=x",
                "A B=x",
                "export",
                "export =x",
        };

        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
                char *a = NULL;
                assert_int_equal(session_env_parse_line(lines[i], &a), -EINVAL);
                assert_null(a);
        }
}

static unsigned warned_lines[8];
static unsigned n_warned;

static void record_warning(unsigned line, const char *text) {
        if (n_warned < 8)
                warned_lines[n_warned++] = line;
}

static void test_session_env_parse_counts_and_reports_malformed_lines(void **state) {
        FILE *f = text_file("A=1\nbad line\n\n# c\nB=2\n=x\nA=3\n");
        char **env = NULL;
        unsigned n_bad = 0;

        n_warned = 0;
        assert_int_equal(session_env_parse(f, &env, &n_bad, record_warning), 0);
        assert_int_equal(n_bad, 2);
        assert_int_equal(n_warned, 2);
        assert_int_equal(warned_lines[0], 2);
        assert_int_equal(warned_lines[1], 6);
        /* later lines override earlier ones with the same key */
        assert_int_equal(strv_length(env), 2);
        assert_string_equal(env_get(env, "A"), "3");
        assert_string_equal(env_get(env, "B"), "2");
        strv_free(env);
        fclose(f);
}

static void test_session_env_parse_rejects_nul_bytes(void **state) {
        static const char text[] = "A=1\0hidden\nB=2\n";
        FILE *f = fmemopen((void *) text, sizeof(text) - 1, "r");
        char **env = NULL;
        unsigned n_bad = 0;

        assert_non_null(f);
        assert_int_equal(session_env_parse(f, &env, &n_bad, NULL), 0);
        assert_int_equal(n_bad, 1);
        assert_null(env_get(env, "A"));
        assert_string_equal(env_get(env, "B"), "2");
        strv_free(env);
        fclose(f);
}

static void test_session_env_load_missing_file_is_empty(void **state) {
        char **env = NULL;

        assert_int_equal(session_env_load("/nonexistent/session.env", &env), 0);
        assert_non_null(env);
        assert_int_equal(strv_length(env), 0);
        strv_free(env);
}

static const PasswdEntry test_user = {
        .name = (char *) "user",
        .uid = 1000,
        .gid = 1000,
        .home = (char *) "/home/user",
        .shell = (char *) "/bin/zsh",
};

static void test_session_env_build_sets_user_basics(void **state) {
        char **env = NULL;

        assert_int_equal(session_env_build(&test_user, NULL, NULL, NULL, &env), 0);
        assert_string_equal(env_get(env, "HOME"), "/home/user");
        assert_string_equal(env_get(env, "USER"), "user");
        assert_string_equal(env_get(env, "LOGNAME"), "user");
        assert_string_equal(env_get(env, "SHELL"), "/bin/zsh");
        assert_string_equal(env_get(env, "PATH"), SESSION_ENV_PATH_DEFAULT);
        assert_null(env_get(env, "TERM"));
        strv_free(env);
}

static void test_session_env_build_sets_term_for_pty(void **state) {
        char **env = NULL;

        assert_int_equal(session_env_build(&test_user, "xterm-kitty", NULL, NULL, &env), 0);
        assert_string_equal(env_get(env, "TERM"), "xterm-kitty");
        strv_free(env);
}

static void test_session_env_build_request_overrides_file_overrides_basics(void **state) {
        char *file_env[] = { "WAYLAND_DISPLAY=wayland-0", "PATH=/file/bin", "X=file", NULL };
        char *request_env[] = { "X=request", "bad entry", "=nokey", "LANG=C.UTF-8", NULL };
        char **env = NULL;

        assert_int_equal(session_env_build(&test_user, NULL, file_env, request_env, &env), 0);
        assert_string_equal(env_get(env, "WAYLAND_DISPLAY"), "wayland-0");
        assert_string_equal(env_get(env, "PATH"), "/file/bin");
        assert_string_equal(env_get(env, "X"), "request");
        assert_string_equal(env_get(env, "LANG"), "C.UTF-8");
        assert_int_equal(strv_find(env, "bad entry"), -ENOENT);
        assert_int_equal(strv_find(env, "=nokey"), -ENOENT);
        strv_free(env);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_session_env_parse_line_accepts_assignments),
                cmocka_unit_test(test_session_env_parse_line_skips_blank_and_comments),
                cmocka_unit_test(test_session_env_parse_line_rejects_malformed),
                cmocka_unit_test(test_session_env_parse_counts_and_reports_malformed_lines),
                cmocka_unit_test(test_session_env_parse_rejects_nul_bytes),
                cmocka_unit_test(test_session_env_load_missing_file_is_empty),
                cmocka_unit_test(test_session_env_build_sets_user_basics),
                cmocka_unit_test(test_session_env_build_sets_term_for_pty),
                cmocka_unit_test(test_session_env_build_request_overrides_file_overrides_basics),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

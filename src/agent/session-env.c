/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* session-env.c: env-file parsing and session environment assembly. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session-env.h"
#include "strv.h"

bool session_env_assignment_is_valid(const char *s) {
        const char *eq = strchr(s, '=');

        if (!eq || eq == s)
                return false;
        if (!(isalpha((unsigned char) s[0]) || s[0] == '_'))
                return false;
        for (const char *p = s + 1; p < eq; p++)
                if (!(isalnum((unsigned char) *p) || *p == '_'))
                        return false;
        return true;
}

int session_env_parse_line(const char *line, char **ret) {
        char *copy;

        line += strspn(line, " \t");
        if (*line == '\0' || *line == '#') {
                *ret = NULL;
                return 0;
        }
        if (strncmp(line, "export ", 7) == 0)
                line += 7 + strspn(line + 7, " \t");
        if (!session_env_assignment_is_valid(line))
                return -EINVAL;
        copy = strdup(line);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

/* Replaces the entry with the same key as a, or appends it. Takes a on success. */
static int env_set(char ***env, char *a) {
        size_t key_len = strcspn(a, "=") + 1;
        size_t n = 0;

        for (char **e = *env; e && *e; e++, n++)
                if (strncmp(*e, a, key_len) == 0) {
                        free(*e);
                        *e = a;
                        return 0;
                }
        if (n >= SESSION_ENV_ENTRIES_MAX)
                return -E2BIG;
        return strv_consume(env, a);
}

static int env_set_copy(char ***env, const char *a) {
        char *copy = strdup(a);
        int r;

        if (!copy)
                return -ENOMEM;
        r = env_set(env, copy);
        if (r < 0)
                free(copy);
        return r;
}

static int env_set_kv(char ***env, const char *key, const char *value) {
        char *a;
        int r;

        if (asprintf(&a, "%s=%s", key, value) < 0)
                return -ENOMEM;
        r = env_set(env, a);
        if (r < 0)
                free(a);
        return r;
}

int session_env_parse(FILE *f, char ***ret, unsigned *ret_n_malformed,
                void (*warn)(unsigned line, const char *text)) {
        _cleanup_(strv_freep) char **env = NULL;
        _cleanup_(freep) char *line = NULL;
        size_t cap = 0;
        unsigned n_malformed = 0, lineno = 0;
        ssize_t len;
        int r;

        env = strv_new_empty();
        if (!env)
                return -ENOMEM;
        while ((len = getline(&line, &cap, f)) >= 0) {
                char *a = NULL;

                lineno++;
                if (len > 0 && line[len - 1] == '\n')
                        line[--len] = '\0';
                r = (size_t) len > SESSION_ENV_LINE_MAX || strlen(line) != (size_t) len
                                    ? -EINVAL
                                    : session_env_parse_line(line, &a);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        n_malformed++;
                        if (warn)
                                warn(lineno, line);
                        continue;
                }
                if (!a)
                        continue;
                r = env_set(&env, a);
                if (r < 0) {
                        free(a);
                        return r;
                }
        }
        if (ferror(f))
                return -EIO;
        if (ret_n_malformed)
                *ret_n_malformed = n_malformed;
        *ret = TAKE_PTR(env);
        return 0;
}

static void warn_malformed(unsigned line, const char *text) {
        log_warning("Ignoring malformed line %u of the session environment file: '%.80s'", line,
                        text);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, fclose);

int session_env_load(const char *path, char ***ret) {
        _cleanup_(fclosep) FILE *f = NULL;

        f = fopen(path, "re");
        if (!f) {
                if (errno != ENOENT)
                        return -errno;
                log_debug("Session environment file '%s' does not exist, using none.", path);
                *ret = strv_new_empty();
                return *ret ? 0 : -ENOMEM;
        }
        return session_env_parse(f, ret, /* ret_n_malformed= */ NULL, warn_malformed);
}

int session_env_build(const PasswdEntry *pw, const char *term, char *const *file_env,
                char *const *request_env, char ***ret) {
        _cleanup_(strv_freep) char **env = NULL;
        int r;

        env = strv_new_empty();
        if (!env)
                return -ENOMEM;
        r = env_set_kv(&env, "HOME", pw->home);
        if (r >= 0)
                r = env_set_kv(&env, "USER", pw->name);
        if (r >= 0)
                r = env_set_kv(&env, "LOGNAME", pw->name);
        if (r >= 0)
                r = env_set_kv(&env, "SHELL", pw->shell);
        if (r >= 0)
                r = env_set_kv(&env, "PATH", SESSION_ENV_PATH_DEFAULT);
        if (r >= 0 && term)
                r = env_set_kv(&env, "TERM", term);
        if (r < 0)
                return r;
        STRV_FOREACH(e, file_env) {
                r = env_set_copy(&env, *e);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(e, request_env) {
                if (!session_env_assignment_is_valid(*e))
                        continue;
                r = env_set_copy(&env, *e);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(env);
        return 0;
}

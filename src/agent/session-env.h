/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* session-env.h: the environment of a session's process: the env file (WAYLAND_DISPLAY,
 * XDG_RUNTIME_DIR, …), the user's basics, and the request's ENV entries. Pure except
 * session_env_load(). */
#pragma once

#include <stdio.h>

#include "passwd.h"

#define SESSION_ENV_DEFAULT_PATH "/etc/vmsilo/session.env"
#define SESSION_ENV_PATH_DEFAULT "/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin"
#define SESSION_ENV_ENTRIES_MAX 1024U
#define SESSION_ENV_LINE_MAX 8192U

/* true if s is "KEY=VALUE" with KEY a non-empty shell-style name ([A-Za-z_][A-Za-z0-9_]*). */
bool session_env_assignment_is_valid(const char *s);

/* Parses one env-file line (no newline). Blank lines and '#' comments give 0 and *ret = NULL;
 * a valid "KEY=VALUE" gives 0 and a copy in *ret; anything else -EINVAL. An optional
 * "export " prefix is accepted; values are taken literally (no quotes, no expansion). */
int session_env_parse_line(const char *line, char **ret);

/* Parses a whole env file. Malformed lines are counted in *ret_n_malformed (may be NULL) and
 * reported through warn(line_number, line) when warn is non-NULL. */
int session_env_parse(FILE *f, char ***ret, unsigned *ret_n_malformed,
                void (*warn)(unsigned line, const char *text));

/* Reads path; a missing file is an empty environment (logs at debug). Warns about bad lines. */
int session_env_load(const char *path, char ***ret);

/* Builds the final environment, later sources overriding earlier ones by key: HOME, USER,
 * LOGNAME, SHELL, PATH; TERM when term is non-NULL; then file_env; then request_env (entries
 * that are not valid assignments are skipped). */
int session_env_build(const PasswdEntry *pw, const char *term, char *const *file_env,
                char *const *request_env, char ***ret);

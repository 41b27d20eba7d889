/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path-util.h: looking up programs in $PATH and next to the running binary. */
#pragma once

#include <stdbool.h>

/* Whether an executable called name is in one of $PATH's directories (default
 * "/usr/local/bin:/usr/bin:/bin" when PATH is unset). */
bool path_find_executable(const char *name);

/* The canonical path (realpath(3)) of the executable `name`: name itself when it holds a '/',
 * else the first match in $PATH as above. 0, -ENOENT or another -errno. */
int path_resolve_executable(const char *name, char **ret);

/* The canonical path of "<directory of the running binary>/<relative>" if that is a regular file
 * or a directory (its place in the build tree), else NULL (an installed binary, or OOM). */
char *path_exe_sibling(const char *relative);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path-util.h: looking up programs in $PATH. */
#pragma once

#include <stdbool.h>

/* Whether an executable called name is in one of $PATH's directories (default
 * "/usr/local/bin:/usr/bin:/bin" when PATH is unset). */
bool path_find_executable(const char *name);

/* The canonical path (realpath(3)) of the executable `name`: name itself when it holds a '/',
 * else the first match in $PATH as above. 0, -ENOENT or another -errno. */
int path_resolve_executable(const char *name, char **ret);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path-util.h: looking up programs in $PATH. */
#pragma once

#include <stdbool.h>

/* Whether an executable called name is in one of $PATH's directories (default
 * "/usr/local/bin:/usr/bin:/bin" when PATH is unset). */
bool path_find_executable(const char *name);

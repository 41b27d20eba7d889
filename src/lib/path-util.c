/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path-util.c: looking up programs in $PATH. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path-util.h"

bool path_find_executable(const char *name) {
        const char *path = getenv("PATH") ?: "/usr/local/bin:/usr/bin:/bin";

        while (*path != '\0') {
                size_t len = strcspn(path, ":");
                char candidate[PATH_MAX];

                if (len > 0 &&
                                snprintf(candidate, sizeof(candidate), "%.*s/%s", (int) len, path,
                                                name) < (int) sizeof(candidate) &&
                                access(candidate, X_OK) == 0)
                        return true;
                path += len;
                if (*path == ':')
                        path++;
        }
        return false;
}

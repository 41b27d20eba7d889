/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path-util.c: looking up programs in $PATH. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path-util.h"

int path_resolve_executable(const char *name, char **ret) {
        const char *path = getenv("PATH") ?: "/usr/local/bin:/usr/bin:/bin";
        char *resolved;

        if (strchr(name, '/')) {
                resolved = realpath(name, NULL);
                if (!resolved)
                        return -errno;
                *ret = resolved;
                return 0;
        }
        while (*path != '\0') {
                size_t len = strcspn(path, ":");
                char candidate[PATH_MAX];

                if (len > 0 &&
                                snprintf(candidate, sizeof(candidate), "%.*s/%s", (int) len, path,
                                                name) < (int) sizeof(candidate) &&
                                access(candidate, X_OK) == 0) {
                        resolved = realpath(candidate, NULL);
                        if (!resolved)
                                return -errno;
                        *ret = resolved;
                        return 0;
                }
                path += len;
                if (*path == ':')
                        path++;
        }
        return -ENOENT;
}

bool path_find_executable(const char *name) {
        char *resolved = NULL;

        if (path_resolve_executable(name, &resolved) < 0)
                return false;
        free(resolved);
        return true;
}

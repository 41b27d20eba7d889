/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path-util.c: looking up programs in $PATH. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* An installed binary has no such sibling; <build>/src/image/vmsilo-image finds
 * <build>/src/agent/vmsilo-agent as "../agent/vmsilo-agent". */
char *path_exe_sibling(const char *relative) {
        char exe[PATH_MAX], *slash, *path, *resolved;
        ssize_t n;
        struct stat st;

        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n < 0)
                return NULL;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (!slash)
                return NULL;
        *slash = '\0';
        if (asprintf(&path, "%s/%s", exe, relative) < 0)
                return NULL;
        if (stat(path, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
                free(path);
                return NULL;
        }
        /* Canonical, so an image manifest names the file and not the way to it. */
        resolved = realpath(path, NULL);
        free(path);
        return resolved;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* forward-cmdline.c: vmsilo.forward= on the kernel command line (see forward-cmdline.h). */
#include <stdlib.h>
#include <string.h>

#include "forward-cmdline.h"
#include "macro.h"
#include "protocol.h"
#include "strv.h"

#define FORWARD_CMDLINE_KEY "vmsilo.forward="

/* The value of the last key word, as a pointer into cmdline and a length; NULL if none. */
static const char *find_last_value(const char *cmdline, size_t *ret_len) {
        const char *found = NULL, *p = cmdline;
        size_t key_len = strlen(FORWARD_CMDLINE_KEY);

        while (*p) {
                size_t n;

                p += strspn(p, " \t\n");
                n = strcspn(p, " \t\n");
                if (n >= key_len && strncmp(p, FORWARD_CMDLINE_KEY, key_len) == 0) {
                        found = p + key_len;
                        *ret_len = n - key_len;
                }
                p += n;
        }
        return found;
}

int forward_cmdline_parse(const char *cmdline, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        _cleanup_(freep) char *value = NULL;
        const char *found;
        size_t len = 0;

        l = strv_new_empty();
        if (!l)
                return -ENOMEM;
        found = find_last_value(cmdline, &len);
        if (found && len > 0) {
                value = strndup(found, len);
                if (!value)
                        return -ENOMEM;
                for (char *state = value, *name; (name = strsep(&state, ","));) {
                        if (!open_service_name_is_valid(name))
                                return -EINVAL;
                        if (strv_contains(l, name))
                                continue;
                        if (strv_length(l) >= FORWARD_CMDLINE_SERVICES_MAX)
                                return -E2BIG;
                        if (strv_extend(&l, name) < 0)
                                return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

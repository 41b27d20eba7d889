/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* title.c: "[<vm>] " + the guest's window title, made safe to display. Pure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "text-clean.h"
#include "title.h"

int title_format(const char *vm, const char *untrusted_title, size_t untrusted_len, char **ret) {
        char clean[TITLE_GUEST_MAX + 1];
        char *title;
        int r;

        r = text_clean(untrusted_title, untrusted_len, TITLE_GUEST_MAX, clean) > 0
                            ? asprintf(&title, "[%s] %s", vm, clean)
                            : asprintf(&title, "[%s]", vm);
        if (r < 0)
                return -ENOMEM;
        *ret = title;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* string-util.c: formatted strings. */
#include <stdio.h>
#include <stdlib.h>

#include "string-util.h"

char *vstrprintf(const char *format, va_list ap) {
        char *s;

        return vasprintf(&s, format, ap) < 0 ? NULL : s;
}

char *strprintf(const char *format, ...) {
        va_list ap;
        char *s;

        va_start(ap, format);
        s = vstrprintf(format, ap);
        va_end(ap);
        return s;
}

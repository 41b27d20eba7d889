/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* strv.c: NULL-terminated string vectors. */
#include <stdlib.h>
#include <string.h>

#include "strv.h"

char **strv_free(char **l) {
        STRV_FOREACH(s, l)
                free(*s);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l) {
        size_t n = 0;

        STRV_FOREACH(s, l)
                n++;
        return n;
}

int strv_find(char *const *l, const char *s) {
        size_t i = 0;

        STRV_FOREACH(p, l) {
                if (streq(*p, s))
                        return (int) i;
                i++;
        }
        return -ENOENT;
}

bool strv_contains(char *const *l, const char *s) {
        return strv_find(l, s) >= 0;
}

char **strv_new_empty(void) {
        return calloc(1, sizeof(char *));
}

char **strv_copy(char *const *l) {
        _cleanup_(strv_freep) char **c = NULL;

        c = strv_new_empty();
        if (!c)
                return NULL;
        if (strv_extend_strv(&c, l) < 0)
                return NULL;
        return TAKE_PTR(c);
}

int strv_consume(char ***l, char *s) {
        size_t n = strv_length(*l);
        char **c;

        c = reallocarray(*l, n + 2, sizeof(char *));
        if (!c)
                return -ENOMEM;
        c[n] = s;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        char *c;
        int r;

        c = strdup(s);
        if (!c)
                return -ENOMEM;
        r = strv_consume(l, c);
        if (r < 0)
                free(c);
        return r;
}

int strv_extend_strv(char ***l, char *const *other) {
        int r;

        STRV_FOREACH(s, other) {
                r = strv_extend(l, *s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

char **strv_sort(char **l) {
        size_t n = strv_length(l);

        if (n > 1)
                qsort(l, n, sizeof(char *), cmp_str);
        return l;
}

char *strv_join(char *const *l, const char *separator) {
        size_t sep_len = strlen(separator), len = 0;
        char *j, *p;

        STRV_FOREACH(s, l)
                len += strlen(*s) + sep_len;
        j = malloc(len + 1);
        if (!j)
                return NULL;
        p = j;
        STRV_FOREACH(s, l) {
                if (s != l)
                        p = stpcpy(p, separator);
                p = stpcpy(p, *s);
        }
        *p = '\0';
        return j;
}

bool strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);

        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

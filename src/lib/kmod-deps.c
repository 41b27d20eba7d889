/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmod-deps.c: parse modules.dep/modules.builtin and order module loads. Pure. */
#include <stdint.h>
#include <string.h>

#include "kmod-deps.h"
#include "strv.h"

typedef enum KmodMark {
        KMOD_MARK_NONE,
        KMOD_MARK_VISITING, /* on the current DFS path: meeting it again is a cycle */
        KMOD_MARK_DONE,
} KmodMark;

typedef struct KmodModule {
        char *name;
        char *path;
        char **deps; /* paths as written in modules.dep */
} KmodModule;

struct KmodDeps {
        KmodModule *modules; /* sorted by name after parsing */
        size_t n_modules;
        char **builtin; /* sorted names */
        size_t n_builtin;
};

static const char *const kmod_suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

const char *kmod_path_compression(const char *path) {
        size_t n = strlen(path);

        for (size_t i = 0; i < ELEMENTSOF(kmod_suffixes); i++) {
                size_t m = strlen(kmod_suffixes[i]);
                if (n >= m && streq(path + n - m, kmod_suffixes[i]))
                        return path + n - m + strlen(".ko");
        }
        return NULL;
}

char *kmod_name_from_path(const char *path) {
        const char *base = strrchr(path, '/'), *compression;
        size_t n;
        char *name;

        base = base ? base + 1 : path;
        compression = kmod_path_compression(base);
        n = compression ? (size_t) (compression - base) - strlen(".ko") : strlen(base);
        if (n == 0)
                return NULL;
        /* Kernel module names are [A-Za-z0-9_-]; anything else (say "a.ko.xz.ko") is no module. */
        if (strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") < n)
                return NULL;
        name = strndup(base, n);
        if (!name)
                return NULL;
        for (char *p = name; *p; p++)
                if (*p == '-')
                        *p = '_';
        return name;
}

static void kmod_module_finish(KmodModule *m) {
        free(m->name);
        free(m->path);
        strv_free(m->deps);
}

KmodDeps *kmod_deps_free(KmodDeps *d) {
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_modules; i++)
                kmod_module_finish(&d->modules[i]);
        free(d->modules);
        strv_free(d->builtin);
        free(d);
        return NULL;
}

static int kmod_module_compare(const void *a, const void *b) {
        return strcmp(((const KmodModule *) a)->name, ((const KmodModule *) b)->name);
}

static int string_compare(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Splits "a b  c" (spaces/tabs) into a strv of copies. */
static int split_words(const char *s, size_t len, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        size_t i = 0;
        int r;

        if (!l)
                return -ENOMEM;
        while (i < len) {
                size_t start;
                char *w;

                while (i < len && (s[i] == ' ' || s[i] == '\t'))
                        i++;
                start = i;
                while (i < len && s[i] != ' ' && s[i] != '\t')
                        i++;
                if (i == start)
                        break;
                if (i - start > KMOD_DEPS_PATH_MAX)
                        return -EBADMSG;
                w = strndup(s + start, i - start);
                if (!w)
                        return -ENOMEM;
                r = strv_consume(&l, w);
                if (r < 0) {
                        free(w);
                        return r;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int kmod_deps_parse_line(KmodDeps *d, const char *line, size_t len, size_t *allocated) {
        const char *colon = memchr(line, ':', len);
        _cleanup_(strv_freep) char **words = NULL;
        _cleanup_(freep) char *path = NULL, *name = NULL;
        int r;

        if (!colon)
                return -EBADMSG;
        r = split_words(line, colon - line, &words);
        if (r < 0)
                return r;
        if (strv_length(words) != 1 || !kmod_path_compression(words[0]))
                return -EBADMSG;
        path = strdup(words[0]);
        if (!path)
                return -ENOMEM;
        name = kmod_name_from_path(path);
        if (!name)
                return -EBADMSG;
        words = strv_free(words);
        r = split_words(colon + 1, len - (colon + 1 - line), &words);
        if (r < 0)
                return r;
        STRV_FOREACH(dep, words) {
                if (!kmod_path_compression(*dep))
                        return -EBADMSG;
        }

        if (d->n_modules == *allocated) {
                size_t n = MAX(*allocated * 2, (size_t) 64);
                KmodModule *m = reallocarray(d->modules, n, sizeof(KmodModule));
                if (!m)
                        return -ENOMEM;
                d->modules = m;
                *allocated = n;
        }
        d->modules[d->n_modules++] = (KmodModule){
                .name = TAKE_PTR(name),
                .path = TAKE_PTR(path),
                .deps = TAKE_PTR(words),
        };
        return 0;
}

/* Calls f for every non-blank line of text, without its newline. */
static int for_each_line(const char *text,
                int (*f)(KmodDeps *d, const char *line, size_t len, size_t *state), KmodDeps *d,
                size_t *state) {
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                const char *q = p;
                int r;

                while (q < p + len && IN_SET(*q, ' ', '\t', '\r'))
                        q++;
                if (q < p + len && *q != '#') {
                        r = f(d, p, len, state);
                        if (r < 0)
                                return r;
                }
                p += len;
                if (*p == '\n')
                        p++;
        }
        return 0;
}

int kmod_deps_parse(const char *dep_text, KmodDeps **ret) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = NULL;
        size_t allocated = 0;
        int r;

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->builtin = strv_new_empty();
        if (!d->builtin)
                return -ENOMEM;
        r = for_each_line(dep_text, kmod_deps_parse_line, d, &allocated);
        if (r < 0)
                return r;
        if (d->n_modules > 0)
                qsort(d->modules, d->n_modules, sizeof(KmodModule), kmod_module_compare);
        for (size_t i = 1; i < d->n_modules; i++)
                if (streq(d->modules[i - 1].name, d->modules[i].name))
                        return -ENOTUNIQ;
        *ret = TAKE_PTR(d);
        return 0;
}

static int kmod_deps_add_builtin_line(KmodDeps *d, const char *line, size_t len, size_t *unused) {
        _cleanup_(strv_freep) char **words = NULL;
        char *name;
        int r;

        r = split_words(line, len, &words);
        if (r < 0)
                return r;
        if (strv_length(words) != 1)
                return -EBADMSG;
        name = kmod_name_from_path(words[0]);
        if (!name)
                return -EBADMSG;
        r = strv_consume(&d->builtin, name);
        if (r < 0) {
                free(name);
                return r;
        }
        d->n_builtin++;
        return 0;
}

int kmod_deps_add_builtin(KmodDeps *d, const char *builtin_text) {
        int r;

        r = for_each_line(builtin_text, kmod_deps_add_builtin_line, d, NULL);
        if (r < 0)
                return r;
        qsort(d->builtin, d->n_builtin, sizeof(char *), string_compare);
        return 0;
}

bool kmod_deps_is_builtin(const KmodDeps *d, const char *name) {
        _cleanup_(freep) char *n = kmod_name_from_path(name);

        if (!n || d->n_builtin == 0)
                return false;
        return bsearch(&n, d->builtin, d->n_builtin, sizeof(char *), string_compare) != NULL;
}

static const KmodModule *kmod_deps_find(const KmodDeps *d, const char *name) {
        KmodModule key = { .name = (char *) name };

        if (d->n_modules == 0)
                return NULL;
        return bsearch(&key, d->modules, d->n_modules, sizeof(KmodModule), kmod_module_compare);
}

const char *kmod_deps_get_path(const KmodDeps *d, const char *name) {
        _cleanup_(freep) char *n = kmod_name_from_path(name);
        const KmodModule *m;

        if (!n)
                return NULL;
        m = kmod_deps_find(d, n);
        return m ? m->path : NULL;
}

/* Depth-first, dependencies before dependents. marks[] is indexed like d->modules. */
static int kmod_deps_visit(const KmodDeps *d, const KmodModule *m, KmodMark *marks, unsigned depth,
                char ***order) {
        size_t i = m - d->modules;
        int r;

        if (marks[i] == KMOD_MARK_DONE)
                return 0;
        if (marks[i] == KMOD_MARK_VISITING || depth >= KMOD_DEPS_DEPTH_MAX)
                return -ELOOP;
        marks[i] = KMOD_MARK_VISITING;
        STRV_FOREACH(dep, m->deps) {
                _cleanup_(freep) char *name = kmod_name_from_path(*dep);
                const KmodModule *dm;

                if (!name)
                        return -ENOMEM;
                dm = kmod_deps_find(d, name);
                if (!dm) {
                        if (kmod_deps_is_builtin(d, name))
                                continue;
                        return -ENOENT;
                }
                r = kmod_deps_visit(d, dm, marks, depth + 1, order);
                if (r < 0)
                        return r;
        }
        marks[i] = KMOD_MARK_DONE;
        return strv_extend(order, m->path);
}

int kmod_deps_order(
                const KmodDeps *d, char *const *wanted, char ***ret_order, char ***ret_missing) {
        _cleanup_(freep) KmodMark *marks = calloc(MAX(d->n_modules, (size_t) 1), sizeof(KmodMark));
        _cleanup_(strv_freep) char **order = strv_new_empty(), **missing = strv_new_empty();
        int r;

        if (!marks || !order || !missing)
                return -ENOMEM;
        STRV_FOREACH(w, wanted) {
                _cleanup_(freep) char *name = kmod_name_from_path(*w);
                const KmodModule *m;

                if (!name)
                        return -EINVAL;
                m = kmod_deps_find(d, name);
                if (!m) {
                        if (kmod_deps_is_builtin(d, name))
                                continue;
                        if (!ret_missing)
                                return -ENOENT;
                        r = strv_extend(&missing, name);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = kmod_deps_visit(d, m, marks, 0, &order);
                if (r < 0)
                        return r;
        }
        *ret_order = TAKE_PTR(order);
        if (ret_missing)
                *ret_missing = TAKE_PTR(missing);
        return 0;
}

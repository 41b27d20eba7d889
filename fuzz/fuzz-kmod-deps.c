/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-kmod-deps.c: kmod_deps_parse(), kmod_deps_add_builtin() and kmod_deps_order() on the same
 * bytes. Input: modules.dep text, optionally a NUL and a modules.builtin text. Every module named
 * in the dep text is wanted; a successful order must list each path once, each one the path of
 * a loadable module, or the invariant aborts (dependency order: tests/unit/test-kmod-deps.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kmod-deps.h"
#include "strv.h"

/* modules.dep files are a few hundred KiB; the parser is linear, so this covers every shape. */
#define FUZZ_INPUT_MAX (64u * 1024u)

/* Every word of the dep text that names a module, as a wanted name. */
static char **wanted_from_text(const char *text) {
        _cleanup_(strv_freep) char **wanted = strv_new_empty();
        _cleanup_(freep) char *copy = strdup(text);
        char *saveptr = NULL;

        if (!wanted || !copy)
                return NULL;
        for (char *w = strtok_r(copy, " \t\r\n:", &saveptr); w;
                        w = strtok_r(NULL, " \t\r\n:", &saveptr)) {
                if (!kmod_path_compression(w))
                        continue;
                if (strv_extend(&wanted, w) < 0)
                        return NULL;
        }
        return TAKE_PTR(wanted);
}

static void check_order(const KmodDeps *d, char **order) {
        STRV_FOREACH(p, order) {
                _cleanup_(freep) char *name = kmod_name_from_path(*p);

                CHECK(name);
                CHECK(streq_ptr(kmod_deps_get_path(d, name), *p));
                CHECK(strv_find(order, *p) == (int) (p - order));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = NULL;
        _cleanup_(strv_freep) char **wanted = NULL, **order = NULL, **missing = NULL;
        _cleanup_(freep) char *text = NULL;
        const char *builtin;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        text = malloc(size + 2);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        text[size + 1] = '\0';
        builtin = text + strlen(text) + 1;

        if (kmod_deps_parse(text, &d) < 0)
                return 0;
        if (kmod_deps_add_builtin(d, builtin) < 0)
                return 0;
        wanted = wanted_from_text(text);
        if (!wanted)
                return 0;
        if (kmod_deps_order(d, wanted, &order, &missing) < 0)
                return 0;
        check_order(d, order);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-modules.c: the initramfs's module list through libkmod, which reads depmod's indexes the
 * way modprobe does, softdeps (modules.softdep) included. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "image-modules.h"
#include "image-plan.h"
#include "kmod-util.h"
#include "strv.h"

typedef struct Resolver {
        const char *dir; /* libkmod's absolute modules directory */
        char **seen;     /* module names visited */
        char **order;    /* paths relative to dir */
} Resolver;

/* A softdep names a function ("crypto-crc32c"), which several modules may provide. Those below
 * kernel/arch/ are CPU-specific accelerations (crc32c-intel wants SSE4.2) that fail to load on a
 * guest CPU without the feature, TCG's default among them; the generic one always loads. */
#define ARCH_MODULES_DIR "kernel/arch/"

static int visit(Resolver *res, struct kmod_module *m, bool softdep);

static int compare_module_names(const void *a, const void *b) {
        return strcmp(kmod_module_get_name(*(struct kmod_module *const *) a),
                        kmod_module_get_name(*(struct kmod_module *const *) b));
}

/* Siblings are visited by name: the order depmod lists a module's dependencies in depends on
 * which other modules the tree holds, and the initramfs must not (test_image's reproducibility
 * checks build the same image from trees of different content). */
static int visit_list(Resolver *res, struct kmod_list *list, bool softdep) {
        struct kmod_module **mods = NULL;
        struct kmod_list *i;
        size_t n = 0;
        int r = 0;

        kmod_list_foreach(i, list) n++;
        if (n == 0)
                return 0;
        mods = calloc(n, sizeof(*mods));
        if (!mods)
                return -ENOMEM;
        n = 0;
        kmod_list_foreach(i, list) mods[n++] = kmod_module_get_module(i);
        qsort(mods, n, sizeof(*mods), compare_module_names);
        for (size_t k = 0; k < n; k++) {
                if (r >= 0)
                        r = visit(res, mods[k], softdep);
                (void) kmod_module_unref(mods[k]);
        }
        free(mods);
        return r;
}

/* Depth first: what must be loaded before m, then m, then its "post" softdeps. A module is marked
 * before its dependencies are visited, so a cycle ends instead of recursing forever. */
static int visit(Resolver *res, struct kmod_module *m, bool softdep) {
        _cleanup_(kmod_module_unref_listp) struct kmod_list *pre = NULL, *post = NULL, *deps = NULL;
        const char *path = kmod_module_get_path(m), *relative = NULL;
        size_t n = strlen(res->dir);
        int r;

        if (strv_contains(res->seen, kmod_module_get_name(m)))
                return 0;
        if (path) {
                if (strncmp(path, res->dir, n) != 0 || path[n] != '/' ||
                                !image_plan_module_compression(path))
                        return -EBADMSG;
                relative = path + n + 1;
                if (softdep && strncmp(relative, ARCH_MODULES_DIR, strlen(ARCH_MODULES_DIR)) == 0)
                        return 0;
        }
        r = strv_extend(&res->seen, kmod_module_get_name(m));
        if (r < 0)
                return r;
        if (!path) /* built in */
                return 0;

        r = kmod_module_get_softdeps(m, &pre, &post);
        if (r < 0)
                return r;
        r = visit_list(res, pre, true);
        if (r < 0)
                return r;
        deps = kmod_module_get_dependencies(m);
        r = visit_list(res, deps, false);
        if (r < 0)
                return r;
        r = strv_extend(&res->order, relative);
        if (r < 0)
                return r;
        return visit_list(res, post, true);
}

static int resolve_name(struct kmod_ctx *ctx, Resolver *res, const char *name, char ***missing) {
        _cleanup_(kmod_module_unref_listp) struct kmod_list *found = NULL;
        int r;

        r = kmod_module_new_from_lookup(ctx, name, &found);
        if (r < 0)
                return r;
        if (!found)
                return strv_extend(missing, name);
        return visit_list(res, found, false);
}

int image_modules_resolve(const char *modules_dir, char ***ret_order, char ***ret_missing_required,
                char ***ret_missing_optional) {
        /* No configuration files: the host's modprobe.d says nothing about the guest. */
        static const char *const no_config[] = { NULL };
        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
        _cleanup_(strv_freep) char **missing_required = strv_new_empty();
        _cleanup_(strv_freep) char **missing_optional = strv_new_empty();
        Resolver res = {};
        int r;

        if (!missing_required || !missing_optional)
                return -ENOMEM;
        ctx = kmod_new(modules_dir, no_config);
        if (!ctx)
                return -ENOMEM;
        r = kmod_load_resources(ctx);
        if (r < 0)
                return r;
        res.dir = kmod_get_dirname(ctx);
        for (size_t i = 0; r >= 0 && image_modules_required[i]; i++)
                r = resolve_name(ctx, &res, image_modules_required[i], &missing_required);
        for (size_t i = 0; r >= 0 && image_modules_optional[i]; i++)
                r = resolve_name(ctx, &res, image_modules_optional[i], &missing_optional);
        strv_free(res.seen);
        if (r < 0) {
                strv_free(res.order);
                return r;
        }
        *ret_order = res.order ?: strv_new_empty();
        if (!*ret_order)
                return -ENOMEM;
        *ret_missing_required = TAKE_PTR(missing_required);
        *ret_missing_optional = TAKE_PTR(missing_optional);
        return 0;
}

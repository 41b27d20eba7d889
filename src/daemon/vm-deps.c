/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-deps.c: start order from dependsOn, depth-first. Pure. */
#include <stdint.h>

#include "strv.h"
#include "vm-deps.h"

typedef enum Mark {
        MARK_NONE,
        MARK_VISITING, /* on the current path: seeing it again is a cycle */
        MARK_DONE,
} Mark;

static int vm_index(const Config *c, const char *name) {
        for (size_t i = 0; i < c->n_vms; i++)
                if (streq(c->vms[i].name, name))
                        return (int) i;
        return -ENOENT;
}

static int visit(const Config *c, size_t i, Mark *marks, char ***order) {
        int r;

        if (marks[i] == MARK_DONE)
                return 0;
        if (marks[i] == MARK_VISITING)
                return -ELOOP;

        marks[i] = MARK_VISITING;
        STRV_FOREACH(dep, c->vms[i].depends_on) {
                int j = vm_index(c, *dep);
                if (j < 0)
                        return j;
                r = visit(c, (size_t) j, marks, order);
                if (r < 0)
                        return r;
        }
        marks[i] = MARK_DONE;
        return strv_extend(order, c->vms[i].name);
}

int vm_deps_start_order(const Config *c, const char *name, char ***ret) {
        _cleanup_(strv_freep) char **order = NULL;
        _cleanup_(freep) Mark *marks = NULL;
        int i, r;

        i = vm_index(c, name);
        if (i < 0)
                return i;

        marks = calloc(c->n_vms, sizeof(Mark));
        if (!marks)
                return -ENOMEM;
        r = visit(c, (size_t) i, marks, &order);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(order);
        return 0;
}

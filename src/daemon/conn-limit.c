/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conn-limit.c: per-socket and per-uid connection caps. Pure. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "conn-limit.h"

void conn_limit_init(ConnLimit *l, size_t total_max, size_t per_uid_max) {
        *l = (ConnLimit){ .total_max = total_max, .per_uid_max = per_uid_max };
}

void conn_limit_finish(ConnLimit *l) {
        free(l->uids);
        *l = (ConnLimit){};
}

static ConnLimitUid *conn_limit_find(const ConnLimit *l, uid_t uid) {
        for (size_t i = 0; i < l->n_uids; i++)
                if (l->uids[i].uid == uid)
                        return &l->uids[i];
        return NULL;
}

size_t conn_limit_get(const ConnLimit *l, uid_t uid) {
        const ConnLimitUid *e = conn_limit_find(l, uid);

        return e ? e->n : 0;
}

int conn_limit_acquire(ConnLimit *l, uid_t uid) {
        ConnLimitUid *e = conn_limit_find(l, uid), *p;

        if (l->n_total >= l->total_max)
                return -EMFILE;
        if (e) {
                if (e->n >= l->per_uid_max)
                        return -EUSERS;
                e->n++;
                l->n_total++;
                return 0;
        }
        if (l->per_uid_max == 0)
                return -EUSERS;
        p = realloc(l->uids, (l->n_uids + 1) * sizeof(ConnLimitUid));
        if (!p)
                return -ENOMEM;
        l->uids = p;
        l->uids[l->n_uids++] = (ConnLimitUid){ .uid = uid, .n = 1 };
        l->n_total++;
        return 0;
}

void conn_limit_release(ConnLimit *l, uid_t uid) {
        ConnLimitUid *e = conn_limit_find(l, uid);

        assert(e && l->n_total > 0);
        l->n_total--;
        if (--e->n == 0)
                *e = l->uids[--l->n_uids];
}

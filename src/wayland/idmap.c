/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* idmap.c: guest and compositor id spaces of one connection. Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "macro.h"
#include "wire.h"

int idmap_init(Idmap *m) {
        uint32_t id;
        int r;

        *m = (Idmap){};
        r = idmap_add_guest(m, WIRE_DISPLAY_ID, &id);
        if (r < 0)
                return r;
        return id == WIRE_DISPLAY_ID ? 0 : -EINVAL;
}

void idmap_finish(Idmap *m) {
        free(m->to_upstream);
        free(m->upstream);
        *m = (Idmap){};
}

/* Grows *array (of *n elements of size) to hold index, zero-filling, doubling to IDMAP_IDS_MAX. */
static int grow(void **array, size_t *n, size_t size, size_t index) {
        size_t n_new;
        void *grown;

        if (index < *n)
                return 0;
        if (index >= IDMAP_IDS_MAX)
                return -EMFILE;
        n_new = MAX(index + 1, MIN(*n * 2, (size_t) IDMAP_IDS_MAX));
        grown = reallocarray(*array, n_new, size);
        if (!grown)
                return -ENOMEM;
        memset((uint8_t *) grown + *n * size, 0, (n_new - *n) * size);
        *array = grown;
        *n = n_new;
        return 0;
}

static bool slot_is_free(const IdmapEntry *e) {
        return e->guest == 0 && !e->own;
}

/* The lowest free upstream slot, grown into if needed: libwayland-server takes a new id only at
 * or below one past its highest. */
static int allocate(Idmap *m, size_t *ret_index) {
        size_t i = m->lowest_free;
        int r;

        while (i < m->n_upstream && !slot_is_free(&m->upstream[i]))
                i++;
        r = grow((void **) &m->upstream, &m->n_upstream, sizeof(IdmapEntry), i);
        if (r < 0)
                return r;
        m->lowest_free = i + 1;
        *ret_index = i;
        return 0;
}

int idmap_add_guest(Idmap *m, uint32_t guest_id, uint32_t *ret_upstream) {
        size_t index;
        int r;

        if (guest_id == 0 || guest_id >= WIRE_SERVER_ID_START)
                return -EINVAL;
        r = grow((void **) &m->to_upstream, &m->n_to_upstream, sizeof(uint32_t), guest_id - 1);
        if (r < 0)
                return r;
        if (m->to_upstream[guest_id - 1] != 0)
                return -EEXIST;
        r = allocate(m, &index);
        if (r < 0)
                return r;
        m->upstream[index] = (IdmapEntry){ .guest = guest_id };
        m->to_upstream[guest_id - 1] = (uint32_t) index + 1;
        *ret_upstream = (uint32_t) index + 1;
        return 0;
}

int idmap_add_own(Idmap *m, const struct wl_interface *interface, uint32_t *ret_upstream) {
        size_t index;
        int r;

        r = allocate(m, &index);
        if (r < 0)
                return r;
        m->upstream[index] = (IdmapEntry){ .own = interface };
        *ret_upstream = (uint32_t) index + 1;
        return 0;
}

uint32_t idmap_to_upstream(const Idmap *m, uint32_t guest_id) {
        if (guest_id >= WIRE_SERVER_ID_START)
                return guest_id;
        if (guest_id == 0 || guest_id - 1 >= m->n_to_upstream)
                return 0;
        return m->to_upstream[guest_id - 1];
}

uint32_t idmap_to_guest(const Idmap *m, uint32_t upstream_id, const struct wl_interface **ret_own) {
        const IdmapEntry *e;

        if (ret_own)
                *ret_own = NULL;
        if (upstream_id >= WIRE_SERVER_ID_START)
                return upstream_id;
        if (upstream_id == 0 || upstream_id - 1 >= m->n_upstream)
                return 0;
        e = &m->upstream[upstream_id - 1];
        if (ret_own)
                *ret_own = e->own;
        return e->guest;
}

int idmap_delete(Idmap *m, uint32_t upstream_id, uint32_t *ret_guest) {
        IdmapEntry *e;

        if (upstream_id <= WIRE_DISPLAY_ID || upstream_id >= WIRE_SERVER_ID_START ||
                        upstream_id - 1 >= m->n_upstream)
                return -ENOENT;
        e = &m->upstream[upstream_id - 1];
        if (slot_is_free(e))
                return -ENOENT;
        if (e->guest != 0)
                m->to_upstream[e->guest - 1] = 0;
        *ret_guest = e->guest;
        *e = (IdmapEntry){};
        m->lowest_free = MIN(m->lowest_free, (size_t) upstream_id - 1);
        return 0;
}

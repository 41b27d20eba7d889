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
        free(m->hidden);
        free(m->own_server);
        *m = (Idmap){};
}

/* Grows *array (of *n elements of size) to hold index, zero-filling, doubling up to max. */
static int grow(void **array, size_t *n, size_t size, size_t index, size_t max) {
        size_t n_new;
        void *grown;

        if (index < *n)
                return 0;
        if (index >= max)
                return -EMFILE;
        n_new = MAX(index + 1, MIN(*n * 2, max));
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
        r = grow((void **) &m->upstream, &m->n_upstream, sizeof(IdmapEntry), i, IDMAP_IDS_MAX);
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
        r = grow((void **) &m->to_upstream, &m->n_to_upstream, sizeof(uint32_t), guest_id - 1,
                        IDMAP_IDS_MAX);
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

int idmap_add_hidden(Idmap *m, uint32_t upstream_id, const struct wl_interface *interface) {
        size_t index = upstream_id - WIRE_SERVER_ID_START;
        int r;

        if (upstream_id < WIRE_SERVER_ID_START)
                return -EINVAL;
        r = grow((void **) &m->hidden, &m->n_hidden, sizeof(*m->hidden), index,
                        IDMAP_SERVER_IDS_MAX);
        if (r < 0)
                return r;
        m->hidden[index] = interface;
        return 0;
}

int idmap_add_own_server(Idmap *m, uint32_t *ret_guest) {
        size_t i = 0;
        int r;

        while (i < m->n_own_server && m->own_server[i])
                i++;
        r = grow((void **) &m->own_server, &m->n_own_server, sizeof(bool), i, IDMAP_SERVER_IDS_MAX);
        if (r < 0)
                return r;
        m->own_server[i] = true;
        *ret_guest = WIRE_SERVER_ID_START + (uint32_t) i;
        return 0;
}

bool idmap_is_own_server(const Idmap *m, uint32_t guest_id) {
        return guest_id >= WIRE_SERVER_ID_START &&
               guest_id - WIRE_SERVER_ID_START < m->n_own_server &&
               m->own_server[guest_id - WIRE_SERVER_ID_START];
}

int idmap_delete_own_server(Idmap *m, uint32_t guest_id) {
        if (!idmap_is_own_server(m, guest_id))
                return -ENOENT;
        m->own_server[guest_id - WIRE_SERVER_ID_START] = false;
        return 0;
}

uint32_t idmap_to_upstream(const Idmap *m, uint32_t guest_id) {
        if (guest_id >= WIRE_SERVER_ID_START)
                return 0;
        if (guest_id == 0 || guest_id - 1 >= m->n_to_upstream)
                return 0;
        return m->to_upstream[guest_id - 1];
}

uint32_t idmap_to_guest(const Idmap *m, uint32_t upstream_id, const struct wl_interface **ret_own) {
        const IdmapEntry *e;

        if (ret_own)
                *ret_own = NULL;
        if (upstream_id >= WIRE_SERVER_ID_START) {
                size_t index = upstream_id - WIRE_SERVER_ID_START;

                if (ret_own && index < m->n_hidden)
                        *ret_own = m->hidden[index];
                return 0;
        }
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

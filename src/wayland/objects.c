/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* objects.c: per-connection object ids and interfaces. Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "objects.h"
#include "wire.h"

int objects_init(ObjectTable *t, const struct wl_interface *display) {
        *t = (ObjectTable){};
        return objects_add(t, WIRE_DISPLAY_ID, /* from_server= */ false, display, 1);
}

void objects_finish(ObjectTable *t) {
        free(t->client);
        free(t->server);
        *t = (ObjectTable){};
}

/* The slot array of id's range, with its length and id's index in it. */
static Object **range_of(ObjectTable *t, uint32_t id, size_t **ret_n, size_t *ret_index) {
        if (id >= WIRE_SERVER_ID_START) {
                *ret_n = &t->n_server;
                *ret_index = id - WIRE_SERVER_ID_START;
                return &t->server;
        }
        *ret_n = &t->n_client;
        *ret_index = id - 1;
        return &t->client;
}

const Object *objects_get(const ObjectTable *t, uint32_t id) {
        size_t *n, index;
        Object **slots;

        if (id == 0)
                return NULL;
        slots = range_of((ObjectTable *) t, id, &n, &index);
        if (index >= *n || !(*slots)[index].interface)
                return NULL;
        return &(*slots)[index];
}

Object *objects_get_mutable(ObjectTable *t, uint32_t id) {
        return (Object *) objects_get(t, id);
}

int objects_add(ObjectTable *t, uint32_t id, bool from_server, const struct wl_interface *interface,
                uint32_t version) {
        size_t *n, index;
        Object **slots;

        if (id == 0 || (id >= WIRE_SERVER_ID_START) != from_server)
                return -EINVAL;
        slots = range_of(t, id, &n, &index);
        if (index >= OBJECTS_MAX)
                return -EMFILE;
        if (index >= *n) {
                size_t n_new = MAX(index + 1, MIN(*n * 2, (size_t) OBJECTS_MAX));
                Object *grown = reallocarray(*slots, n_new, sizeof(Object));

                if (!grown)
                        return -ENOMEM;
                memset(grown + *n, 0, (n_new - *n) * sizeof(Object));
                *slots = grown;
                *n = n_new;
        }
        if (!from_server && (*slots)[index].interface)
                return -EEXIST;
        (*slots)[index] = (Object){ .interface = interface, .version = version };
        return 0;
}

int objects_delete(ObjectTable *t, uint32_t id) {
        size_t *n, index;
        Object **slots;

        if (id == 0)
                return -ENOENT;
        slots = range_of(t, id, &n, &index);
        if (index >= *n || !(*slots)[index].interface)
                return -ENOENT;
        (*slots)[index] = (Object){};
        return 0;
}

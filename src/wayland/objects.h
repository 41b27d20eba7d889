/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* objects.h: the live object ids of one client connection, in the guest's id space, and their
 * interfaces, both id ranges (client-allocated from requests; in the compositor range the
 * fence's own objects, idmap.h). Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wayland-util.h>

/* Per connection and per id range. libwayland hands out the lowest free id, so a client's highest
 * id is its peak number of live objects; a browser window uses a few hundred. */
#define OBJECTS_MAX 16384u

typedef struct Object {
        const struct wl_interface *interface; /* NULL: free slot */
        uint32_t version;
        /* What frame.c needs to know of some objects: a wl_buffer's size (from create_buffer); the
         * wl_surface of an xdg_surface, the wl_seat of a wl_pointer (guest ids). */
        int32_t width, height;
        uint32_t link;
} Object;

typedef struct ObjectTable {
        Object *client; /* index id - 1 */
        size_t n_client;
        Object *server; /* index id - WIRE_SERVER_ID_START */
        size_t n_server;
} ObjectTable;

/* Starts with wl_display as object 1. */
int objects_init(ObjectTable *t, const struct wl_interface *display);
void objects_finish(ObjectTable *t);

const Object *objects_get(const ObjectTable *t, uint32_t id);
Object *objects_get_mutable(ObjectTable *t, uint32_t id);

/* A new_id: from_server says which side created it (a request's new_id must be client-range, an
 * event's compositor-range). -EINVAL: wrong range or id 0; -EEXIST: a live client id (the
 * compositor has not sent delete_id yet); -EMFILE: past OBJECTS_MAX. A compositor id that is
 * taken is replaced: the compositor reuses ids of objects the client destroyed, without
 * delete_id. */
int objects_add(ObjectTable *t, uint32_t id, bool from_server, const struct wl_interface *interface,
                uint32_t version);

/* wl_display.delete_id: frees a client id (or a compositor-range id the guest destroyed, for the
 * fence's own objects there). -ENOENT if it is not live. Until then a destroyed
 * object keeps its interface, so events still in flight to it are parsed (and their fds counted)
 * like libwayland's zombies. */
int objects_delete(ObjectTable *t, uint32_t id);

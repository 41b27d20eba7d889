/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* idmap.h: one connection's client-allocated object ids in two spaces: the guest's (whatever ids
 * its requests name) and the compositor's. The fence creates objects of its own on the guest's
 * connection (the frame), and libwayland-server accepts a new client id only if it is free and at
 * most one past the highest it has seen: so every client id the compositor sees is allocated here,
 * lowest free first, as libwayland-client does, whether the guest or the fence created the object.
 *
 * Compositor-allocated ids (>= WIRE_SERVER_ID_START) are never shown to the guest: the only such
 * objects the allowed protocols make are wl_data_offers, and the fence drops every event that
 * introduces one (clipboard isolation). They are kept here, hidden, with their interface (their
 * events are decoded, then dropped), so the guest can name none of them. The guest's own
 * compositor range holds only the fence's objects (the paste key's wl_data_offer), allocated
 * lowest free first: libwayland-client takes a new server id only at or below one past the
 * highest it has seen. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wayland-util.h>

/* Upstream ids for the guest's objects (OBJECTS_MAX) and the fence's own: 13 per toplevel of
 * FRAME_TOPLEVELS_MAX (256, rounded up to 16 each) and its few globals. */
#define IDMAP_IDS_MAX (16384u + 256u * 16u + 64u)
/* Compositor-allocated ids, in each space: libwayland-server reuses freed ones, so this is the
 * peak number of live offers (one per selection or drag the compositor announced, until the
 * client destroys it). */
#define IDMAP_SERVER_IDS_MAX 16384u

typedef struct IdmapEntry {
        uint32_t guest; /* the guest's id; 0: the fence's own object, or a free slot */
        const struct wl_interface *own; /* the fence's object: its interface; NULL otherwise */
} IdmapEntry;

typedef struct Idmap {
        uint32_t *to_upstream; /* index guest id - 1; 0: unmapped */
        size_t n_to_upstream;
        IdmapEntry *upstream; /* index upstream id - 1 */
        size_t n_upstream;
        size_t lowest_free; /* no free upstream slot below this index */
        /* the compositor's objects, index upstream id - WIRE_SERVER_ID_START: their interface,
         * NULL: none */
        const struct wl_interface **hidden;
        size_t n_hidden;
        /* the guest's compositor range, index guest id - WIRE_SERVER_ID_START: the fence's
         * objects there */
        bool *own_server;
        size_t n_own_server;
} Idmap;

/* Maps the display (id 1) to itself. */
int idmap_init(Idmap *m);
void idmap_finish(Idmap *m);

/* The guest created object guest_id: allocates its upstream id. -EINVAL: 0 or a compositor id;
 * -EEXIST: guest_id is still mapped (no delete_id yet); -EMFILE: guest_id or the upstream ids
 * past IDMAP_IDS_MAX (objects.c caps the guest's ids lower, at OBJECTS_MAX). */
int idmap_add_guest(Idmap *m, uint32_t guest_id, uint32_t *ret_upstream);
/* The fence creates an object of interface: allocates its upstream id. -EMFILE as above. */
int idmap_add_own(Idmap *m, const struct wl_interface *interface, uint32_t *ret_upstream);

/* The compositor created upstream_id (an event's new_id): kept hidden from the guest. A live id is
 * replaced (libwayland-server reuses the ids of destroyed objects, without delete_id). -EINVAL:
 * not a compositor id; -EMFILE: past IDMAP_SERVER_IDS_MAX. */
int idmap_add_hidden(Idmap *m, uint32_t upstream_id, const struct wl_interface *interface);
/* The fence creates an object in the guest's compositor range (an event's new_id to the guest):
 * the lowest free id from WIRE_SERVER_ID_START. -EMFILE: past IDMAP_SERVER_IDS_MAX. */
int idmap_add_own_server(Idmap *m, uint32_t *ret_guest);
/* The guest destroyed the fence's object guest_id of its compositor range: the id is free for
 * the fence's next one. -ENOENT if it is not one. */
int idmap_delete_own_server(Idmap *m, uint32_t guest_id);
/* Whether guest_id is one of the fence's objects in the guest's compositor range. */
bool idmap_is_own_server(const Idmap *m, uint32_t guest_id);

/* The compositor's id of the guest's guest_id; 0 if unmapped, and for every id of the guest's
 * compositor range (the fence's alone). */
uint32_t idmap_to_upstream(const Idmap *m, uint32_t guest_id);
/* The guest's id of upstream_id. 0 if unmapped, the fence's own or the compositor's (hidden), in
 * which case *ret_own (may be NULL) is its interface. */
uint32_t idmap_to_guest(const Idmap *m, uint32_t upstream_id, const struct wl_interface **ret_own);

/* wl_display.delete_id(upstream_id): frees the upstream id and, for a guest object, its guest id,
 * returned in *ret_guest (0 for the fence's own). -ENOENT if upstream_id is not mapped. */
int idmap_delete(Idmap *m, uint32_t upstream_id, uint32_t *ret_guest);

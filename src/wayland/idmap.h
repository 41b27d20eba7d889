/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* idmap.h: one connection's client-allocated object ids in two spaces: the guest's (whatever ids
 * its requests name) and the compositor's. The fence creates objects of its own on the guest's
 * connection (the frame), and libwayland-server accepts a new client id only if it is free and at
 * most one past the highest it has seen: so every client id the compositor sees is allocated here,
 * lowest free first, as libwayland-client does, whether the guest or the fence created the object.
 * Compositor-allocated ids (>= WIRE_SERVER_ID_START) are the same in both spaces. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wayland-util.h>

/* Upstream ids for the guest's objects (OBJECTS_MAX) and the fence's own: 13 per toplevel of
 * FRAME_TOPLEVELS_MAX (256, rounded up to 16 each) and its few globals. */
#define IDMAP_IDS_MAX (16384u + 256u * 16u + 64u)

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

/* The compositor's id of the guest's guest_id; compositor ids unchanged; 0 if unmapped. */
uint32_t idmap_to_upstream(const Idmap *m, uint32_t guest_id);
/* The guest's id of upstream_id, compositor ids unchanged. 0 if unmapped or the fence's own, in
 * which case *ret_own (may be NULL) is its interface. */
uint32_t idmap_to_guest(const Idmap *m, uint32_t upstream_id, const struct wl_interface **ret_own);

/* wl_display.delete_id(upstream_id): frees the upstream id and, for a guest object, its guest id,
 * returned in *ret_guest (0 for the fence's own). -ENOENT if upstream_id is not mapped. */
int idmap_delete(Idmap *m, uint32_t upstream_id, uint32_t *ret_guest);

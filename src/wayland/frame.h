/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* frame.h: the VM's colour around every toplevel, drawn by the fence (docs/graphics.md "The
 * frame"). For each xdg_toplevel the fence adds four subsurfaces of its own to the window's
 * surface, above it and outside the window geometry, each showing the middle of one small shm
 * buffer of the colour scaled by wp_viewporter (without it, a buffer of the strip's own size).
 * The window geometry the compositor sees includes them; the sizes the guest is asked for
 * exclude them; pointer events over them never reach the guest, a press moves
 * the window, on a corner resizes it. Also asks for server-side decorations on every toplevel.
 * Hooks of filter.c; pure: messages in, messages out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buffer.h"
#include "wire.h"

#define FRAME_WIDTH_DEFAULT 4u
#define FRAME_WIDTH_MAX 64u
/* Toplevels and wl_pointers of one connection the fence follows; more is a hostile guest. */
#define FRAME_TOPLEVELS_MAX 256u
#define FRAME_POINTERS_MAX 64u
#define FRAME_POSITIONERS_MAX 1024u
/* From a corner this far along either edge, a press on the frame resizes instead of moving. */
#define FRAME_CORNER_PX 24
/* Window geometries beyond this (in any coordinate) get no frame update: no output is that big. */
#define FRAME_COORD_MAX (1 << 20)
/* The colour buffer's side (frame.c shows its middle, scaled by wp_viewporter). */
#define FRAME_PIXELS_SIDE 8
/* Without wp_viewporter each strip is a buffer of its own size in the same pool: strips longer
 * than this are drawn this long (no output is that wide), which bounds the pool. */
#define FRAME_STRIP_LENGTH_MAX 8192

typedef struct Filter Filter;
typedef struct Object Object;

typedef struct FrameRect {
        int32_t x, y, width, height;
} FrameRect;

typedef enum FrameStrip {
        FRAME_TOP,
        FRAME_BOTTOM,
        FRAME_LEFT,
        FRAME_RIGHT,
        _FRAME_STRIPS,
} FrameStrip;

typedef struct FrameToplevel {
        uint32_t surface, xdg_surface, toplevel;          /* the guest's ids */
        uint32_t up_surface, up_xdg_surface, up_toplevel; /* the compositor's */
        uint32_t strip_surface[_FRAME_STRIPS], strip_subsurface[_FRAME_STRIPS],
                        strip_viewport[_FRAME_STRIPS]; /* the fence's own; 0: no frame */
        /* without wp_viewporter: each strip's buffer (the fence's, 0: none yet) and its size */
        uint32_t strip_buffer[_FRAME_STRIPS];
        int32_t strip_buffer_width[_FRAME_STRIPS], strip_buffer_height[_FRAME_STRIPS];
        uint32_t decoration;       /* the fence's, or 0 */
        uint32_t guest_decoration; /* the guest's (upstream id), or 0 */
        bool geometry_pending_set, geometry_set;
        FrameRect geometry_pending, geometry; /* the guest's set_window_geometry */
        int32_t buffer_width_pending, buffer_height_pending, buffer_width, buffer_height;
        int32_t scale_pending, scale;
        FrameRect sent; /* the last window geometry sent, frame included */
        bool committed; /* the guest has committed once */
} FrameToplevel;

typedef struct FramePointer {
        uint32_t pointer; /* the guest's wl_pointer */
        uint32_t up_seat; /* its seat, the compositor's id */
        uint32_t focus;   /* the fence's strip surface under it, 0: none */
        int32_t x, y;     /* surface-local position on that strip, wl_fixed */
        bool forwarded;   /* an event went to the guest since the last wl_pointer.frame */
} FramePointer;

/* An xdg_positioner's anchor rectangle: relative to the parent's window geometry, which the frame
 * moves by (-width, -width), so it is shifted for the compositor while a framed parent uses it. */
typedef struct FramePositioner {
        uint32_t positioner; /* the guest's id */
        FrameRect anchor;
} FramePositioner;

typedef struct Frame {
        uint32_t rgb;            /* 0xRRGGBB */
        uint32_t width;          /* 0: no frame */
        bool viewporter_allowed; /* false: plain buffers even where wp_viewporter is offered */
        /* the fence's own objects, compositor ids; 0 until bound or made */
        uint32_t registry, compositor, subcompositor, shm, pool, buffer, viewporter,
                        decoration_manager;
        size_t fds_wanted; /* the pool's memfd, once: proxy.c queues it with the next bytes up */
        FrameToplevel *toplevels;
        size_t n_toplevels;
        FramePointer pointers[FRAME_POINTERS_MAX];
        size_t n_pointers;
        FramePositioner *positioners;
        size_t n_positioners;
} Frame;

/* Pure geometry. The window geometry the compositor sees: g grown by width on every side. */
FrameRect frame_outer(const FrameRect *g, uint32_t width);
/* The four strips around g, in the coordinates of g's surface; each holds one corner. */
void frame_strips(const FrameRect *g, uint32_t width, FrameRect ret[static _FRAME_STRIPS]);
/* A configure size for the guest: the compositor's less the frame; 0 (the guest decides) stays. */
int32_t frame_inner_size(int32_t size, uint32_t width);
/* A press at (x, y) on the frame, relative to the outer rectangle's corner: 0 to move, or the
 * xdg_toplevel.resize_edge of the corner it is within FRAME_CORNER_PX of. */
uint32_t frame_edges(int32_t x, int32_t y, const FrameRect *outer, uint32_t width);

/* The colour's shm pool: enough pixels for every strip of a frame of width, with or without
 * wp_viewporter (proxy.c fills a memfd of this size; frame.c makes every buffer at offset 0). */
size_t frame_pool_size(uint32_t width);

void frame_init(Frame *fr, uint32_t rgb, uint32_t width, bool viewporter_allowed);
void frame_finish(Frame *fr);

/* The fence's first request on a new connection: a wl_registry of its own. */
int frame_start(Filter *f, Buffer *up);
/* A guest request, decoded (o and msg in guest ids) and translated (copy, upstream ids). Returns
 * 1 if the frame has written what goes up in its place, 0 to forward copy as is. -EMFILE: past
 * FRAME_TOPLEVELS_MAX, FRAME_POSITIONERS_MAX or the id map's room for the frame's objects. */
int frame_request(Filter *f, const Object *o, const WireMessage *msg, uint8_t *copy, Buffer *up);
/* An event to the fence's own object of interface (msg in upstream ids): consumed. */
int frame_own_event(Filter *f, const struct wl_interface *interface, const WireMessage *msg,
                Buffer *up);
/* An event to a guest object, decoded (msg in guest ids) and translated (copy); names_own: an
 * argument names one of the fence's objects (left as its upstream id). Returns 1 to drop the
 * event, 0 to forward copy (which it may have rewritten). */
int frame_event(Filter *f, const Object *o, const WireMessage *msg, uint8_t *copy, bool names_own,
                Buffer *up);

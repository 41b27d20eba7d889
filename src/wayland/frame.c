/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* frame.c: the VM's colour around every toplevel, and server-side decorations. Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "frame.h"
#include "macro.h"
#include "viewporter-client-protocol.h"
#include "viewporter-server-protocol.h"
#include "wayland-client-protocol.h"
#include "wayland-server-protocol.h"
#include "xdg-decoration-client-protocol.h"
#include "xdg-decoration-server-protocol.h"
#include "xdg-shell-client-protocol.h"
#include "xdg-shell-server-protocol.h"

#define BTN_LEFT 0x110 /* linux/input-event-codes.h */
#define SHM_FORMAT_XRGB8888 1
/* With wp_viewporter a strip shows the middle of a POOL_SIDE² buffer at the pool's start, scaled:
 * compositors that filter (pixman, GL) then never sample past the buffer's edge, which a 1×1
 * buffer would show as a transparent last row. */
#define POOL_SIDE FRAME_PIXELS_SIDE

/* Appends one message the fence writes (wire_encode()'s arguments) to up. */
#define EMIT(up, ...)                                                                              \
        ({                                                                                         \
                uint8_t _buf[WIRE_MESSAGE_MAX];                                                    \
                int _n = wire_encode(_buf, sizeof(_buf), __VA_ARGS__);                             \
                _n < 0 ? _n : buffer_append((up), _buf, (size_t) _n);                              \
        })

FrameRect frame_outer(const FrameRect *g, uint32_t width) {
        int32_t w = (int32_t) width;

        return (FrameRect){ g->x - w, g->y - w, g->width + 2 * w, g->height + 2 * w };
}

/* A pinwheel: each strip takes one corner, so none is longer than the geometry plus one width.
 * sway 1.7 clips every surface of a tiled window to that length, measured from the surface's own
 * origin. */
void frame_strips(const FrameRect *g, uint32_t width, FrameRect ret[static _FRAME_STRIPS]) {
        int32_t w = (int32_t) width;

        ret[FRAME_TOP] = (FrameRect){ g->x - w, g->y - w, g->width + w, w };
        ret[FRAME_RIGHT] = (FrameRect){ g->x + g->width, g->y - w, w, g->height + w };
        ret[FRAME_BOTTOM] = (FrameRect){ g->x, g->y + g->height, g->width + w, w };
        ret[FRAME_LEFT] = (FrameRect){ g->x - w, g->y, w, g->height + w };
}

int32_t frame_inner_size(int32_t size, uint32_t width) {
        if (size <= 0)
                return size;
        return MAX(size - 2 * (int32_t) width, 1);
}

uint32_t frame_edges(int32_t x, int32_t y, const FrameRect *outer, uint32_t width) {
        int32_t w = (int32_t) width, reach = w + FRAME_CORNER_PX;
        uint32_t horizontal = 0, vertical = 0;

        if (x < reach)
                horizontal = XDG_TOPLEVEL_RESIZE_EDGE_LEFT;
        else if (x >= outer->width - reach)
                horizontal = XDG_TOPLEVEL_RESIZE_EDGE_RIGHT;
        if (y < reach)
                vertical = XDG_TOPLEVEL_RESIZE_EDGE_TOP;
        else if (y >= outer->height - reach)
                vertical = XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM;
        /* a corner resizes; anywhere else the frame moves the window */
        return horizontal && vertical ? horizontal | vertical : 0;
}

size_t frame_pool_size(uint32_t width) {
        /* a strip of w × length or length × w pixels, the stride its width: the same bytes */
        return MAX((size_t) POOL_SIDE * POOL_SIDE, (size_t) FRAME_STRIP_LENGTH_MAX * width) * 4;
}

void frame_init(Frame *fr, uint32_t rgb, uint32_t width, bool viewporter_allowed) {
        width = MIN(width, FRAME_WIDTH_MAX);
        *fr = (Frame){ .rgb = rgb, .width = width, .viewporter_allowed = viewporter_allowed };
}

void frame_finish(Frame *fr) {
        free(fr->toplevels);
        free(fr->positioners);
        *fr = (Frame){};
}

static int own(Filter *f, const struct wl_interface *interface, uint32_t *ret) {
        return idmap_add_own(&f->ids, interface, ret);
}

int frame_start(Filter *f, Buffer *up) {
        int r;

        r = own(f, &wl_registry_interface, &f->frame.registry);
        if (r < 0)
                return r;
        return EMIT(up, WIRE_DISPLAY_ID, WL_DISPLAY_GET_REGISTRY, "n", f->frame.registry);
}

static FrameToplevel *find_toplevel(Frame *fr, uint32_t guest_id, size_t field) {
        for (size_t i = 0; i < fr->n_toplevels; i++)
                if (*(uint32_t *) ((uint8_t *) &fr->toplevels[i] + field) == guest_id)
                        return &fr->toplevels[i];
        return NULL;
}
#define FIND_TOPLEVEL(fr, field, id) find_toplevel((fr), (id), offsetof(FrameToplevel, field))

static bool frame_ready(const Frame *fr) {
        return fr->width > 0 && fr->compositor && fr->subcompositor && fr->pool;
}

/* Strip s shows buffer (whole: the same colour everywhere), from its next commit. */
static int attach_strip(FrameToplevel *t, size_t s, uint32_t buffer, Buffer *up) {
        int r;

        r = EMIT(up, t->strip_surface[s], WL_SURFACE_ATTACH, "oii", buffer, 0, 0);
        if (r >= 0)
                r = EMIT(up, t->strip_surface[s], WL_SURFACE_DAMAGE, "iiii", 0, 0, INT32_MAX,
                                INT32_MAX);
        return r;
}

/* With wp_viewporter: strip s shows the middle of the colour buffer, scaled later. */
static int make_viewport(Filter *f, FrameToplevel *t, size_t s, Buffer *up) {
        Frame *fr = &f->frame;
        int r;

        r = own(f, &wp_viewport_interface, &t->strip_viewport[s]);
        if (r >= 0)
                r = EMIT(up, fr->viewporter, WP_VIEWPORTER_GET_VIEWPORT, "no", t->strip_viewport[s],
                                t->strip_surface[s]);
        if (r >= 0)
                r = EMIT(up, t->strip_viewport[s], WP_VIEWPORT_SET_SOURCE, "ffff",
                                wl_fixed_from_int(POOL_SIDE / 4), wl_fixed_from_int(POOL_SIDE / 4),
                                wl_fixed_from_int(POOL_SIDE / 2), wl_fixed_from_int(POOL_SIDE / 2));
        if (r >= 0)
                r = attach_strip(t, s, fr->buffer, up);
        if (r >= 0)
                r = EMIT(up, t->strip_surface[s], WL_SURFACE_COMMIT, "");
        return r;
}

/* The strips of a new toplevel: surfaces showing the colour, subsurfaces of its surface. Without
 * wp_viewporter they get their buffers once the window's size is known (set_strip_buffer()). */
static int make_strips(Filter *f, FrameToplevel *t, Buffer *up) {
        Frame *fr = &f->frame;
        int r;

        if (!frame_ready(fr))
                return 0;
        for (size_t s = 0; s < _FRAME_STRIPS; s++) {
                r = own(f, &wl_surface_interface, &t->strip_surface[s]);
                if (r >= 0)
                        r = EMIT(up, fr->compositor, WL_COMPOSITOR_CREATE_SURFACE, "n",
                                        t->strip_surface[s]);
                if (r >= 0 && fr->viewporter)
                        r = make_viewport(f, t, s, up);
                if (r >= 0)
                        r = own(f, &wl_subsurface_interface, &t->strip_subsurface[s]);
                if (r >= 0)
                        r = EMIT(up, fr->subcompositor, WL_SUBCOMPOSITOR_GET_SUBSURFACE, "noo",
                                        t->strip_subsurface[s], t->strip_surface[s], t->up_surface);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Without wp_viewporter: strip s gets a buffer of its size (length capped) in the colour's pool,
 * a new one only when the size changed. *ret_old: the buffer it replaces, or 0. */
static int set_strip_buffer(Filter *f, FrameToplevel *t, size_t s, const FrameRect *strip,
                uint32_t *ret_old, Buffer *up) {
        int32_t width = MIN(strip->width, FRAME_STRIP_LENGTH_MAX),
                height = MIN(strip->height, FRAME_STRIP_LENGTH_MAX);
        uint32_t buffer;
        int r;

        *ret_old = 0;
        if (t->strip_buffer[s] && t->strip_buffer_width[s] == width &&
                        t->strip_buffer_height[s] == height)
                return 0;
        r = own(f, &wl_buffer_interface, &buffer);
        if (r >= 0)
                r = EMIT(up, f->frame.pool, WL_SHM_POOL_CREATE_BUFFER, "niiiiu", buffer, 0, width,
                                height, width * 4, SHM_FORMAT_XRGB8888);
        if (r >= 0)
                r = attach_strip(t, s, buffer, up);
        if (r < 0)
                return r;
        *ret_old = t->strip_buffer[s];
        t->strip_buffer[s] = buffer;
        t->strip_buffer_width[s] = width;
        t->strip_buffer_height[s] = height;
        return 0;
}

static int destroy_strips(FrameToplevel *t, Buffer *up) {
        int r = 0;

        for (size_t s = 0; s < _FRAME_STRIPS && t->strip_surface[s] && r >= 0; s++) {
                if (t->strip_viewport[s])
                        r = EMIT(up, t->strip_viewport[s], WP_VIEWPORT_DESTROY, "");
                if (r >= 0 && t->strip_buffer[s])
                        r = EMIT(up, t->strip_buffer[s], WL_BUFFER_DESTROY, "");
                if (r >= 0)
                        r = EMIT(up, t->strip_subsurface[s], WL_SUBSURFACE_DESTROY, "");
                if (r >= 0)
                        r = EMIT(up, t->strip_surface[s], WL_SURFACE_DESTROY, "");
        }
        return r;
}

static int ask_server_side(uint32_t decoration, Buffer *up) {
        return EMIT(up, decoration, ZXDG_TOPLEVEL_DECORATION_V1_SET_MODE, "u",
                        ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
}

/* A decoration object of the fence's own for a toplevel the guest has none for. */
static int own_decoration(Filter *f, FrameToplevel *t, Buffer *up) {
        int r;

        if (!f->frame.decoration_manager || t->decoration || t->guest_decoration)
                return 0;
        r = own(f, &zxdg_toplevel_decoration_v1_interface, &t->decoration);
        if (r >= 0)
                r = EMIT(up, f->frame.decoration_manager,
                                ZXDG_DECORATION_MANAGER_V1_GET_TOPLEVEL_DECORATION, "no",
                                t->decoration, t->up_toplevel);
        if (r >= 0)
                r = ask_server_side(t->decoration, up);
        return r;
}

static int drop_own_decoration(FrameToplevel *t, Buffer *up) {
        int r = 0;

        if (t->decoration)
                r = EMIT(up, t->decoration, ZXDG_TOPLEVEL_DECORATION_V1_DESTROY, "");
        t->decoration = 0;
        return r;
}

/* The guest's window geometry at a commit: what it set, else its buffer's extent. false: none
 * yet, or one out of FRAME_COORD_MAX (the frame's arithmetic stays far from overflow). */
static bool guest_geometry(const FrameToplevel *t, FrameRect *ret) {
        int32_t scale = MAX(t->scale, 1);
        FrameRect g;

        if (t->geometry_set && t->geometry.width > 0 && t->geometry.height > 0)
                g = t->geometry;
        else
                g = (FrameRect){ 0, 0, t->buffer_width / scale, t->buffer_height / scale };
        /* sanitize start */
        if (g.width <= 0 || g.height <= 0 || g.width > FRAME_COORD_MAX ||
                        g.height > FRAME_COORD_MAX || g.x < -FRAME_COORD_MAX ||
                        g.x > FRAME_COORD_MAX || g.y < -FRAME_COORD_MAX || g.y > FRAME_COORD_MAX)
                return false;
        /* sanitize end */
        *ret = g;
        return true;
}

/* Before the guest's commit reaches the compositor: the strips around the new geometry and the
 * window geometry with the frame, applied by that same commit (the strips are synchronized
 * subsurfaces). ret_old: the strip buffers replaced (0: none), for the caller to destroy once
 * the commit has made the new ones current. */
static int place_frame(
                Filter *f, FrameToplevel *t, uint32_t ret_old[static _FRAME_STRIPS], Buffer *up) {
        FrameRect g, outer, strips[_FRAME_STRIPS];
        int r;

        if (!t->strip_surface[0] || !guest_geometry(t, &g))
                return 0;
        outer = frame_outer(&g, f->frame.width);
        if (memcmp(&outer, &t->sent, sizeof(outer)) == 0)
                return 0;
        frame_strips(&g, f->frame.width, strips);
        for (size_t s = 0; s < _FRAME_STRIPS; s++) {
                r = EMIT(up, t->strip_subsurface[s], WL_SUBSURFACE_SET_POSITION, "ii", strips[s].x,
                                strips[s].y);
                if (r >= 0 && t->strip_viewport[s])
                        r = EMIT(up, t->strip_viewport[s], WP_VIEWPORT_SET_DESTINATION, "ii",
                                        strips[s].width, strips[s].height);
                else if (r >= 0)
                        r = set_strip_buffer(f, t, s, &strips[s], &ret_old[s], up);
                if (r >= 0)
                        r = EMIT(up, t->strip_surface[s], WL_SURFACE_COMMIT, "");
                if (r < 0)
                        return r;
        }
        r = EMIT(up, t->up_xdg_surface, XDG_SURFACE_SET_WINDOW_GEOMETRY, "iiii", outer.x, outer.y,
                        outer.width, outer.height);
        if (r < 0)
                return r;
        t->sent = outer;
        return 0;
}

static int new_toplevel(Filter *f, const WireMessage *msg, const uint8_t *copy, Buffer *up) {
        const Object *xdg_surface = objects_get(&f->objects, msg->header.object);
        FrameToplevel *t;
        int r;

        if (f->frame.n_toplevels >= FRAME_TOPLEVELS_MAX)
                return -EMFILE;
        t = reallocarray(f->frame.toplevels, f->frame.n_toplevels + 1, sizeof(FrameToplevel));
        if (!t)
                return -ENOMEM;
        f->frame.toplevels = t;
        t = &t[f->frame.n_toplevels++];
        *t = (FrameToplevel){
                .surface = xdg_surface->link,
                .xdg_surface = msg->header.object,
                .toplevel = msg->args[0].word,
                .up_surface = idmap_to_upstream(&f->ids, xdg_surface->link),
                .up_xdg_surface = wire_read_u32(copy),
                .up_toplevel = wire_read_u32(copy + msg->args[0].offset),
        };
        r = buffer_append(up, copy, msg->header.size);
        if (r < 0)
                return r;
        return make_strips(f, t, up);
}

static int end_toplevel(Filter *f, FrameToplevel *t, const uint8_t *copy, size_t size, Buffer *up) {
        int r;

        r = drop_own_decoration(t, up);
        if (r >= 0)
                r = destroy_strips(t, up);
        if (r >= 0)
                r = buffer_append(up, copy, size);
        *t = f->frame.toplevels[--f->frame.n_toplevels];
        return r;
}

static int surface_request(Filter *f, FrameToplevel *t, const WireMessage *msg, const uint8_t *copy,
                Buffer *up) {
        uint32_t old[_FRAME_STRIPS] = {};
        const Object *b;
        int r;

        switch (msg->header.opcode) {
        case WL_SURFACE_ATTACH:
                b = msg->args[0].word ? objects_get(&f->objects, msg->args[0].word) : NULL;
                t->buffer_width_pending = b ? b->width : 0;
                t->buffer_height_pending = b ? b->height : 0;
                return 0;
        case WL_SURFACE_SET_BUFFER_SCALE:
                t->scale_pending = (int32_t) msg->args[0].word;
                return 0;
        case WL_SURFACE_COMMIT:
                t->buffer_width = t->buffer_width_pending;
                t->buffer_height = t->buffer_height_pending;
                t->scale = t->scale_pending;
                if (t->geometry_pending_set) {
                        t->geometry = t->geometry_pending;
                        t->geometry_set = true;
                }
                r = t->committed ? 0 : own_decoration(f, t, up);
                t->committed = true;
                if (r >= 0)
                        r = place_frame(f, t, old, up);
                if (r >= 0)
                        r = buffer_append(up, copy, msg->header.size);
                /* the commit made the strips' new buffers current: the old ones go */
                for (size_t s = 0; s < _FRAME_STRIPS && r >= 0; s++)
                        if (old[s])
                                r = EMIT(up, old[s], WL_BUFFER_DESTROY, "");
                return r < 0 ? r : 1;
        default:
                return 0;
        }
}

static FramePositioner *find_positioner(Frame *fr, uint32_t positioner) {
        for (size_t i = 0; i < fr->n_positioners; i++)
                if (fr->positioners[i].positioner == positioner)
                        return &fr->positioners[i];
        return NULL;
}

static int positioner_request(Filter *f, const WireMessage *msg) {
        Frame *fr = &f->frame;
        FramePositioner *p = find_positioner(fr, msg->header.object);

        if (msg->header.opcode == XDG_POSITIONER_DESTROY) {
                if (p)
                        *p = fr->positioners[--fr->n_positioners];
                return 0;
        }
        if (msg->header.opcode != XDG_POSITIONER_SET_ANCHOR_RECT)
                return 0;
        if (!p) {
                if (fr->n_positioners >= FRAME_POSITIONERS_MAX)
                        return -EMFILE;
                p = reallocarray(fr->positioners, fr->n_positioners + 1, sizeof(FramePositioner));
                if (!p)
                        return -ENOMEM;
                fr->positioners = p;
                p = &p[fr->n_positioners++];
        }
        *p = (FramePositioner){
                .positioner = msg->header.object,
                .anchor = { (int32_t) msg->args[0].word, (int32_t) msg->args[1].word,
                                (int32_t) msg->args[2].word, (int32_t) msg->args[3].word },
        };
        return 0;
}

/* Whether the xdg_surface (guest id) is a framed window: its popups are placed relative to a
 * geometry the frame moved. */
static bool framed(Frame *fr, uint32_t xdg_surface) {
        FrameToplevel *t = FIND_TOPLEVEL(fr, xdg_surface, xdg_surface);

        return t && t->strip_surface[0];
}

/* get_popup or reposition (copy) with positioner: the compositor sees the anchor rectangle
 * shifted into the framed parent's geometry, then the guest's again for its other uses. */
static int with_shifted_anchor(Filter *f, uint32_t positioner, uint32_t up_positioner,
                const uint8_t *copy, size_t size, Buffer *up) {
        const FramePositioner *p = find_positioner(&f->frame, positioner);
        uint32_t w = f->frame.width;
        int r = 0;

        /* unsigned: the guest's rectangle may be anywhere in int32 */
        if (p)
                r = EMIT(up, up_positioner, XDG_POSITIONER_SET_ANCHOR_RECT, "iiii",
                                (uint32_t) p->anchor.x + w, (uint32_t) p->anchor.y + w,
                                p->anchor.width, p->anchor.height);
        if (r >= 0)
                r = buffer_append(up, copy, size);
        if (r >= 0 && p)
                r = EMIT(up, up_positioner, XDG_POSITIONER_SET_ANCHOR_RECT, "iiii", p->anchor.x,
                                p->anchor.y, p->anchor.width, p->anchor.height);
        return r < 0 ? r : 1;
}

/* set_min_size/set_max_size: sizes of the window geometry, which includes the frame. */
static void grow_size_args(const Frame *fr, const WireMessage *msg, uint8_t *copy) {
        for (size_t i = 0; i < 2; i++) {
                int32_t v = (int32_t) msg->args[i].word;

                if (v > 0 && v <= INT32_MAX - 2 * (int32_t) fr->width)
                        wire_write_u32(copy + msg->args[i].offset,
                                        (uint32_t) (v + 2 * (int32_t) fr->width));
        }
}

int frame_request(Filter *f, const Object *o, const WireMessage *msg, uint8_t *copy, Buffer *up) {
        Frame *fr = &f->frame;
        uint16_t op = msg->header.opcode;
        FrameToplevel *t;
        Object *n;
        int r;

        if (o->interface == &wl_shm_pool_interface && op == WL_SHM_POOL_CREATE_BUFFER) {
                n = objects_get_mutable(&f->objects, msg->args[0].word);
                n->width = (int32_t) msg->args[2].word;
                n->height = (int32_t) msg->args[3].word;
        } else if (o->interface == &xdg_wm_base_interface && op == XDG_WM_BASE_GET_XDG_SURFACE)
                objects_get_mutable(&f->objects, msg->args[0].word)->link = msg->args[1].word;
        else if (o->interface == &wl_seat_interface && op == WL_SEAT_GET_POINTER)
                objects_get_mutable(&f->objects, msg->args[0].word)->link = msg->header.object;
        else if (o->interface == &xdg_surface_interface && op == XDG_SURFACE_GET_TOPLEVEL) {
                r = new_toplevel(f, msg, copy, up);
                return r < 0 ? r : 1;
        } else if (o->interface == &xdg_positioner_interface)
                return positioner_request(f, msg);
        else if (o->interface == &xdg_surface_interface && op == XDG_SURFACE_GET_POPUP) {
                objects_get_mutable(&f->objects, msg->args[0].word)->link = msg->args[1].word;
                if (msg->args[1].word && framed(fr, msg->args[1].word))
                        return with_shifted_anchor(f, msg->args[2].word,
                                        wire_read_u32(copy + msg->args[2].offset), copy,
                                        msg->header.size, up);
        } else if (o->interface == &xdg_popup_interface && op == XDG_POPUP_REPOSITION) {
                if (framed(fr, o->link))
                        return with_shifted_anchor(f, msg->args[0].word,
                                        wire_read_u32(copy + msg->args[0].offset), copy,
                                        msg->header.size, up);
        } else if (o->interface == &xdg_surface_interface &&
                        op == XDG_SURFACE_SET_WINDOW_GEOMETRY) {
                t = FIND_TOPLEVEL(fr, xdg_surface, msg->header.object);
                if (!t || !t->strip_surface[0])
                        return 0;
                t->geometry_pending = (FrameRect){ (int32_t) msg->args[0].word,
                        (int32_t) msg->args[1].word, (int32_t) msg->args[2].word,
                        (int32_t) msg->args[3].word };
                t->geometry_pending_set = true;
                return 1; /* sent with the frame at the next commit */
        } else if (o->interface == &wl_surface_interface) {
                t = FIND_TOPLEVEL(fr, surface, msg->header.object);
                if (t)
                        return surface_request(f, t, msg, copy, up);
        } else if (o->interface == &xdg_toplevel_interface) {
                t = FIND_TOPLEVEL(fr, toplevel, msg->header.object);
                if (t && op == XDG_TOPLEVEL_DESTROY) {
                        r = end_toplevel(f, t, copy, msg->header.size, up);
                        return r < 0 ? r : 1;
                }
                if (t && t->strip_surface[0] &&
                                IN_SET(op, XDG_TOPLEVEL_SET_MIN_SIZE, XDG_TOPLEVEL_SET_MAX_SIZE))
                        grow_size_args(fr, msg, copy);
        } else if (o->interface == &wl_subcompositor_interface &&
                        op == WL_SUBCOMPOSITOR_GET_SUBSURFACE) {
                /* the guest's new subsurface goes on top of its siblings: keep the frame above */
                t = FIND_TOPLEVEL(fr, surface, msg->args[2].word);
                if (!t)
                        return 0;
                r = buffer_append(up, copy, msg->header.size);
                for (size_t s = 0; s < _FRAME_STRIPS && t->strip_surface[s] && r >= 0; s++)
                        r = EMIT(up, t->strip_subsurface[s], WL_SUBSURFACE_PLACE_ABOVE, "o",
                                        wire_read_u32(copy + msg->args[1].offset));
                return r < 0 ? r : 1;
        } else if (o->interface == &zxdg_decoration_manager_v1_interface &&
                        op == ZXDG_DECORATION_MANAGER_V1_GET_TOPLEVEL_DECORATION) {
                /* one decoration object per toplevel: the guest's replaces the fence's, and
                 * asks for server-side mode whatever the guest asks later */
                t = FIND_TOPLEVEL(fr, toplevel, msg->args[1].word);
                r = t ? drop_own_decoration(t, up) : 0;
                if (r >= 0)
                        r = buffer_append(up, copy, msg->header.size);
                if (r >= 0)
                        r = ask_server_side(wire_read_u32(copy + msg->args[0].offset), up);
                if (r >= 0 && t)
                        t->guest_decoration = wire_read_u32(copy + msg->args[0].offset);
                return r < 0 ? r : 1;
        } else if (o->interface == &zxdg_toplevel_decoration_v1_interface) {
                if (op != ZXDG_TOPLEVEL_DECORATION_V1_DESTROY)
                        return (r = ask_server_side(wire_read_u32(copy), up)) < 0 ? r : 1;
                t = FIND_TOPLEVEL(fr, guest_decoration, wire_read_u32(copy));
                r = buffer_append(up, copy, msg->header.size);
                if (t) {
                        t->guest_decoration = 0;
                        if (r >= 0)
                                r = own_decoration(f, t, up);
                }
                return r < 0 ? r : 1;
        }
        return 0;
}

static int bind_own(Filter *f, const WireMessage *msg, Buffer *up) {
        static const struct {
                const struct wl_interface *interface;
                uint32_t version;
                size_t field;
        } wanted[] = {
                { &wl_compositor_interface, 4, offsetof(Frame, compositor) },
                { &wl_subcompositor_interface, 1, offsetof(Frame, subcompositor) },
                { &wl_shm_interface, 1, offsetof(Frame, shm) },
                { &wp_viewporter_interface, 1, offsetof(Frame, viewporter) },
                { &zxdg_decoration_manager_v1_interface, 1, offsetof(Frame, decoration_manager) },
        };
        Frame *fr = &f->frame;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(wanted); i++) {
                uint32_t *id = (uint32_t *) ((uint8_t *) fr + wanted[i].field);
                uint32_t version = MIN(msg->args[2].word, wanted[i].version);

                if (*id || !streq(msg->args[1].str, wanted[i].interface->name))
                        continue;
                if (id == &fr->viewporter && !fr->viewporter_allowed)
                        return 0;
                r = own(f, wanted[i].interface, id);
                if (r >= 0)
                        r = EMIT(up, fr->registry, WL_REGISTRY_BIND, "usun", msg->args[0].word,
                                        wanted[i].interface->name, version, *id);
                if (r < 0 || id != &fr->shm)
                        return r;
                /* the colour: a pool on proxy.c's memfd, one buffer in it */
                r = own(f, &wl_shm_pool_interface, &fr->pool);
                if (r >= 0)
                        r = EMIT(up, fr->shm, WL_SHM_CREATE_POOL, "nhi", fr->pool,
                                        (uint32_t) frame_pool_size(fr->width));
                if (r < 0)
                        return r;
                fr->fds_wanted++;
                r = own(f, &wl_buffer_interface, &fr->buffer);
                if (r >= 0)
                        r = EMIT(up, fr->pool, WL_SHM_POOL_CREATE_BUFFER, "niiiiu", fr->buffer, 0,
                                        POOL_SIDE, POOL_SIDE, POOL_SIDE * 4, SHM_FORMAT_XRGB8888);
                return r;
        }
        return 0;
}

int frame_own_event(Filter *f, const struct wl_interface *interface, const WireMessage *msg,
                Buffer *up) {
        if (interface == &wl_registry_interface && msg->header.opcode == WL_REGISTRY_GLOBAL &&
                        f->frame.registry == msg->header.object)
                return bind_own(f, msg, up);
        return 0; /* release, enter, configure…: nothing the fence needs */
}

static FramePointer *find_pointer(Frame *fr, uint32_t pointer) {
        for (size_t i = 0; i < fr->n_pointers; i++)
                if (fr->pointers[i].pointer == pointer)
                        return &fr->pointers[i];
        return NULL;
}

/* The toplevel and strip of one of the fence's strip surfaces. */
static FrameToplevel *find_strip(Frame *fr, uint32_t surface, FrameStrip *ret) {
        for (size_t i = 0; i < fr->n_toplevels; i++)
                for (size_t s = 0; s < _FRAME_STRIPS; s++)
                        if (fr->toplevels[i].strip_surface[s] == surface) {
                                *ret = (FrameStrip) s;
                                return &fr->toplevels[i];
                        }
        return NULL;
}

/* A press on the frame: the compositor moves or resizes the window. */
static int press(Filter *f, const FramePointer *p, uint32_t serial, Buffer *up) {
        FrameRect g, outer, strips[_FRAME_STRIPS];
        FrameToplevel *t;
        FrameStrip s;
        uint32_t edges;

        t = find_strip(&f->frame, p->focus, &s);
        if (!t)
                return 0;
        if (!guest_geometry(t, &g))
                g = (FrameRect){};
        /* the press in the frame's coordinates: its strip's place in the frame, plus the
         * position on the strip */
        outer = frame_outer(&g, f->frame.width);
        frame_strips(&g, f->frame.width, strips);
        edges = frame_edges(strips[s].x - outer.x + wl_fixed_to_int(p->x),
                        strips[s].y - outer.y + wl_fixed_to_int(p->y), &outer, f->frame.width);
        if (edges == 0)
                return EMIT(up, t->up_toplevel, XDG_TOPLEVEL_MOVE, "ou", p->up_seat, serial);
        return EMIT(up, t->up_toplevel, XDG_TOPLEVEL_RESIZE, "ouu", p->up_seat, serial, edges);
}

/* wl_pointer events: while the pointer is over the frame, none reaches the guest. */
static int pointer_event(
                Filter *f, const Object *o, const WireMessage *msg, bool names_own, Buffer *up) {
        Frame *fr = &f->frame;
        uint32_t id = msg->header.object;
        FramePointer *p = find_pointer(fr, id);

        switch (msg->header.opcode) {
        case WL_POINTER_ENTER:
                if (!names_own)
                        return 0;
                if (!p && fr->n_pointers < FRAME_POINTERS_MAX)
                        p = &fr->pointers[fr->n_pointers++];
                if (p)
                        *p = (FramePointer){
                                .pointer = id,
                                .up_seat = idmap_to_upstream(&f->ids, o->link),
                                .focus = msg->args[1].word,
                                .x = (int32_t) msg->args[2].word,
                                .y = (int32_t) msg->args[3].word,
                        };
                return 1;
        case WL_POINTER_LEAVE:
                if (!names_own)
                        return 0;
                if (p)
                        *p = fr->pointers[--fr->n_pointers];
                return 1;
        case WL_POINTER_FRAME:
                return 0; /* an empty frame is harmless; it may close the guest's own leave */
        default:
                if (!p)
                        return 0;
                if (msg->header.opcode == WL_POINTER_MOTION) {
                        p->x = (int32_t) msg->args[1].word;
                        p->y = (int32_t) msg->args[2].word;
                } else if (msg->header.opcode == WL_POINTER_BUTTON &&
                                msg->args[2].word == BTN_LEFT &&
                                msg->args[3].word == WL_POINTER_BUTTON_STATE_PRESSED) {
                        int r = press(f, p, msg->args[0].word, up);

                        if (r < 0)
                                return r;
                }
                return 1;
        }
}

int frame_event(Filter *f, const Object *o, const WireMessage *msg, uint8_t *copy, bool names_own,
                Buffer *up) {
        FrameToplevel *t;

        if (o->interface == &wl_pointer_interface)
                return pointer_event(f, o, msg, names_own, up);
        if (names_own)
                return 1; /* e.g. wl_touch.down on the frame: the guest never hears of it */
        if (o->interface == &xdg_popup_interface && msg->header.opcode == XDG_POPUP_CONFIGURE &&
                        framed(&f->frame, o->link))
                /* the position is relative to the framed geometry; the guest's is inside it */
                for (size_t i = 0; i < 2; i++)
                        wire_write_u32(copy + msg->args[i].offset,
                                        msg->args[i].word - f->frame.width);
        if (o->interface == &xdg_toplevel_interface &&
                        IN_SET(msg->header.opcode, XDG_TOPLEVEL_CONFIGURE,
                                        XDG_TOPLEVEL_CONFIGURE_BOUNDS)) {
                t = FIND_TOPLEVEL(&f->frame, toplevel, msg->header.object);
                if (!t || !t->strip_surface[0])
                        return 0;
                for (size_t i = 0; i < 2; i++)
                        wire_write_u32(copy + msg->args[i].offset,
                                        (uint32_t) frame_inner_size((int32_t) msg->args[i].word,
                                                        f->frame.width));
        }
        return 0;
}

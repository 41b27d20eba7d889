/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-frame.c: the frame's geometry, and the frame on a whole conversation through the filter
 * without a compositor: its own objects, the window geometry and configure sizes, pointer events
 * over it, server-side decorations and host app ids. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "filter.h"
#include "frame.h"
#include "macro.h"
#include "viewporter-client-protocol.h"
#include "wayland-client-protocol.h"
#include "wayland-server-protocol.h"
#include "xdg-decoration-client-protocol.h"
#include "xdg-shell-client-protocol.h"
#include "xdg-shell-server-protocol.h"

#define WIDTH 4u

static void test_frame_strips_cover_the_ring_once(void **state) {
        const FrameRect g = { 10, 20, 30, 17 };
        FrameRect outer = frame_outer(&g, WIDTH), s[_FRAME_STRIPS];

        assert_memory_equal(&outer, (&(FrameRect){ 6, 16, 38, 25 }), sizeof(outer));
        frame_strips(&g, WIDTH, s);
        for (int32_t y = outer.y - 1; y <= outer.y + outer.height; y++)
                for (int32_t x = outer.x - 1; x <= outer.x + outer.width; x++) {
                        bool in_outer = x >= outer.x && x < outer.x + outer.width && y >= outer.y &&
                                        y < outer.y + outer.height;
                        bool in_window = x >= g.x && x < g.x + g.width && y >= g.y &&
                                         y < g.y + g.height;
                        int covered = 0;

                        for (size_t i = 0; i < _FRAME_STRIPS; i++)
                                covered += x >= s[i].x && x < s[i].x + s[i].width && y >= s[i].y &&
                                           y < s[i].y + s[i].height;
                        assert_int_equal(covered, in_outer && !in_window);
                }
        /* none longer than the geometry plus one width (sway clips tiled surfaces there) */
        for (size_t i = 0; i < _FRAME_STRIPS; i++)
                assert_true(s[i].width <= g.width + (int32_t) WIDTH &&
                                s[i].height <= g.height + (int32_t) WIDTH);
}

static void test_frame_inner_size_leaves_room_and_zero(void **state) {
        assert_int_equal(frame_inner_size(800, WIDTH), 792);
        assert_int_equal(frame_inner_size(0, WIDTH), 0);
        assert_int_equal(frame_inner_size(5, WIDTH), 1);
        assert_int_equal(frame_inner_size(800, 0), 800);
}

static void test_frame_edges_corners_resize_sides_move(void **state) {
        const FrameRect outer = { 0, 0, 400, 300 };

        assert_int_equal(frame_edges(1, 1, &outer, WIDTH), XDG_TOPLEVEL_RESIZE_EDGE_TOP_LEFT);
        assert_int_equal(frame_edges(399, 2, &outer, WIDTH), XDG_TOPLEVEL_RESIZE_EDGE_TOP_RIGHT);
        assert_int_equal(frame_edges(2, 280, &outer, WIDTH), XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM_LEFT);
        assert_int_equal(frame_edges(380, 298, &outer, WIDTH),
                        XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM_RIGHT);
        assert_int_equal(frame_edges(200, 1, &outer, WIDTH), 0);
        assert_int_equal(frame_edges(1, 150, &outer, WIDTH), 0);
        assert_int_equal(frame_edges(397, 150, &outer, WIDTH), 0);
}

/* A filter with the frame on, as proxy.c runs it: up is what goes to the compositor, down to the
 * client. */
typedef struct Fixture {
        Filter f;
        Buffer up, down;
        const char *reason;
} Fixture;

static int setup_with(void **state, bool viewporter_allowed) {
        static Fixture fx;

        fx = (Fixture){};
        assert_int_equal(filter_init(&fx.f, "gui"), 0);
        frame_init(&fx.f.frame, 0x123456, WIDTH, viewporter_allowed);
        assert_int_equal(frame_start(&fx.f, &fx.up), 0);
        *state = &fx;
        return 0;
}

static int setup(void **state) {
        return setup_with(state, true);
}

/* As with --no-viewporter, which is also how a compositor without wp_viewporter is served. */
static int setup_without_viewporter(void **state) {
        return setup_with(state, false);
}

static int teardown(void **state) {
        Fixture *fx = *state;

        filter_finish(&fx->f);
        buffer_finish(&fx->up);
        buffer_finish(&fx->down);
        return 0;
}

static int run(Fixture *fx, bool request, const uint8_t *buf, int n) {
        size_t fds = 0;

        assert_true(n > 0);
        buffer_consume(&fx->up, buffer_size(&fx->up));
        buffer_consume(&fx->down, buffer_size(&fx->down));
        return request ? filter_request(&fx->f, buf, (size_t) n, 1, &fx->up, &fds, &fx->reason)
                       : filter_event(&fx->f, buf, (size_t) n, 0, &fx->down, &fx->up, &fds,
                                         &fx->reason);
}

/* A message by wire_encode()'s arguments, run through as a request or an event; must pass. */
#define RUN(fx, request, ...)                                                                      \
        ({                                                                                         \
                uint8_t _b[512];                                                                   \
                int _n = wire_encode(_b, sizeof(_b), __VA_ARGS__);                                 \
                assert_int_equal(run((fx), (request), _b, _n), _n);                                \
        })
#define REQUEST(fx, ...) RUN(fx, true, __VA_ARGS__)
#define EVENT(fx, ...) RUN(fx, false, __VA_ARGS__)

/* The n-th message of b, or NULL. */
static const uint8_t *nth(const Buffer *b, size_t n, WireHeader *ret) {
        const uint8_t *p = b->data ? b->data + b->start : NULL;
        size_t left = buffer_size(b);

        for (;;) {
                if (left == 0 || wire_header_decode(p, left, ret) < 0)
                        return NULL;
                if (n-- == 0)
                        return p;
                p += ret->size;
                left -= ret->size;
        }
}

static size_t count(const Buffer *b) {
        WireHeader h;
        size_t n = 0;

        while (nth(b, n, &h))
                n++;
        return n;
}

/* The first message of b to object with opcode, or NULL. */
static const uint8_t *find(const Buffer *b, uint32_t object, uint16_t opcode) {
        WireHeader h;
        const uint8_t *p;

        for (size_t i = 0; (p = nth(b, i, &h)); i++)
                if (h.object == object && h.opcode == opcode)
                        return p;
        return NULL;
}

static uint32_t arg(const uint8_t *p, size_t i) {
        return wire_read_u32(p + 8 + 4 * i);
}

static uint32_t up_id(Fixture *fx, uint32_t guest) {
        return idmap_to_upstream(&fx->f.ids, guest);
}

/* Guest ids of the conversation. */
enum {
        REGISTRY = 2,
        COMPOSITOR,
        WM_BASE,
        SHM,
        SEAT,
        DECORATION_MANAGER,
        SURFACE,
        XDG_SURFACE,
        TOPLEVEL,
        POOL,
        BUFFER,
        POINTER,
        DECORATION,
        POSITIONER,
        POPUP_SURFACE,
        POPUP_XDG_SURFACE,
        POPUP,
};

/* A 300×200 buffer on the window: its geometry. */
static void map(Fixture *fx) {
        REQUEST(fx, SHM, WL_SHM_CREATE_POOL, "nhi", POOL, 300 * 200 * 4);
        REQUEST(fx, POOL, WL_SHM_POOL_CREATE_BUFFER, "niiiiu", BUFFER, 0, 300, 200, 1200, 1);
        REQUEST(fx, SURFACE, WL_SURFACE_ATTACH, "oii", BUFFER, 0, 0);
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
}

/* The compositor's globals reach the fence's registry (it binds what the frame needs) and the
 * guest's; the guest binds and makes a toplevel. */
static void toplevel(Fixture *fx) {
        static const char *const globals[] = { "wl_compositor", "wl_subcompositor", "wl_shm",
                "wp_viewporter", "zxdg_decoration_manager_v1", "xdg_wm_base", "wl_seat" };
        static const uint32_t versions[] = { 5, 1, 1, 1, 1, 5, 7 };
        static const struct {
                uint32_t name, id;
        } binds[] = { { 1, COMPOSITOR }, { 6, WM_BASE }, { 3, SHM }, { 7, SEAT },
                { 5, DECORATION_MANAGER } };

        for (size_t i = 0; i < ELEMENTSOF(globals); i++)
                EVENT(fx, fx->f.frame.registry, WL_REGISTRY_GLOBAL, "usu", (uint32_t) i + 1,
                                globals[i], versions[i]);
        assert_true(fx->f.frame.compositor && fx->f.frame.subcompositor && fx->f.frame.buffer &&
                        fx->f.frame.decoration_manager);
        assert_true(!fx->f.frame.viewporter == !fx->f.frame.viewporter_allowed);
        assert_int_equal(fx->f.frame.fds_wanted, 1); /* the colour's memfd, once */
        fx->f.frame.fds_wanted = 0;

        REQUEST(fx, WIRE_DISPLAY_ID, WL_DISPLAY_GET_REGISTRY, "n", REGISTRY);
        for (size_t i = 0; i < ELEMENTSOF(globals); i++)
                EVENT(fx, up_id(fx, REGISTRY), WL_REGISTRY_GLOBAL, "usu", (uint32_t) i + 1,
                                globals[i], versions[i]);
        for (size_t i = 0; i < ELEMENTSOF(binds); i++) {
                uint32_t n = binds[i].name;

                REQUEST(fx, REGISTRY, WL_REGISTRY_BIND, "usun", n, globals[n - 1], n == 7 ? 5u : 1u,
                                binds[i].id);
        }
        REQUEST(fx, COMPOSITOR, WL_COMPOSITOR_CREATE_SURFACE, "n", SURFACE);
        REQUEST(fx, WM_BASE, XDG_WM_BASE_GET_XDG_SURFACE, "no", XDG_SURFACE, SURFACE);
        REQUEST(fx, XDG_SURFACE, XDG_SURFACE_GET_TOPLEVEL, "n", TOPLEVEL);
}

static void test_frame_makes_four_strips_on_the_window_surface(void **state) {
        Fixture *fx = *state;
        const FrameToplevel *t;
        const uint8_t *p;
        WireHeader h;
        size_t subsurfaces = 0;

        toplevel(fx);
        assert_int_equal(fx->f.frame.n_toplevels, 1);
        t = &fx->f.frame.toplevels[0];
        /* the toplevel first, then the strips, then its title and app_id */
        p = nth(&fx->up, 0, &h);
        assert_int_equal(h.object, up_id(fx, XDG_SURFACE));
        assert_int_equal(arg(p, 0), up_id(fx, TOPLEVEL));
        for (size_t i = 0; (p = nth(&fx->up, i, &h)); i++)
                if (h.object == fx->f.frame.subcompositor &&
                                h.opcode == WL_SUBCOMPOSITOR_GET_SUBSURFACE) {
                        assert_int_equal(arg(p, 1), t->strip_surface[subsurfaces]);
                        assert_int_equal(arg(p, 2), up_id(fx, SURFACE));
                        subsurfaces++;
                }
        assert_int_equal(subsurfaces, _FRAME_STRIPS);
        assert_non_null(find(&fx->up, t->strip_surface[0], WL_SURFACE_ATTACH));
        assert_int_equal(arg(find(&fx->up, t->strip_surface[0], WL_SURFACE_ATTACH), 0),
                        fx->f.frame.buffer);
        p = find(&fx->up, up_id(fx, TOPLEVEL), XDG_TOPLEVEL_SET_APP_ID);
        assert_non_null(p);
        assert_string_equal((const char *) p + 12, "vmsilo-gui");
        /* the guest's ids were dense, the compositor's are too, after the fence's own */
        assert_true(up_id(fx, TOPLEVEL) > fx->f.frame.decoration_manager);
}

static void test_frame_geometry_includes_it_and_configure_excludes_it(void **state) {
        Fixture *fx = *state;
        const FrameToplevel *t;
        const uint8_t *p;

        toplevel(fx);
        t = &fx->f.frame.toplevels[0];
        /* the initial commit: server-side decorations asked for, no geometry yet */
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        p = find(&fx->up, fx->f.frame.decoration_manager,
                        ZXDG_DECORATION_MANAGER_V1_GET_TOPLEVEL_DECORATION);
        assert_non_null(p);
        assert_int_equal(arg(p, 1), up_id(fx, TOPLEVEL));
        assert_int_equal(arg(find(&fx->up, t->decoration, ZXDG_TOPLEVEL_DECORATION_V1_SET_MODE), 0),
                        ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
        assert_null(find(&fx->up, up_id(fx, XDG_SURFACE), XDG_SURFACE_SET_WINDOW_GEOMETRY));

        EVENT(fx, up_id(fx, TOPLEVEL), XDG_TOPLEVEL_CONFIGURE, "iiu", 800, 600,
                        0 /* states: an empty array */);
        p = nth(&fx->down, 0, &(WireHeader){});
        assert_int_equal(wire_read_u32(p), TOPLEVEL);
        assert_int_equal(arg(p, 0), 792);
        assert_int_equal(arg(p, 1), 592);

        REQUEST(fx, SHM, WL_SHM_CREATE_POOL, "nhi", POOL, 792 * 592 * 4);
        REQUEST(fx, POOL, WL_SHM_POOL_CREATE_BUFFER, "niiiiu", BUFFER, 0, 792, 592, 792 * 4, 1);
        REQUEST(fx, SURFACE, WL_SURFACE_ATTACH, "oii", BUFFER, 0, 0);
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        p = find(&fx->up, up_id(fx, XDG_SURFACE), XDG_SURFACE_SET_WINDOW_GEOMETRY);
        assert_non_null(p);
        assert_int_equal((int32_t) arg(p, 0), -4);
        assert_int_equal((int32_t) arg(p, 1), -4);
        assert_int_equal(arg(p, 2), 800);
        assert_int_equal(arg(p, 3), 600);
        /* the strips move with it, before the commit that applies it all */
        p = find(&fx->up, t->strip_subsurface[FRAME_RIGHT], WL_SUBSURFACE_SET_POSITION);
        assert_int_equal(arg(p, 0), 792);
        assert_int_equal((int32_t) arg(p, 1), -4);
        p = find(&fx->up, t->strip_viewport[FRAME_RIGHT], WP_VIEWPORT_SET_DESTINATION);
        assert_int_equal(arg(p, 0), 4);
        assert_int_equal(arg(p, 1), 596);
        assert_true(find(&fx->up, up_id(fx, SURFACE), WL_SURFACE_COMMIT) >
                        find(&fx->up, up_id(fx, XDG_SURFACE), XDG_SURFACE_SET_WINDOW_GEOMETRY));

        /* client-side decorations: the geometry the guest sets, framed; never sent as is */
        REQUEST(fx, XDG_SURFACE, XDG_SURFACE_SET_WINDOW_GEOMETRY, "iiii", 20, 20, 700, 500);
        assert_int_equal(count(&fx->up), 0);
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        p = find(&fx->up, up_id(fx, XDG_SURFACE), XDG_SURFACE_SET_WINDOW_GEOMETRY);
        assert_int_equal(arg(p, 0), 16);
        assert_int_equal(arg(p, 2), 708);
        /* the same again: nothing to move */
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        assert_int_equal(count(&fx->up), 1);
}

/* The buffer strip s was given by the last messages up: made in the pool with the expected size
 * (offset 0, stride its width) and attached to the strip. */
static uint32_t strip_buffer(Fixture *fx, FrameStrip s, int32_t width, int32_t height) {
        const FrameToplevel *t = &fx->f.frame.toplevels[0];
        const uint8_t *attach = find(&fx->up, t->strip_surface[s], WL_SURFACE_ATTACH), *p;
        WireHeader h;

        assert_non_null(attach);
        assert_int_equal(arg(attach, 0), t->strip_buffer[s]);
        for (size_t i = 0; (p = nth(&fx->up, i, &h)); i++)
                if (h.object == fx->f.frame.pool && h.opcode == WL_SHM_POOL_CREATE_BUFFER &&
                                arg(p, 0) == arg(attach, 0))
                        break;
        assert_non_null(p);
        assert_true(p < attach);
        assert_int_equal(arg(p, 1), 0);
        assert_int_equal(arg(p, 2), width);
        assert_int_equal(arg(p, 3), height);
        assert_int_equal(arg(p, 4), width * 4);
        return arg(attach, 0);
}

static void test_frame_without_viewporter_sizes_a_buffer_per_strip(void **state) {
        Fixture *fx = *state;
        const FrameToplevel *t;
        uint32_t top, right;

        toplevel(fx);
        t = &fx->f.frame.toplevels[0];
        assert_int_equal(fx->f.frame.viewporter, 0);
        assert_null(find(&fx->up, t->strip_surface[0], WL_SURFACE_ATTACH)); /* no size yet */
        map(fx);                                                            /* 300×200 */
        top = strip_buffer(fx, FRAME_TOP, 304, 4);
        right = strip_buffer(fx, FRAME_RIGHT, 4, 204);
        assert_null(find(&fx->up, top, WL_BUFFER_DESTROY));
        /* the same size: nothing new */
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        assert_int_equal(count(&fx->up), 1);
        /* taller: the side strips get new buffers, the old ones go after the window's commit */
        REQUEST(fx, POOL, WL_SHM_POOL_CREATE_BUFFER, "niiiiu", BUFFER + 100, 0, 300, 250, 1200, 1);
        REQUEST(fx, SURFACE, WL_SURFACE_ATTACH, "oii", BUFFER + 100, 0, 0);
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        assert_null(find(&fx->up, t->strip_surface[FRAME_TOP], WL_SURFACE_ATTACH));
        assert_int_equal(t->strip_buffer[FRAME_TOP], top);
        assert_int_not_equal(strip_buffer(fx, FRAME_RIGHT, 4, 254), right);
        /* only once the window's commit has made the new one current */
        assert_true(find(&fx->up, right, WL_BUFFER_DESTROY) >
                        find(&fx->up, up_id(fx, SURFACE), WL_SURFACE_COMMIT));
        /* huge: the buffer stops at FRAME_STRIP_LENGTH_MAX, inside the pool */
        REQUEST(fx, XDG_SURFACE, XDG_SURFACE_SET_WINDOW_GEOMETRY, "iiii", 0, 0, 20000, 100);
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        assert_non_null(find(&fx->up, top, WL_BUFFER_DESTROY));
        top = strip_buffer(fx, FRAME_TOP, FRAME_STRIP_LENGTH_MAX, 4);
        assert_true((size_t) FRAME_STRIP_LENGTH_MAX * WIDTH * 4 <= frame_pool_size(WIDTH));
        /* the toplevel goes: its buffers too */
        REQUEST(fx, TOPLEVEL, XDG_TOPLEVEL_DESTROY, "");
        assert_non_null(find(&fx->up, top, WL_BUFFER_DESTROY));
}

/* A mapped window, and the guest's pointer entering strip s at (x, y): returns that strip. */
static uint32_t pointer_on_strip(Fixture *fx, FrameStrip s, int x, int y) {
        uint32_t strip;

        toplevel(fx);
        map(fx);
        strip = fx->f.frame.toplevels[0].strip_surface[s];
        REQUEST(fx, SEAT, WL_SEAT_GET_POINTER, "n", POINTER);
        EVENT(fx, up_id(fx, POINTER), WL_POINTER_ENTER, "uoff", 10, strip, wl_fixed_from_int(x),
                        wl_fixed_from_int(y));
        return strip;
}

static void test_frame_pointer_events_over_it_never_reach_the_guest(void **state) {
        Fixture *fx = *state;
        uint32_t strip = pointer_on_strip(fx, FRAME_LEFT, 2, 100);
        const uint8_t *p;

        assert_int_equal(count(&fx->down), 0);
        EVENT(fx, up_id(fx, POINTER), WL_POINTER_MOTION, "uff", 11, wl_fixed_from_int(2),
                        wl_fixed_from_int(120));
        assert_int_equal(count(&fx->down), 0);
        /* a press moves the window, with the guest's seat and the press's serial */
        EVENT(fx, up_id(fx, POINTER), WL_POINTER_BUTTON, "uuuu", 12, 13, 0x110,
                        WL_POINTER_BUTTON_STATE_PRESSED);
        assert_int_equal(count(&fx->down), 0);
        p = find(&fx->up, up_id(fx, TOPLEVEL), XDG_TOPLEVEL_MOVE);
        assert_non_null(p);
        assert_int_equal(arg(p, 0), up_id(fx, SEAT));
        assert_int_equal(arg(p, 1), 12);
        EVENT(fx, up_id(fx, POINTER), WL_POINTER_LEAVE, "uo", 14, strip);
        assert_int_equal(count(&fx->down), 0);
        /* on the window itself, events pass, in the guest's ids */
        EVENT(fx, up_id(fx, POINTER), WL_POINTER_ENTER, "uoff", 15, up_id(fx, SURFACE), 0, 0);
        p = nth(&fx->down, 0, &(WireHeader){});
        assert_non_null(p);
        assert_int_equal(wire_read_u32(p), POINTER);
        assert_int_equal(arg(p, 1), SURFACE);
        EVENT(fx, up_id(fx, POINTER), WL_POINTER_BUTTON, "uuuu", 16, 17, 0x110,
                        WL_POINTER_BUTTON_STATE_PRESSED);
        assert_int_equal(count(&fx->down), 1);
        assert_int_equal(count(&fx->up), 0);
}

static void test_frame_a_press_on_a_corner_resizes(void **state) {
        Fixture *fx = *state;
        const uint8_t *p;

        /* the bottom strip starts at the window's left edge and ends past its right one */
        pointer_on_strip(fx, FRAME_BOTTOM, 302, 1);
        EVENT(fx, up_id(fx, POINTER), WL_POINTER_BUTTON, "uuuu", 12, 13, 0x110,
                        WL_POINTER_BUTTON_STATE_PRESSED);
        p = find(&fx->up, up_id(fx, TOPLEVEL), XDG_TOPLEVEL_RESIZE);
        assert_non_null(p);
        assert_int_equal(arg(p, 2), XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM_RIGHT);
}

static void test_frame_decorations_are_server_side_whatever_the_guest_asks(void **state) {
        Fixture *fx = *state;
        uint32_t own;
        const uint8_t *p;

        toplevel(fx);
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        own = fx->f.frame.toplevels[0].decoration;
        assert_true(own != 0);
        /* the guest's own decoration object replaces the fence's */
        REQUEST(fx, DECORATION_MANAGER, ZXDG_DECORATION_MANAGER_V1_GET_TOPLEVEL_DECORATION, "no",
                        DECORATION, TOPLEVEL);
        assert_non_null(find(&fx->up, own, ZXDG_TOPLEVEL_DECORATION_V1_DESTROY));
        assert_int_equal(arg(find(&fx->up, up_id(fx, DECORATION),
                                             ZXDG_TOPLEVEL_DECORATION_V1_SET_MODE),
                                         0),
                        ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
        REQUEST(fx, DECORATION, ZXDG_TOPLEVEL_DECORATION_V1_SET_MODE, "u",
                        ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE);
        assert_int_equal(count(&fx->up), 1);
        p = nth(&fx->up, 0, &(WireHeader){});
        assert_int_equal(arg(p, 0), ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
        REQUEST(fx, DECORATION, ZXDG_TOPLEVEL_DECORATION_V1_UNSET_MODE, "");
        assert_int_equal(arg(nth(&fx->up, 0, &(WireHeader){}), 0),
                        ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
        /* the fence's own decoration is gone: its delete_id stays with the fence */
        EVENT(fx, WIRE_DISPLAY_ID, WL_DISPLAY_DELETE_ID, "u", own);
        assert_int_equal(count(&fx->down), 0);
}

static void test_frame_popups_open_where_the_guest_asked(void **state) {
        Fixture *fx = *state;
        const uint8_t *p;
        WireHeader h;

        toplevel(fx);
        map(fx);
        REQUEST(fx, WM_BASE, XDG_WM_BASE_CREATE_POSITIONER, "n", POSITIONER);
        REQUEST(fx, POSITIONER, XDG_POSITIONER_SET_ANCHOR_RECT, "iiii", 10, 20, 30, 40);
        REQUEST(fx, COMPOSITOR, WL_COMPOSITOR_CREATE_SURFACE, "n", POPUP_SURFACE);
        REQUEST(fx, WM_BASE, XDG_WM_BASE_GET_XDG_SURFACE, "no", POPUP_XDG_SURFACE, POPUP_SURFACE);
        /* the anchor is relative to the parent's geometry, which the frame moved by -4, -4 */
        REQUEST(fx, POPUP_XDG_SURFACE, XDG_SURFACE_GET_POPUP, "noo", POPUP, XDG_SURFACE,
                        POSITIONER);
        assert_int_equal(count(&fx->up), 3);
        p = nth(&fx->up, 0, &h);
        assert_int_equal(h.object, up_id(fx, POSITIONER));
        assert_int_equal(h.opcode, XDG_POSITIONER_SET_ANCHOR_RECT);
        assert_int_equal(arg(p, 0), 14);
        assert_int_equal(arg(p, 1), 24);
        nth(&fx->up, 1, &h);
        assert_int_equal(h.opcode, XDG_SURFACE_GET_POPUP);
        p = nth(&fx->up, 2, &h);
        assert_int_equal(arg(p, 0), 10); /* the guest's positioner as it was, for its next use */
        EVENT(fx, up_id(fx, POPUP), XDG_POPUP_CONFIGURE, "iiii", 50, 60, 30, 40);
        p = nth(&fx->down, 0, &h);
        assert_int_equal(arg(p, 0), 46);
        assert_int_equal(arg(p, 1), 56);
        assert_int_equal(arg(p, 2), 30);
        /* a popup of the popup: its parent has no frame */
        REQUEST(fx, POPUP_XDG_SURFACE, XDG_SURFACE_GET_POPUP, "noo", POPUP + 1, POPUP_XDG_SURFACE,
                        POSITIONER);
        assert_int_equal(count(&fx->up), 1);
}

static void test_frame_ignores_absurd_geometries(void **state) {
        Fixture *fx = *state;

        toplevel(fx);
        map(fx);
        REQUEST(fx, XDG_SURFACE, XDG_SURFACE_SET_WINDOW_GEOMETRY, "iiii", INT32_MAX - 1, 0,
                        INT32_MAX, 10);
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        /* the commit goes on; the frame stays where it was */
        assert_int_equal(count(&fx->up), 1);
        REQUEST(fx, WM_BASE, XDG_WM_BASE_CREATE_POSITIONER, "n", POSITIONER);
        REQUEST(fx, POSITIONER, XDG_POSITIONER_SET_ANCHOR_RECT, "iiii", INT32_MAX, INT32_MAX, 1, 1);
        REQUEST(fx, COMPOSITOR, WL_COMPOSITOR_CREATE_SURFACE, "n", POPUP_SURFACE);
        REQUEST(fx, WM_BASE, XDG_WM_BASE_GET_XDG_SURFACE, "no", POPUP_XDG_SURFACE, POPUP_SURFACE);
        REQUEST(fx, POPUP_XDG_SURFACE, XDG_SURFACE_GET_POPUP, "noo", POPUP, XDG_SURFACE,
                        POSITIONER);
        assert_int_equal(arg(nth(&fx->up, 0, &(WireHeader){}), 0), (uint32_t) INT32_MAX + 4);
}

static void test_frame_too_many_toplevels_are_cut(void **state) {
        Fixture *fx = *state;
        uint32_t id = 100;
        uint8_t b[64];
        int n;

        toplevel(fx);
        for (size_t i = 1; i < FRAME_TOPLEVELS_MAX; i++, id += 3) {
                REQUEST(fx, COMPOSITOR, WL_COMPOSITOR_CREATE_SURFACE, "n", id);
                REQUEST(fx, WM_BASE, XDG_WM_BASE_GET_XDG_SURFACE, "no", id + 1, id);
                REQUEST(fx, id + 1, XDG_SURFACE_GET_TOPLEVEL, "n", id + 2);
        }
        assert_int_equal(fx->f.frame.n_toplevels, FRAME_TOPLEVELS_MAX);
        REQUEST(fx, COMPOSITOR, WL_COMPOSITOR_CREATE_SURFACE, "n", id);
        REQUEST(fx, WM_BASE, XDG_WM_BASE_GET_XDG_SURFACE, "no", id + 1, id);
        n = wire_encode(b, sizeof(b), id + 1, XDG_SURFACE_GET_TOPLEVEL, "n", id + 2);
        assert_int_equal(run(fx, true, b, n), -EMFILE);
        assert_string_equal(fx->reason, "too many toplevels, positioners or objects");
}

static void test_frame_goes_with_its_toplevel(void **state) {
        Fixture *fx = *state;
        FrameToplevel t;

        toplevel(fx);
        REQUEST(fx, SURFACE, WL_SURFACE_COMMIT, "");
        t = fx->f.frame.toplevels[0];
        REQUEST(fx, TOPLEVEL, XDG_TOPLEVEL_DESTROY, "");
        assert_int_equal(fx->f.frame.n_toplevels, 0);
        assert_non_null(find(&fx->up, t.decoration, ZXDG_TOPLEVEL_DECORATION_V1_DESTROY));
        for (size_t s = 0; s < _FRAME_STRIPS; s++) {
                assert_non_null(find(&fx->up, t.strip_surface[s], WL_SURFACE_DESTROY));
                assert_non_null(find(&fx->up, t.strip_subsurface[s], WL_SUBSURFACE_DESTROY));
                assert_non_null(find(&fx->up, t.strip_viewport[s], WP_VIEWPORT_DESTROY));
        }
        /* the guest's delete_id comes through in its own ids */
        EVENT(fx, WIRE_DISPLAY_ID, WL_DISPLAY_DELETE_ID, "u", up_id(fx, TOPLEVEL));
        assert_int_equal(arg(nth(&fx->down, 0, &(WireHeader){}), 0), TOPLEVEL);
}

static void test_frame_an_event_naming_an_unknown_object_is_refused(void **state) {
        Fixture *fx = *state;
        uint8_t b[64];
        int n;

        toplevel(fx);
        REQUEST(fx, SEAT, WL_SEAT_GET_POINTER, "n", POINTER);
        n = wire_encode(b, sizeof(b), up_id(fx, POINTER), WL_POINTER_ENTER, "uoff", 1, 999, 0, 0);
        assert_int_equal(run(fx, false, b, n), -ENOENT);
        n = wire_encode(b, sizeof(b), up_id(fx, SURFACE), WL_SURFACE_ATTACH, "oii", 999, 0, 0);
        assert_int_equal(run(fx, true, b, n), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_frame_strips_cover_the_ring_once),
                cmocka_unit_test(test_frame_inner_size_leaves_room_and_zero),
                cmocka_unit_test(test_frame_edges_corners_resize_sides_move),
                cmocka_unit_test_setup_teardown(
                                test_frame_without_viewporter_sizes_a_buffer_per_strip,
                                setup_without_viewporter, teardown),
                cmocka_unit_test_setup_teardown(test_frame_makes_four_strips_on_the_window_surface,
                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_frame_geometry_includes_it_and_configure_excludes_it, setup,
                                teardown),
                cmocka_unit_test_setup_teardown(
                                test_frame_pointer_events_over_it_never_reach_the_guest, setup,
                                teardown),
                cmocka_unit_test_setup_teardown(
                                test_frame_a_press_on_a_corner_resizes, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_frame_decorations_are_server_side_whatever_the_guest_asks,
                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_frame_popups_open_where_the_guest_asked, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_frame_ignores_absurd_geometries, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_frame_too_many_toplevels_are_cut, setup, teardown),
                cmocka_unit_test_setup_teardown(test_frame_goes_with_its_toplevel, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_frame_an_event_naming_an_unknown_object_is_refused, setup,
                                teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

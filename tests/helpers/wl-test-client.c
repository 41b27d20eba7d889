/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wl-test-client.c: a small Wayland client for the tests (host, or later inside a guest): maps one
 * xdg_toplevel filled with a solid colour, titled as asked, and logs one line per fact the tests
 * check, to --log (default stdout):
 *   global <interface> <version>     each global offered
 *   globals done                     after the first roundtrip
 *   configure <width> <height>       each toplevel configure; a buffer of that size follows
 *   key <keysym name> pressed|released
 *   button <x> <y> pressed|released  a pointer button, at surface-local x, y
 *   roundtrip                        after one, asked for with SIGUSR1
 *   closed | error <text>            and exits (0 on close, 1 on error)
 * --title-times N sends the title N times (the wire allows ~4 KiB per message, not per title).
 * --shadow N draws client-side decorations' way: a translucent black margin of N pixels around
 * the content, outside the window geometry it sets (xdg_surface.set_window_geometry).
 * --decoration client|server asks zxdg_decoration_manager_v1 for that mode.
 * --set-selection TEXT: at the first keyboard enter, sets the selection (text/plain;charset=utf-8
 * and text/plain) with the enter's serial and serves TEXT to whoever asks; logs "selection set".
 * Every wl_data_device.selection is logged: "selection offer <first mime type>" or
 * "selection none"; "selection served" each time the source is read; "drag enter" when a drag
 * enters its surface.
 * --repeat N serves TEXT N times over (a selection of megabytes); --spam-types N offers N
 * made-up mime types before the text ones.
 * --read-selection FILE: reads each selection offered (as text/plain;charset=utf-8) into FILE
 * (replaced) and logs "selection read <bytes>"; the previous offer is destroyed, as toolkits do.
 * --frames N (the benchmark): once configured, commits N full-damage frames, each followed by a
 * roundtrip, and logs "frames <N> usec <time taken>".
 * Built on libwayland-client, xdg-shell (scanner code) and libxkbcommon. Not installed. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>

#include "xdg-decoration-client-protocol.h"
#include "xdg-shell-client-protocol.h"

static const char *arg_title = NULL;
static const char *arg_app_id = "wl-test-client";
static unsigned arg_title_times = 1;
static uint32_t arg_color = 0x3366cc;
static int32_t arg_width = 320, arg_height = 240;
static int32_t arg_shadow = 0;
static int arg_decoration = 0; /* ZXDG_TOPLEVEL_DECORATION_V1_MODE_*, 0: do not ask */
static unsigned arg_frames = 0;
static const char *arg_selection = NULL;
static const char *arg_read_selection = NULL;
static unsigned long arg_repeat = 1, arg_spam_types = 0;
static bool configured = false, keep_buffers = false, selection_set = false;
static FILE *log_file;

static struct wl_display *the_display; /* for read_selection() */
static struct wl_data_offer *selection_offer;
static struct wl_compositor *compositor;
static struct wl_shm *shm;
static struct xdg_wm_base *wm_base;
static struct wl_seat *seat;
static struct wl_data_device_manager *data_device_manager;
static struct wl_data_device *data_device;
static char offered_type[128];
static struct wl_keyboard *keyboard;
static struct wl_pointer *pointer;
static wl_fixed_t pointer_x, pointer_y;
static struct zxdg_decoration_manager_v1 *decoration_manager;
static struct wl_surface *surface;
static struct xdg_surface *xdg_surface;
static struct xdg_toplevel *toplevel;
static struct wl_buffer *buffer;
static struct xkb_context *xkb;
static struct xkb_keymap *keymap;
static struct xkb_state *xkb_state;
static int32_t pending_width, pending_height;
static bool running = true, closed = false;
static volatile sig_atomic_t roundtrip_requested = 0;

static void logf_(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vfprintf(log_file, format, ap);
        va_end(ap);
        fputc('\n', log_file);
        fflush(log_file);
}

static void buffer_release(void *data, struct wl_buffer *b) {
        if (keep_buffers)
                return;
        wl_buffer_destroy(b);
        if (b == buffer)
                buffer = NULL;
}
static const struct wl_buffer_listener buffer_listener = { .release = buffer_release };

/* A new buffer of the colour, in a memfd the compositor maps: width × height of content inside a
 * --shadow margin. */
static struct wl_buffer *draw(int32_t content_width, int32_t content_height) {
        int32_t width = content_width + 2 * arg_shadow, height = content_height + 2 * arg_shadow;
        size_t stride = (size_t) width * 4, size = stride * (size_t) height;
        struct wl_shm_pool *pool;
        struct wl_buffer *b;
        uint32_t *pixels;
        int fd;

        fd = memfd_create("wl-test-client", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, (off_t) size) < 0)
                return NULL;
        pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (pixels == MAP_FAILED) {
                close(fd);
                return NULL;
        }
        for (int32_t y = 0; y < height; y++)
                for (int32_t x = 0; x < width; x++) {
                        bool content = x >= arg_shadow && x < width - arg_shadow &&
                                       y >= arg_shadow && y < height - arg_shadow;

                        /* premultiplied: a quarter-opaque black shadow */
                        pixels[(size_t) y * (size_t) width + (size_t) x] =
                                        content ? 0xff000000u | arg_color : 0x40000000u;
                }
        munmap(pixels, size);
        pool = wl_shm_create_pool(shm, fd, (int32_t) size);
        b = wl_shm_pool_create_buffer(pool, 0, width, height, (int32_t) stride,
                        arg_shadow > 0 ? WL_SHM_FORMAT_ARGB8888 : WL_SHM_FORMAT_XRGB8888);
        wl_shm_pool_destroy(pool);
        close(fd);
        wl_buffer_add_listener(b, &buffer_listener, NULL);
        return b;
}

static void xdg_surface_configure(void *data, struct xdg_surface *s, uint32_t serial) {
        int32_t width = pending_width > 0 ? pending_width : arg_width;
        int32_t height = pending_height > 0 ? pending_height : arg_height;

        xdg_surface_ack_configure(s, serial);
        logf_("configure %d %d", width, height);
        configured = true;
        if (buffer)
                wl_buffer_destroy(buffer);
        buffer = draw(width, height);
        if (!buffer) {
                logf_("error cannot make a buffer");
                exit(1);
        }
        if (arg_shadow > 0)
                xdg_surface_set_window_geometry(s, arg_shadow, arg_shadow, width, height);
        wl_surface_attach(surface, buffer, 0, 0);
        wl_surface_damage_buffer(surface, 0, 0, width + 2 * arg_shadow, height + 2 * arg_shadow);
        wl_surface_commit(surface);
}
static const struct xdg_surface_listener xdg_surface_listener = {
        .configure = xdg_surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *t, int32_t width, int32_t height,
                struct wl_array *states) {
        pending_width = width;
        pending_height = height;
}

static void toplevel_close(void *data, struct xdg_toplevel *t) {
        closed = true;
        running = false;
}
static const struct xdg_toplevel_listener toplevel_listener = {
        .configure = toplevel_configure,
        .close = toplevel_close,
};

static void wm_base_ping(void *data, struct xdg_wm_base *b, uint32_t serial) {
        xdg_wm_base_pong(b, serial);
}
static const struct xdg_wm_base_listener wm_base_listener = { .ping = wm_base_ping };

static void keyboard_keymap(
                void *data, struct wl_keyboard *k, uint32_t format, int32_t fd, uint32_t size) {
        char *map;

        if (format == WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1) {
                map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
                if (map != MAP_FAILED) {
                        xkb_state_unref(xkb_state);
                        xkb_keymap_unref(keymap);
                        keymap = xkb_keymap_new_from_string(xkb, map, XKB_KEYMAP_FORMAT_TEXT_V1,
                                        XKB_KEYMAP_COMPILE_NO_FLAGS);
                        xkb_state = keymap ? xkb_state_new(keymap) : NULL;
                        munmap(map, size);
                }
        }
        close(fd);
}

static void keyboard_key(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t time,
                uint32_t key, uint32_t state) {
        const char *how = state == WL_KEYBOARD_KEY_STATE_PRESSED ? "pressed" : "released";
        char name[64] = "unknown";

        if (xkb_state)
                xkb_keysym_get_name(
                                xkb_state_key_get_one_sym(xkb_state, key + 8), name, sizeof(name));
        logf_("key %s %s", name, how);
}

static void keyboard_modifiers(void *data, struct wl_keyboard *k, uint32_t serial,
                uint32_t depressed, uint32_t latched, uint32_t locked, uint32_t group) {
        if (xkb_state)
                xkb_state_update_mask(xkb_state, depressed, latched, locked, 0, 0, group);
}

static void source_target(void *data, struct wl_data_source *s, const char *mime_type) {
}
static void source_send(void *data, struct wl_data_source *s, const char *mime_type, int32_t fd) {
        size_t len = strlen(arg_selection), total = len * arg_repeat, done = 0;
        char *text = malloc(total ? total : 1);

        for (unsigned long i = 0; text && i < arg_repeat; i++)
                memcpy(text + i * len, arg_selection, len);
        while (text && done < total) { /* in big writes: megabytes in time for the fence */
                ssize_t n = write(fd, text + done, total - done);

                if (n <= 0)
                        break; /* the reader is gone */
                done += (size_t) n;
        }
        free(text);
        close(fd);
        logf_("selection served");
}
static void source_cancelled(void *data, struct wl_data_source *s) {
        wl_data_source_destroy(s);
}
static const struct wl_data_source_listener source_listener = {
        .target = source_target,
        .send = source_send,
        .cancelled = source_cancelled,
};

static void keyboard_enter(void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s,
                struct wl_array *keys) {
        struct wl_data_source *source;

        if (!arg_selection || selection_set || !data_device)
                return;
        source = wl_data_device_manager_create_data_source(data_device_manager);
        wl_data_source_add_listener(source, &source_listener, NULL);
        for (unsigned long i = 0; i < arg_spam_types; i++) {
                char type[64];

                snprintf(type, sizeof(type), "application/x-spam-%lu", i);
                wl_data_source_offer(source, type);
        }
        wl_data_source_offer(source, "text/plain;charset=utf-8");
        wl_data_source_offer(source, "text/plain");
        wl_data_device_set_selection(data_device, source, serial);
        selection_set = true;
        logf_("selection set");
}
static void keyboard_leave(
                void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s) {
}
static void keyboard_repeat_info(void *data, struct wl_keyboard *k, int32_t rate, int32_t delay) {
}
static const struct wl_keyboard_listener keyboard_listener = {
        .keymap = keyboard_keymap,
        .enter = keyboard_enter,
        .leave = keyboard_leave,
        .key = keyboard_key,
        .modifiers = keyboard_modifiers,
        .repeat_info = keyboard_repeat_info,
};

static void pointer_enter(void *data, struct wl_pointer *p, uint32_t serial, struct wl_surface *s,
                wl_fixed_t x, wl_fixed_t y) {
        pointer_x = x;
        pointer_y = y;
}
static void pointer_leave(void *data, struct wl_pointer *p, uint32_t serial, struct wl_surface *s) {
}
static void pointer_motion(
                void *data, struct wl_pointer *p, uint32_t time, wl_fixed_t x, wl_fixed_t y) {
        pointer_x = x;
        pointer_y = y;
}
static void pointer_button(void *data, struct wl_pointer *p, uint32_t serial, uint32_t time,
                uint32_t button, uint32_t state) {
        logf_("button %d %d %s", wl_fixed_to_int(pointer_x), wl_fixed_to_int(pointer_y),
                        state == WL_POINTER_BUTTON_STATE_PRESSED ? "pressed" : "released");
}
static void pointer_axis(
                void *data, struct wl_pointer *p, uint32_t time, uint32_t axis, wl_fixed_t value) {
}
static const struct wl_pointer_listener pointer_listener = {
        .enter = pointer_enter,
        .leave = pointer_leave,
        .motion = pointer_motion,
        .button = pointer_button,
        .axis = pointer_axis,
};

static void offer_offer(void *data, struct wl_data_offer *o, const char *mime_type) {
        if (!offered_type[0])
                snprintf(offered_type, sizeof(offered_type), "%s", mime_type);
}
static const struct wl_data_offer_listener offer_listener = { .offer = offer_offer };

static void device_data_offer(void *data, struct wl_data_device *d, struct wl_data_offer *o) {
        offered_type[0] = 0;
        wl_data_offer_add_listener(o, &offer_listener, NULL);
}
static void device_enter(void *data, struct wl_data_device *d, uint32_t serial,
                struct wl_surface *s, wl_fixed_t x, wl_fixed_t y, struct wl_data_offer *o) {
        logf_("drag enter");
}
static void device_leave(void *data, struct wl_data_device *d) {
}
static void device_motion(
                void *data, struct wl_data_device *d, uint32_t time, wl_fixed_t x, wl_fixed_t y) {
}
static void device_drop(void *data, struct wl_data_device *d) {
}
/* The offer's text, read until its end (5 s at most), into arg_read_selection. */
static void read_selection(struct wl_data_offer *o) {
        char buf[65536];
        size_t total = 0;
        int fds[2];
        FILE *f;

        if (pipe(fds) < 0)
                return;
        wl_data_offer_receive(o, "text/plain;charset=utf-8", fds[1]);
        close(fds[1]);
        (void) wl_display_flush(the_display);
        f = fopen(arg_read_selection, "we");
        for (;;) {
                struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
                ssize_t n;

                if (poll(&pfd, 1, 5000) <= 0)
                        break;
                n = read(fds[0], buf, sizeof(buf));
                if (n <= 0)
                        break;
                if (f)
                        fwrite(buf, 1, (size_t) n, f);
                total += (size_t) n;
        }
        close(fds[0]);
        if (f)
                fclose(f);
        logf_("selection read %zu", total);
}

static void device_selection(void *data, struct wl_data_device *d, struct wl_data_offer *o) {
        if (o)
                logf_("selection offer %s", offered_type[0] ? offered_type : "-");
        else
                logf_("selection none");
        if (selection_offer && selection_offer != o)
                wl_data_offer_destroy(selection_offer);
        selection_offer = o;
        if (o && arg_read_selection)
                read_selection(o);
}
static const struct wl_data_device_listener device_listener = {
        .data_offer = device_data_offer,
        .enter = device_enter,
        .leave = device_leave,
        .motion = device_motion,
        .drop = device_drop,
        .selection = device_selection,
};

static void seat_capabilities(void *data, struct wl_seat *s, uint32_t caps) {
        if ((caps & WL_SEAT_CAPABILITY_POINTER) && !pointer) {
                pointer = wl_seat_get_pointer(s);
                wl_pointer_add_listener(pointer, &pointer_listener, NULL);
        }
        if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && !keyboard) {
                keyboard = wl_seat_get_keyboard(s);
                wl_keyboard_add_listener(keyboard, &keyboard_listener, NULL);
        }
}
static void seat_name(void *data, struct wl_seat *s, const char *name) {
}
static const struct wl_seat_listener seat_listener = {
        .capabilities = seat_capabilities,
        .name = seat_name,
};

static void registry_global(void *data, struct wl_registry *r, uint32_t name, const char *interface,
                uint32_t version) {
        logf_("global %s %u", interface, version);
        if (strcmp(interface, wl_compositor_interface.name) == 0)
                compositor = wl_registry_bind(
                                r, name, &wl_compositor_interface, version < 4 ? version : 4);
        else if (strcmp(interface, wl_shm_interface.name) == 0)
                shm = wl_registry_bind(r, name, &wl_shm_interface, 1);
        else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
                wm_base = wl_registry_bind(r, name, &xdg_wm_base_interface, 1);
                xdg_wm_base_add_listener(wm_base, &wm_base_listener, NULL);
        } else if (strcmp(interface, zxdg_decoration_manager_v1_interface.name) == 0)
                decoration_manager =
                                wl_registry_bind(r, name, &zxdg_decoration_manager_v1_interface, 1);
        else if (strcmp(interface, wl_seat_interface.name) == 0 && !seat) {
                /* version 4: no wl_pointer.frame and axis details to listen for */
                seat = wl_registry_bind(r, name, &wl_seat_interface, version < 4 ? version : 4);
                wl_seat_add_listener(seat, &seat_listener, NULL);
        } else if (strcmp(interface, wl_data_device_manager_interface.name) == 0)
                data_device_manager = wl_registry_bind(r, name, &wl_data_device_manager_interface,
                                version < 3 ? version : 3);
}
static void registry_global_remove(void *data, struct wl_registry *r, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {
        .global = registry_global,
        .global_remove = registry_global_remove,
};

/* The benchmark: full-damage frames of the configured size, two buffers in turn. */
static void run_frames(struct wl_display *display) {
        int32_t width = pending_width > 0 ? pending_width : arg_width;
        int32_t height = pending_height > 0 ? pending_height : arg_height;
        struct wl_buffer *b[2];
        struct timespec start, end;

        keep_buffers = true;
        b[0] = draw(width, height);
        b[1] = draw(width, height);
        if (!b[0] || !b[1]) {
                logf_("error cannot make a buffer");
                exit(1);
        }
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (unsigned i = 0; i < arg_frames; i++) {
                wl_surface_attach(surface, b[i % 2], 0, 0);
                wl_surface_damage_buffer(surface, 0, 0, INT32_MAX, INT32_MAX);
                wl_surface_commit(surface);
                if (wl_display_roundtrip(display) < 0)
                        return;
        }
        clock_gettime(CLOCK_MONOTONIC, &end);
        logf_("frames %u usec %lld", arg_frames,
                        (long long) (end.tv_sec - start.tv_sec) * 1000000 +
                                        (end.tv_nsec - start.tv_nsec) / 1000);
}

static void on_sigusr1(int sig) {
        roundtrip_requested = 1;
}

static int parse_argv(int argc, char **argv) {
        static const struct option options[] = {
                { "title", required_argument, NULL, 't' },
                { "title-times", required_argument, NULL, 'n' },
                { "app-id", required_argument, NULL, 'a' },
                { "color", required_argument, NULL, 'c' },
                { "size", required_argument, NULL, 's' },
                { "log", required_argument, NULL, 'l' },
                { "shadow", required_argument, NULL, 'S' },
                { "decoration", required_argument, NULL, 'd' },
                { "frames", required_argument, NULL, 'f' },
                { "set-selection", required_argument, NULL, 'C' },
                { "read-selection", required_argument, NULL, 'R' },
                { "repeat", required_argument, NULL, 'r' },
                { "spam-types", required_argument, NULL, 'T' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "t:n:a:c:s:l:S:d:f:C:R:r:T:h", options, NULL)) >= 0)
                switch (c) {
                case 't':
                        arg_title = optarg;
                        break;
                case 'n':
                        arg_title_times = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'a':
                        arg_app_id = optarg;
                        break;
                case 'c':
                        arg_color = (uint32_t) strtoul(optarg, NULL, 16) & 0xffffff;
                        break;
                case 's':
                        if (sscanf(optarg, "%dx%d", &arg_width, &arg_height) != 2 ||
                                        arg_width <= 0 || arg_height <= 0 || arg_width > 8192 ||
                                        arg_height > 8192)
                                return -EINVAL;
                        break;
                case 'S':
                        arg_shadow = (int32_t) strtol(optarg, NULL, 10);
                        if (arg_shadow < 0 || arg_shadow > 256)
                                return -EINVAL;
                        break;
                case 'C':
                        arg_selection = optarg;
                        break;
                case 'R':
                        arg_read_selection = optarg;
                        break;
                case 'r':
                        arg_repeat = strtoul(optarg, NULL, 10);
                        break;
                case 'T':
                        arg_spam_types = strtoul(optarg, NULL, 10);
                        break;
                case 'f':
                        arg_frames = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'd':
                        if (strcmp(optarg, "client") == 0)
                                arg_decoration = ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE;
                        else if (strcmp(optarg, "server") == 0)
                                arg_decoration = ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE;
                        else
                                return -EINVAL;
                        break;
                case 'l':
                        log_file = fopen(optarg, "ae");
                        if (!log_file)
                                return -errno;
                        break;
                case 'h':
                        printf("Usage: wl-test-client [--title T [--title-times N]] [--app-id ID] "
                               "[--color RRGGBB] [--size WxH] [--shadow N] "
                               "[--decoration client|server] [--frames N] [--set-selection TEXT "
                               "[--repeat N] [--spam-types N]] [--read-selection FILE] "
                               "[--log FILE]\n");
                        exit(0);
                default:
                        return -EINVAL;
                }
        return 0;
}

int main(int argc, char **argv) {
        struct wl_display *display;
        struct wl_registry *registry;

        log_file = stdout;
        if (parse_argv(argc, argv) < 0)
                return 2;
        signal(SIGUSR1, on_sigusr1);
        signal(SIGPIPE, SIG_IGN); /* a reader that stops early (the fence past 1 MiB) */
        xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
        display = the_display = wl_display_connect(NULL);
        if (!display) {
                logf_("error cannot connect: %s", strerror(errno));
                return 1;
        }
        registry = wl_display_get_registry(display);
        wl_registry_add_listener(registry, &registry_listener, NULL);
        wl_display_roundtrip(display);
        if (data_device_manager && seat) {
                data_device = wl_data_device_manager_get_data_device(data_device_manager, seat);
                wl_data_device_add_listener(data_device, &device_listener, NULL);
        }
        logf_("globals done");
        if (!compositor || !shm || !wm_base) {
                logf_("error missing wl_compositor, wl_shm or xdg_wm_base");
                return 1;
        }
        surface = wl_compositor_create_surface(compositor);
        xdg_surface = xdg_wm_base_get_xdg_surface(wm_base, surface);
        xdg_surface_add_listener(xdg_surface, &xdg_surface_listener, NULL);
        toplevel = xdg_surface_get_toplevel(xdg_surface);
        xdg_toplevel_add_listener(toplevel, &toplevel_listener, NULL);
        for (unsigned i = 0; arg_title && i < arg_title_times; i++) {
                struct pollfd pfd = { .fd = wl_display_get_fd(display), .events = POLLOUT };

                xdg_toplevel_set_title(toplevel, arg_title);
                /* libwayland 1.21 has a 4 KiB output buffer: empty it before the next title */
                while (wl_display_flush(display) < 0 && errno == EAGAIN)
                        (void) poll(&pfd, 1, 1000);
        }
        xdg_toplevel_set_app_id(toplevel, arg_app_id);
        if (arg_decoration && decoration_manager)
                zxdg_toplevel_decoration_v1_set_mode(
                                zxdg_decoration_manager_v1_get_toplevel_decoration(
                                                decoration_manager, toplevel),
                                (uint32_t) arg_decoration);
        wl_surface_commit(surface);

        while (running) {
                struct pollfd pfd = { .fd = wl_display_get_fd(display), .events = POLLIN };

                if (wl_display_dispatch_pending(display) < 0 || wl_display_flush(display) < 0)
                        break;
                if (arg_frames > 0 && configured) {
                        run_frames(display);
                        arg_frames = 0;
                }
                if (roundtrip_requested) {
                        roundtrip_requested = 0;
                        if (wl_display_roundtrip(display) < 0)
                                break;
                        logf_("roundtrip");
                }
                if (poll(&pfd, 1, 100) > 0 && wl_display_dispatch(display) < 0)
                        break;
        }
        if (closed) {
                logf_("closed");
                return 0;
        }
        logf_("error %s", strerror(wl_display_get_error(display)));
        return 1;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-filter.c: the fence's rules on whole conversations, one rule per test. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "filter.h"
#include "macro.h"
#include "wayland-client-protocol.h"
#include "wayland-msg.h"
#include "wayland-server-protocol.h"
#include "xdg-shell-client-protocol.h"

typedef struct Fixture {
        Filter filter;
        Buffer out;
        Buffer up; /* the frame's own requests in reply to events */
        const char *reason;
} Fixture;

static int setup(void **state) {
        static Fixture fx;

        fx = (Fixture){};
        assert_int_equal(filter_init(&fx.filter, "gui"), 0);
        *state = &fx;
        return 0;
}

static int teardown(void **state) {
        Fixture *fx = *state;

        filter_finish(&fx->filter);
        buffer_finish(&fx->out);
        buffer_finish(&fx->up);
        return 0;
}

/* Runs one message through; returns the filter's result, checking a success took it whole. */
static int run(Fixture *fx, bool request, Msg *m, size_t n_fds, size_t *ret_n_fds) {
        size_t len = msg_end(m), fds = 0;
        int r;

        buffer_consume(&fx->out, buffer_size(&fx->out));
        buffer_consume(&fx->up, buffer_size(&fx->up));
        r = request ? filter_request(&fx->filter, m->buf, len, n_fds, &fx->out, &fds, &fx->reason)
                    : filter_event(&fx->filter, m->buf, len, n_fds, &fx->out, &fx->up, &fds,
                                      &fx->reason);
        if (r >= 0)
                assert_int_equal(r, len);
        if (ret_n_fds)
                *ret_n_fds = fds;
        return r;
}

static int request(Fixture *fx, Msg *m) {
        return run(fx, true, m, 0, NULL);
}

static int event(Fixture *fx, Msg *m) {
        return run(fx, false, m, 0, NULL);
}

/* The forwarded message number i; asserts there are that many. */
static WireHeader out_message(Fixture *fx, size_t i, const uint8_t **ret_buf) {
        const uint8_t *p = fx->out.data + fx->out.start;
        size_t left = buffer_size(&fx->out);
        WireHeader h;

        for (;;) {
                assert_int_equal(wire_header_decode(p, left, &h), 0);
                assert_true(h.size <= left);
                if (i-- == 0)
                        break;
                p += h.size;
                left -= h.size;
        }
        if (ret_buf)
                *ret_buf = p;
        return h;
}

static void global(Fixture *fx, uint32_t name, const char *interface, uint32_t version) {
        Msg m;

        msg_begin(&m, 2, WL_REGISTRY_GLOBAL);
        msg_u32(&m, name);
        msg_str(&m, interface);
        msg_u32(&m, version);
        assert_int_equal(event(fx, &m), m.len);
}

static int bind(Fixture *fx, uint32_t name, const char *interface, uint32_t version, uint32_t id) {
        Msg m;

        msg_begin(&m, 2, WL_REGISTRY_BIND);
        msg_u32(&m, name);
        msg_str(&m, interface);
        msg_u32(msg_u32(&m, version), id);
        return request(fx, &m);
}

/* A request whose only argument is a new id; it must pass. */
static void create(Fixture *fx, uint32_t object, uint16_t opcode, uint32_t new_id) {
        Msg m;

        msg_begin(&m, object, opcode);
        msg_u32(&m, new_id);
        assert_int_equal(request(fx, &m), 12);
}

/* get_registry as object 2, and a compositor offering four globals, one of them hidden. */
static void registry(Fixture *fx) {
        Msg m;

        msg_begin(&m, 1, WL_DISPLAY_GET_REGISTRY);
        msg_u32(&m, 2);
        assert_int_equal(request(fx, &m), 12);
        global(fx, 1, "wl_compositor", 6);
        global(fx, 2, "zwlr_layer_shell_v1", 4);
        global(fx, 3, "xdg_wm_base", 5);
        global(fx, 4, "wl_shm", 1);
}

static void test_filter_hides_globals_outside_the_allowlist(void **state) {
        Fixture *fx = *state;
        const uint8_t *p;
        Msg m;

        registry(fx);
        msg_begin(&m, 2, WL_REGISTRY_GLOBAL);
        msg_u32(&m, 1);
        msg_str(&m, "wl_compositor");
        msg_u32(&m, 6);
        assert_int_equal(event(fx, &m), m.len);
        out_message(fx, 0, &p);
        assert_int_equal(wire_read_u32(p + m.len - 4), 5); /* capped */
        assert_int_equal(buffer_size(&fx->out), m.len);

        msg_begin(&m, 2, WL_REGISTRY_GLOBAL);
        msg_u32(&m, 9);
        msg_str(&m, "zwlr_screencopy_manager_v1");
        msg_u32(&m, 3);
        assert_int_equal(event(fx, &m), m.len);
        assert_int_equal(buffer_size(&fx->out), 0);

        msg_begin(&m, 2, WL_REGISTRY_GLOBAL_REMOVE);
        msg_u32(&m, 9);
        assert_int_equal(event(fx, &m), m.len);
        assert_int_equal(buffer_size(&fx->out), 0);
        msg_begin(&m, 2, WL_REGISTRY_GLOBAL_REMOVE);
        msg_u32(&m, 1);
        assert_int_equal(event(fx, &m), m.len);
        assert_int_equal(buffer_size(&fx->out), m.len);
}

static void test_filter_cuts_binds_of_hidden_unknown_or_newer_globals(void **state) {
        Fixture *fx = *state;

        registry(fx);
        assert_int_equal(bind(fx, 2, "zwlr_layer_shell_v1", 1, 3), -EPERM);
        assert_int_equal(bind(fx, 99, "wl_compositor", 1, 3), -EPERM);
        assert_int_equal(bind(fx, 1, "wl_shm", 1, 3), -EPERM);
        assert_int_equal(bind(fx, 1, "wl_compositor", 6, 3), -ERANGE);
        assert_non_null(fx->reason);
        assert_int_equal(bind(fx, 1, "wl_compositor", 5, 3), 0 + 8 + 4 + 20 + 8);
        assert_int_equal(buffer_size(&fx->out), 8 + 4 + 20 + 8);
}

/* Binds xdg_wm_base (3) and wl_compositor (4), makes surface 5, xdg_surface 6, toplevel 7. */
static void toplevel(Fixture *fx) {
        Msg m;

        registry(fx);
        assert_true(bind(fx, 3, "xdg_wm_base", 5, 3) > 0);
        assert_true(bind(fx, 1, "wl_compositor", 4, 4) > 0);
        create(fx, 4, WL_COMPOSITOR_CREATE_SURFACE, 5);
        msg_begin(&m, 3, XDG_WM_BASE_GET_XDG_SURFACE);
        msg_u32(msg_u32(&m, 6), 5);
        assert_true(request(fx, &m) > 0);
        msg_begin(&m, 6, XDG_SURFACE_GET_TOPLEVEL);
        msg_u32(&m, 7);
        assert_true(request(fx, &m) > 0);
}

static void assert_out_title(Fixture *fx, size_t i, const char *want) {
        const uint8_t *p;
        WireHeader h = out_message(fx, i, &p);

        assert_int_equal(h.object, 7);
        assert_int_equal(h.opcode, XDG_TOPLEVEL_SET_TITLE);
        assert_string_equal((const char *) p + 12, want);
}

static void test_filter_titles_a_new_toplevel_before_its_first_commit(void **state) {
        Fixture *fx = *state;

        toplevel(fx);
        assert_int_equal(out_message(fx, 0, NULL).opcode, XDG_SURFACE_GET_TOPLEVEL);
        assert_out_title(fx, 1, "[gui]");
}

static void test_filter_rewrites_every_title(void **state) {
        Fixture *fx = *state;
        Msg m;

        toplevel(fx);
        msg_begin(&m, 7, XDG_TOPLEVEL_SET_TITLE);
        msg_str(&m, "\xe2\x80\xae"
                    "evil\x1b\xff");
        assert_int_equal(request(fx, &m), m.len);
        assert_out_title(fx, 0, "[gui] evil\xef\xbf\xbd");

        /* a title as big as the wire allows still comes out within the limits */
        msg_begin(&m, 7, XDG_TOPLEVEL_SET_TITLE);
        {
                char big[WIRE_MESSAGE_MAX - 12];

                memset(big, 'x', sizeof(big) - 1);
                big[sizeof(big) - 1] = '\0';
                msg_str(&m, big);
        }
        assert_int_equal(request(fx, &m), WIRE_MESSAGE_MAX);
        assert_int_equal(out_message(fx, 0, NULL).size, 12 + ((6 + 256 + 1 + 3) & ~3));
}

static void test_filter_passes_fds_and_cuts_messages_missing_them(void **state) {
        Fixture *fx = *state;
        size_t n_fds = 99;
        Msg m;

        registry(fx);
        assert_true(bind(fx, 4, "wl_shm", 1, 3) > 0);
        msg_begin(&m, 3, WL_SHM_CREATE_POOL);
        msg_u32(msg_u32(&m, 4), 4096);
        assert_int_equal(run(fx, true, &m, 0, &n_fds), -EBADF);
        assert_int_equal(run(fx, true, &m, 3, &n_fds), m.len);
        assert_int_equal(n_fds, 1);
        assert_int_equal(buffer_size(&fx->out), m.len);
}

static void test_filter_cuts_an_object_flood(void **state) {
        Fixture *fx = *state;
        Msg m;

        for (uint32_t id = 2; id <= OBJECTS_MAX; id++)
                create(fx, 1, WL_DISPLAY_SYNC, id);
        msg_begin(&m, 1, WL_DISPLAY_SYNC);
        msg_u32(&m, OBJECTS_MAX + 1);
        assert_int_equal(request(fx, &m), -EMFILE);
}

static void test_filter_frees_ids_on_delete_id(void **state) {
        Fixture *fx = *state;
        Msg m;

        create(fx, 1, WL_DISPLAY_SYNC, 2);
        msg_begin(&m, 1, WL_DISPLAY_SYNC);
        msg_u32(&m, 2);
        assert_int_equal(request(fx, &m), -EEXIST);
        msg_begin(&m, 2, WL_CALLBACK_DONE);
        msg_u32(&m, 1234);
        assert_int_equal(event(fx, &m), 12);
        msg_begin(&m, 1, WL_DISPLAY_DELETE_ID);
        msg_u32(&m, 2);
        assert_int_equal(event(fx, &m), 12);
        assert_int_equal(buffer_size(&fx->out), 12);
        create(fx, 1, WL_DISPLAY_SYNC, 2);
}

static void test_filter_cuts_unknown_objects_opcodes_and_versions(void **state) {
        Fixture *fx = *state;
        Msg m;

        msg_begin(&m, 50, 0);
        assert_int_equal(request(fx, &m), -ENOENT);
        msg_begin(&m, 1, 9);
        assert_int_equal(request(fx, &m), -EPROTO);

        registry(fx);
        assert_true(bind(fx, 1, "wl_compositor", 3, 3) > 0);
        create(fx, 3, WL_COMPOSITOR_CREATE_SURFACE, 4);
        msg_begin(&m, 4, WL_SURFACE_DAMAGE_BUFFER); /* since 4; the surface is version 3 */
        msg_u32(msg_u32(msg_u32(msg_u32(&m, 0), 0), 1), 1);
        assert_int_equal(request(fx, &m), -EPROTO);
        msg_begin(&m, 3, WL_COMPOSITOR_CREATE_SURFACE); /* the compositor's own id range */
        msg_u32(&m, WIRE_SERVER_ID_START);
        assert_int_equal(request(fx, &m), -EINVAL);
}

static void test_filter_waits_for_whole_messages(void **state) {
        Fixture *fx = *state;
        size_t n_fds;
        Msg m;

        msg_begin(&m, 1, WL_DISPLAY_SYNC);
        msg_u32(&m, 2);
        msg_end(&m);
        for (size_t len = 0; len < 12; len++)
                assert_int_equal(filter_request(&fx->filter, m.buf, len, 0, &fx->out, &n_fds,
                                                 &fx->reason),
                                -EAGAIN);
        wire_write_u32(m.buf + 4, (WIRE_MESSAGE_MAX + 4) << 16);
        assert_int_equal(filter_request(&fx->filter, m.buf, 12, 0, &fx->out, &n_fds, &fx->reason),
                        -EMSGSIZE);
}

static void test_filter_dropped_messages_carry_no_fds_nor_client_ids(void **state) {
        const struct wl_interface *interfaces[] = { &wl_data_device_interface,
                &wl_data_offer_interface, &wl_data_source_interface };
        size_t dropped = 0;

        for (size_t i = 0; i < sizeof(interfaces) / sizeof(interfaces[0]); i++) {
                const struct wl_interface *it = interfaces[i];

                for (int op = 0; op < it->method_count; op++)
                        if (filter_drops_request(it, (uint16_t) op)) {
                                assert_null(strpbrk(it->methods[op].signature, "hn"));
                                dropped++;
                        }
                for (int op = 0; op < it->event_count; op++)
                        if (filter_drops_event(it, (uint16_t) op)) {
                                assert_null(strchr(it->events[op].signature, 'h'));
                                dropped++;
                        }
        }
        assert_int_equal(dropped, 2 + 6 + 3);
}

/* A data device manager (3), a seat (4), a data source (5) and a data device (6). */
static void data_device(Fixture *fx) {
        Msg m;

        registry(fx);
        global(fx, 5, "wl_data_device_manager", 3);
        global(fx, 6, "wl_seat", 7);
        assert_true(bind(fx, 5, "wl_data_device_manager", 3, 3) > 0);
        assert_true(bind(fx, 6, "wl_seat", 7, 4) > 0);
        create(fx, 3, WL_DATA_DEVICE_MANAGER_CREATE_DATA_SOURCE, 5);
        msg_begin(&m, 3, WL_DATA_DEVICE_MANAGER_GET_DATA_DEVICE);
        msg_u32(msg_u32(&m, 6), 4);
        assert_true(request(fx, &m) > 0);
        assert_int_equal(buffer_size(&fx->out), m.len);
}

/* The guest sets source 5 as its selection: nothing reaches the compositor. */
static void set_selection(Fixture *fx) {
        Msg m;

        msg_begin(&m, 6, WL_DATA_DEVICE_SET_SELECTION);
        msg_u32(msg_u32(&m, 5), 1);
        assert_int_equal(request(fx, &m), m.len);
        assert_int_equal(buffer_size(&fx->out), 0);
}

static void test_filter_isolates_the_clipboard(void **state) {
        Fixture *fx = *state;
        Msg m;

        data_device(fx);
        set_selection(fx);

        /* the host's selection: an offer, its types, then the selection event */
        msg_begin(&m, 6, WL_DATA_DEVICE_DATA_OFFER);
        msg_u32(&m, WIRE_SERVER_ID_START);
        assert_int_equal(event(fx, &m), m.len);
        msg_begin(&m, WIRE_SERVER_ID_START, WL_DATA_OFFER_OFFER);
        msg_str(&m, "text/plain");
        assert_int_equal(event(fx, &m), m.len);
        msg_begin(&m, 6, WL_DATA_DEVICE_SELECTION);
        msg_u32(&m, WIRE_SERVER_ID_START);
        assert_int_equal(event(fx, &m), m.len);
        assert_int_equal(buffer_size(&fx->out), 0);
}

/* The compositor announces the host's selection as offer WIRE_SERVER_ID_START (all dropped). */
static void host_offer(Fixture *fx) {
        Msg m;

        msg_begin(&m, 6, WL_DATA_DEVICE_DATA_OFFER);
        msg_u32(&m, WIRE_SERVER_ID_START);
        assert_int_equal(event(fx, &m), m.len);
        msg_begin(&m, 6, WL_DATA_DEVICE_SELECTION);
        msg_u32(&m, WIRE_SERVER_ID_START);
        assert_int_equal(event(fx, &m), m.len);
        assert_int_equal(buffer_size(&fx->out), 0);
}

/* wl_data_offer.receive(mime, fd) on offer. */
static int receive(Fixture *fx, uint32_t offer, size_t *ret_n_fds) {
        Msg m;

        msg_begin(&m, offer, WL_DATA_OFFER_RECEIVE);
        msg_str(&m, "text/plain");
        return run(fx, true, &m, 1, ret_n_fds);
}

static void test_filter_the_guest_cannot_name_the_compositors_offers(void **state) {
        Fixture *fx = *state;

        data_device(fx);
        host_offer(fx);
        /* the id is live upstream, but not in the guest's space: reading the host's selection
         * by guessing it cuts the guest */
        assert_int_equal(receive(fx, WIRE_SERVER_ID_START, NULL), -ENOENT);
}

static void test_filter_offers_the_paste_as_the_guests_selection(void **state) {
        Fixture *fx = *state;
        const uint8_t *buf;
        WireMessage msg;
        WireHeader h;
        size_t n_fds;
        Msg m;

        assert_int_equal(filter_offer_paste(&fx->filter, &fx->out), 0); /* no data device */
        data_device(fx);
        host_offer(fx);
        assert_int_equal(filter_offer_paste(&fx->filter, &fx->out), 1);
        /* a new offer in the guest's compositor range (its lowest id: the compositor's own
         * offer there is not the guest's), its text types, then the selection */
        h = out_message(fx, 0, &buf);
        assert_int_equal(h.object, 6);
        assert_int_equal(h.opcode, WL_DATA_DEVICE_DATA_OFFER);
        assert_int_equal(wire_read_u32(buf + 8), WIRE_SERVER_ID_START);
        for (size_t i = 0; i < ELEMENTSOF(filter_paste_types); i++) {
                h = out_message(fx, 1 + i, &buf);
                assert_int_equal(h.object, WIRE_SERVER_ID_START);
                assert_int_equal(h.opcode, WL_DATA_OFFER_OFFER);
                assert_int_equal(wire_message_decode(buf, &h,
                                                 &wl_data_offer_interface
                                                                  .events[WL_DATA_OFFER_OFFER],
                                                 &msg),
                                0);
                assert_string_equal(msg.args[0].str, filter_paste_types[i]);
        }
        h = out_message(fx, 4, &buf);
        assert_int_equal(h.object, 6);
        assert_int_equal(h.opcode, WL_DATA_DEVICE_SELECTION);
        assert_int_equal(wire_read_u32(buf + 8), WIRE_SERVER_ID_START);
        assert_int_equal(fx->filter.paste_offer, WIRE_SERVER_ID_START);

        /* the guest's receive stays with the fence, and so does its fd */
        assert_true(receive(fx, WIRE_SERVER_ID_START, &n_fds) > 0);
        assert_int_equal(n_fds, 1);
        assert_int_equal(buffer_size(&fx->out), 0);
        assert_int_equal(fx->filter.receive_offer, WIRE_SERVER_ID_START);
        fx->filter.receive_offer = 0;

        /* a selection of the guest's own ends the paste */
        set_selection(fx);
        assert_int_equal(fx->filter.paste_offer, 0);
        /* a second paste takes the next id; once the guest destroys the first, it is reused */
        assert_int_equal(filter_offer_paste(&fx->filter, &fx->out), 1);
        assert_int_equal(fx->filter.paste_offer, WIRE_SERVER_ID_START + 1);
        msg_begin(&m, WIRE_SERVER_ID_START, WL_DATA_OFFER_DESTROY);
        assert_int_equal(request(fx, &m), m.len);
        assert_int_equal(buffer_size(&fx->out), 0);
        assert_int_equal(receive(fx, WIRE_SERVER_ID_START, NULL), -ENOENT); /* gone */
        assert_int_equal(filter_offer_paste(&fx->filter, &fx->out), 1);
        assert_int_equal(fx->filter.paste_offer, WIRE_SERVER_ID_START);
}

static void test_filter_asks_the_guests_selection_for_text(void **state) {
        Fixture *fx = *state;
        const uint8_t *buf;
        WireMessage msg;
        WireHeader h;
        Msg m;

        data_device(fx);
        set_selection(fx);
        assert_int_equal(filter_ask_selection(&fx->filter, &fx->out), 0); /* no text offered */

        msg_begin(&m, 5, WL_DATA_SOURCE_OFFER);
        msg_str(&m, "text/plain;charset=utf-8");
        assert_int_equal(request(fx, &m), m.len);
        set_selection(fx);
        assert_int_equal(filter_ask_selection(&fx->filter, &fx->out), 1);
        /* wl_data_source.send(mime) to the guest's source, in its own id */
        h = out_message(fx, 0, &buf);
        assert_int_equal(h.object, 5);
        assert_int_equal(h.opcode, WL_DATA_SOURCE_SEND);
        assert_int_equal(wire_message_decode(buf, &h,
                                         &wl_data_source_interface.events[WL_DATA_SOURCE_SEND],
                                         &msg),
                        0);
        assert_string_equal(msg.args[0].str, "text/plain;charset=utf-8");
        assert_int_equal(msg.n_fds, 1);

        msg_begin(&m, 5, WL_DATA_SOURCE_DESTROY);
        assert_int_equal(request(fx, &m), m.len);
        assert_int_equal(filter_ask_selection(&fx->filter, &fx->out), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
                T(test_filter_hides_globals_outside_the_allowlist),
                T(test_filter_cuts_binds_of_hidden_unknown_or_newer_globals),
                T(test_filter_titles_a_new_toplevel_before_its_first_commit),
                T(test_filter_rewrites_every_title),
                T(test_filter_passes_fds_and_cuts_messages_missing_them),
                T(test_filter_cuts_an_object_flood),
                T(test_filter_frees_ids_on_delete_id),
                T(test_filter_cuts_unknown_objects_opcodes_and_versions),
                T(test_filter_waits_for_whole_messages),
                T(test_filter_dropped_messages_carry_no_fds_nor_client_ids),
                T(test_filter_isolates_the_clipboard),
                T(test_filter_asks_the_guests_selection_for_text),
                T(test_filter_the_guest_cannot_name_the_compositors_offers),
                T(test_filter_offers_the_paste_as_the_guests_selection),
#undef T
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

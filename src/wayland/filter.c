/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* filter.c: the fence's rules for one connection, on whole messages. Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "macro.h"
#include "title.h"
#include "wayland-client-protocol.h"
#include "wayland-server-protocol.h"
#include "wire.h"
#include "xdg-shell-client-protocol.h"

int filter_init(Filter *f, const char *vm) {
        int r;

        *f = (Filter){ .vm = vm };
        keyboard_init(&f->keyboard, /* copy= */ NULL, /* paste= */ NULL);
        r = objects_init(&f->objects, &wl_display_interface);
        if (r < 0)
                return r;
        return idmap_init(&f->ids);
}

void filter_finish(Filter *f) {
        objects_finish(&f->objects);
        registry_finish(&f->registry);
        idmap_finish(&f->ids);
        frame_finish(&f->frame);
        keyboard_finish(&f->keyboard);
}

static int fail(const char **reterr_reason, int r, const char *reason) {
        if (reterr_reason)
                *reterr_reason = reason;
        return r;
}

/* The steps both directions share: a complete message to a live object, with a known opcode,
 * arguments matching the signature, no newer than the object, and its fds already queued. */
static int decode(const Filter *f, const uint8_t *untrusted_buf, size_t len, size_t n_fds,
                bool request, WireMessage *ret, Object *ret_object, const char **reterr_reason) {
        const struct wl_message *m;
        const Object *o;
        WireHeader h;
        int r;

        r = wire_header_decode(untrusted_buf, len, &h);
        if (r == -EMSGSIZE)
                return fail(reterr_reason, r, "message size out of bounds");
        if (r < 0 || len < h.size)
                return -EAGAIN;
        o = objects_get(&f->objects, h.object);
        if (!o)
                return fail(reterr_reason, -ENOENT, "message to an unknown object");
        if (h.opcode >= (request ? o->interface->method_count : o->interface->event_count))
                return fail(reterr_reason, -EPROTO, "unknown opcode");
        m = request ? &o->interface->methods[h.opcode] : &o->interface->events[h.opcode];
        r = wire_message_decode(untrusted_buf, &h, m, ret);
        if (r < 0)
                return fail(reterr_reason, r, "malformed arguments");
        if (ret->since > o->version)
                return fail(reterr_reason, -EPROTO, "message newer than the object's version");
        if (ret->n_fds > n_fds)
                return fail(reterr_reason, -EBADF, "file descriptor expected");
        *ret_object = *o; /* a copy: adding objects may move the table */
        return 0;
}

/* Clipboard isolation, until the two-level clipboard (issue #15): a guest's set_selection never
 * reaches the compositor and its drags never start; it never hears of offers (host or other
 * clients' selections, drags entering its surfaces). None of these messages carries an fd or
 * creates an object the other side would miss: test-filter checks their signatures. */
bool filter_drops_request(const struct wl_interface *interface, uint16_t opcode) {
        return interface == &wl_data_device_interface &&
               IN_SET(opcode, WL_DATA_DEVICE_START_DRAG, WL_DATA_DEVICE_SET_SELECTION);
}

bool filter_drops_event(const struct wl_interface *interface, uint16_t opcode) {
        /* wl_data_offer objects still get tracked: their events must be parsed to be dropped */
        return interface == &wl_data_device_interface || interface == &wl_data_offer_interface;
}

/* The compositor's wl_keyboard events feed the fence's keyboard (and go on); a clipboard key's
 * press and its release do not reach the guest. Returns true when msg is swallowed. */
static bool keyboard_event(Filter *f, const WireMessage *msg) {
        const WireArg *a = msg->args;

        switch (msg->header.opcode) {
        case WL_KEYBOARD_KEYMAP:
                f->keymap_wanted = a[0].word == WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1;
                f->keymap_size = a[2].word;
                return false;
        case WL_KEYBOARD_MODIFIERS:
                keyboard_modifiers(&f->keyboard, a[1].word, a[2].word, a[3].word, a[4].word);
                return false;
        case WL_KEYBOARD_ENTER:
                f->keyboard_entered = true;
                return false;
        case WL_KEYBOARD_LEAVE:
                keyboard_leave(&f->keyboard);
                return false;
        case WL_KEYBOARD_KEY: {
                HotkeyAction action;

                if (!keyboard_key(&f->keyboard, a[2].word, a[3].word, &action))
                        return false;
                if (action != HOTKEY_NONE)
                        f->hotkey = action;
                return true;
        }
        default:
                return false;
        }
}

/* Every typed new_id of the message becomes an object of the parent's version: the guest's, or
 * the compositor's, which the guest never sees (the event that makes it must be dropped). */
static int add_new_objects(Filter *f, const WireMessage *msg, const Object *parent,
                bool from_server, const char **reterr_reason) {
        for (size_t i = 0; i < msg->n_args; i++) {
                const WireArg *a = &msg->args[i];
                int r;

                if (a->type != 'n')
                        continue;
                if (!a->interface) /* untyped: only wl_registry.bind, handled by its caller */
                        return fail(reterr_reason, -EPROTO, "untyped new_id");
                if (from_server && !filter_drops_event(parent->interface, msg->header.opcode))
                        return fail(reterr_reason, -EPROTO, "a compositor object for the guest");
                if (from_server)
                        r = idmap_add_hidden(&f->ids, a->word, a->interface);
                else
                        r = objects_add(&f->objects, a->word, /* from_server= */ false,
                                        a->interface, parent->version);
                if (r < 0)
                        return fail(reterr_reason, r, "bad or too many new object ids");
        }
        return 0;
}

static int bind_global(Filter *f, const WireMessage *msg, const char **reterr_reason) {
        const struct wl_interface *interface;
        uint32_t name = msg->args[0].word, version = msg->args[2].word;
        int r;

        r = registry_bind(&f->registry, name, msg->args[1].str, version, &interface);
        if (r == -EPERM)
                return fail(reterr_reason, r, "bind of a hidden or unknown global");
        if (r < 0)
                return fail(reterr_reason, r, "bind above the announced version");
        r = objects_add(&f->objects, msg->args[3].word, /* from_server= */ false, interface,
                        version);
        if (r < 0)
                return fail(reterr_reason, r, "bad or too many new object ids");
        return 0;
}

static int append_string_message(uint32_t object, uint16_t opcode, const char *s, Buffer *out) {
        uint8_t buf[WIRE_MESSAGE_MAX];
        int n;

        n = wire_encode_string_message(object, opcode, s, buf, sizeof(buf));
        if (n < 0)
                return n;
        return buffer_append(out, buf, (size_t) n);
}

/* Appends xdg_toplevel.set_title(toplevel, "[vm] " + the sanitised guest title). */
static int append_title(Filter *f, uint32_t toplevel, const char *untrusted_title, Buffer *out) {
        _cleanup_(freep) char *title = NULL;
        int r;

        r = title_format(f->vm, untrusted_title, untrusted_title ? strlen(untrusted_title) : 0,
                        &title);
        if (r < 0)
                return r;
        return append_string_message(toplevel, XDG_TOPLEVEL_SET_TITLE, title, out);
}

/* Appends xdg_toplevel.set_app_id(toplevel, the host entry id for the guest's app_id). */
static int append_app_id(Filter *f, uint32_t toplevel, const char *untrusted_app_id, Buffer *out) {
        _cleanup_(freep) char *app_id = NULL;
        int r;

        r = appid_format(f->vm, untrusted_app_id, f->app_id_known, f->userdata, &app_id);
        if (r < 0)
                return r;
        return append_string_message(toplevel, XDG_TOPLEVEL_SET_APP_ID, app_id, out);
}

/* Rewrites copy (the guest's request) into the compositor's ids: the target, every object
 * argument, and every new id, which gets its compositor id here. */
static int translate_request(
                Filter *f, const WireMessage *msg, uint8_t *copy, const char **reterr_reason) {
        uint32_t id;
        int r;

        id = idmap_to_upstream(&f->ids, msg->header.object);
        if (id == 0)
                return fail(reterr_reason, -ENOENT, "message to an unknown object");
        wire_write_u32(copy, id);
        for (size_t i = 0; i < msg->n_args; i++) {
                const WireArg *a = &msg->args[i];

                if (a->type == 'n') {
                        r = idmap_add_guest(&f->ids, a->word, &id);
                        if (r < 0)
                                return fail(reterr_reason, r, "bad or too many new object ids");
                } else if (a->type == 'o' && a->word != 0) {
                        id = idmap_to_upstream(&f->ids, a->word);
                        if (id == 0)
                                return fail(reterr_reason, -ENOENT,
                                                "argument names an unknown object");
                } else
                        continue;
                wire_write_u32(copy + a->offset, id);
        }
        return 0;
}

/* The guest's selection requests, remembered for the copy key (selection.h). */
static void track_selection(Filter *f, const Object *o, const WireMessage *msg) {
        if (o->interface == &wl_data_source_interface && msg->header.opcode == WL_DATA_SOURCE_OFFER)
                selection_offer(&f->selection, msg->header.object, msg->args[0].str);
        else if (o->interface == &wl_data_source_interface &&
                        msg->header.opcode == WL_DATA_SOURCE_DESTROY)
                selection_forget(&f->selection, msg->header.object);
        else if (o->interface == &wl_data_device_interface &&
                        msg->header.opcode == WL_DATA_DEVICE_SET_SELECTION) {
                selection_set(&f->selection, msg->args[0].word);
                f->paste_offer = 0; /* the guest's own selection replaces the pasted one */
        }
}

int filter_ask_selection(Filter *f, Buffer *out) {
        const char *mime;
        uint32_t source;
        int r;

        mime = selection_text_type(&f->selection, &source);
        if (!mime)
                return 0;
        /* wl_data_source.send(mime_type, fd): the fd travels beside the bytes */
        r = append_string_message(source, WL_DATA_SOURCE_SEND, mime, out);
        return r < 0 ? r : 1;
}

const char *const filter_paste_types[3] = { "text/plain;charset=utf-8", "UTF8_STRING",
        "text/plain" };

/* The guest's lowest-numbered wl_data_device, 0: none. */
static uint32_t data_device(const Filter *f, uint32_t *ret_version) {
        for (size_t i = 0; i < f->objects.n_client; i++)
                if (f->objects.client[i].interface == &wl_data_device_interface) {
                        *ret_version = f->objects.client[i].version;
                        return (uint32_t) i + 1;
                }
        return 0;
}

static int append_message(Buffer *out, int n, const uint8_t *buf) {
        return n < 0 ? n : buffer_append(out, buf, (size_t) n);
}

int filter_offer_paste(Filter *f, Buffer *out) {
        uint8_t buf[WIRE_MESSAGE_MAX];
        uint32_t device, version, offer;
        int r;

        device = data_device(f, &version);
        if (device == 0)
                return 0;
        r = idmap_add_own_server(&f->ids, &offer);
        if (r < 0)
                return r;
        r = objects_add(&f->objects, offer, /* from_server= */ true, &wl_data_offer_interface,
                        version);
        if (r < 0) {
                (void) idmap_delete_own_server(&f->ids, offer);
                return r;
        }
        r = append_message(out,
                        wire_encode(buf, sizeof(buf), device, WL_DATA_DEVICE_DATA_OFFER, "n",
                                        offer),
                        buf);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(filter_paste_types); i++)
                r = append_message(out,
                                wire_encode(buf, sizeof(buf), offer, WL_DATA_OFFER_OFFER, "s",
                                                filter_paste_types[i]),
                                buf);
        if (r >= 0)
                r = append_message(out,
                                wire_encode(buf, sizeof(buf), device, WL_DATA_DEVICE_SELECTION, "o",
                                                offer),
                                buf);
        if (r < 0)
                return r;
        f->paste_offer = offer;
        return 1;
}

/* A request to one of the fence's offers: never forwarded; receive hands its fd to the caller,
 * destroy frees the id. */
static void own_offer_request(Filter *f, const WireMessage *msg) {
        uint32_t offer = msg->header.object;

        if (msg->header.opcode == WL_DATA_OFFER_RECEIVE)
                f->receive_offer = offer;
        else if (msg->header.opcode == WL_DATA_OFFER_DESTROY) {
                (void) idmap_delete_own_server(&f->ids, offer);
                (void) objects_delete(&f->objects, offer);
                if (f->paste_offer == offer)
                        f->paste_offer = 0;
        }
        /* accept, finish, set_actions: drag and drop only, which the guest never gets */
}

int filter_request(Filter *f, const uint8_t *untrusted_buf, size_t len, size_t n_fds, Buffer *out,
                size_t *ret_n_fds, const char **reterr_reason) {
        uint8_t copy[WIRE_MESSAGE_MAX];
        WireMessage msg;
        Object o;
        int r;

        r = decode(f, untrusted_buf, len, n_fds, /* request= */ true, &msg, &o, reterr_reason);
        if (r < 0)
                return r;
        if (idmap_is_own_server(&f->ids, msg.header.object)) {
                own_offer_request(f, &msg);
                *ret_n_fds = msg.n_fds;
                return msg.header.size;
        }

        if (o.interface == &wl_registry_interface && msg.header.opcode == WL_REGISTRY_BIND)
                r = bind_global(f, &msg, reterr_reason);
        else
                r = add_new_objects(f, &msg, &o, /* from_server= */ false, reterr_reason);
        if (r < 0)
                return r;
        memcpy(copy, untrusted_buf, msg.header.size);
        r = translate_request(f, &msg, copy, reterr_reason);
        if (r < 0)
                return r;
        track_selection(f, &o, &msg);

        if (filter_drops_request(o.interface, msg.header.opcode))
                r = 0;
        else if (o.interface == &xdg_toplevel_interface &&
                        msg.header.opcode == XDG_TOPLEVEL_SET_TITLE)
                r = append_title(f, wire_read_u32(copy), msg.args[0].str, out);
        else if (o.interface == &xdg_toplevel_interface &&
                        msg.header.opcode == XDG_TOPLEVEL_SET_APP_ID)
                r = append_app_id(f, wire_read_u32(copy), msg.args[0].str, out);
        else {
                r = frame_request(f, &o, &msg, copy, out);
                if (r == 0)
                        r = buffer_append(out, copy, msg.header.size);
                if (r == -EMFILE)
                        return fail(reterr_reason, r, "too many toplevels, positioners or objects");
        }
        /* A toplevel that never sets a title or app_id is labelled before its first commit. */
        if (r >= 0 && o.interface == &xdg_surface_interface &&
                        msg.header.opcode == XDG_SURFACE_GET_TOPLEVEL) {
                uint32_t toplevel = wire_read_u32(copy + msg.args[0].offset);

                r = append_title(f, toplevel, /* untrusted_title= */ NULL, out);
                if (r >= 0)
                        r = append_app_id(f, toplevel, /* untrusted_app_id= */ NULL, out);
        }
        if (r < 0)
                return fail(reterr_reason, r, "out of memory");
        *ret_n_fds = msg.n_fds;
        return msg.header.size;
}

/* wl_registry.global: shown with its version capped, or dropped. */
static int filter_global(Filter *f, const uint8_t *buf, const WireMessage *msg, Buffer *out,
                const char **reterr_reason) {
        uint8_t copy[WIRE_MESSAGE_MAX];
        uint32_t version;
        int r;

        r = registry_global(&f->registry, msg->args[0].word, msg->args[1].str, msg->args[2].word,
                        &version);
        if (r < 0)
                return fail(reterr_reason, r, "too many globals");
        if (r == 0)
                return 0;
        memcpy(copy, buf, msg->header.size);
        wire_write_u32(copy + msg->args[2].offset, version);
        return buffer_append(out, copy, msg->header.size);
}

/* An event to one of the fence's own objects, or to one of the compositor's that the guest never
 * sees: decoded with its interface, never forwarded. */
static int own_event(Filter *f, const struct wl_interface *interface, const uint8_t *buf,
                const WireHeader *h, Buffer *up, const char **reterr_reason) {
        WireMessage msg;
        int r;

        if (h->opcode >= interface->event_count)
                return fail(reterr_reason, -EPROTO, "unknown opcode");
        r = wire_message_decode(buf, h, &interface->events[h->opcode], &msg);
        if (r < 0)
                return fail(reterr_reason, r, "malformed arguments");
        if (msg.n_fds > 0) /* none of the fence's objects gets fds */
                return fail(reterr_reason, -EBADF, "file descriptor to the fence");
        r = frame_own_event(f, interface, &msg, up);
        if (r < 0)
                return fail(reterr_reason, r, "out of memory");
        return h->size;
}

/* Rewrites copy (an event, target already translated) into the guest's ids. *ret_names_own: an
 * object argument is one of the fence's (left as it is). */
static int translate_event(Filter *f, const WireMessage *msg, uint8_t *copy, bool *ret_names_own,
                const char **reterr_reason) {
        *ret_names_own = false;
        for (size_t i = 0; i < msg->n_args; i++) {
                const struct wl_interface *own;
                const WireArg *a = &msg->args[i];
                uint32_t id;

                if (a->type != 'o' || a->word == 0)
                        continue;
                id = idmap_to_guest(&f->ids, a->word, &own);
                if (own)
                        *ret_names_own = true;
                else if (id == 0)
                        return fail(reterr_reason, -ENOENT, "event names an unknown object");
                else
                        wire_write_u32(copy + a->offset, id);
        }
        return 0;
}

/* wl_display.delete_id: the compositor's id is free again, and the guest's with it. */
static int delete_id(Filter *f, const WireMessage *msg, uint8_t *copy, Buffer *out) {
        uint32_t guest;

        if (idmap_delete(&f->ids, msg->args[0].word, &guest) < 0 || guest == 0)
                return 0; /* never the guest's */
        (void) objects_delete(&f->objects, guest);
        selection_forget(&f->selection, guest); /* the id may name a new source next */
        wire_write_u32(copy + msg->args[0].offset, guest);
        return buffer_append(out, copy, msg->header.size);
}

int filter_event(Filter *f, const uint8_t *buf, size_t len, size_t n_fds, Buffer *out, Buffer *up,
                size_t *ret_n_fds, const char **reterr_reason) {
        const struct wl_interface *own;
        uint8_t copy[WIRE_MESSAGE_MAX];
        bool names_own;
        WireMessage msg;
        WireHeader h;
        uint32_t guest;
        Object o;
        int r;

        r = wire_header_decode(buf, len, &h);
        if (r == -EMSGSIZE)
                return fail(reterr_reason, r, "message size out of bounds");
        if (r < 0 || len < h.size)
                return -EAGAIN;
        guest = idmap_to_guest(&f->ids, h.object, &own);
        if (own) {
                *ret_n_fds = 0;
                return own_event(f, own, buf, &h, up, reterr_reason);
        }
        /* decoded in the guest's ids: an unknown object is refused there */
        memcpy(copy, buf, h.size);
        wire_write_u32(copy, guest);
        r = decode(f, copy, h.size, n_fds, /* request= */ false, &msg, &o, reterr_reason);
        if (r < 0)
                return r;
        r = add_new_objects(f, &msg, &o, /* from_server= */ true, reterr_reason);
        if (r < 0)
                return r;
        r = translate_event(f, &msg, copy, &names_own, reterr_reason);
        if (r < 0)
                return r;

        if (o.interface == &wl_display_interface && msg.header.opcode == WL_DISPLAY_DELETE_ID)
                r = delete_id(f, &msg, copy, out);
        else if (filter_drops_event(o.interface, msg.header.opcode))
                r = 0;
        else if (o.interface == &wl_keyboard_interface && keyboard_event(f, &msg))
                r = 0;
        else if (o.interface == &wl_registry_interface && msg.header.opcode == WL_REGISTRY_GLOBAL)
                r = filter_global(f, copy, &msg, out, reterr_reason);
        else if (o.interface == &wl_registry_interface &&
                        msg.header.opcode == WL_REGISTRY_GLOBAL_REMOVE &&
                        !registry_global_remove(&f->registry, msg.args[0].word))
                r = 0;
        else {
                r = frame_event(f, &o, &msg, copy, names_own, up);
                if (r == 0)
                        r = buffer_append(out, copy, msg.header.size);
        }
        if (r < 0)
                return r == -ENOMEM ? fail(reterr_reason, r, "out of memory") : r;
        *ret_n_fds = msg.n_fds;
        return msg.header.size;
}

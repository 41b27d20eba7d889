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
        *f = (Filter){ .vm = vm };
        return objects_init(&f->objects, &wl_display_interface);
}

void filter_finish(Filter *f) {
        objects_finish(&f->objects);
        registry_finish(&f->registry);
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

/* Every typed new_id of the message becomes an object of the parent's version. */
static int add_new_objects(Filter *f, const WireMessage *msg, const Object *parent,
                bool from_server, const char **reterr_reason) {
        for (size_t i = 0; i < msg->n_args; i++) {
                const WireArg *a = &msg->args[i];
                int r;

                if (a->type != 'n')
                        continue;
                if (!a->interface) /* untyped: only wl_registry.bind, handled by its caller */
                        return fail(reterr_reason, -EPROTO, "untyped new_id");
                r = objects_add(&f->objects, a->word, from_server, a->interface, parent->version);
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

/* Appends xdg_toplevel.set_title(toplevel, "[vm] " + the sanitised guest title). */
static int append_title(Filter *f, uint32_t toplevel, const char *untrusted_title, Buffer *out) {
        _cleanup_(freep) char *title = NULL;
        uint8_t buf[WIRE_MESSAGE_MAX];
        int r, n;

        r = title_format(f->vm, untrusted_title, untrusted_title ? strlen(untrusted_title) : 0,
                        &title);
        if (r < 0)
                return r;
        n = wire_encode_string_message(toplevel, XDG_TOPLEVEL_SET_TITLE, title, buf, sizeof(buf));
        if (n < 0)
                return n;
        return buffer_append(out, buf, (size_t) n);
}

int filter_request(Filter *f, const uint8_t *untrusted_buf, size_t len, size_t n_fds, Buffer *out,
                size_t *ret_n_fds, const char **reterr_reason) {
        WireMessage msg;
        Object o;
        int r;

        r = decode(f, untrusted_buf, len, n_fds, /* request= */ true, &msg, &o, reterr_reason);
        if (r < 0)
                return r;

        if (o.interface == &wl_registry_interface && msg.header.opcode == WL_REGISTRY_BIND)
                r = bind_global(f, &msg, reterr_reason);
        else
                r = add_new_objects(f, &msg, &o, /* from_server= */ false, reterr_reason);
        if (r < 0)
                return r;

        if (filter_drops_request(o.interface, msg.header.opcode))
                r = 0;
        else if (o.interface == &xdg_toplevel_interface &&
                        msg.header.opcode == XDG_TOPLEVEL_SET_TITLE)
                r = append_title(f, msg.header.object, msg.args[0].str, out);
        else
                r = buffer_append(out, untrusted_buf, msg.header.size);
        /* A toplevel that never sets a title is labelled before its first commit. */
        if (r >= 0 && o.interface == &xdg_surface_interface &&
                        msg.header.opcode == XDG_SURFACE_GET_TOPLEVEL)
                r = append_title(f, msg.args[0].word, /* untrusted_title= */ NULL, out);
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

int filter_event(Filter *f, const uint8_t *buf, size_t len, size_t n_fds, Buffer *out,
                size_t *ret_n_fds, const char **reterr_reason) {
        WireMessage msg;
        Object o;
        int r;

        r = decode(f, buf, len, n_fds, /* request= */ false, &msg, &o, reterr_reason);
        if (r < 0)
                return r;
        r = add_new_objects(f, &msg, &o, /* from_server= */ true, reterr_reason);
        if (r < 0)
                return r;

        if (o.interface == &wl_display_interface && msg.header.opcode == WL_DISPLAY_DELETE_ID)
                /* an id we never saw created is the compositor's business; pass it on */
                (void) objects_delete(&f->objects, msg.args[0].word);

        if (filter_drops_event(o.interface, msg.header.opcode))
                r = 0;
        else if (o.interface == &wl_registry_interface && msg.header.opcode == WL_REGISTRY_GLOBAL)
                r = filter_global(f, buf, &msg, out, reterr_reason);
        else if (o.interface == &wl_registry_interface &&
                        msg.header.opcode == WL_REGISTRY_GLOBAL_REMOVE &&
                        !registry_global_remove(&f->registry, msg.args[0].word))
                r = 0;
        else
                r = buffer_append(out, buf, msg.header.size);
        if (r < 0)
                return r == -ENOMEM ? fail(reterr_reason, r, "out of memory") : r;
        *ret_n_fds = msg.n_fds;
        return msg.header.size;
}

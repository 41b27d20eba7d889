/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-guest.c: the guest half of vmsilo-tray. It is the guest session's StatusNotifierWatcher,
 * so applications register their items unchanged; it reads each item's whitelisted properties
 * and dbusmenu layout after every change signal (coalesced over TRAY_GUEST_REFRESH_USEC),
 * resolves icon names to pixels here, sends snapshots to the host half and calls the item back
 * for the interactions the host half forwards. It reads one menu level and one entry past the
 * host's bounds, so that a breach reaches the host as one (the host drops the item). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "log.h"
#include "tray-guest.h"
#include "tray-icon.h"
#include "tray-stream.h"
#include "tray-wire.h"

#define WATCHER "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"
#define ITEM_IFACE "org.kde.StatusNotifierItem"
#define MENU_IFACE "com.canonical.dbusmenu"
#define READ_MENU_MAX (TRAY_MENU_ITEMS_MAX + 1u)
#define READ_DEPTH_MAX (TRAY_MENU_DEPTH_MAX + 1u)

typedef struct GuestItem {
        struct TrayGuest *guest;
        uint32_t key;
        char *owner;   /* unique bus name */
        char *path;    /* item object */
        char *service; /* "owner/path", as the watcher announces it */
        char *menu_path;
        TrayItem *item; /* being read */
        sd_bus_slot *signal_slot, *call_slot;
        sd_event_source *timer;
        bool dirty; /* changed while a read was under way */
} GuestItem;

struct TrayGuest {
        sd_event *event;
        sd_bus *bus;
        TrayStream *stream;
        sd_bus_slot *vtable_slot, *owner_slot;
        GuestItem *items[TRAY_GUEST_ITEMS_MAX];
        uint32_t next_key;
};

static GuestItem *guest_item_free(GuestItem *i);
DEFINE_FREE_FUNC(GuestItem *, guest_item_free);

static GuestItem *guest_item_free(GuestItem *i) {
        if (!i)
                return NULL;
        sd_bus_slot_unref(i->signal_slot);
        sd_bus_slot_unref(i->call_slot);
        sd_event_source_disable_unref(i->timer);
        tray_item_free(i->item);
        free(i->owner);
        free(i->path);
        free(i->service);
        free(i->menu_path);
        return mfree(i);
}

TrayGuest *tray_guest_free(TrayGuest *g) {
        if (!g)
                return NULL;
        for (size_t i = 0; i < TRAY_GUEST_ITEMS_MAX; i++)
                guest_item_free(g->items[i]);
        sd_bus_slot_unref(g->vtable_slot);
        sd_bus_slot_unref(g->owner_slot);
        sd_bus_flush_close_unref(g->bus);
        tray_stream_free(g->stream);
        sd_event_unref(g->event);
        return mfree(g);
}

static void send_message(TrayGuest *g, int r, uint8_t *msg, size_t size) {
        if (r >= 0)
                r = tray_stream_send(g->stream, msg, size);
        if (r < 0)
                log_warning_errno(r, "Cannot send a tray message to the host, ignoring: %m");
}

/* Reading an item */

static int free_and_strdup(char **p, const char *s) {
        char *d = strdup(s);
        if (!d)
                return -ENOMEM;
        free(*p);
        *p = d;
        return 0;
}

static int read_pixmaps(sd_bus_message *m, TrayPixmaps *ret) {
        int r;

        tray_pixmaps_finish(ret);
        r = sd_bus_message_enter_container(m, 'a', "(iiay)");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'r', "iiay")) > 0) {
                int32_t w, h;
                const void *data;
                size_t size;

                r = sd_bus_message_read(m, "ii", &w, &h);
                if (r >= 0)
                        r = sd_bus_message_read_array(m, 'y', &data, &size);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0 || ret->n >= TRAY_PIXMAPS_MAX || w <= 0 || h <= 0 ||
                                size > TRAY_WIRE_PIXMAP_BYTES_MAX)
                        continue;
                TrayPixmap *x = &ret->pixmaps[ret->n];
                x->argb = malloc(MAX(size, 1u));
                if (!x->argb)
                        return -ENOMEM;
                memcpy(x->argb, data, size);
                x->width = (uint32_t) w;
                x->height = (uint32_t) h;
                x->size = size;
                ret->n++;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r;
}

static int read_string(sd_bus_message *m, const char *type, char **ret) {
        const char *s;
        int r = sd_bus_message_read(m, "v", type, &s);

        if (r < 0)
                return r;
        return free_and_strdup(ret, s);
}

static int read_tooltip(sd_bus_message *m, TrayItem *item) {
        TrayPixmaps ignored = {};
        const char *icon, *title, *text;
        int r;

        r = sd_bus_message_enter_container(m, 'v', "(sa(iiay)ss)");
        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'r', "sa(iiay)ss");
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &icon);
        if (r >= 0)
                r = read_pixmaps(m, &ignored);
        tray_pixmaps_finish(&ignored);
        if (r >= 0)
                r = sd_bus_message_read(m, "ss", &title, &text);
        if (r >= 0)
                r = free_and_strdup(&item->tooltip_title, title);
        if (r >= 0)
                r = free_and_strdup(&item->tooltip_text, text);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r;
}

/* One a{sv} entry of GetAll; names off the whitelist, or of another type, are skipped. */
static int read_property(GuestItem *gi, sd_bus_message *m, const char *name, const char *type,
                char **icon_name, char **attention_name) {
        TrayItem *item = gi->item;
        struct {
                const char *name, *type;
                char **value;
        } strings[] = {
                { "Id", "s", &item->id },
                { "Category", "s", &item->category },
                { "Title", "s", &item->title },
                { "Status", "s", &item->status },
                { "IconName", "s", icon_name },
                { "AttentionIconName", "s", attention_name },
                { "Menu", "o", &gi->menu_path },
        };
        int b, r;

        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                if (streq(name, strings[i].name) && streq(type, strings[i].type))
                        return read_string(m, type, strings[i].value);
        if (streq(name, "ItemIsMenu") && streq(type, "b")) {
                r = sd_bus_message_read(m, "v", "b", &b);
                item->item_is_menu = b;
                return r;
        }
        if (streq(name, "ToolTip") && streq(type, "(sa(iiay)ss)"))
                return read_tooltip(m, item);
        if ((streq(name, "IconPixmap") || streq(name, "AttentionIconPixmap")) &&
                        streq(type, "a(iiay)")) {
                r = sd_bus_message_enter_container(m, 'v', type);
                if (r >= 0)
                        r = read_pixmaps(m, name[0] == 'I' ? &item->icon : &item->attention);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                return r;
        }
        return sd_bus_message_skip(m, "v");
}

static int read_properties(
                GuestItem *gi, sd_bus_message *m, char **icon_name, char **attention_name) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name, *contents;
                char type;

                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0)
                        r = sd_bus_message_peek_type(m, &type, &contents);
                if (r >= 0)
                        r = read_property(gi, m, name, contents, icon_name, attention_name);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r;
}

/* A name the guest's theme has replaces the pixmaps (the spec prefers names). */
static void resolve_icon(const char *name, TrayPixmaps *p) {
        TrayPixmap x;

        if (!name || !name[0] || tray_icon_load(name, &x) < 0)
                return;
        tray_pixmaps_finish(p);
        p->pixmaps[0] = x;
        p->n = 1;
}

static int read_menu_properties(sd_bus_message *m, TrayMenuNode *node) {
        int r;

        node->enabled = node->visible = true;
        node->toggle_state = -1;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name, *contents, *s;
                char type;
                int v;

                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0)
                        r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        break;
                if (streq(name, "label") && streq(contents, "s"))
                        r = read_string(m, "s", &node->label);
                else if (streq(name, "type") && streq(contents, "s") &&
                                (r = sd_bus_message_read(m, "v", "s", &s)) >= 0)
                        node->type = streq(s, "separator") ? TRAY_MENU_SEPARATOR
                                                           : TRAY_MENU_STANDARD;
                else if (streq(name, "toggle-type") && streq(contents, "s") &&
                                (r = sd_bus_message_read(m, "v", "s", &s)) >= 0)
                        node->toggle_type = streq(s, "checkmark") ? TRAY_TOGGLE_CHECKMARK
                                            : streq(s, "radio")   ? TRAY_TOGGLE_RADIO
                                                                  : TRAY_TOGGLE_NONE;
                else if ((streq(name, "enabled") || streq(name, "visible")) &&
                                streq(contents, "b") &&
                                (r = sd_bus_message_read(m, "v", "b", &v)) >= 0)
                        *(name[0] == 'e' ? &node->enabled : &node->visible) = v;
                else if (streq(name, "toggle-state") && streq(contents, "i") &&
                                (r = sd_bus_message_read(m, "v", "i", &v)) >= 0)
                        node->toggle_state = (int8_t) (v == 0 || v == 1 ? v : -1);
                else if (r >= 0)
                        r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0 && !node->label)
                r = free_and_strdup(&node->label, "");
        return r;
}

/* One (ia{sv}av) at depth (0 = the root, not stored) under parent. */
static int read_menu_node(sd_bus_message *m, TrayItem *item, uint16_t parent, unsigned depth) {
        uint16_t self = parent;
        int32_t id;
        int r;

        r = sd_bus_message_enter_container(m, 'r', "ia{sv}av");
        if (r >= 0)
                r = sd_bus_message_read(m, "i", &id);
        if (r >= 0 && depth > 0) {
                TrayMenuNode *node = &item->menu[item->n_menu];
                *node = (TrayMenuNode){ .id = id, .parent = parent };
                self = (uint16_t) item->n_menu++;
                r = read_menu_properties(m, node);
        } else if (r >= 0)
                r = sd_bus_message_skip(m, "a{sv}");
        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'a', "v");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'v', "(ia{sv}av)")) > 0) {
                if (depth < READ_DEPTH_MAX && item->n_menu < READ_MENU_MAX)
                        r = read_menu_node(m, item, depth == 0 ? TRAY_MENU_PARENT_ROOT : self,
                                        depth + 1);
                else
                        r = sd_bus_message_skip(m, "(ia{sv}av)");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r;
}

static void item_read_done(GuestItem *gi);

static void item_send(GuestItem *gi) {
        uint8_t *msg = NULL;
        size_t size = 0;
        int r = tray_wire_encode_item(gi->key, gi->item, &msg, &size);

        if (r < 0)
                log_warning_errno(r, "Tray item '%s' does not fit a message, not sent: %m",
                                gi->service);
        else
                send_message(gi->guest, r, msg, size);
        item_read_done(gi);
}

static int on_layout(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        GuestItem *gi = userdata;
        uint32_t revision;
        int r;

        gi->call_slot = sd_bus_slot_unref(gi->call_slot);
        if (!sd_bus_message_is_method_error(reply, NULL)) {
                gi->item->menu = calloc(READ_MENU_MAX, sizeof(TrayMenuNode));
                if (!gi->item->menu)
                        return log_oom();
                r = sd_bus_message_read(reply, "u", &revision);
                if (r >= 0)
                        r = read_menu_node(reply, gi->item, TRAY_MENU_PARENT_ROOT, 0);
                if (r < 0)
                        log_debug_errno(r, "Menu of tray item '%s' unreadable, ignoring: %m",
                                        gi->service);
                gi->item->has_menu = r >= 0;
        }
        item_send(gi);
        return 0;
}

static int on_properties(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        _cleanup_(freep) char *icon_name = NULL, *attention_name = NULL;
        GuestItem *gi = userdata;
        int r;

        gi->call_slot = sd_bus_slot_unref(gi->call_slot);
        if (sd_bus_message_is_method_error(reply, NULL)) {
                log_debug("Tray item '%s' has no properties, ignoring.", gi->service);
                item_read_done(gi);
                return 0;
        }
        r = read_properties(gi, reply, &icon_name, &attention_name);
        if (r < 0)
                log_debug_errno(r, "Tray item '%s' has unreadable properties, ignoring: %m",
                                gi->service);
        resolve_icon(icon_name, &gi->item->icon);
        resolve_icon(attention_name, &gi->item->attention);
        if (!gi->menu_path || streq(gi->menu_path, "/NO_DBUSMENU") || streq(gi->menu_path, "/")) {
                item_send(gi);
                return 0;
        }
        r = sd_bus_call_method_async(gi->guest->bus, &gi->call_slot, gi->owner, gi->menu_path,
                        MENU_IFACE, "GetLayout", on_layout, gi, "iias", 0, (int32_t) READ_DEPTH_MAX,
                        0);
        if (r < 0)
                item_send(gi);
        return 0;
}

static int on_refresh_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        GuestItem *gi = userdata;
        int r;

        gi->timer = sd_event_source_disable_unref(gi->timer);
        gi->dirty = false;
        tray_item_free(gi->item);
        gi->menu_path = mfree(gi->menu_path);
        gi->item = calloc(1, sizeof(TrayItem));
        if (!gi->item)
                return log_oom();
        r = sd_bus_call_method_async(gi->guest->bus, &gi->call_slot, gi->owner, gi->path,
                        "org.freedesktop.DBus.Properties", "GetAll", on_properties, gi, "s",
                        ITEM_IFACE);
        if (r < 0)
                log_warning_errno(r, "Cannot read tray item '%s', ignoring: %m", gi->service);
        return 0;
}

/* Reads the item again soon; signals until then are read once. */
static void item_schedule(GuestItem *gi) {
        if (gi->call_slot) {
                gi->dirty = true;
                return;
        }
        if (gi->timer)
                return;
        int r = sd_event_add_time_relative(gi->guest->event, &gi->timer, CLOCK_MONOTONIC,
                        TRAY_GUEST_REFRESH_USEC, 0, on_refresh_timer, gi);
        if (r < 0)
                log_warning_errno(r, "Cannot schedule reading tray item '%s', ignoring: %m",
                                gi->service);
}

static void item_read_done(GuestItem *gi) {
        if (gi->dirty)
                item_schedule(gi);
}

static int on_item_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        GuestItem *gi = userdata;
        const char *iface = sd_bus_message_get_interface(m);
        const char *path = sd_bus_message_get_path(m);

        if (streq_ptr(iface, ITEM_IFACE) && streq_ptr(path, gi->path))
                item_schedule(gi);
        else if (streq_ptr(iface, MENU_IFACE) && gi->menu_path && streq_ptr(path, gi->menu_path))
                item_schedule(gi);
        return 0;
}

/* The watcher */

static int get_registered_items(sd_bus *bus, const char *path, const char *iface, const char *prop,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        TrayGuest *g = userdata;
        int r = sd_bus_message_open_container(reply, 'a', "s");

        for (size_t i = 0; r >= 0 && i < TRAY_GUEST_ITEMS_MAX; i++)
                if (g->items[i])
                        r = sd_bus_message_append(reply, "s", g->items[i]->service);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int get_host_registered(sd_bus *bus, const char *path, const char *iface, const char *prop,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", 1); /* the host half is the host */
}

static int get_protocol_version(sd_bus *bus, const char *path, const char *iface, const char *prop,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "i", 0);
}

static GuestItem **find_item(TrayGuest *g, const char *owner, const char *path) {
        for (size_t i = 0; i < TRAY_GUEST_ITEMS_MAX; i++)
                if (g->items[i] && streq(g->items[i]->owner, owner) &&
                                (!path || streq(g->items[i]->path, path)))
                        return &g->items[i];
        return NULL;
}

static int item_new(TrayGuest *g, const char *owner, const char *path, GuestItem **ret) {
        _cleanup_(guest_item_freep) GuestItem *gi = calloc(1, sizeof(GuestItem));
        int r;

        if (!gi)
                return -ENOMEM;
        gi->guest = g;
        gi->key = ++g->next_key;
        gi->owner = strdup(owner);
        gi->path = strdup(path);
        if (!gi->owner || !gi->path || asprintf(&gi->service, "%s%s", owner, path) < 0)
                return -ENOMEM;
        r = sd_bus_match_signal(
                        g->bus, &gi->signal_slot, owner, NULL, NULL, NULL, on_item_signal, gi);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(gi);
        return 0;
}

static int method_register_item(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *owner_reply = NULL;
        TrayGuest *g = userdata;
        const char *service, *owner, *path = "/StatusNotifierItem", *unique;
        int r;

        r = sd_bus_message_read(m, "s", &service);
        if (r < 0)
                return r;
        /* A path means the caller's connection; otherwise a bus name, resolved to its owner so
         * that signals and the owner's exit can be matched. */
        if (service[0] == '/') {
                if (!sd_bus_object_path_is_valid(service))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Bad path.");
                owner = sd_bus_message_get_sender(m);
                path = service;
        } else {
                r = sd_bus_call_method(g->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                "org.freedesktop.DBus", "GetNameOwner", error, &owner_reply, "s",
                                service);
                if (r < 0)
                        return r;
                r = sd_bus_message_read(owner_reply, "s", &unique);
                if (r < 0)
                        return r;
                owner = unique;
        }
        if (find_item(g, owner, path))
                return sd_bus_reply_method_return(m, NULL);
        for (size_t i = 0; i < TRAY_GUEST_ITEMS_MAX; i++) {
                if (g->items[i])
                        continue;
                r = item_new(g, owner, path, &g->items[i]);
                if (r < 0)
                        return r;
                item_schedule(g->items[i]);
                (void) sd_bus_emit_signal(g->bus, WATCHER_PATH, WATCHER,
                                "StatusNotifierItemRegistered", "s", g->items[i]->service);
                log_info("Tray item '%s' registered.", g->items[i]->service);
                return sd_bus_reply_method_return(m, NULL);
        }
        return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED, "Too many tray items.");
}

static int method_register_host(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable watcher_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("RegisterStatusNotifierItem", "s", "", method_register_item,
                        SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("RegisterStatusNotifierHost", "s", "", method_register_host,
                        SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("RegisteredStatusNotifierItems", "as", get_registered_items, 0, 0),
        SD_BUS_PROPERTY("IsStatusNotifierHostRegistered", "b", get_host_registered, 0,
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ProtocolVersion", "i", get_protocol_version, 0,
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_SIGNAL("StatusNotifierItemRegistered", "s", 0),
        SD_BUS_SIGNAL("StatusNotifierItemUnregistered", "s", 0),
        SD_BUS_SIGNAL("StatusNotifierHostRegistered", "", 0),
        SD_BUS_SIGNAL("StatusNotifierHostUnregistered", "", 0),
        SD_BUS_VTABLE_END,
};

static void item_remove(TrayGuest *g, GuestItem **slot) {
        uint8_t *msg = NULL;
        size_t size = 0;
        int r = tray_wire_encode_remove((*slot)->key, &msg, &size);

        send_message(g, r, msg, size);
        (void) sd_bus_emit_signal(g->bus, WATCHER_PATH, WATCHER, "StatusNotifierItemUnregistered",
                        "s", (*slot)->service);
        log_info("Tray item '%s' gone.", (*slot)->service);
        *slot = guest_item_free(*slot);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        TrayGuest *g = userdata;
        const char *name, *old_owner, *new_owner;
        GuestItem **slot;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || new_owner[0])
                return 0;
        while ((slot = find_item(g, name, NULL)))
                item_remove(g, slot);
        return 0;
}

/* Interactions from the host half */

static GuestItem *find_key(TrayGuest *g, uint32_t key) {
        for (size_t i = 0; i < TRAY_GUEST_ITEMS_MAX; i++)
                if (g->items[i] && g->items[i]->key == key)
                        return g->items[i];
        return NULL;
}

static int call_item(TrayGuest *g, const GuestItem *gi, const TrayAction *a) {
        static const char *const xy_methods[] = { [TRAY_MSG_ACTIVATE - TRAY_MSG_ACTIVATE] =
                                                                  "Activate",
                [TRAY_MSG_SECONDARY_ACTIVATE - TRAY_MSG_ACTIVATE] = "SecondaryActivate",
                [TRAY_MSG_CONTEXT_MENU - TRAY_MSG_ACTIVATE] = "ContextMenu" };

        switch (a->type) {
        case TRAY_MSG_ACTIVATE:
        case TRAY_MSG_SECONDARY_ACTIVATE:
        case TRAY_MSG_CONTEXT_MENU:
                return sd_bus_call_method_async(g->bus, NULL, gi->owner, gi->path, ITEM_IFACE,
                                xy_methods[a->type - TRAY_MSG_ACTIVATE], NULL, NULL, "ii", a->a,
                                a->b);
        case TRAY_MSG_SCROLL:
                return sd_bus_call_method_async(g->bus, NULL, gi->owner, gi->path, ITEM_IFACE,
                                "Scroll", NULL, NULL, "is", a->a, a->b ? "horizontal" : "vertical");
        case TRAY_MSG_MENU_EVENT:
                if (!gi->menu_path)
                        return 0;
                return sd_bus_call_method_async(g->bus, NULL, gi->owner, gi->menu_path, MENU_IFACE,
                                "Event", NULL, NULL, "isvu", a->a, tray_menu_event_to_string(a->b),
                                "s", "", 0);
        case TRAY_MSG_ABOUT_TO_SHOW:
                if (!gi->menu_path)
                        return 0;
                return sd_bus_call_method_async(g->bus, NULL, gi->owner, gi->menu_path, MENU_IFACE,
                                "AboutToShow", NULL, NULL, "i", a->a);
        }
        return -EBADMSG;
}

static int on_message(const uint8_t *msg, size_t size, void *userdata) {
        TrayGuest *g = userdata;
        TrayAction a;
        GuestItem *gi;
        int r;

        r = tray_wire_decode_action(msg, size, &a);
        if (r < 0)
                return log_error_errno(r, "Bad message from the tray host half.");
        gi = find_key(g, a.key);
        if (!gi)
                return 0; /* gone meanwhile */
        r = call_item(g, gi, &a);
        if (r < 0)
                log_warning_errno(r, "Cannot call tray item '%s', ignoring: %m", gi->service);
        return 0;
}

static void on_close(int error, void *userdata) {
        TrayGuest *g = userdata;
        (void) sd_event_exit(g->event, error < 0 ? 1 : 0);
}

int tray_guest_new(sd_event *event, int fd, TrayGuest **ret) {
        _cleanup_(tray_guest_freep) TrayGuest *g = NULL;
        int r;

        g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->event = sd_event_ref(event);
        r = sd_bus_open_user(&g->bus);
        if (r < 0)
                return r;
        r = sd_bus_attach_event(g->bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        r = sd_bus_add_object_vtable(
                        g->bus, &g->vtable_slot, WATCHER_PATH, WATCHER, watcher_vtable, g);
        if (r < 0)
                return r;
        r = sd_bus_match_signal(g->bus, &g->owner_slot, "org.freedesktop.DBus",
                        "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                        on_name_owner_changed, g);
        if (r < 0)
                return r;
        r = sd_bus_request_name(g->bus, WATCHER, 0);
        if (r < 0)
                return r;
        r = tray_stream_new(event, fd, on_message, on_close, g, &g->stream);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(g);
        return 0;
}

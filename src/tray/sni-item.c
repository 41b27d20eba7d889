/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sni-item.c: a host org.kde.StatusNotifierItem for one guest item. Every property is built
 * from the sanitised TrayItem: names the host would look up in its own icon theme (IconName,
 * OverlayIconName, AttentionIconName, AttentionMovieName, IconThemePath) are always empty, and
 * Title and ToolTip carry the "[vm] " prefix. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "sni-item.h"
#include "tray-border.h"

#define IFACE "org.kde.StatusNotifierItem"
#define ITEM_PATH "/StatusNotifierItem"
#define WATCHER "org.kde.StatusNotifierWatcher"

struct SniItem {
        uint32_t key;
        char *vm;
        char *name; /* org.kde.StatusNotifierItem-<pid>-<n> */
        sd_bus *bus;
        sd_bus_slot *item_slot, *watcher_slot;
        TrayItem *item; /* sanitised, pixmaps framed */
        DbusMenu menu;
        DbusMenuActionFn action;
        void *userdata;
        TrayRate rate;
};

static const TrayItem empty_item = {};

SniItem *sni_item_free(SniItem *s) {
        if (!s)
                return NULL;
        dbusmenu_finish(&s->menu);
        sd_bus_slot_unref(s->item_slot);
        sd_bus_slot_unref(s->watcher_slot);
        sd_bus_flush_close_unref(s->bus);
        tray_item_free(s->item);
        free(s->name);
        free(s->vm);
        return mfree(s);
}

uint32_t sni_item_get_key(const SniItem *s) {
        return s->key;
}

TrayRate *sni_item_get_rate(SniItem *s) {
        return &s->rate;
}

static const TrayItem *item_of(const SniItem *s) {
        return s->item ?: &empty_item;
}

static int append_pixmaps(sd_bus_message *m, const TrayPixmaps *p) {
        int r = sd_bus_message_open_container(m, 'a', "(iiay)");

        for (size_t i = 0; r >= 0 && p && i < p->n; i++) {
                r = sd_bus_message_open_container(m, 'r', "iiay");
                if (r >= 0)
                        r = sd_bus_message_append(m, "ii", (int32_t) p->pixmaps[i].width,
                                        (int32_t) p->pixmaps[i].height);
                if (r >= 0)
                        r = sd_bus_message_append_array(
                                        m, 'y', p->pixmaps[i].argb, p->pixmaps[i].size);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

/* "[vm] text", or "[vm]" when nothing of the guest's text is left. */
static int prefixed(const SniItem *s, const char *text, char **ret) {
        int r = text && text[0] ? asprintf(ret, "[%s] %s", s->vm, text)
                                : asprintf(ret, "[%s]", s->vm);
        return r < 0 ? -ENOMEM : 0;
}

static int append_string_property(sd_bus_message *reply, const SniItem *s, const char *prop) {
        const TrayItem *item = item_of(s);
        _cleanup_(freep) char *text = NULL;
        int r;

        if (streq(prop, "Title")) {
                r = prefixed(s, item->title, &text);
                if (r < 0)
                        return r;
                return sd_bus_message_append(reply, "s", text);
        }
        if (streq(prop, "Id")) {
                if (asprintf(&text, "vmsilo-%s-%s", s->vm, item->id ?: "") < 0)
                        return -ENOMEM;
                return sd_bus_message_append(reply, "s", text);
        }
        if (streq(prop, "Category"))
                return sd_bus_message_append(reply, "s", item->category ?: "ApplicationStatus");
        if (streq(prop, "Status"))
                return sd_bus_message_append(reply, "s", item->status ?: "Active");
        return sd_bus_message_append(reply, "s", ""); /* the icon-theme names */
}

static int get_property(sd_bus *bus, const char *path, const char *iface, const char *prop,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        SniItem *s = userdata;
        const TrayItem *item = item_of(s);
        _cleanup_(freep) char *title = NULL;
        int r;

        if (streq(prop, "IconPixmap"))
                return append_pixmaps(reply, &item->icon);
        if (streq(prop, "AttentionIconPixmap"))
                return append_pixmaps(reply, &item->attention);
        if (streq(prop, "OverlayIconPixmap"))
                return append_pixmaps(reply, NULL);
        if (streq(prop, "WindowId"))
                return sd_bus_message_append(reply, "i", 0);
        if (streq(prop, "ItemIsMenu"))
                return sd_bus_message_append(reply, "b", (int) item->item_is_menu);
        if (streq(prop, "Menu"))
                return sd_bus_message_append(
                                reply, "o", item->has_menu ? DBUSMENU_PATH : "/NO_DBUSMENU");
        if (!streq(prop, "ToolTip"))
                return append_string_property(reply, s, prop);
        r = prefixed(s,
                        item->tooltip_title && item->tooltip_title[0] ? item->tooltip_title
                                                                      : item->title,
                        &title);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'r', "sa(iiay)ss");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", "");
        if (r >= 0)
                r = append_pixmaps(reply, NULL);
        if (r >= 0)
                r = sd_bus_message_append(reply, "ss", title, item->tooltip_text ?: "");
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int forward_xy(sd_bus_message *m, SniItem *s, uint8_t type) {
        int32_t x, y;
        int r = sd_bus_message_read(m, "ii", &x, &y);

        if (r < 0)
                return r;
        s->action(&(TrayAction){ .type = type, .key = s->key, .a = x, .b = y }, s->userdata);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_activate(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return forward_xy(m, userdata, TRAY_MSG_ACTIVATE);
}

static int method_secondary_activate(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return forward_xy(m, userdata, TRAY_MSG_SECONDARY_ACTIVATE);
}

static int method_context_menu(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return forward_xy(m, userdata, TRAY_MSG_CONTEXT_MENU);
}

static int method_scroll(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        SniItem *s = userdata;
        const char *orientation;
        int32_t delta;
        int r = sd_bus_message_read(m, "is", &delta, &orientation);

        if (r < 0)
                return r;
        s->action(&(TrayAction){ .type = TRAY_MSG_SCROLL,
                                  .key = s->key,
                                  .a = delta,
                                  .b = strcasecmp(orientation, "horizontal") == 0 ? 1 : 0 },
                        s->userdata);
        return sd_bus_reply_method_return(m, NULL);
}

#define PROPERTY(name, sig) SD_BUS_PROPERTY(name, sig, get_property, 0, 0)

static const sd_bus_vtable sni_item_vtable[] = {
        SD_BUS_VTABLE_START(0),
        PROPERTY("Category", "s"),
        PROPERTY("Id", "s"),
        PROPERTY("Title", "s"),
        PROPERTY("Status", "s"),
        PROPERTY("WindowId", "i"),
        PROPERTY("IconThemePath", "s"),
        PROPERTY("Menu", "o"),
        PROPERTY("ItemIsMenu", "b"),
        PROPERTY("IconName", "s"),
        PROPERTY("IconPixmap", "a(iiay)"),
        PROPERTY("OverlayIconName", "s"),
        PROPERTY("OverlayIconPixmap", "a(iiay)"),
        PROPERTY("AttentionIconName", "s"),
        PROPERTY("AttentionIconPixmap", "a(iiay)"),
        PROPERTY("AttentionMovieName", "s"),
        PROPERTY("ToolTip", "(sa(iiay)ss)"),
        SD_BUS_METHOD("ContextMenu", "ii", "", method_context_menu, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Activate", "ii", "", method_activate, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("SecondaryActivate", "ii", "", method_secondary_activate,
                        SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Scroll", "is", "", method_scroll, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL("NewTitle", "", 0),
        SD_BUS_SIGNAL("NewIcon", "", 0),
        SD_BUS_SIGNAL("NewAttentionIcon", "", 0),
        SD_BUS_SIGNAL("NewOverlayIcon", "", 0),
        SD_BUS_SIGNAL("NewToolTip", "", 0),
        SD_BUS_SIGNAL("NewStatus", "s", 0),
        SD_BUS_SIGNAL("NewMenu", "", 0),
        SD_BUS_VTABLE_END,
};

static int on_registered(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        SniItem *s = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e)
                log_debug("Item %s not registered with a StatusNotifierWatcher (%s); waiting "
                          "for one.",
                                s->name, e->message);
        return 0;
}

static int register_with_watcher(SniItem *s) {
        return sd_bus_call_method_async(s->bus, NULL, WATCHER, "/StatusNotifierWatcher", WATCHER,
                        "RegisterStatusNotifierItem", on_registered, s, "s", s->name);
}

/* A watcher that starts later (or restarts) does not know us: register again. */
static int on_watcher_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        SniItem *s = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 ||
                        !streq(name, WATCHER) || !new_owner[0])
                return 0;
        int r = register_with_watcher(s);
        if (r < 0)
                log_warning_errno(r, "Cannot register %s, ignoring: %m", s->name);
        return 0;
}

static int connect_bus(SniItem *s, sd_event *event) {
        int r;

        r = sd_bus_open_user(&s->bus);
        if (r < 0)
                return r;
        r = sd_bus_attach_event(s->bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        r = sd_bus_add_object_vtable(s->bus, &s->item_slot, ITEM_PATH, IFACE, sni_item_vtable, s);
        if (r < 0)
                return r;
        r = dbusmenu_export(&s->menu, s->bus);
        if (r < 0)
                return r;
        r = sd_bus_match_signal(s->bus, &s->watcher_slot, "org.freedesktop.DBus",
                        "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                        on_watcher_owner_changed, s);
        if (r < 0)
                return r;
        return sd_bus_request_name(s->bus, s->name, 0);
}

int sni_item_new(sd_event *event, const char *vm, uint32_t key, unsigned n, DbusMenuActionFn action,
                void *userdata, SniItem **ret) {
        _cleanup_(sni_item_freep) SniItem *s = NULL;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->key = key;
        s->action = action;
        s->userdata = userdata;
        s->menu = (DbusMenu){
                .item = &empty_item, .key = key, .action = action, .userdata = userdata
        };
        s->vm = strdup(vm);
        if (!s->vm || asprintf(&s->name, "org.kde.StatusNotifierItem-%d-%u", getpid(), n) < 0)
                return -ENOMEM;
        r = connect_bus(s, event);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

static int emit_changes(SniItem *s) {
        static const char *const signals[] = { "NewTitle", "NewIcon", "NewAttentionIcon",
                "NewToolTip", "NewMenu" };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(signals); i++) {
                r = sd_bus_emit_signal(s->bus, ITEM_PATH, IFACE, signals[i], NULL);
                if (r < 0)
                        return r;
        }
        r = sd_bus_emit_signal(s->bus, ITEM_PATH, IFACE, "NewStatus", "s", s->item->status);
        if (r < 0)
                return r;
        return dbusmenu_changed(&s->menu, s->bus, s->item);
}

int sni_item_update(SniItem *s, TrayItem *item, uint32_t border_rgb) {
        bool first = !s->item;

        tray_border_draw(&item->icon, border_rgb);
        tray_border_draw(&item->attention, border_rgb);
        tray_item_free(s->item);
        s->item = item;
        s->menu.item = item;
        if (first)
                return register_with_watcher(s);
        return emit_changes(s);
}

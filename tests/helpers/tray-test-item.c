/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-test-item.c: test peers for tests/integration/test_tray.py, on the session bus of
 * $DBUS_SESSION_BUS_ADDRESS: "watcher" is a minimal StatusNotifierWatcher printing
 * "registered SERVICE"; the other modes are StatusNotifierItems that register with the watcher
 * and print each call they get ("activate X Y", "SecondaryActivate X Y", "ContextMenu X Y",
 * "scroll DELTA ORIENTATION", "event ID EVENT", "abouttoshow ID"):
 *   good TITLE      pixmap, icon name "vmsilo-tray-test", tooltip, a two-level menu
 *   big-pixmap      a pixmap header of 20000x20000 over 16 bytes
 *   wide-menu       10000 menu entries
 *   deep-menu       a menu 60 levels deep
 *   markup          markup, entities and bidi controls in the title and tooltip
 *   flood           NewIcon 1000 times a second */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

static const char *mode;
static const char *title = "test";
static sd_bus *bus;

static int append_pixmap(sd_bus_message *m, int w, int h, const uint8_t *data, size_t size) {
        int r = sd_bus_message_open_container(m, 'a', "(iiay)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "iiay");
        if (r >= 0)
                r = sd_bus_message_append(m, "ii", w, h);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', data, size);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int get_prop(sd_bus *b, const char *path, const char *iface, const char *prop,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        static uint8_t green[8 * 8 * 4];
        const char *t = strcmp(mode, "markup") == 0 ? "<b>evil</b> &amp; \u202eright" : title;

        for (size_t i = 0; i < sizeof(green); i += 4)
                memcpy(green + i, "\xff\x00\xff\x00", 4);
        if (strcmp(prop, "Title") == 0 || strcmp(prop, "Id") == 0)
                return sd_bus_message_append(reply, "s", t);
        if (strcmp(prop, "Status") == 0)
                return sd_bus_message_append(reply, "s", "Active");
        if (strcmp(prop, "Menu") == 0)
                return sd_bus_message_append(reply, "o", "/MenuBar");
        if (strcmp(prop, "IconName") == 0)
                return sd_bus_message_append(
                                reply, "s", strcmp(mode, "good") == 0 ? "vmsilo-tray-test" : "");
        if (strcmp(prop, "IconPixmap") == 0)
                return strcmp(mode, "big-pixmap") == 0
                                       ? append_pixmap(reply, 20000, 20000, green, 16)
                                       : append_pixmap(reply, 8, 8, green, sizeof(green));
        if (strcmp(prop, "ToolTip") == 0)
                return sd_bus_message_append(reply, "(sa(iiay)ss)", "", 0, t, "<i>tip</i>");
        return -ENOENT;
}

static int method_activate(sd_bus_message *m, void *u, sd_bus_error *e) {
        int32_t x, y;
        sd_bus_message_read(m, "ii", &x, &y);
        printf("activate %d %d\n", x, y);
        fflush(stdout);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_scroll(sd_bus_message *m, void *u, sd_bus_error *e) {
        const char *orientation;
        int32_t delta;
        sd_bus_message_read(m, "is", &delta, &orientation);
        printf("scroll %d %s\n", delta, orientation);
        fflush(stdout);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_xy(sd_bus_message *m, void *u, sd_bus_error *e) {
        int32_t x, y;
        sd_bus_message_read(m, "ii", &x, &y);
        printf("%s %d %d\n", sd_bus_message_get_member(m), x, y);
        fflush(stdout);
        return sd_bus_reply_method_return(m, NULL);
}

static int append_node(sd_bus_message *m, int32_t id, const char *label, int depth_left) {
        int kids = 0, r;

        if (strcmp(mode, "good") == 0)
                kids = id == 0 ? 2 : id == 2 ? 1 : 0;
        else if (strcmp(mode, "wide-menu") == 0)
                kids = id == 0 ? 10000 : 0;
        else if (strcmp(mode, "deep-menu") == 0)
                kids = id < 60 ? 1 : 0;
        r = sd_bus_message_open_container(m, 'r', "ia{sv}av");
        if (r >= 0)
                r = sd_bus_message_append(m, "ia{sv}", id, 2, "label", "s", label,
                                "children-display", "s", kids ? "submenu" : "");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "v");
        for (int i = 0; r >= 0 && depth_left != 0 && i < kids; i++) {
                int32_t child = strcmp(mode, "deep-menu") == 0 ? id + 1 : id * 10 + i + 1;
                if (strcmp(mode, "good") == 0)
                        child = id == 0 ? i + 1 : 3;
                r = sd_bus_message_open_container(m, 'v', "(ia{sv}av)");
                if (r >= 0)
                        r = append_node(m, child,
                                        child == 1   ? "Open"
                                        : child == 2 ? "More"
                                                     : "Sub",
                                        depth_left - 1);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int method_get_layout(sd_bus_message *m, void *u, sd_bus_error *e) {
        sd_bus_message *reply = NULL;
        int32_t parent, depth;
        int r;

        sd_bus_message_read(m, "ii", &parent, &depth);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "u", 1);
        if (r >= 0)
                r = append_node(reply, parent, "root", depth < 0 ? 8 : depth);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static int method_event(sd_bus_message *m, void *u, sd_bus_error *e) {
        const char *ev;
        int32_t id;
        sd_bus_message_read(m, "is", &id, &ev);
        printf("event %d %s\n", id, ev);
        fflush(stdout);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_about_to_show(sd_bus_message *m, void *u, sd_bus_error *e) {
        int32_t id;
        sd_bus_message_read(m, "i", &id);
        printf("abouttoshow %d\n", id);
        fflush(stdout);
        return sd_bus_reply_method_return(m, "b", 0);
}

static const sd_bus_vtable item_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Title", "s", get_prop, 0, 0),
        SD_BUS_PROPERTY("Id", "s", get_prop, 0, 0),
        SD_BUS_PROPERTY("Status", "s", get_prop, 0, 0),
        SD_BUS_PROPERTY("Menu", "o", get_prop, 0, 0),
        SD_BUS_PROPERTY("IconName", "s", get_prop, 0, 0),
        SD_BUS_PROPERTY("IconPixmap", "a(iiay)", get_prop, 0, 0),
        SD_BUS_PROPERTY("ToolTip", "(sa(iiay)ss)", get_prop, 0, 0),
        SD_BUS_METHOD("Activate", "ii", "", method_activate, 0),
        SD_BUS_METHOD("SecondaryActivate", "ii", "", method_xy, 0),
        SD_BUS_METHOD("ContextMenu", "ii", "", method_xy, 0),
        SD_BUS_METHOD("Scroll", "is", "", method_scroll, 0),
        SD_BUS_SIGNAL("NewIcon", "", 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable menu_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("GetLayout", "iias", "u(ia{sv}av)", method_get_layout, 0),
        SD_BUS_METHOD("Event", "isvu", "", method_event, 0),
        SD_BUS_METHOD("AboutToShow", "i", "b", method_about_to_show, 0),
        SD_BUS_VTABLE_END,
};

static int method_register(sd_bus_message *m, void *u, sd_bus_error *e) {
        const char *service;
        sd_bus_message_read(m, "s", &service);
        printf("registered %s\n", service);
        fflush(stdout);
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable watcher_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("RegisterStatusNotifierItem", "s", "", method_register, 0),
        SD_BUS_VTABLE_END,
};

static int on_flood(sd_event_source *s, uint64_t usec, void *u) {
        sd_bus_emit_signal(
                        bus, "/StatusNotifierItem", "org.kde.StatusNotifierItem", "NewIcon", NULL);
        int r = sd_event_source_set_time(s, usec + 1000);
        return r < 0 ? r : sd_event_source_set_enabled(s, SD_EVENT_ON);
}

int main(int argc, char **argv) {
        sd_event *event = NULL;
        const char *unique;
        int r;

        if (argc < 2)
                return 2;
        mode = argv[1];
        if (argc > 2)
                title = argv[2];
        if (sd_event_default(&event) < 0 || sd_bus_open_user(&bus) < 0 ||
                        sd_bus_attach_event(bus, event, 0) < 0)
                return 1;
        if (strcmp(mode, "watcher") == 0) {
                r = sd_bus_add_object_vtable(bus, NULL, "/StatusNotifierWatcher",
                                "org.kde.StatusNotifierWatcher", watcher_vtable, NULL);
                if (r >= 0)
                        r = sd_bus_request_name(bus, "org.kde.StatusNotifierWatcher", 0);
        } else {
                r = sd_bus_add_object_vtable(bus, NULL, "/StatusNotifierItem",
                                "org.kde.StatusNotifierItem", item_vtable, NULL);
                if (r >= 0)
                        r = sd_bus_add_object_vtable(bus, NULL, "/MenuBar",
                                        "com.canonical.dbusmenu", menu_vtable, NULL);
                if (r >= 0)
                        r = sd_bus_get_unique_name(bus, &unique);
                if (r >= 0)
                        r = sd_bus_call_method(bus, "org.kde.StatusNotifierWatcher",
                                        "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher",
                                        "RegisterStatusNotifierItem", NULL, NULL, "s", unique);
                if (r >= 0 && strcmp(mode, "flood") == 0)
                        r = sd_event_add_time_relative(
                                        event, NULL, CLOCK_MONOTONIC, 1000, 0, on_flood, NULL);
        }
        if (r < 0) {
                fprintf(stderr, "tray-test-item: %s\n", strerror(-r));
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        return sd_event_loop(event) < 0;
}

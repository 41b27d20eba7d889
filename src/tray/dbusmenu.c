/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbusmenu.c: com.canonical.dbusmenu for a guest item's menu on the host bus. The host tray sees
 * only the whitelisted properties (type, label, enabled, visible, toggle-type, toggle-state,
 * children-display); events go back to the guest by menu id, for ids the menu has. */
#include <errno.h>
#include <string.h>

#include "dbusmenu.h"

#define IFACE "com.canonical.dbusmenu"

/* Index of menu id in the item, TRAY_MENU_PARENT_ROOT for 0, -ENOENT if there is none. */
static int node_index(const TrayItem *item, int32_t id) {
        if (id == 0)
                return TRAY_MENU_PARENT_ROOT;
        for (size_t i = 0; i < item->n_menu; i++)
                if (item->menu[i].id == id)
                        return (int) i;
        return -ENOENT;
}

static int append_properties(sd_bus_message *m, const TrayItem *item, int index) {
        static const char *const toggles[] = { "", "checkmark", "radio" };
        bool children = index == TRAY_MENU_PARENT_ROOT ? item->n_menu > 0
                                                       : tray_menu_node_has_children(item, index);
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && children)
                r = sd_bus_message_append(m, "{sv}", "children-display", "s", "submenu");
        if (r >= 0 && index != TRAY_MENU_PARENT_ROOT) {
                const TrayMenuNode *n = &item->menu[index];
                r = sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}{sv}", "type", "s",
                                n->type == TRAY_MENU_SEPARATOR ? "separator" : "standard", "label",
                                "s", n->label, "enabled", "b", (int) n->enabled, "visible", "b",
                                (int) n->visible, "toggle-type", "s", toggles[n->toggle_type],
                                "toggle-state", "i", (int32_t) n->toggle_state);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

/* (ia{sv}av) of node index, with depth levels of children (-1: all). */
static int append_node(sd_bus_message *m, const TrayItem *item, int index, int depth) {
        int r;

        r = sd_bus_message_open_container(m, 'r', "ia{sv}av");
        if (r >= 0)
                r = sd_bus_message_append(
                                m, "i", index == TRAY_MENU_PARENT_ROOT ? 0 : item->menu[index].id);
        if (r >= 0)
                r = append_properties(m, item, index);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "v");
        for (size_t j = 0; r >= 0 && depth != 0 && j < item->n_menu; j++) {
                if (item->menu[j].parent != (uint16_t) index)
                        continue;
                r = sd_bus_message_open_container(m, 'v', "(ia{sv}av)");
                if (r >= 0)
                        r = append_node(m, item, (int) j, depth < 0 ? -1 : depth - 1);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int method_get_layout(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        DbusMenu *menu = userdata;
        int32_t parent, depth;
        int index, r;

        r = sd_bus_message_read(m, "ii", &parent, &depth);
        if (r < 0)
                return r;
        index = node_index(menu->item, parent);
        if (index < 0)
                return sd_bus_error_setf(
                                error, SD_BUS_ERROR_INVALID_ARGS, "No menu entry %d.", parent);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "u", menu->revision);
        if (r >= 0)
                r = append_node(reply, menu->item, index, depth < 0 ? -1 : MIN(depth, 8));
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_get_group_properties(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        DbusMenu *menu = userdata;
        const int32_t *ids;
        size_t size;
        int r;

        r = sd_bus_message_read_array(m, 'i', (const void **) &ids, &size);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ia{sv})");
        for (size_t i = 0; r >= 0 && i < menu->item->n_menu; i++) {
                bool wanted = size == 0;
                for (size_t j = 0; j < size / sizeof(int32_t); j++)
                        wanted = wanted || ids[j] == menu->item->menu[i].id;
                if (!wanted)
                        continue;
                r = sd_bus_message_open_container(reply, 'r', "ia{sv}");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "i", menu->item->menu[i].id);
                if (r >= 0)
                        r = append_properties(reply, menu->item, (int) i);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* Forwards an event on an entry the menu has; others are dropped. */
static void forward(DbusMenu *menu, uint8_t type, int32_t id, int32_t event) {
        if (id < 0 || node_index(menu->item, id) < 0)
                return;
        menu->action(&(TrayAction){ .type = type, .key = menu->key, .a = id, .b = event },
                        menu->userdata);
}

/* Reads one (isvu) event, any variant type of data, and forwards it. */
static int read_event(DbusMenu *menu, sd_bus_message *m) {
        const char *event_id;
        int32_t id;
        uint32_t timestamp;
        int r;

        r = sd_bus_message_read(m, "is", &id, &event_id);
        if (r >= 0)
                r = sd_bus_message_skip(m, "v");
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &timestamp);
        if (r < 0)
                return r;
        TrayMenuEvent e = tray_menu_event_from_string(event_id);
        if (e >= 0)
                forward(menu, TRAY_MSG_MENU_EVENT, id, e);
        return 0;
}

static int method_event(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int r = read_event(userdata, m);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int method_event_group(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(isvu)");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'r', "isvu")) > 0) {
                r = read_event(userdata, m);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "ai", 0);
}

static int method_about_to_show(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int32_t id;
        int r;

        r = sd_bus_message_read(m, "i", &id);
        if (r < 0)
                return r;
        forward(userdata, TRAY_MSG_ABOUT_TO_SHOW, id, 0);
        return sd_bus_reply_method_return(m, "b", 0);
}

static int method_about_to_show_group(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const int32_t *ids;
        size_t size;
        int r;

        r = sd_bus_message_read_array(m, 'i', (const void **) &ids, &size);
        if (r < 0)
                return r;
        for (size_t i = 0; i < size / sizeof(int32_t); i++)
                forward(userdata, TRAY_MSG_ABOUT_TO_SHOW, ids[i], 0);
        return sd_bus_reply_method_return(m, "aiai", 0, 0);
}

static int get_version(sd_bus *bus, const char *path, const char *iface, const char *prop,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", 3);
}

static int get_string(sd_bus *bus, const char *path, const char *iface, const char *prop,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", streq(prop, "Status") ? "normal" : "ltr");
}

static int get_icon_theme_path(sd_bus *bus, const char *path, const char *iface, const char *prop,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "as", 0);
}

static const sd_bus_vtable dbusmenu_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "u", get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("TextDirection", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Status", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("IconThemePath", "as", get_icon_theme_path, 0,
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD("GetLayout", "iias", "u(ia{sv}av)", method_get_layout,
                        SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("GetGroupProperties", "aias", "a(ia{sv})", method_get_group_properties,
                        SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Event", "isvu", "", method_event, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("EventGroup", "a(isvu)", "ai", method_event_group,
                        SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("AboutToShow", "i", "b", method_about_to_show, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("AboutToShowGroup", "ai", "aiai", method_about_to_show_group,
                        SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL("ItemsPropertiesUpdated", "a(ia{sv})a(ias)", 0),
        SD_BUS_SIGNAL("LayoutUpdated", "ui", 0),
        SD_BUS_SIGNAL("ItemActivationRequested", "iu", 0),
        SD_BUS_VTABLE_END,
};

int dbusmenu_export(DbusMenu *menu, sd_bus *bus) {
        return sd_bus_add_object_vtable(
                        bus, &menu->slot, DBUSMENU_PATH, IFACE, dbusmenu_vtable, menu);
}

void dbusmenu_finish(DbusMenu *menu) {
        menu->slot = sd_bus_slot_unref(menu->slot);
}

int dbusmenu_changed(DbusMenu *menu, sd_bus *bus, const TrayItem *item) {
        menu->item = item;
        menu->revision++;
        return sd_bus_emit_signal(
                        bus, DBUSMENU_PATH, IFACE, "LayoutUpdated", "ui", menu->revision, 0);
}

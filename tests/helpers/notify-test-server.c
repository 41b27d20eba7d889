/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify-test-server.c: a notification daemon for tests/integration/test_clipboard_notify.py, on
 * the session bus of $DBUS_SESSION_BUS_ADDRESS. It owns org.freedesktop.Notifications, prints
 * "ready", then one line per Notify call, its strings separated by tabs:
 *   notify APP_NAME APP_ICON SUMMARY BODY ACTIONS EXPIRE_TIMEOUT
 * (ACTIONS: how many strings; the hints are skipped). With --silent it never replies, as a hung
 * daemon. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

static int silent;

static int on_notify(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *app, *icon, *summary, *body;
        char **actions = NULL;
        unsigned replaces, n_actions = 0;
        int32_t expire;
        int r;

        r = sd_bus_message_read(m, "suss", &app, &replaces, &icon, &summary);
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &body);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &actions);
        for (char **a = actions; a && *a; a++, n_actions++)
                free(*a);
        free(actions);
        if (r >= 0)
                r = sd_bus_message_skip(m, "a{sv}");
        if (r >= 0)
                r = sd_bus_message_read(m, "i", &expire);
        if (r < 0)
                return r;
        printf("notify\t%s\t%s\t%s\t%s\t%u\t%d\n", app, icon, summary, body, n_actions, expire);
        fflush(stdout);
        if (silent) {
                /* kept, unanswered, until the process ends */
                sd_bus_message_ref(m);
                return 1;
        }
        return sd_bus_reply_method_return(m, "u", 1u);
}

static const sd_bus_vtable vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", on_notify, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int main(int argc, char **argv) {
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        int r;

        silent = argc > 1 && strcmp(argv[1], "--silent") == 0;
        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_bus_open_user(&bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/Notifications",
                                "org.freedesktop.Notifications", vtable, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.freedesktop.Notifications", 0);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, 0);
        if (r < 0) {
                fprintf(stderr, "notify-test-server: %s\n", strerror(-r));
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        return sd_event_loop(event) < 0;
}

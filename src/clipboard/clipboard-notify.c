/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clipboard-notify.c: Notify calls on the user's session bus, asynchronous, never blocking. */
#include <errno.h>

#include "clipboard-notify.h"
#include "log.h"
#include "macro.h"

void clipboard_notifier_init(ClipboardNotifier *n, sd_event *event) {
        *n = (ClipboardNotifier){ .event = event };
}

void clipboard_notifier_finish(ClipboardNotifier *n) {
        /* no flush: a notification still queued is not worth blocking the exit for */
        n->bus = sd_bus_close_unref(n->bus);
}

/* An open bus attached to the loop: the one we have, or a new one. sd_bus_open_user() only
 * starts connecting (a non-blocking connect, the authentication and Hello queued), so this
 * never waits on the bus; a missing socket fails at once. */
static int bus_acquire(ClipboardNotifier *n) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (n->bus && sd_bus_is_open(n->bus) > 0)
                return 0;
        n->bus = sd_bus_close_unref(n->bus);
        r = sd_bus_open_user_with_description(&bus, "notifications");
        if (r < 0)
                return r;
        r = sd_bus_attach_event(bus, n->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        n->bus = TAKE_PTR(bus);
        return 0;
}

static int on_notify_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (e)
                log_debug("No desktop notification: %s", e->message ?: e->name);
        return 0;
}

static int notify(ClipboardNotifier *n, const ClipboardNotice *notice) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_acquire(n);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(n->bus, &m, "org.freedesktop.Notifications",
                        "/org/freedesktop/Notifications", "org.freedesktop.Notifications",
                        "Notify");
        if (r < 0)
                return r;
        /* app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout (-1:
         * the server's default) */
        r = sd_bus_message_append(m, "susssasa{sv}i", "vmsilo", 0u, notice->icon, notice->summary,
                        notice->body, 0u, 0u, (int32_t) -1);
        if (r < 0)
                return r;
        /* floating: the bus owns the pending call and drops it at the timeout */
        return sd_bus_call_async(
                        n->bus, NULL, m, on_notify_reply, n, CLIPBOARD_NOTIFY_TIMEOUT_USEC);
}

void clipboard_notifier_send(ClipboardNotifier *n, const ClipboardNotice *notice) {
        int r = notify(n, notice);

        if (r < 0) {
                log_debug_errno(r, "No desktop notification: %m");
                n->bus = sd_bus_close_unref(n->bus);
        }
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clipboard-notify.h: vmsilo-clipboard's desktop notifications, org.freedesktop.Notifications
 * on the user's session bus ($DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus), sent
 * asynchronously from the clipboard's event loop. Without a bus or a notification daemon there is
 * none, silently: the clipboard's log line stays the record. */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "clipboard-notice.h"

/* How long a Notify call may wait for its reply before sd-bus drops it. */
#define CLIPBOARD_NOTIFY_TIMEOUT_USEC (2u * 1000u * 1000u)

typedef struct ClipboardNotifier {
        sd_event *event; /* not owned: the clipboard's loop */
        sd_bus *bus;     /* NULL until the first notice, and again after a failure */
} ClipboardNotifier;

void clipboard_notifier_init(ClipboardNotifier *n, sd_event *event);
void clipboard_notifier_finish(ClipboardNotifier *n);
/* Queues a Notify call and returns: connecting (again) if there is no open bus. Never blocks,
 * never fails: a missing bus or daemon is logged at debug level. */
void clipboard_notifier_send(ClipboardNotifier *n, const ClipboardNotice *notice);

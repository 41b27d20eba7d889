/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sni-item.h: one host StatusNotifierItem standing in for a guest item, on its own connection to
 * the user's session bus, named org.kde.StatusNotifierItem-<pid>-<n>. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "dbusmenu.h"
#include "tray-item.h"
#include "tray-sanitize.h"

typedef struct SniItem SniItem;

/* Connects, takes the name, exports the item and its menu and registers with the host's
 * StatusNotifierWatcher (again whenever one appears). Interactions go to action(). */
int sni_item_new(sd_event *event, const char *vm, uint32_t key, unsigned n, DbusMenuActionFn action,
                void *userdata, SniItem **ret);
/* Unexports and disconnects: the watcher drops the item when its name goes. */
SniItem *sni_item_free(SniItem *s);
DEFINE_FREE_FUNC(SniItem *, sni_item_free);
/* Shows item (sanitised; taken) with its pixmaps framed in border_rgb; emits the New* signals. */
int sni_item_update(SniItem *s, TrayItem *item, uint32_t border_rgb);
uint32_t sni_item_get_key(const SniItem *s);
TrayRate *sni_item_get_rate(SniItem *s);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbusmenu.h: a guest item's menu re-exported on the host as com.canonical.dbusmenu. */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "tray-item.h"
#include "tray-wire.h"

typedef void (*DbusMenuActionFn)(const TrayAction *action, void *userdata);

typedef struct DbusMenu {
        const TrayItem *item; /* borrowed from the owner; sanitised */
        uint32_t key;
        uint32_t revision;
        DbusMenuActionFn action;
        void *userdata;
        sd_bus_slot *slot;
} DbusMenu;

#define DBUSMENU_PATH "/MenuBar"

/* Exports menu at DBUSMENU_PATH on bus; menu must stay where it is until dbusmenu_finish(). */
int dbusmenu_export(DbusMenu *menu, sd_bus *bus);
void dbusmenu_finish(DbusMenu *menu);
/* The item changed: new revision, LayoutUpdated(revision, 0). */
int dbusmenu_changed(DbusMenu *menu, sd_bus *bus, const TrayItem *item);

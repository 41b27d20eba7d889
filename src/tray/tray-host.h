/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-host.h: the host half of vmsilo-tray: guest items from the stream, shown on the user's
 * session bus as sanitised proxy items. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

typedef struct TrayHost TrayHost;

#define TRAY_HOST_ITEMS_MAX 32u    /* live items per VM */
#define TRAY_HOST_REFUSED_MAX 256u /* item keys remembered as dropped */

/* Takes fd (the stream to the guest half) on success. The loop exits with 0 when the guest
 * half closes the stream, < 0 when it breaks it. */
int tray_host_new(sd_event *event, int fd, const char *vm, uint32_t color_rgb, TrayHost **ret);
TrayHost *tray_host_free(TrayHost *h);
DEFINE_FREE_FUNC(TrayHost *, tray_host_free);

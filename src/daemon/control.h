/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* control.h: the control socket server (docs/daemon-sockets.md). */
#pragma once

#include "macro.h"
#include "manager.h"

int control_server_new(Manager *m, const char *path, ControlServer **ret);
ControlServer *control_server_free(ControlServer *server);
DEFINE_FREE_FUNC(ControlServer *, control_server_free);

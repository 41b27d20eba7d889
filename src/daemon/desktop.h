/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop.h: the host menu entries of every configured VM's applications, kept in the
 * configured user's ~/.local/share (docs/desktop.md). */
#pragma once

typedef struct Manager Manager;

/* Makes the user's vmsilo menu entries and icons match the configuration: one entry per
 * application extracted into each VM's image (<state>/images/vms/<vm>/desktop/), launched with
 * vm-run; every entry and icon of ours not in that set is removed. Files in the home are
 * written by a child running as the user, so nothing in the home can redirect root. Call at
 * start and after a configuration reload. Failures are logged as warnings and returned; the
 * daemon carries on without menu entries. */
int desktop_sync(Manager *m);

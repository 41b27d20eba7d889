/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* forward-cmdline.h: which host services this guest may reach, from the kernel command line
 * (`vmsilo.forward=wayland[,NAME…]`, written by the host's launch plan). Pure. */
#pragma once

/* At most this many services are listened for. */
#define FORWARD_CMDLINE_SERVICES_MAX 8

/* Finds the last vmsilo.forward= word of cmdline (words split by blanks) and returns its
 * comma-separated service names, duplicates dropped, as a strv (empty when there is no such
 * word or it is empty). -EINVAL for a name outside [a-zA-Z0-9._-]{1,64} or an empty element,
 * -E2BIG for more than FORWARD_CMDLINE_SERVICES_MAX names. */
int forward_cmdline_parse(const char *cmdline, char ***ret);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fd-util.h: file status flags of descriptors. */
#pragma once

/* Sets O_NONBLOCK on fd, keeping its other status flags (an O_APPEND or O_DIRECT stays).
 * 0 or -errno. */
int fd_set_nonblock(int fd);

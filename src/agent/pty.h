/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pty.h: pseudo-terminals for PTY sessions. */
#pragma once

#include <stdint.h>

/* Opens a PTY pair with the given window size (0 rows or cols keeps the kernel default): the
 * master O_NONBLOCK, both O_CLOEXEC and O_NOCTTY. The slave is opened here, before fork, so it
 * is never "closed" between fork and the child's exec: a master read then would give EIO, which
 * we take as end of output. The parent closes its slave copy right after fork. */
int pty_open(uint16_t rows, uint16_t cols, int *ret_master, int *ret_slave);
/* In the forked child, after setsid(): makes slave the controlling terminal and
 * stdin/stdout/stderr. Only async-signal-safe calls. */
int pty_attach_child(int slave);
int pty_set_size(int master, uint16_t rows, uint16_t cols);
/* The terminal's end-of-file character (VEOF, usually ^D): how stdin EOF reaches a PTY child. */
int pty_get_eof_char(int master, uint8_t *ret);

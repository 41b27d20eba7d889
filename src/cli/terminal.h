/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* terminal.h: raw mode for the user's terminal, undone on every exit path. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

typedef struct Terminal {
        int fd; /* borrowed; -EBADF when not in raw mode */
        struct termios saved;
} Terminal;

#define TERMINAL_NULL ((Terminal){ .fd = -EBADF })

/* Puts the terminal on fd into raw mode and remembers the old settings in *t (which must be
 * TERMINAL_NULL). -ENOTTY when fd is not a terminal. */
int terminal_make_raw(int fd, Terminal *t);
/* Restores what terminal_make_raw() changed; idempotent, accepts TERMINAL_NULL. For _cleanup_. */
void terminal_restore(Terminal *t);

/* The window size of the terminal on fd; -ENOTTY when fd is not one, -ENODATA when the size is
 * unknown (0x0). */
int terminal_get_size(int fd, uint16_t *ret_rows, uint16_t *ret_cols);

/* Whether the user's terminal decodes UTF-8, as the locale environment says
 * (term_filter_locale_is_utf8()). */
bool terminal_is_utf8(void);

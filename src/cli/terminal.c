/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* terminal.c: raw mode and window size of the user's terminal. */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "macro.h"
#include "term-filter.h"
#include "terminal.h"

int terminal_make_raw(int fd, Terminal *t) {
        struct termios saved, raw;

        if (tcgetattr(fd, &saved) < 0)
                return -errno;
        raw = saved;
        cfmakeraw(&raw);
        /* Output post-processing stays off too: the guest's own terminal already turns "\n" into
         * "\r\n", and doing it twice would double the carriage returns. */
        if (tcsetattr(fd, TCSANOW, &raw) < 0)
                return -errno;
        t->fd = fd;
        t->saved = saved;
        return 0;
}

void terminal_restore(Terminal *t) {
        if (t->fd < 0)
                return;
        /* TCSADRAIN: let the guest's last output reach the screen under the raw settings. */
        (void) tcsetattr(t->fd, TCSADRAIN, &t->saved);
        t->fd = -EBADF;
}

int terminal_get_size(int fd, uint16_t *ret_rows, uint16_t *ret_cols) {
        struct winsize ws;

        if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
                return -errno;
        if (ws.ws_row == 0 || ws.ws_col == 0)
                return -ENODATA;
        *ret_rows = ws.ws_row;
        *ret_cols = ws.ws_col;
        return 0;
}

bool terminal_is_utf8(void) {
        return term_filter_locale_is_utf8(getenv("LC_ALL"), getenv("LC_CTYPE"), getenv("LANG"));
}

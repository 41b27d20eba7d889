/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pty.c: PTY allocation and controlling-terminal setup. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "macro.h"
#include "pty.h"

int pty_set_size(int master, uint16_t rows, uint16_t cols) {
        struct winsize ws = { .ws_row = rows, .ws_col = cols };

        if (rows == 0 || cols == 0)
                return 0;
        return ioctl(master, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

int pty_open(uint16_t rows, uint16_t cols, int *ret_master, int *ret_slave) {
        _cleanup_(closep) int master = -EBADF, slave = -EBADF;
        char path[64];
        int r;

        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (master < 0)
                return -errno;
        if (grantpt(master) < 0 || unlockpt(master) < 0)
                return -errno;
        r = ptsname_r(master, path, sizeof(path));
        if (r != 0)
                return -r;
        slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return -errno;
        r = pty_set_size(master, rows, cols);
        if (r < 0)
                return r;
        *ret_master = TAKE_FD(master);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

int pty_attach_child(int slave) {
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return -errno;
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return -errno;
        return 0;
}

int pty_get_eof_char(int master, uint8_t *ret) {
        struct termios t;

        if (tcgetattr(master, &t) < 0)
                return -errno;
        *ret = t.c_cc[VEOF];
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-stop.c: `vm-stop NAME…`: asks vmsilod to stop each VM; the request loop is cmd-start.c's. */
#include "cli.h"

int cmd_stop(int argc, char **argv) {
        return cmd_start_stop("stop", argc, argv);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-config.c: `vmsilo config check|show|plan`. */
#include "cli.h"
#include "log.h"

int cmd_config(int argc, char **argv) {
        log_error("config: not built yet");
        return CLI_EXIT_FAILURE;
}

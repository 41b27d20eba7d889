/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo-start-debug.c: `vm-start-debug` (cmd-start-debug.c) as a program of its own under
 * libexec/vmsilo, which the vmsilo client execs with its own argv: the VMM's sandbox links
 * libseccomp and libacl, which every vm-run would otherwise load for nothing (issue #18). */
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "log.h"

int main(int argc, char **argv) {
        /* argv[0] is the client's: "vm-start-debug", or "start-debug" under `vmsilo`. */
        bool subcommand = argc > 0 && streq(argv[0], "start-debug");

        if (argc < 1 || cli_stdio_ensure_open() < 0)
                return CLI_EXIT_FAILURE;
        log_set_program_name(subcommand ? "vmsilo" : "vm-start-debug");
        return cmd_start_debug(argc, argv);
}

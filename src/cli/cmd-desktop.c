/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-desktop.c: `vmsilo desktop snippets sway|kwin [FILE]`: compositor settings that colour the
 * title bars of each VM's windows. */
#include <stdio.h>
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "config.h"
#include "desktop-snippets.h"
#include "log.h"

static void help(FILE *f) {
        fprintf(f,
                        "Usage: vmsilo desktop snippets sway|kwin [FILE]\n"
                        "\n"
                        "Print settings for sway or KWin that draw the title bars of each VM's\n"
                        "windows in the VM's colour, with black or white text, from FILE\n"
                        "(default %s). vmsilo-wayland's frame in that colour needs none.\n"
                        "\n"
                        "Options:\n"
                        "  -h --help      show this help\n",
                        CONFIG_DEFAULT_PATH);
}

int cmd_desktop(int argc, char **argv) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *text = NULL;
        DesktopSnippetKind kind;
        int r;

        if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                help(stdout);
                return CLI_EXIT_OK;
        }
        if (argc < 3 || argc > 4 || !streq(argv[1], "snippets")) {
                help(stderr);
                return CLI_EXIT_USAGE;
        }
        kind = desktop_snippet_kind_from_string(argv[2]);
        if ((int) kind < 0) {
                log_error("desktop snippets: '%s' is not sway or kwin.", argv[2]);
                return CLI_EXIT_USAGE;
        }
        r = config_load_file_logged(cli_config_path(argc == 4 ? argv[3] : NULL), &c);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        if (desktop_snippets_format(c, kind, &text) < 0)
                return log_oom(), CLI_EXIT_FAILURE;
        fputs(text, stdout);
        return CLI_EXIT_OK;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-reload.c: `vmsilo reload`: asks vmsilod to read its configuration again. */
#include <stdio.h>

#include "cli-args.h"
#include "cli-util.h"
#include "cli.h"
#include "log.h"

static void help(const char *program) {
        printf("Usage: %s reload [OPTIONS]\n"
               "\n"
               "Make vmsilod read its configuration file again. A file with errors is refused\n"
               "and the running configuration stays; every error is printed. New VMs become\n"
               "available, removed ones are stopped, and changed settings of a running VM\n"
               "take effect at its next start (a changed network interface at once).\n"
               "\n"
               "Options:\n"
               "  -h --help             show this help\n"
               "     --runtime-dir DIR  vmsilod's sockets (default: $" CLI_RUNTIME_DIR_ENV
               " or " CLI_RUNTIME_DIR_DEFAULT ")\n",
                        program);
}

int cmd_reload(int argc, char **argv) {
        _cleanup_(control_client_freep) ControlClient *client = NULL;
        _cleanup_(json_decrefp) json_t *request = NULL, *reply = NULL;
        _cleanup_(freep) char *error = NULL;
        const char *program = cli_program_name(argv[0]);
        ReloadOptions o;
        int r;

        r = cli_args_parse_reload(argc, argv, &o, &error);
        if (r < 0)
                return cli_usage_error(program, TAKE_PTR(error));
        if (o.help) {
                help("vmsilo");
                return CLI_EXIT_OK;
        }
        r = cli_control_connect(cli_runtime_dir(o.runtime_dir), &client);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        request = control_request_new("reload", NULL, false);
        if (!request) {
                (void) log_oom();
                return CLI_EXIT_FAILURE;
        }
        /* A reload may rebuild the default image: give it the long deadline. */
        r = cli_control_call(client, request, CONTROL_WAIT_TIMEOUT_USEC, &reply);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        printf("Reloaded: %" JSON_INTEGER_FORMAT " VMs configured.\n",
                        json_integer_value(json_object_get(reply, "vms")));
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

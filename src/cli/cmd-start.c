/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-start.c: `vm-start NAME…` and the request loop it shares with `vm-stop`. */
#include <stdio.h>

#include "cli-util.h"
#include "cli.h"
#include "log.h"
#include "strv.h"

static void help(const char *program, const char *method) {
        bool start = streq(method, "start");

        printf("Usage: %s [OPTIONS] NAME…\n"
               "\n"
               "%s\n"
               "\n"
               "Options:\n"
               "  -h --help             show this help\n"
               "     --no-wait          return once vmsilod has taken the request\n"
               "     --runtime-dir DIR  vmsilod's sockets (default: $" CLI_RUNTIME_DIR_ENV
               " or " CLI_RUNTIME_DIR_DEFAULT ")\n",
                        program,
                        start ? "Start each VM (and what it depends on) and wait until it runs."
                              : "Stop each VM and wait until it has stopped.");
}

/* Prints "NAME: STATE" for a reply; returns -EIO for a VM that ended up failed. */
static int report(const char *name, const json_t *reply) {
        const json_t *vm = json_object_get(reply, "vm");
        const char *state = json_string_value(json_object_get(vm, "state"));
        const char *reason = json_string_value(json_object_get(vm, "reason"));

        if (!state)
                return log_error_errno(EBADMSG, "vmsilod's reply for '%s' has no VM state", name);
        if (streq(state, "failed")) {
                log_error("%s: failed%s%s", name, reason ? ": " : "", reason ?: "");
                return -EIO;
        }
        printf("%s: %s\n", name, state);
        return 0;
}

int cmd_start_stop(const char *method, int argc, char **argv) {
        _cleanup_(control_client_freep) ControlClient *client = NULL;
        _cleanup_(freep) char *error = NULL;
        const char *program = cli_program_name(argv[0]);
        StartStopOptions o;
        int r, status = CLI_EXIT_OK;

        r = cli_args_parse_start_stop(argc, argv, &o, &error);
        if (r < 0)
                return cli_usage_error(program, TAKE_PTR(error));
        if (o.help) {
                help(program, method);
                return CLI_EXIT_OK;
        }

        r = cli_control_connect(cli_runtime_dir(o.runtime_dir), &client);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        STRV_FOREACH(name, o.vms) {
                _cleanup_(json_decrefp) json_t *request = NULL, *reply = NULL;

                request = control_request_new(method, *name, o.wait);
                if (!request) {
                        (void) log_oom();
                        return CLI_EXIT_FAILURE;
                }
                r = cli_control_call(client, request,
                                o.wait ? CONTROL_WAIT_TIMEOUT_USEC : CONTROL_TIMEOUT_USEC, &reply);
                /* The daemon refused this one VM: go on with the others. Anything else means the
                 * connection is gone. */
                if (r == -EREMOTEIO) {
                        status = CLI_EXIT_FAILURE;
                        continue;
                }
                if (r < 0)
                        return CLI_EXIT_FAILURE;
                if (report(*name, reply) < 0)
                        status = CLI_EXIT_FAILURE;
        }
        if (fflush(stdout) != 0)
                return CLI_EXIT_FAILURE;
        return status;
}

int cmd_start(int argc, char **argv) {
        return cmd_start_stop("start", argc, argv);
}

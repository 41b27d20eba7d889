/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-status.c: `vmsilo status [--json] [NAME]`: the daemon's view of every VM, as a table or
 * as its JSON array; `vmsilo list [--json]`: the names of the VMs vmsilod has configured (its
 * configuration is the one vm-run and vm-start act on, and the socket is readable where the
 * configuration file may not be). */
#include <stdio.h>

#include "cli-util.h"
#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "status-table.h"

static void help(void) {
        printf("Usage: vmsilo status [OPTIONS] [NAME]\n"
               "\n"
               "Show the state of every VM, or of VM NAME.\n"
               "\n"
               "Options:\n"
               "  -h --help             show this help\n"
               "     --json             print vmsilod's JSON array of VM objects\n"
               "     --runtime-dir DIR  vmsilod's sockets (default: $" CLI_RUNTIME_DIR_ENV
               " or " CLI_RUNTIME_DIR_DEFAULT ")\n");
}

static int print_vms(const json_t *vms, bool json) {
        _cleanup_(freep) char *text = NULL;
        int r;

        if (json) {
                text = json_dumps(vms, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                if (!text)
                        return log_oom();
                printf("%s\n", text);
                return 0;
        }
        r = status_table_format(vms, &text);
        if (r == -EINVAL)
                return log_error_errno(r, "vmsilod's status reply has no 'vms' array");
        if (r < 0)
                return log_oom();
        fputs(text, stdout);
        return 0;
}

/* vmsilo-balloond's view, when it runs: balloon size and guest available memory per VM. */
static void merge_balloond(json_t *vms, const char *runtime_dir) {
        _cleanup_(json_decrefp) json_t *doc = NULL;
        _cleanup_(freep) char *path = NULL, *text = NULL;

        if (asprintf(&path, "%s/balloond.json", runtime_dir) < 0)
                return;
        if (read_full_file(path, 1024 * 1024, &text, NULL) < 0)
                return;
        doc = json_loads(text, 0, NULL);
        if (doc)
                status_merge_balloond(vms, doc);
}

/* Asks vmsilod for the status of vm (NULL: every VM). Logs why it failed. */
static int request_status(const char *runtime_dir, const char *vm, json_t **ret) {
        _cleanup_(control_client_freep) ControlClient *client = NULL;
        _cleanup_(json_decrefp) json_t *request = NULL;
        int r;

        request = control_request_new("status", vm, /* wait= */ false);
        if (!request)
                return log_oom();
        r = cli_control_connect(runtime_dir, &client);
        if (r < 0)
                return r;
        return cli_control_call(client, request, CONTROL_TIMEOUT_USEC, ret);
}

int cmd_status(int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *reply = NULL;
        _cleanup_(freep) char *error = NULL;
        StatusOptions o;
        int r;

        r = cli_args_parse_status(argc, argv, &o, &error);
        if (r < 0)
                return cli_usage_error("vmsilo status", TAKE_PTR(error));
        if (o.help) {
                help();
                return CLI_EXIT_OK;
        }

        r = request_status(cli_runtime_dir(o.runtime_dir), o.vm, &reply);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        merge_balloond(json_object_get(reply, "vms"), cli_runtime_dir(o.runtime_dir));
        r = print_vms(json_object_get(reply, "vms"), o.json);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static void list_help(void) {
        printf("Usage: vmsilo list [OPTIONS]\n"
               "\n"
               "Print the names of the VMs vmsilod has configured, one a line, for scripts and\n"
               "shell completion.\n"
               "\n"
               "Options:\n"
               "  -h --help             show this help\n"
               "     --json             print a JSON array of the names\n"
               "     --runtime-dir DIR  vmsilod's sockets (default: $" CLI_RUNTIME_DIR_ENV
               " or " CLI_RUNTIME_DIR_DEFAULT ")\n");
}

int cmd_list(int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *reply = NULL;
        _cleanup_(freep) char *error = NULL, *text = NULL;
        ListOptions o;
        int r;

        r = cli_args_parse_list(argc, argv, &o, &error);
        if (r < 0)
                return cli_usage_error("vmsilo list", TAKE_PTR(error));
        if (o.help) {
                list_help();
                return CLI_EXIT_OK;
        }

        r = request_status(cli_runtime_dir(o.runtime_dir), NULL, &reply);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        r = status_list_format(json_object_get(reply, "vms"), o.json, &text);
        if (r == -EINVAL) {
                log_error("vmsilod's status reply has no 'vms' array");
                return CLI_EXIT_FAILURE;
        }
        if (r < 0) {
                (void) log_oom();
                return CLI_EXIT_FAILURE;
        }
        fputs(text, stdout);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-config.c: `vmsilo config check|show|plan`: validate, print or plan the configuration. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "config.h"
#include "crosvm-plan.h"
#include "log.h"
#include "path-util.h"
#include "plan-validate.h"
#include "service-paths.h"
#include "strv.h"

static void help_config(FILE *f) {
        fprintf(f,
                        "Usage: vmsilo config VERB [OPTIONS] [FILE]\n"
                        "\n"
                        "Check, print or plan the vmsilo configuration (default FILE: %s).\n"
                        "\n"
                        "Verbs:\n"
                        "  check [FILE]   validate FILE, print every error with its JSON path, and warn\n"
                        "                 about paths that vmsilod.service makes read-only or hides\n"
                        "                 and about options the VM's VMM cannot provide\n"
                        "  show [FILE]    print the normalised configuration with defaults and "
                        "derived\n"
                        "                 values filled in\n"
                        "  plan …         print a VM's launch plan ('vmsilo config plan --help')\n"
                        "\n"
                        "Options:\n"
                        "  -h --help      show this help\n",
                        CONFIG_DEFAULT_PATH);
}

static void help_verb(FILE *f, const char *verb) {
        if (streq(verb, "check"))
                fprintf(f,
                                "Usage: vmsilo config check [FILE]\n"
                                "\n"
                                "Validate FILE (default %s). Prints 'FILE: OK (N VMs)' and exits "
                                "0, or\n"
                                "prints each problem as 'FILE:LINE:COL: PATH: MESSAGE' and exits "
                                "1.\n"
                                "\n"
                                "Options:\n"
                                "  -h --help      show this help\n",
                                CONFIG_DEFAULT_PATH);
        else
                fprintf(f,
                                "Usage: vmsilo config show [FILE]\n"
                                "\n"
                                "Print FILE (default %s) as normalised JSON: every option with "
                                "its\n"
                                "effective value, plus derived values (MACs, TAP names, colours, "
                                "sizes).\n"
                                "Exits 1 and prints the errors if FILE is not valid.\n"
                                "\n"
                                "Options:\n"
                                "  -h --help      show this help\n",
                                CONFIG_DEFAULT_PATH);
}

/* Parses "VERB [-h] [FILE]" (VERB: check or show). Returns 1 if help was printed, 0 with
 * *ret_path set, or -EINVAL after printing a usage error. */
static int parse_verb_args(int argc, char **argv, const char **ret_path) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(freep) char *error = NULL;
        char program[sizeof("vmsilo config check")];
        const char *value;
        int c;

        (void) snprintf(program, sizeof(program), "vmsilo config %s", argv[0]);
        cli_args_begin();
        c = cli_args_next_option(argc, argv, "+:h", options, &value, &error);
        if (c == 'h') {
                help_verb(stdout, argv[0]);
                return 1;
        }
        if (c < 0)
                return cli_usage_error(program, TAKE_PTR(error)), -EINVAL;
        if (argc - optind > 1)
                return cli_usage_errorf(program, "expected at most one FILE, got %d arguments",
                                       argc - optind),
                       -EINVAL;
        *ret_path = optind < argc ? argv[optind] : CONFIG_DEFAULT_PATH;
        return 0;
}

/* Parses the verb's arguments and loads the file, printing every error. Returns CLI_EXIT_OK with
 * *ret the config, or NULL when --help was printed; otherwise the exit status to end with. */
static int load(int argc, char **argv, const char **ret_path, Config **ret) {
        int r;

        *ret = NULL;
        r = parse_verb_args(argc, argv, ret_path);
        if (r != 0)
                return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        return cli_load_config(*ret_path, ret);
}

/* Warns about what vmsilod refuses at load for the VMM each VM would get here ("auto": crosvm
 * when it is in PATH, as for `vmsilo config plan`). Warnings, not errors: "auto" may resolve
 * otherwise where vmsilod runs (a Nix build checks the file without crosvm in PATH). */
static int check_vmm_options(const Config *c, const char *path) {
        _cleanup_(config_errors_finish) ConfigErrors errors = {};
        _cleanup_(freep) VmmKind *vmms =
                        config_vmm_kinds(c, path_find_executable(CROSVM_PLAN_BINARY_DEFAULT));

        if (!vmms || plan_validate_config(c, vmms, &errors) == -ENOMEM)
                return log_oom(), CLI_EXIT_FAILURE;
        for (size_t i = 0; i < errors.n_items; i++)
                fprintf(stderr, "%s: warning: %s: %s\n", path, errors.items[i].path,
                                errors.items[i].message);
        return CLI_EXIT_OK;
}

static int verb_check(int argc, char **argv) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(strv_freep) char **warnings = NULL;
        const char *path;
        int r;

        r = load(argc, argv, &path, &c);
        if (r != CLI_EXIT_OK || !c)
                return r;
        r = check_vmm_options(c, path);
        if (r != CLI_EXIT_OK)
                return r;
        /* Warnings, not errors: vmsilod may run without the shipped unit, or with drop-ins. */
        if (service_paths_check(c, &warnings) < 0)
                return log_oom(), CLI_EXIT_FAILURE;
        STRV_FOREACH(w, warnings)
                fprintf(stderr, "%s: warning: %s\n", path, *w);
        printf("%s: OK (%zu VM%s)\n", path, c->n_vms, c->n_vms == 1 ? "" : "s");
        return CLI_EXIT_OK;
}

static int verb_show(int argc, char **argv) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *json = NULL;
        const char *path;
        int r;

        r = load(argc, argv, &path, &c);
        if (r != CLI_EXIT_OK || !c)
                return r;
        r = config_format_json(c, &json);
        if (r < 0)
                return log_oom(), CLI_EXIT_FAILURE;
        printf("%s\n", json);
        return CLI_EXIT_OK;
}

int cmd_config(int argc, char **argv) {
        if (argc < 2) {
                help_config(stderr);
                return CLI_EXIT_USAGE;
        }
        if (streq(argv[1], "-h") || streq(argv[1], "--help")) {
                help_config(stdout);
                return CLI_EXIT_OK;
        }
        if (streq(argv[1], "check"))
                return verb_check(argc - 1, argv + 1);
        if (streq(argv[1], "show"))
                return verb_show(argc - 1, argv + 1);
        if (streq(argv[1], "plan"))
                return cmd_config_plan(argc - 1, argv + 1);
        return cli_usage_errorf("vmsilo config", "unknown %s '%s'",
                        argv[1][0] == '-' ? "option" : "verb", argv[1]);
}

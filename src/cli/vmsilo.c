/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo.c: the multi-call client. Dispatches on the program name (vm-run, vm-start, …) or on the
 * first argument (vmsilo config …). */
#include <stdio.h>
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "log.h"
#include "vmsilo-config.h"

/* vm-start-debug is a program of its own (vmsilo-start-debug.c), with the VMM's sandbox. */
static int exec_start_debug(int argc, char **argv) {
        return cli_exec_helper(/* env= */ NULL, "../cli/vmsilo-start-debug", "vmsilo-start-debug",
                        /* set_argv0= */ false, argv);
}

typedef struct Command {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} Command;

static const Command commands[] = {
        { "config", cmd_config, "check, show or plan the configuration" },
        { "desktop", cmd_desktop, "print compositor settings for the VMs' colours" },
        { "image", cmd_image, "build the default guest image" },
        { "pci", cmd_pci, "print the udev rule claiming isolatedPciDevices at boot" },
        { "run", cmd_run, "run a command in a VM (vm-run)" },
        { "start", cmd_start, "start VMs (vm-start)" },
        { "stop", cmd_stop, "stop VMs (vm-stop)" },
        { "status", cmd_status, "show the state of the VMs" },
        { "list", cmd_list, "print the names of the configured VMs, one a line" },
        { "reload", cmd_reload, "make vmsilod read its configuration again" },
        { "clipboard", cmd_clipboard,
                        "clipboard: status, clear, to-host, from-host, copy-from, paste-to" },
        { "shell", cmd_shell, "attach to a VM's console, or ssh into it (vm-shell)" },
        { "start-debug", exec_start_debug, "run a VM's VMM in the foreground (vm-start-debug)" },
};

/* Multi-call names: a link named like this runs that command with the link's argv. */
static const struct {
        const char *program;
        const char *command;
} aliases[] = {
        { "vm-run", "run" },
        { "vm-start", "start" },
        { "vm-stop", "stop" },
        { "vm-shell", "shell" },
        { "vm-start-debug", "start-debug" },
};

static const Command *command_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(name, commands[i].name))
                        return &commands[i];
        return NULL;
}

static void help(FILE *f) {
        fprintf(f, "Usage: vmsilo COMMAND [ARGS…]\n"
                   "\n"
                   "Run programs in isolated virtual machines.\n"
                   "\n"
                   "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\n"
                   "Options:\n"
                   "  -h --help     show this help\n"
                   "     --version  show the version\n"
                   "\n"
                   "'vmsilo COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv) {
        const char *program = argc > 0 ? argv[0] : "vmsilo";

        if (cli_stdio_ensure_open() < 0)
                return CLI_EXIT_FAILURE;

        if (strrchr(program, '/'))
                program = strrchr(program, '/') + 1;

        for (size_t i = 0; i < ELEMENTSOF(aliases); i++)
                if (streq(program, aliases[i].program)) {
                        log_set_program_name(aliases[i].program);
                        argv[0] = (char *) aliases[i].program;
                        return command_find(aliases[i].command)->run(argc, argv);
                }
        log_set_program_name("vmsilo");

        if (argc < 2) {
                help(stderr);
                return CLI_EXIT_USAGE;
        }
        if (streq(argv[1], "-h") || streq(argv[1], "--help")) {
                help(stdout);
                return CLI_EXIT_OK;
        }
        if (streq(argv[1], "--version")) {
                printf("vmsilo %s\n", VMSILO_VERSION);
                return CLI_EXIT_OK;
        }
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(argv[1], commands[i].name))
                        return commands[i].run(argc - 1, argv + 1);

        return cli_usage_errorf("vmsilo", "unknown command '%s'", argv[1]);
}

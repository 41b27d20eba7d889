/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli.h: entry points of the vmsilo multi-call client's subcommands. Each takes the argv that
 * starts at the subcommand's own name and returns the process exit status. */
#pragma once

/* Exit statuses shared by every subcommand. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1 /* the operation failed (e.g. a config with errors) */
#define CLI_EXIT_USAGE 2   /* bad command line */
/* vm-run only: vmsilo itself failed (no such VM, refused, connection lost), as opposed to an
 * exit status of the guest command. */
#define CLI_EXIT_VMSILO 125

int cmd_config(int argc, char **argv);  /* config check|show|plan: cmd-config.c */
int cmd_image(int argc, char **argv);   /* image build: cmd-image.c */
int cmd_desktop(int argc, char **argv); /* desktop snippets: cmd-desktop.c */
int cmd_pci(int argc, char **argv);     /* pci rules: cmd-pci.c */
/* config plan …: cmd-plan.c. argv starts at "plan"; cmd_config() dispatches to it. */
int cmd_config_plan(int argc, char **argv);

/* vm-run, vm-start, vm-stop, vmsilo status, vm-shell, vm-start-debug: cmd-<name>.c */
int cmd_run(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
/* The request loop of vm-start and vm-stop; method is "start" or "stop" (cmd-start.c). */
int cmd_start_stop(const char *method, int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_list(int argc, char **argv);      /* vmsilo list: cmd-status.c */
int cmd_reload(int argc, char **argv);    /* vmsilo reload: cmd-reload.c */
int cmd_clipboard(int argc, char **argv); /* vmsilo clipboard: cmd-clipboard.c */
int cmd_shell(int argc, char **argv);
/* The vmsilo-start-debug program's (vmsilo-start-debug.c); vmsilo execs that. */
int cmd_start_debug(int argc, char **argv);

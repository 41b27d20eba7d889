/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli.h: entry points of the vmsilo multi-call client's subcommands. Each takes the argv that
 * starts at the subcommand's own name and returns the process exit status. */
#pragma once

/* Exit statuses shared by every subcommand. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1 /* the operation failed (e.g. a config with errors) */
#define CLI_EXIT_USAGE 2   /* bad command line */

int cmd_config(int argc, char **argv); /* config check|show|plan: cmd-config.c */

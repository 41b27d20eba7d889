/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli-util.h: glue shared by the subcommands: defaults from the environment, usage errors and
 * connecting to a VM's sockets with messages a user can act on. */
#pragma once

#include <stdint.h>

#include <jansson.h>

#include "cli-args.h"
#include "config.h"
#include "control-client.h"

#define CLI_RUNTIME_DIR_ENV "VMSILO_RUNTIME_DIR"
#define CLI_STATE_DIR_ENV "VMSILO_STATE_DIR"

/* Opens /dev/null on each of fds 0, 1 and 2 that is closed, so no socket we open later lands on
 * one and gets mistaken for stdio. A closed stdin then reads as empty, a closed stdout or stderr
 * discards. */
int cli_stdio_ensure_open(void);

/* How to name the command in messages: "vm-run" when called by that name, "vmsilo run" when
 * called as a subcommand (argv0 is then just "run"). Static storage. */
const char *cli_program_name(const char *argv0);

/* Loads the configuration at path, printing every error with its JSON path. Returns CLI_EXIT_OK
 * with *ret set, or the exit status to end with. */
int cli_load_config(const char *path, Config **ret);

/* The option's value, else $VMSILO_RUNTIME_DIR, else /run/vmsilo. */
const char *cli_runtime_dir(const char *option);
/* The option's value, else $VMSILO_STATE_DIR, else /var/lib/vmsilo. */
const char *cli_state_dir(const char *option);

/* Logs "message" and a pointer to --help for program; returns CLI_EXIT_USAGE. Takes message
 * (may be NULL after OOM). */
int cli_usage_error(const char *program, char *message);
/* cli_usage_error() with the message formatted. */
_printf_(2, 3) int cli_usage_errorf(const char *program, const char *format, ...);

/* Connects to <runtime_dir>/<vm><suffix>. On failure logs one line naming the cause (no such VM,
 * permission denied, …) and returns the -errno. */
int cli_connect_vm_socket(const char *runtime_dir, const char *vm, const char *suffix, int *ret_fd);

/* Connects to vmsilod's control socket; logs why not. */
int cli_control_connect(const char *runtime_dir, ControlClient **ret);
/* control_client_call() that logs every failure once: the daemon's own error text as it is, or
 * what went wrong on the way. */
int cli_control_call(ControlClient *c, json_t *request, uint64_t timeout_usec, json_t **ret);

/* Runs one of the client's programs of its own under libexec/vmsilo (the image builder,
 * vm-start-debug), which link libraries the vm-run client must not load: $<env> if env is set in
 * the environment, else the build tree's copy (build_relative to this executable), else the
 * installed VMSILO_LIBEXECDIR/<name>. With set_argv0 argv[0] becomes that path; otherwise the
 * program gets ours, to name itself in messages as we would. Returns only on failure, logged:
 * CLI_EXIT_FAILURE. */
int cli_exec_helper(const char *env, const char *build_relative, const char *name, bool set_argv0,
                char **argv);

/* The option's value, else /etc/vmsilo/config.json. */
const char *cli_config_path(const char *option);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli-args.h: command-line parsing of every vmsilo subcommand into an options struct. Pure but
 * for getopt's globals (reset by each parse): no getenv(), no printing, no exit; the glue
 * resolves defaults and reports errors.
 *
 * Every cli_args_parse_*() takes the argv that starts at the subcommand's own name (argv[0] is
 * skipped) and returns 0 with *ret filled, or -EINVAL with *reterr_message set to an allocated
 * one-line message for the user (a usage error), or -ENOMEM. *ret is untouched on failure. When
 * --help is given, ret->help is set and the other fields may be incomplete. Strings in the
 * options point into argv (borrowed) unless noted. */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "image-layout.h"
#include "macro.h"

#define CLI_RUNTIME_DIR_DEFAULT VMSILO_RUNTIME_DIR_DEFAULT
#define CLI_STATE_DIR_DEFAULT VMSILO_STATE_DIR_DEFAULT

typedef enum CliPtyMode {
        CLI_PTY_AUTO,   /* a PTY when stdin is a terminal */
        CLI_PTY_ALWAYS, /* -t */
        CLI_PTY_NEVER,  /* -T */
        _CLI_PTY_MODE_MAX,
        _CLI_PTY_MODE_INVALID = -EINVAL,
} CliPtyMode;

/* vm-run [-t|-T] [--raw-terminal] [--user U] [--env K=V]… [--cwd D] NAME CMD [ARG…] */
typedef struct RunOptions {
        bool help;
        const char *runtime_dir; /* NULL: not given */
        CliPtyMode pty;
        bool raw_terminal; /* guest output to a terminal unfiltered (term-filter.h) */
        const char *user;  /* NULL: the guest's default user */
        const char *cwd;   /* NULL: the user's home */
        char **env;        /* owned strv of "KEY=VALUE", never NULL after a successful parse */
        const char *vm;
        char **command; /* borrowed: points into argv, NULL-terminated, at least one element */
} RunOptions;

void run_options_finish(RunOptions *o);

/* vm-start NAME…, vm-stop NAME… */
typedef struct StartStopOptions {
        bool help;
        const char *runtime_dir;
        bool wait;  /* --no-wait clears it */
        char **vms; /* borrowed: points into argv, NULL-terminated, at least one element */
} StartStopOptions;

/* vmsilo status [--json] [NAME] */
typedef struct StatusOptions {
        bool help;
        const char *runtime_dir;
        bool json;
        const char *vm; /* NULL: every VM */
} StatusOptions;

/* vmsilo list [--json] */
typedef struct ListOptions {
        bool help;
        const char *runtime_dir;
        bool json;
} ListOptions;

/* vmsilo reload */
typedef struct ReloadOptions {
        bool help;
        const char *runtime_dir;
} ReloadOptions;

/* vm-shell [--raw-terminal | --ssh [--root]] NAME */
typedef struct ShellOptions {
        bool help;
        const char *runtime_dir;
        const char *config_path; /* --ssh only; NULL: not given */
        bool ssh;
        bool root;
        bool raw_terminal; /* console only: its output to a terminal unfiltered */
        const char *vm;
} ShellOptions;

/* vm-start-debug [--dry-run] [--vmm qemu|crosvm] NAME */
typedef struct StartDebugOptions {
        bool help;
        const char *runtime_dir;
        const char *config_path;
        const char *state_dir;
        const char *vmm; /* NULL: as configured; "qemu" or "crosvm" (checked) */
        bool dry_run;
        const char *vm;
} StartDebugOptions;

int cli_args_parse_run(int argc, char *const *argv, RunOptions *ret, char **reterr_message);
int cli_args_parse_start_stop(
                int argc, char *const *argv, StartStopOptions *ret, char **reterr_message);
int cli_args_parse_status(int argc, char *const *argv, StatusOptions *ret, char **reterr_message);
int cli_args_parse_list(int argc, char *const *argv, ListOptions *ret, char **reterr_message);
int cli_args_parse_reload(int argc, char *const *argv, ReloadOptions *ret, char **reterr_message);
int cli_args_parse_shell(int argc, char *const *argv, ShellOptions *ret, char **reterr_message);
int cli_args_parse_start_debug(
                int argc, char *const *argv, StartDebugOptions *ret, char **reterr_message);

/* getopt_long() as every command of the binary uses it, with the messages of the parsers above.
 * cli_args_begin() resets getopt's globals (start from argv[1] again, print nothing);
 * cli_args_next_option() then returns the next option's val with *ret_value its value (never
 * empty), 0 at the end of the options (optind is then the first operand), or -EINVAL with
 * *reterr_message set, or -ENOMEM. short_options starts with ':' (tells a missing value apart),
 * after a '+' unless options may follow the operands; an option with a value has a long name in
 * options, which the messages use. */
void cli_args_begin(void);
int cli_args_next_option(int argc, char *const *argv, const char *short_options,
                const struct option *options, const char **ret_value, char **reterr_message);

/* The rules of the configuration: 1..64 characters of a-z, 0-9, '_' and '-', starting with a
 * letter or digit. Names go into socket paths, so anything else is refused before use. */
bool cli_vm_name_is_valid(const char *name);

/* The directory to use: the option when given, else the environment value when non-empty, else
 * fallback. Pure: the caller passes getenv()'s result. */
const char *cli_dir_choose(const char *option, const char *env_value, const char *fallback);

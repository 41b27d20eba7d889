/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli-args.c: command-line parsing of every vmsilo subcommand, on getopt_long() as the other
 * commands of the binary. Pure apart from getopt's globals, reset at the start of each parse.
 *
 * Options come before the positional arguments and parsing stops at the first positional one
 * (or after "--"): the "+" of every optstring, so a guest command such as `vm-run work ls -l`
 * keeps its own options. Long options take their value as "--opt=VALUE" or "--opt VALUE" and may
 * be abbreviated; short ones as "-u VALUE" or "-uVALUE"; flags without a value combine ("-tT").
 * opterr is 0 and the leading ':' makes a missing value ':', so the message is ours, returned to
 * the caller, which reports it as every usage error (cli_usage_error()). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli-args.h"
#include "strv.h"

/* The long-only options; the others are their short letter. */
enum {
        ARG_RUNTIME_DIR = 0x100,
        ARG_CONFIG,
        ARG_STATE_DIR,
        ARG_CWD,
        ARG_NO_WAIT,
        ARG_JSON,
        ARG_SSH,
        ARG_ROOT,
        ARG_VMM,
        ARG_RAW_TERMINAL,
};

#define OPTION_HELP                                                                                \
        { "help", no_argument, NULL, 'h' }
#define OPTION_RUNTIME_DIR                                                                         \
        { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR }
#define OPTION_RAW_TERMINAL                                                                        \
        { "raw-terminal", no_argument, NULL, ARG_RAW_TERMINAL }
#define OPTION_CONFIG                                                                              \
        { "config", required_argument, NULL, ARG_CONFIG }

/* The optstring of a command whose only short option is -h. */
#define SHORT_OPTIONS_HELP "+:h"

_printf_(2, 3) static int fail(char **reterr_message, const char *format, ...) {
        va_list ap;
        char *m;
        int r;

        va_start(ap, format);
        r = vasprintf(&m, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        *reterr_message = m;
        return -EINVAL;
}

static const struct option *option_find(const struct option *options, int val) {
        for (const struct option *o = options; o->name; o++)
                if (o->val == val)
                        return o;
        return NULL;
}

/* How many long options start with the len characters of name: more than one makes an
 * abbreviation ambiguous. */
static size_t option_count_prefixed(const struct option *options, const char *name, size_t len) {
        size_t n = 0;

        for (const struct option *o = options; o->name; o++)
                if (strncmp(o->name, name, len) == 0)
                        n++;
        return n;
}

/* The message for getopt_long()'s '?' (unknown option, or a value given to a flag) or ':' (a
 * value missing). optopt is 0 for a long option getopt did not take, which is then
 * argv[optind - 1]; otherwise the option's val, or the unknown short letter. */
static int option_error(
                int c, char *const *argv, const struct option *options, char **reterr_message) {
        const char *arg = argv[optind - 1];
        const struct option *o = optopt != 0 ? option_find(options, optopt) : NULL;

        if (optopt == 0) {
                size_t len = strcspn(arg + 2, "=");

                return fail(reterr_message, "%s option '--%.*s'",
                                option_count_prefixed(options, arg + 2, len) > 1 ? "ambiguous"
                                                                                 : "unknown",
                                (int) len, arg + 2);
        }
        /* A value is missing only at the end of argv, so arg is the option itself. */
        if (c == ':' && strncmp(arg, "--", 2) == 0)
                return fail(reterr_message, "option '--%s' needs a value", o->name);
        if (c == ':')
                return fail(reterr_message, "option '-%c' needs a value", optopt);
        if (o)
                return fail(reterr_message, "option '--%s' takes no value", o->name);
        return fail(reterr_message, "unknown option '-%c'", optopt);
}

int cli_args_next_option(int argc, char *const *argv, const char *short_options,
                const struct option *options, const char **ret_value, char **reterr_message) {
        int c = getopt_long(argc, argv, short_options, options, NULL);

        *ret_value = optarg;
        if (c < 0)
                return 0;
        if (IN_SET(c, '?', ':'))
                return option_error(c, argv, options, reterr_message);
        if (optarg && optarg[0] == '\0')
                return fail(reterr_message, "option '--%s' needs a non-empty value",
                                option_find(options, c)->name);
        return c;
}

void cli_args_begin(void) {
        optind = 0;
        opterr = 0;
}

static int check_vm_name(const char *name, char **reterr_message) {
        if (!cli_vm_name_is_valid(name))
                return fail(reterr_message, "'%s' is not a valid VM name", name);
        return 0;
}

bool cli_vm_name_is_valid(const char *name) {
        size_t len;

        if (!name)
                return false;
        len = strlen(name);
        if (len == 0 || len > 64)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = name[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

                if (!alnum && (i == 0 || (c != '_' && c != '-')))
                        return false;
        }
        return true;
}

const char *cli_dir_choose(const char *option, const char *env_value, const char *fallback) {
        if (option)
                return option;
        if (env_value && env_value[0] != '\0')
                return env_value;
        return fallback;
}

void run_options_finish(RunOptions *o) {
        o->env = strv_free(o->env);
}

/* The options of every command: -h and --runtime-dir. */
static void apply_common(int c, const char *value, bool *help, const char **runtime_dir) {
        if (c == 'h')
                *help = true;
        else
                *runtime_dir = value;
}

static int run_apply(RunOptions *o, int c, const char *value, char **reterr_message) {
        int r;

        switch (c) {
        case 't':
                o->pty = CLI_PTY_ALWAYS;
                return 0;
        case 'T':
                o->pty = CLI_PTY_NEVER;
                return 0;
        case ARG_RAW_TERMINAL:
                o->raw_terminal = true;
                return 0;
        case 'u':
                o->user = value;
                return 0;
        case ARG_CWD:
                o->cwd = value;
                return 0;
        case 'e':
                if (value[0] == '=' || !strchr(value, '='))
                        return fail(reterr_message, "'%s' is not KEY=VALUE", value);
                r = strv_extend(&o->env, value);
                return r < 0 ? -ENOMEM : 0;
        default:
                apply_common(c, value, &o->help, &o->runtime_dir);
                return 0;
        }
}

int cli_args_parse_run(int argc, char *const *argv, RunOptions *ret, char **reterr_message) {
        static const struct option options[] = {
                OPTION_HELP,
                OPTION_RUNTIME_DIR,
                { "tty", no_argument, NULL, 't' },
                { "no-tty", no_argument, NULL, 'T' },
                OPTION_RAW_TERMINAL,
                { "user", required_argument, NULL, 'u' },
                { "env", required_argument, NULL, 'e' },
                { "cwd", required_argument, NULL, ARG_CWD },
                {},
        };
        _cleanup_(run_options_finish) RunOptions o = { .pty = CLI_PTY_AUTO };
        const char *value;
        int c, i, r;

        cli_args_begin();
        while ((c = cli_args_next_option(
                                argc, argv, "+:htTu:e:", options, &value, reterr_message)) > 0) {
                r = run_apply(&o, c, value, reterr_message);
                if (r < 0)
                        return r;
        }
        if (c < 0)
                return c;
        if (o.help) {
                *ret = (RunOptions){ .help = true };
                return 0;
        }
        i = optind;
        if (i >= argc)
                return fail(reterr_message, "missing VM name");
        o.vm = argv[i++];
        r = check_vm_name(o.vm, reterr_message);
        if (r < 0)
                return r;
        if (i >= argc)
                return fail(reterr_message, "missing command to run in '%s'", o.vm);
        if (argv[i][0] == '\0')
                return fail(reterr_message, "the command must not be empty");
        o.command = (char **) argv + i;
        if (!o.env) {
                o.env = strv_new_empty();
                if (!o.env)
                        return -ENOMEM;
        }
        *ret = o;
        o.env = NULL;
        return 0;
}

/* The options of a command whose one option of its own is the flag flag_id (0: none): sets *flag
 * when it is given, the rest goes to apply_common(). Returns the index of the first operand. */
static int parse_flag_options(int argc, char *const *argv, const struct option *options,
                int flag_id, bool *flag, bool *help, const char **runtime_dir,
                char **reterr_message) {
        const char *value;
        int c;

        cli_args_begin();
        while ((c = cli_args_next_option(argc, argv, SHORT_OPTIONS_HELP, options, &value,
                                reterr_message)) > 0)
                if (c == flag_id)
                        *flag = true;
                else
                        apply_common(c, value, help, runtime_dir);
        return c < 0 ? c : optind;
}

int cli_args_parse_start_stop(
                int argc, char *const *argv, StartStopOptions *ret, char **reterr_message) {
        static const struct option options[] = {
                OPTION_HELP,
                OPTION_RUNTIME_DIR,
                { "no-wait", no_argument, NULL, ARG_NO_WAIT },
                {},
        };
        StartStopOptions o = {};
        bool no_wait_given = false;
        int first, r;

        first = parse_flag_options(argc, argv, options, ARG_NO_WAIT, &no_wait_given, &o.help,
                        &o.runtime_dir, reterr_message);
        if (first < 0)
                return first;
        o.wait = !no_wait_given;
        if (o.help) {
                *ret = o;
                return 0;
        }
        if (first >= argc)
                return fail(reterr_message, "missing VM name");
        for (int i = first; i < argc; i++) {
                r = check_vm_name(argv[i], reterr_message);
                if (r < 0)
                        return r;
        }
        o.vms = (char **) argv + first;
        *ret = o;
        return 0;
}

int cli_args_parse_status(int argc, char *const *argv, StatusOptions *ret, char **reterr_message) {
        static const struct option options[] = {
                OPTION_HELP,
                OPTION_RUNTIME_DIR,
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        StatusOptions o = {};
        int i, r;

        i = parse_flag_options(argc, argv, options, ARG_JSON, &o.json, &o.help, &o.runtime_dir,
                        reterr_message);
        if (i < 0)
                return i;
        if (!o.help && i < argc) {
                o.vm = argv[i++];
                r = check_vm_name(o.vm, reterr_message);
                if (r < 0)
                        return r;
        }
        if (!o.help && i < argc)
                return fail(reterr_message, "unexpected argument '%s'", argv[i]);
        *ret = o;
        return 0;
}

/* `status` without a NAME. */
int cli_args_parse_list(int argc, char *const *argv, ListOptions *ret, char **reterr_message) {
        StatusOptions s;
        int r;

        r = cli_args_parse_status(argc, argv, &s, reterr_message);
        if (r < 0)
                return r;
        if (s.vm)
                return fail(reterr_message, "unexpected argument '%s'", s.vm);
        *ret = (ListOptions){ .help = s.help, .runtime_dir = s.runtime_dir, .json = s.json };
        return 0;
}

int cli_args_parse_reload(int argc, char *const *argv, ReloadOptions *ret, char **reterr_message) {
        static const struct option options[] = {
                OPTION_HELP,
                OPTION_RUNTIME_DIR,
                {},
        };
        ReloadOptions o = {};
        int i;

        i = parse_flag_options(argc, argv, options, /* flag_id= */ 0, NULL, &o.help, &o.runtime_dir,
                        reterr_message);
        if (i < 0)
                return i;
        if (!o.help && i < argc)
                return fail(reterr_message, "unexpected argument '%s'", argv[i]);
        *ret = o;
        return 0;
}

/* Exactly one positional argument from argv[first], the VM name. */
static int take_single_vm(
                int argc, char *const *argv, int first, const char **ret, char **reterr_message) {
        int r;

        if (first >= argc)
                return fail(reterr_message, "missing VM name");
        if (first + 1 < argc)
                return fail(reterr_message, "unexpected argument '%s'", argv[first + 1]);
        r = check_vm_name(argv[first], reterr_message);
        if (r < 0)
                return r;
        *ret = argv[first];
        return 0;
}

static void shell_apply(ShellOptions *o, int c, const char *value) {
        switch (c) {
        case ARG_SSH:
                o->ssh = true;
                break;
        case ARG_ROOT:
                o->root = true;
                break;
        case ARG_RAW_TERMINAL:
                o->raw_terminal = true;
                break;
        case ARG_CONFIG:
                o->config_path = value;
                break;
        default:
                apply_common(c, value, &o->help, &o->runtime_dir);
        }
}

int cli_args_parse_shell(int argc, char *const *argv, ShellOptions *ret, char **reterr_message) {
        static const struct option options[] = {
                OPTION_HELP,
                OPTION_RUNTIME_DIR,
                { "ssh", no_argument, NULL, ARG_SSH },
                { "root", no_argument, NULL, ARG_ROOT },
                OPTION_CONFIG,
                OPTION_RAW_TERMINAL,
                {},
        };
        ShellOptions o = {};
        const char *value;
        int c, r;

        cli_args_begin();
        while ((c = cli_args_next_option(argc, argv, SHORT_OPTIONS_HELP, options, &value,
                                reterr_message)) > 0)
                shell_apply(&o, c, value);
        if (c < 0)
                return c;
        if (o.help) {
                *ret = o;
                return 0;
        }
        if (o.root && !o.ssh)
                return fail(reterr_message, "--root only makes sense with --ssh");
        if (o.config_path && !o.ssh)
                return fail(reterr_message, "--config only makes sense with --ssh");
        if (o.raw_terminal && o.ssh)
                return fail(reterr_message, "--raw-terminal is for the console, not --ssh");
        r = take_single_vm(argc, argv, optind, &o.vm, reterr_message);
        if (r < 0)
                return r;
        *ret = o;
        return 0;
}

static int start_debug_apply(
                StartDebugOptions *o, int c, const char *value, char **reterr_message) {
        switch (c) {
        case 'n':
                o->dry_run = true;
                return 0;
        case ARG_CONFIG:
                o->config_path = value;
                return 0;
        case ARG_STATE_DIR:
                o->state_dir = value;
                return 0;
        case ARG_VMM:
                if (!streq(value, "qemu") && !streq(value, "crosvm"))
                        return fail(reterr_message, "--vmm must be 'qemu' or 'crosvm', not '%s'",
                                        value);
                o->vmm = value;
                return 0;
        default:
                apply_common(c, value, &o->help, &o->runtime_dir);
                return 0;
        }
}

int cli_args_parse_start_debug(
                int argc, char *const *argv, StartDebugOptions *ret, char **reterr_message) {
        static const struct option options[] = {
                OPTION_HELP,
                OPTION_RUNTIME_DIR,
                { "dry-run", no_argument, NULL, 'n' },
                OPTION_CONFIG,
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "vmm", required_argument, NULL, ARG_VMM },
                {},
        };
        StartDebugOptions o = {};
        const char *value;
        int c, r;

        cli_args_begin();
        while ((c = cli_args_next_option(argc, argv, "+:hn", options, &value, reterr_message)) >
                        0) {
                r = start_debug_apply(&o, c, value, reterr_message);
                if (r < 0)
                        return r;
        }
        if (c < 0)
                return c;
        if (!o.help) {
                r = take_single_vm(argc, argv, optind, &o.vm, reterr_message);
                if (r < 0)
                        return r;
        }
        *ret = o;
        return 0;
}

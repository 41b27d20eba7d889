/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli-args.c: command-line parsing of every vmsilo subcommand. Pure.
 *
 * Options come before the positional arguments and parsing stops at the first positional one
 * (or after "--"), so a guest command such as `vm-run work ls -l` keeps its own options. Long
 * options take their value as "--opt=VALUE" or "--opt VALUE"; short ones as "-u VALUE" or
 * "-uVALUE"; flags without a value combine ("-tT"). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli-args.h"
#include "strv.h"

typedef enum ArgId {
        _ARG_NONE = -1, /* parse_flag_options(): a command without a flag of its own */
        ARG_HELP,
        ARG_RUNTIME_DIR,
        ARG_CONFIG,
        ARG_STATE_DIR,
        ARG_TTY,
        ARG_NO_TTY,
        ARG_USER,
        ARG_ENV,
        ARG_CWD,
        ARG_NO_WAIT,
        ARG_JSON,
        ARG_SSH,
        ARG_ROOT,
        ARG_DRY_RUN,
        ARG_VMM,
        ARG_RAW_TERMINAL,
} ArgId;

typedef struct ArgSpec {
        const char *long_name; /* without "--" */
        char short_name;       /* 0: none */
        bool has_value;
        ArgId id;
} ArgSpec;

typedef struct ArgIter {
        int argc;
        char *const *argv;
        int index;           /* next argv element to look at */
        const char *cluster; /* rest of a "-abc" cluster being taken apart, or NULL */
} ArgIter;

static const ArgSpec arg_help = { "help", 'h', false, ARG_HELP };
static const ArgSpec arg_runtime_dir = { "runtime-dir", 0, true, ARG_RUNTIME_DIR };
static const ArgSpec arg_raw_terminal = { "raw-terminal", 0, false, ARG_RAW_TERMINAL };

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

static const ArgSpec *spec_find_long(const ArgSpec *const *specs, const char *name, size_t len) {
        for (size_t i = 0; specs[i]; i++)
                if (strlen(specs[i]->long_name) == len &&
                                strncmp(specs[i]->long_name, name, len) == 0)
                        return specs[i];
        return NULL;
}

static const ArgSpec *spec_find_short(const ArgSpec *const *specs, char c) {
        for (size_t i = 0; specs[i]; i++)
                if (specs[i]->short_name != 0 && specs[i]->short_name == c)
                        return specs[i];
        return NULL;
}

static int iter_next_long(ArgIter *it, const ArgSpec *const *specs, const ArgSpec **ret_spec,
                const char **ret_value, char **reterr_message) {
        const char *arg = it->argv[it->index++] + 2, *eq = strchr(arg, '=');
        size_t len = eq ? (size_t) (eq - arg) : strlen(arg);
        const ArgSpec *spec = spec_find_long(specs, arg, len);

        if (!spec)
                return fail(reterr_message, "unknown option '--%.*s'", (int) len, arg);
        if (!spec->has_value && eq)
                return fail(reterr_message, "option '--%s' takes no value", spec->long_name);
        if (spec->has_value && eq)
                *ret_value = eq + 1;
        else if (spec->has_value) {
                if (it->index >= it->argc)
                        return fail(reterr_message, "option '--%s' needs a value", spec->long_name);
                *ret_value = it->argv[it->index++];
        }
        *ret_spec = spec;
        return 1;
}

static int iter_next_short(ArgIter *it, const ArgSpec *const *specs, const ArgSpec **ret_spec,
                const char **ret_value, char **reterr_message) {
        char c = *it->cluster++;
        const ArgSpec *spec = spec_find_short(specs, c);

        if (!spec)
                return fail(reterr_message, "unknown option '-%c'", c);
        if (spec->has_value) {
                if (*it->cluster != '\0')
                        *ret_value = it->cluster;
                else if (it->index < it->argc)
                        *ret_value = it->argv[it->index++];
                else
                        return fail(reterr_message, "option '-%c' needs a value", c);
                it->cluster = NULL;
        } else if (*it->cluster == '\0')
                it->cluster = NULL;
        *ret_spec = spec;
        return 1;
}

/* Returns 1 with the next option, 0 at the end of the options (it->index is then the first
 * positional argument), or a negative errno (usage error or OOM). */
static int iter_next(ArgIter *it, const ArgSpec *const *specs, const ArgSpec **ret_spec,
                const char **ret_value, char **reterr_message) {
        const char *arg;

        *ret_value = NULL;
        if (it->cluster)
                return iter_next_short(it, specs, ret_spec, ret_value, reterr_message);
        if (it->index >= it->argc)
                return 0;
        arg = it->argv[it->index];
        if (streq(arg, "--")) {
                it->index++;
                return 0;
        }
        if (arg[0] != '-' || arg[1] == '\0')
                return 0;
        if (arg[1] == '-')
                return iter_next_long(it, specs, ret_spec, ret_value, reterr_message);
        it->index++;
        it->cluster = arg + 1;
        return iter_next_short(it, specs, ret_spec, ret_value, reterr_message);
}

static void iter_init(ArgIter *it, int argc, char *const *argv) {
        *it = (ArgIter){ .argc = argc, .argv = argv, .index = argc > 0 ? 1 : 0 };
}

static int check_vm_name(const char *name, char **reterr_message) {
        if (!cli_vm_name_is_valid(name))
                return fail(reterr_message, "'%s' is not a valid VM name", name);
        return 0;
}

static int check_value(const ArgSpec *spec, const char *value, char **reterr_message) {
        if (value[0] == '\0')
                return fail(reterr_message, "option '--%s' needs a non-empty value",
                                spec->long_name);
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

static int run_apply(RunOptions *o, const ArgSpec *spec, const char *value, char **reterr_message) {
        int r;

        switch (spec->id) {
        case ARG_HELP:
                o->help = true;
                return 0;
        case ARG_RUNTIME_DIR:
                o->runtime_dir = value;
                return check_value(spec, value, reterr_message);
        case ARG_TTY:
                o->pty = CLI_PTY_ALWAYS;
                return 0;
        case ARG_NO_TTY:
                o->pty = CLI_PTY_NEVER;
                return 0;
        case ARG_RAW_TERMINAL:
                o->raw_terminal = true;
                return 0;
        case ARG_USER:
                o->user = value;
                return check_value(spec, value, reterr_message);
        case ARG_CWD:
                o->cwd = value;
                return check_value(spec, value, reterr_message);
        case ARG_ENV:
                if (value[0] == '=' || !strchr(value, '='))
                        return fail(reterr_message, "'%s' is not KEY=VALUE", value);
                r = strv_extend(&o->env, value);
                return r < 0 ? -ENOMEM : 0;
        default:
                return fail(reterr_message, "option '--%s' is not valid here", spec->long_name);
        }
}

int cli_args_parse_run(int argc, char *const *argv, RunOptions *ret, char **reterr_message) {
        static const ArgSpec tty = { "tty", 't', false, ARG_TTY };
        static const ArgSpec no_tty = { "no-tty", 'T', false, ARG_NO_TTY };
        static const ArgSpec user = { "user", 'u', true, ARG_USER };
        static const ArgSpec env = { "env", 'e', true, ARG_ENV };
        static const ArgSpec cwd = { "cwd", 0, true, ARG_CWD };
        static const ArgSpec *const specs[] = { &arg_help, &arg_runtime_dir, &tty, &no_tty,
                &arg_raw_terminal, &user, &env, &cwd, NULL };
        _cleanup_(run_options_finish) RunOptions o = { .pty = CLI_PTY_AUTO };
        const ArgSpec *spec;
        const char *value;
        ArgIter it;
        int r;

        iter_init(&it, argc, argv);
        while ((r = iter_next(&it, specs, &spec, &value, reterr_message)) > 0) {
                r = run_apply(&o, spec, value, reterr_message);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        if (o.help) {
                *ret = (RunOptions){ .help = true };
                return 0;
        }
        if (it.index >= argc)
                return fail(reterr_message, "missing VM name");
        o.vm = argv[it.index++];
        r = check_vm_name(o.vm, reterr_message);
        if (r < 0)
                return r;
        if (it.index >= argc)
                return fail(reterr_message, "missing command to run in '%s'", o.vm);
        if (argv[it.index][0] == '\0')
                return fail(reterr_message, "the command must not be empty");
        o.command = (char **) argv + it.index;
        if (!o.env) {
                o.env = strv_new_empty();
                if (!o.env)
                        return -ENOMEM;
        }
        *ret = o;
        o.env = NULL;
        return 0;
}

static int apply_common(const ArgSpec *spec, const char *value, bool *help,
                const char **runtime_dir, char **reterr_message) {
        if (spec->id == ARG_HELP) {
                *help = true;
                return 0;
        }
        *runtime_dir = value;
        return check_value(spec, value, reterr_message);
}

/* The options loop of a command whose one option of its own is the flag flag_id: sets *flag when
 * it is given, the rest goes to apply_common(). */
static int parse_flag_options(ArgIter *it, const ArgSpec *const *specs, ArgId flag_id, bool *flag,
                bool *help, const char **runtime_dir, char **reterr_message) {
        const ArgSpec *spec;
        const char *value;
        int r;

        while ((r = iter_next(it, specs, &spec, &value, reterr_message)) > 0) {
                if (spec->id == flag_id) {
                        *flag = true;
                        continue;
                }
                r = apply_common(spec, value, help, runtime_dir, reterr_message);
                if (r < 0)
                        return r;
        }
        return r;
}

int cli_args_parse_start_stop(
                int argc, char *const *argv, StartStopOptions *ret, char **reterr_message) {
        static const ArgSpec no_wait = { "no-wait", 0, false, ARG_NO_WAIT };
        static const ArgSpec *const specs[] = { &arg_help, &arg_runtime_dir, &no_wait, NULL };
        StartStopOptions o = {};
        bool no_wait_given = false;
        ArgIter it;
        int r;

        iter_init(&it, argc, argv);
        r = parse_flag_options(&it, specs, ARG_NO_WAIT, &no_wait_given, &o.help, &o.runtime_dir,
                        reterr_message);
        if (r < 0)
                return r;
        o.wait = !no_wait_given;
        if (o.help) {
                *ret = o;
                return 0;
        }
        if (it.index >= argc)
                return fail(reterr_message, "missing VM name");
        for (int i = it.index; i < argc; i++) {
                r = check_vm_name(argv[i], reterr_message);
                if (r < 0)
                        return r;
        }
        o.vms = (char **) argv + it.index;
        *ret = o;
        return 0;
}

int cli_args_parse_status(int argc, char *const *argv, StatusOptions *ret, char **reterr_message) {
        static const ArgSpec json = { "json", 0, false, ARG_JSON };
        static const ArgSpec *const specs[] = { &arg_help, &arg_runtime_dir, &json, NULL };
        StatusOptions o = {};
        ArgIter it;
        int r;

        iter_init(&it, argc, argv);
        r = parse_flag_options(
                        &it, specs, ARG_JSON, &o.json, &o.help, &o.runtime_dir, reterr_message);
        if (r < 0)
                return r;
        if (!o.help && it.index < argc) {
                o.vm = argv[it.index++];
                r = check_vm_name(o.vm, reterr_message);
                if (r < 0)
                        return r;
        }
        if (!o.help && it.index < argc)
                return fail(reterr_message, "unexpected argument '%s'", argv[it.index]);
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
        static const ArgSpec *const specs[] = { &arg_help, &arg_runtime_dir, NULL };
        ReloadOptions o = {};
        ArgIter it;
        int r;

        iter_init(&it, argc, argv);
        r = parse_flag_options(
                        &it, specs, _ARG_NONE, NULL, &o.help, &o.runtime_dir, reterr_message);
        if (r < 0)
                return r;
        if (!o.help && it.index < argc)
                return fail(reterr_message, "unexpected argument '%s'", argv[it.index]);
        *ret = o;
        return 0;
}

static int shell_apply(
                ShellOptions *o, const ArgSpec *spec, const char *value, char **reterr_message) {
        switch (spec->id) {
        case ARG_SSH:
                o->ssh = true;
                return 0;
        case ARG_ROOT:
                o->root = true;
                return 0;
        case ARG_RAW_TERMINAL:
                o->raw_terminal = true;
                return 0;
        case ARG_CONFIG:
                o->config_path = value;
                return check_value(spec, value, reterr_message);
        default:
                return apply_common(spec, value, &o->help, &o->runtime_dir, reterr_message);
        }
}

/* Exactly one positional argument, the VM name. */
static int take_single_vm(const ArgIter *it, const char **ret, char **reterr_message) {
        int r;

        if (it->index >= it->argc)
                return fail(reterr_message, "missing VM name");
        if (it->index + 1 < it->argc)
                return fail(reterr_message, "unexpected argument '%s'", it->argv[it->index + 1]);
        r = check_vm_name(it->argv[it->index], reterr_message);
        if (r < 0)
                return r;
        *ret = it->argv[it->index];
        return 0;
}

int cli_args_parse_shell(int argc, char *const *argv, ShellOptions *ret, char **reterr_message) {
        static const ArgSpec ssh = { "ssh", 0, false, ARG_SSH };
        static const ArgSpec root = { "root", 0, false, ARG_ROOT };
        static const ArgSpec config = { "config", 0, true, ARG_CONFIG };
        static const ArgSpec *const specs[] = { &arg_help, &arg_runtime_dir, &ssh, &root, &config,
                &arg_raw_terminal, NULL };
        ShellOptions o = {};
        const ArgSpec *spec;
        const char *value;
        ArgIter it;
        int r;

        iter_init(&it, argc, argv);
        while ((r = iter_next(&it, specs, &spec, &value, reterr_message)) > 0) {
                r = shell_apply(&o, spec, value, reterr_message);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
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
        r = take_single_vm(&it, &o.vm, reterr_message);
        if (r < 0)
                return r;
        *ret = o;
        return 0;
}

static int start_debug_apply(StartDebugOptions *o, const ArgSpec *spec, const char *value,
                char **reterr_message) {
        switch (spec->id) {
        case ARG_DRY_RUN:
                o->dry_run = true;
                return 0;
        case ARG_CONFIG:
                o->config_path = value;
                return check_value(spec, value, reterr_message);
        case ARG_STATE_DIR:
                o->state_dir = value;
                return check_value(spec, value, reterr_message);
        case ARG_VMM:
                if (!streq(value, "qemu") && !streq(value, "crosvm"))
                        return fail(reterr_message, "--vmm must be 'qemu' or 'crosvm', not '%s'",
                                        value);
                o->vmm = value;
                return 0;
        default:
                return apply_common(spec, value, &o->help, &o->runtime_dir, reterr_message);
        }
}

int cli_args_parse_start_debug(
                int argc, char *const *argv, StartDebugOptions *ret, char **reterr_message) {
        static const ArgSpec dry_run = { "dry-run", 'n', false, ARG_DRY_RUN };
        static const ArgSpec config = { "config", 0, true, ARG_CONFIG };
        static const ArgSpec state_dir = { "state-dir", 0, true, ARG_STATE_DIR };
        static const ArgSpec vmm = { "vmm", 0, true, ARG_VMM };
        static const ArgSpec *const specs[] = { &arg_help, &arg_runtime_dir, &dry_run, &config,
                &state_dir, &vmm, NULL };
        StartDebugOptions o = {};
        const ArgSpec *spec;
        const char *value;
        ArgIter it;
        int r;

        iter_init(&it, argc, argv);
        while ((r = iter_next(&it, specs, &spec, &value, reterr_message)) > 0) {
                r = start_debug_apply(&o, spec, value, reterr_message);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        if (!o.help) {
                r = take_single_vm(&it, &o.vm, reterr_message);
                if (r < 0)
                        return r;
        }
        *ret = o;
        return 0;
}

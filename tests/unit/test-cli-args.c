/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cli-args.c: tests for src/cli/cli-args.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cli-args.h"
#include "strv.h"

#define ARGC(a) ((int) ELEMENTSOF(a) - 1)

static void test_run_parses_options_before_the_vm_name(void **state) {
        char *argv[] = { "vm-run", "-t", "--user", "root", "-e", "A=1", "--env=B=2", "--cwd",
                "/tmp", "work", "ls", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_null(error);
        assert_int_equal(o.pty, CLI_PTY_ALWAYS);
        assert_string_equal(o.user, "root");
        assert_string_equal(o.cwd, "/tmp");
        assert_int_equal(strv_length(o.env), 2);
        assert_string_equal(o.env[0], "A=1");
        assert_string_equal(o.env[1], "B=2");
        assert_string_equal(o.vm, "work");
        assert_string_equal(o.command[0], "ls");
        assert_null(o.command[1]);
}

static void test_run_keeps_options_after_the_vm_name_for_the_command(void **state) {
        char *argv[] = { "vm-run", "work", "ls", "-l", "--help", "-T", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_false(o.help);
        assert_int_equal(o.pty, CLI_PTY_AUTO);
        assert_ptr_equal(o.command, &argv[2]);
        assert_int_equal(strv_length(o.command), 4);
        assert_string_equal(o.command[3], "-T");
}

static void test_run_command_may_start_with_a_dash(void **state) {
        char *argv[] = { "vm-run", "work", "-weird", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_string_equal(o.command[0], "-weird");
}

static void test_run_double_dash_ends_options(void **state) {
        char *argv[] = { "vm-run", "-T", "--", "work", "true", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_int_equal(o.pty, CLI_PTY_NEVER);
        assert_string_equal(o.vm, "work");
        assert_string_equal(o.command[0], "true");
}

static void test_run_short_flags_combine_and_the_last_tty_flag_wins(void **state) {
        char *argv[] = { "vm-run", "-tT", "-uroot", "work", "id", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_int_equal(o.pty, CLI_PTY_NEVER);
        assert_string_equal(o.user, "root");
}

static void test_run_filters_the_terminal_unless_raw_terminal_is_given(void **state) {
        char *plain[] = { "vm-run", "work", "id", NULL };
        char *raw[] = { "vm-run", "--raw-terminal", "work", "id", "--raw-terminal", NULL };
        _cleanup_(run_options_finish) RunOptions o = {}, p = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(plain), plain, &o, &error), 0);
        assert_false(o.raw_terminal);
        assert_int_equal(cli_args_parse_run(ARGC(raw), raw, &p, &error), 0);
        assert_true(p.raw_terminal);
        assert_string_equal(p.command[1], "--raw-terminal");
}

static void test_run_env_is_empty_not_null_without_env_options(void **state) {
        char *argv[] = { "vm-run", "work", "id", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_non_null(o.env);
        assert_null(o.env[0]);
}

static void test_run_help_needs_no_vm_name(void **state) {
        char *argv[] = { "vm-run", "--user", "x", "--help", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_true(o.help);
}

/* Every usage error is -EINVAL with a message, and leaves ret untouched. */
static void test_run_rejects_bad_command_lines(void **state) {
        static const struct {
                const char *label;
                char *argv[6];
                const char *message;
        } cases[] = {
                { "no name", { "vm-run", NULL }, "missing VM name" },
                { "no command", { "vm-run", "work", NULL }, "missing command to run in 'work'" },
                { "empty command", { "vm-run", "work", "", NULL },
                                "the command must not be empty" },
                { "unknown long", { "vm-run", "--bogus", "work", "x", NULL },
                                "unknown option '--bogus'" },
                { "unknown short", { "vm-run", "-x", "work", "x", NULL }, "unknown option '-x'" },
                { "value missing", { "vm-run", "--user", NULL }, "option '--user' needs a value" },
                { "short value missing", { "vm-run", "-u", NULL }, "option '-u' needs a value" },
                { "flag with value", { "vm-run", "--tty=yes", "work", "x", NULL },
                                "option '--tty' takes no value" },
                { "env without =", { "vm-run", "-e", "FOO", "work", "x", NULL },
                                "'FOO' is not KEY=VALUE" },
                { "env without key", { "vm-run", "-e", "=1", "work", "x", NULL },
                                "'=1' is not KEY=VALUE" },
                { "empty user", { "vm-run", "--user=", "work", "x", NULL },
                                "option '--user' needs a non-empty value" },
                { "bad name", { "vm-run", "../x", "id", NULL }, "'../x' is not a valid VM name" },
                { "unknown short in a cluster", { "vm-run", "-tx", "work", "x", NULL },
                                "unknown option '-x'" },
                { "unknown long with a value", { "vm-run", "--bogus=1", "work", "x", NULL },
                                "unknown option '--bogus'" },
                { "ambiguous abbreviation", { "vm-run", "--r", "work", "x", NULL },
                                "ambiguous option '--r'" },
                { "value missing in a cluster", { "vm-run", "-Tu", NULL },
                                "option '-u' needs a value" },
                { "long-only value missing", { "vm-run", "--cwd", NULL },
                                "option '--cwd' needs a value" },
                { "empty short value", { "vm-run", "-u", "", "work", "x", NULL },
                                "option '--user' needs a non-empty value" },
                { "empty env", { "vm-run", "--env=", "work", "x", NULL },
                                "option '--env' needs a non-empty value" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                RunOptions o = { .vm = "untouched" };
                char *error = NULL;
                int argc = (int) strv_length((char **) cases[i].argv);

                print_message("case: %s\n", cases[i].label);
                assert_int_equal(cli_args_parse_run(argc, cases[i].argv, &o, &error), -EINVAL);
                assert_non_null(error);
                assert_string_equal(error, cases[i].message);
                assert_string_equal(o.vm, "untouched");
                assert_null(o.env);
                free(error);
        }
}

static void test_run_takes_long_values_after_an_equals_sign_or_abbreviated(void **state) {
        char *argv[] = { "vm-run", "--user=a=b", "--cw", "/srv", "--runtime-dir=/r", "work", "id",
                NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_string_equal(o.user, "a=b");
        assert_string_equal(o.cwd, "/srv");
        assert_string_equal(o.runtime_dir, "/r");
        assert_string_equal(o.vm, "work");
}

static void test_run_value_may_look_like_an_option(void **state) {
        char *argv[] = { "vm-run", "-u", "--help", "-e", "-x=1", "work", "id", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_false(o.help);
        assert_string_equal(o.user, "--help");
        assert_string_equal(o.env[0], "-x=1");
}

static void test_run_only_the_first_double_dash_is_taken(void **state) {
        char *argv[] = { "vm-run", "--", "work", "--", "-t", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(argv), argv, &o, &error), 0);
        assert_int_equal(o.pty, CLI_PTY_AUTO);
        assert_string_equal(o.vm, "work");
        assert_string_equal(o.command[0], "--");
        assert_string_equal(o.command[1], "-t");
}

/* getopt keeps its state in globals: a parse that stopped inside "-tx" must not leak into the
 * next one. */
static void test_parses_start_afresh_after_an_error(void **state) {
        char *bad[] = { "vm-run", "-tx", "work", "id", NULL };
        char *good[] = { "vm-run", "-T", "work", "id", NULL };
        _cleanup_(run_options_finish) RunOptions o = {};
        char *error = NULL;

        assert_int_equal(cli_args_parse_run(ARGC(bad), bad, &o, &error), -EINVAL);
        free(error);
        error = NULL;
        assert_int_equal(cli_args_parse_run(ARGC(good), good, &o, &error), 0);
        assert_null(error);
        assert_int_equal(o.pty, CLI_PTY_NEVER);
        assert_string_equal(o.vm, "work");
}

static void test_start_stop_takes_several_names(void **state) {
        char *argv[] = { "vm-start", "--no-wait", "--runtime-dir", "/tmp/rt", "a", "b", NULL };
        StartStopOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_start_stop(ARGC(argv), argv, &o, &error), 0);
        assert_false(o.wait);
        assert_string_equal(o.runtime_dir, "/tmp/rt");
        assert_int_equal(strv_length(o.vms), 2);
        assert_string_equal(o.vms[1], "b");
}

static void test_start_stop_waits_by_default(void **state) {
        char *argv[] = { "vm-stop", "a", NULL };
        StartStopOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_start_stop(ARGC(argv), argv, &o, &error), 0);
        assert_true(o.wait);
        assert_null(o.runtime_dir);
}

static void test_start_stop_needs_a_name(void **state) {
        char *argv[] = { "vm-stop", NULL };
        StartStopOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_start_stop(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "missing VM name");
        free(error);
}

static void test_start_stop_options_after_a_name_are_names(void **state) {
        char *argv[] = { "vm-start", "a", "--no-wait", NULL };
        StartStopOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_start_stop(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "'--no-wait' is not a valid VM name");
        free(error);
}

static void test_start_stop_checks_every_name(void **state) {
        char *argv[] = { "vm-start", "ok", "Bad", NULL };
        StartStopOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_start_stop(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "'Bad' is not a valid VM name");
        free(error);
}

static void test_status_parses_json_and_an_optional_name(void **state) {
        char *argv[] = { "status", "--json", "work", NULL };
        char *none[] = { "status", NULL };
        StatusOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_status(ARGC(argv), argv, &o, &error), 0);
        assert_true(o.json);
        assert_string_equal(o.vm, "work");
        assert_int_equal(cli_args_parse_status(ARGC(none), none, &o, &error), 0);
        assert_false(o.json);
        assert_null(o.vm);
}

static void test_status_rejects_a_second_name(void **state) {
        char *argv[] = { "status", "a", "b", NULL };
        StatusOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_status(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "unexpected argument 'b'");
        free(error);
}

static void test_status_flags_take_no_value(void **state) {
        char *argv[] = { "status", "--json=yes", NULL };
        StatusOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_status(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "option '--json' takes no value");
        free(error);
}

static void test_list_takes_json_and_no_name(void **state) {
        char *argv[] = { "list", "--json", "--runtime-dir", "/r", NULL };
        char *named[] = { "list", "work", NULL };
        ListOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_list(ARGC(argv), argv, &o, &error), 0);
        assert_true(o.json);
        assert_string_equal(o.runtime_dir, "/r");
        assert_int_equal(cli_args_parse_list(ARGC(named), named, &o, &error), -EINVAL);
        assert_string_equal(error, "unexpected argument 'work'");
        free(error);
}

static void test_shell_parses_ssh_root_and_config(void **state) {
        char *argv[] = { "vm-shell", "--ssh", "--root", "--config", "/c.json", "work", NULL };
        ShellOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_shell(ARGC(argv), argv, &o, &error), 0);
        assert_true(o.ssh);
        assert_true(o.root);
        assert_string_equal(o.config_path, "/c.json");
        assert_string_equal(o.vm, "work");
}

static void test_shell_rejects_root_without_ssh(void **state) {
        char *argv[] = { "vm-shell", "--root", "work", NULL };
        ShellOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_shell(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "--root only makes sense with --ssh");
        free(error);
}

static void test_shell_parses_raw_terminal_for_the_console(void **state) {
        char *argv[] = { "vm-shell", "--raw-terminal", "work", NULL };
        ShellOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_shell(ARGC(argv), argv, &o, &error), 0);
        assert_true(o.raw_terminal);
        assert_false(o.ssh);
}

static void test_shell_rejects_raw_terminal_with_ssh(void **state) {
        char *argv[] = { "vm-shell", "--ssh", "--raw-terminal", "work", NULL };
        ShellOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_shell(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "--raw-terminal is for the console, not --ssh");
        free(error);
}

static void test_shell_double_dash_before_the_name(void **state) {
        char *argv[] = { "vm-shell", "--ssh", "--", "work", NULL };
        char *late[] = { "vm-shell", "work", "--ssh", NULL };
        ShellOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_shell(ARGC(argv), argv, &o, &error), 0);
        assert_true(o.ssh);
        assert_string_equal(o.vm, "work");
        assert_int_equal(cli_args_parse_shell(ARGC(late), late, &o, &error), -EINVAL);
        assert_string_equal(error, "unexpected argument '--ssh'");
        free(error);
}

static void test_shell_config_needs_a_value(void **state) {
        char *argv[] = { "vm-shell", "--ssh", "--config", NULL };
        ShellOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_shell(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "option '--config' needs a value");
        free(error);
}

static void test_shell_takes_exactly_one_name(void **state) {
        char *argv[] = { "vm-shell", "a", "b", NULL };
        ShellOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_shell(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "unexpected argument 'b'");
        free(error);
}

static void test_start_debug_parses_its_options(void **state) {
        char *argv[] = { "vm-start-debug", "-n", "--vmm=crosvm", "--state-dir", "/s", "--config",
                "/c", "work", NULL };
        StartDebugOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_start_debug(ARGC(argv), argv, &o, &error), 0);
        assert_true(o.dry_run);
        assert_string_equal(o.vmm, "crosvm");
        assert_string_equal(o.state_dir, "/s");
        assert_string_equal(o.config_path, "/c");
        assert_string_equal(o.vm, "work");
}

static void test_start_debug_rejects_an_unknown_vmm(void **state) {
        char *argv[] = { "vm-start-debug", "--vmm", "firecracker", "work", NULL };
        StartDebugOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_start_debug(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "--vmm must be 'qemu' or 'crosvm', not 'firecracker'");
        free(error);
}

static void test_start_debug_has_no_short_option_but_n_and_h(void **state) {
        char *argv[] = { "vm-start-debug", "-nv", "work", NULL };
        StartDebugOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_start_debug(ARGC(argv), argv, &o, &error), -EINVAL);
        assert_string_equal(error, "unknown option '-v'");
        free(error);
}

static void test_reload_takes_nothing_but_its_options(void **state) {
        char *argv[] = { "reload", "-h", NULL };
        char *bad[] = { "reload", "--json", NULL };
        ReloadOptions o;
        char *error = NULL;

        assert_int_equal(cli_args_parse_reload(ARGC(argv), argv, &o, &error), 0);
        assert_true(o.help);
        assert_int_equal(cli_args_parse_reload(ARGC(bad), bad, &o, &error), -EINVAL);
        assert_string_equal(error, "unknown option '--json'");
        free(error);
}

static void test_vm_name_rules_match_the_configuration(void **state) {
        static const struct {
                const char *name;
                bool valid;
        } cases[] = {
                { "banking", true },
                { "sys-net_2", true },
                { "0day", true },
                { "a", true },
                { "", false },
                { "-x", false },
                { "_x", false },
                { "Work", false },
                { "a/b", false },
                { "..", false },
                { "a.b", false },
                { "a b", false },
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true },
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                print_message("name: '%s'\n", cases[i].name);
                assert_int_equal(cli_vm_name_is_valid(cases[i].name), cases[i].valid);
        }
        assert_false(cli_vm_name_is_valid(NULL));
}

static void test_dir_choose_prefers_option_then_environment(void **state) {
        assert_string_equal(cli_dir_choose("/opt", "/env", "/def"), "/opt");
        assert_string_equal(cli_dir_choose(NULL, "/env", "/def"), "/env");
        assert_string_equal(cli_dir_choose(NULL, "", "/def"), "/def");
        assert_string_equal(cli_dir_choose(NULL, NULL, "/def"), "/def");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_run_parses_options_before_the_vm_name),
                cmocka_unit_test(test_run_keeps_options_after_the_vm_name_for_the_command),
                cmocka_unit_test(test_run_command_may_start_with_a_dash),
                cmocka_unit_test(test_run_double_dash_ends_options),
                cmocka_unit_test(test_run_short_flags_combine_and_the_last_tty_flag_wins),
                cmocka_unit_test(test_run_filters_the_terminal_unless_raw_terminal_is_given),
                cmocka_unit_test(test_run_env_is_empty_not_null_without_env_options),
                cmocka_unit_test(test_run_help_needs_no_vm_name),
                cmocka_unit_test(test_run_rejects_bad_command_lines),
                cmocka_unit_test(test_run_takes_long_values_after_an_equals_sign_or_abbreviated),
                cmocka_unit_test(test_run_value_may_look_like_an_option),
                cmocka_unit_test(test_run_only_the_first_double_dash_is_taken),
                cmocka_unit_test(test_parses_start_afresh_after_an_error),
                cmocka_unit_test(test_start_stop_takes_several_names),
                cmocka_unit_test(test_start_stop_waits_by_default),
                cmocka_unit_test(test_start_stop_needs_a_name),
                cmocka_unit_test(test_start_stop_options_after_a_name_are_names),
                cmocka_unit_test(test_start_stop_checks_every_name),
                cmocka_unit_test(test_status_parses_json_and_an_optional_name),
                cmocka_unit_test(test_status_rejects_a_second_name),
                cmocka_unit_test(test_status_flags_take_no_value),
                cmocka_unit_test(test_list_takes_json_and_no_name),
                cmocka_unit_test(test_shell_parses_ssh_root_and_config),
                cmocka_unit_test(test_shell_rejects_root_without_ssh),
                cmocka_unit_test(test_shell_parses_raw_terminal_for_the_console),
                cmocka_unit_test(test_shell_rejects_raw_terminal_with_ssh),
                cmocka_unit_test(test_shell_double_dash_before_the_name),
                cmocka_unit_test(test_shell_config_needs_a_value),
                cmocka_unit_test(test_shell_takes_exactly_one_name),
                cmocka_unit_test(test_start_debug_parses_its_options),
                cmocka_unit_test(test_start_debug_rejects_an_unknown_vmm),
                cmocka_unit_test(test_start_debug_has_no_short_option_but_n_and_h),
                cmocka_unit_test(test_reload_takes_nothing_but_its_options),
                cmocka_unit_test(test_vm_name_rules_match_the_configuration),
                cmocka_unit_test(test_dir_choose_prefers_option_then_environment),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-args.c: tests for src/agent/args.c (vmsilo-agent command line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "args.h"
#include "session-env.h"

#define PARSE(ret, ...)                                                                            \
        ({                                                                                         \
                char *_argv_[] = { (char *) "vmsilo-agent", __VA_ARGS__, NULL };                   \
                args_parse((int) (sizeof(_argv_) / sizeof(_argv_[0])) - 1, _argv_, (ret));         \
        })

static void test_args_parse_defaults_to_virtio_and_user(void **state) {
        char *argv[] = { (char *) "vmsilo-agent", NULL };
        AgentArgs a;

        assert_int_equal(args_parse(1, argv, &a), 0);
        assert_int_equal(a.transport, TRANSPORT_VIRTIO);
        assert_string_equal(a.virtio_port_name, "org.vmsilo.agent");
        assert_string_equal(a.default_user, "user");
        assert_string_equal(a.env_file, SESSION_ENV_DEFAULT_PATH);
        assert_string_equal(a.etc_dir, "/etc");
        assert_true(a.cgroup);
        assert_int_equal(a.log_level, LOG_LEVEL_INFO);
        assert_false(a.log_level_given);
}

static void test_args_parse_reads_fd(void **state) {
        AgentArgs a;

        assert_int_equal(PARSE(&a, "--fd", "7"), 0);
        assert_int_equal(a.transport, TRANSPORT_FD);
        assert_int_equal(a.fd, 7);
}

static void test_args_parse_reads_vsock_port(void **state) {
        AgentArgs a;

        assert_int_equal(PARSE(&a, "--vsock=5000"), 0);
        assert_int_equal(a.transport, TRANSPORT_VSOCK);
        assert_int_equal(a.vsock_port, 5000);
}

static void test_args_parse_reads_session_options(void **state) {
        AgentArgs a;

        assert_int_equal(PARSE(&a, "--stdio", "--env-file", "/x.env", "--default-user", "alice",
                                         "--etc-dir", "/tmp/etc", "--no-cgroup", "-l", "debug"),
                        0);
        assert_int_equal(a.transport, TRANSPORT_STDIO);
        assert_string_equal(a.env_file, "/x.env");
        assert_string_equal(a.default_user, "alice");
        assert_string_equal(a.etc_dir, "/tmp/etc");
        assert_false(a.cgroup);
        assert_int_equal(a.log_level, LOG_LEVEL_DEBUG);
        assert_true(a.log_level_given);
}

static void test_args_parse_rejects_two_transports(void **state) {
        AgentArgs a;

        assert_int_equal(PARSE(&a, "--fd", "3", "--stdio"), -EINVAL);
        assert_int_equal(PARSE(&a, "--vsock", "1", "--vsock", "2"), -EINVAL);
}

static void test_args_parse_rejects_bad_values(void **state) {
        AgentArgs a;

        assert_int_equal(PARSE(&a, "--fd", "-1"), -EINVAL);
        assert_int_equal(PARSE(&a, "--fd", "3x"), -EINVAL);
        assert_int_equal(PARSE(&a, "--vsock", ""), -EINVAL);
        assert_int_equal(PARSE(&a, "--vsock", "4294967295"), -EINVAL);
        assert_int_equal(PARSE(&a, "--log-level", "loud"), -EINVAL);
        assert_int_equal(PARSE(&a, "--default-user", ""), -EINVAL);
        assert_int_equal(PARSE(&a, "--bogus"), -EINVAL);
}

static void test_args_parse_rejects_positional_arguments(void **state) {
        AgentArgs a;

        assert_int_equal(PARSE(&a, "--stdio", "extra"), -EINVAL);
}

static void test_args_parse_sets_help(void **state) {
        AgentArgs a;

        assert_int_equal(PARSE(&a, "-h"), 0);
        assert_true(a.help);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_args_parse_defaults_to_virtio_and_user),
                cmocka_unit_test(test_args_parse_reads_fd),
                cmocka_unit_test(test_args_parse_reads_vsock_port),
                cmocka_unit_test(test_args_parse_reads_session_options),
                cmocka_unit_test(test_args_parse_rejects_two_transports),
                cmocka_unit_test(test_args_parse_rejects_bad_values),
                cmocka_unit_test(test_args_parse_rejects_positional_arguments),
                cmocka_unit_test(test_args_parse_sets_help),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

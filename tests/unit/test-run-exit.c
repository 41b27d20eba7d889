/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-run-exit.c: tests for src/cli/run-exit.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cli.h"
#include "run-exit.h"

static void test_run_exit_status_maps_every_kind_of_end(void **state) {
        static const struct {
                const char *label;
                SessionResult result;
                int status;
        } cases[] = {
                { "exit 0", { .how = EXIT_HOW_EXITED, .code = 0 }, 0 },
                { "exit 3", { .how = EXIT_HOW_EXITED, .code = 3 }, 3 },
                { "exit 255", { .how = EXIT_HOW_EXITED, .code = 255 }, 255 },
                { "exit 125 is passed on", { .how = EXIT_HOW_EXITED, .code = 125 }, 125 },
                { "SIGINT", { .how = EXIT_HOW_SIGNALED, .code = 2 }, 130 },
                { "SIGKILL with core", { .how = EXIT_HOW_SIGNALED, .code = 9, .core_dumped = true },
                                137 },
                { "signal 64", { .how = EXIT_HOW_SIGNALED, .code = 64 }, 192 },
                { "refused", { .error = -EHOSTDOWN, .reason = "VM 'x' failed to start" },
                                CLI_EXIT_VMSILO },
                { "connection lost", { .error = -ECONNRESET, .how = EXIT_HOW_EXITED, .code = 0 },
                                CLI_EXIT_VMSILO },
                { "exit code out of range", { .how = EXIT_HOW_EXITED, .code = 256 },
                                CLI_EXIT_VMSILO },
                { "negative exit code", { .how = EXIT_HOW_EXITED, .code = -1 }, CLI_EXIT_VMSILO },
                { "signal 0", { .how = EXIT_HOW_SIGNALED, .code = 0 }, CLI_EXIT_VMSILO },
                { "signal 65", { .how = EXIT_HOW_SIGNALED, .code = 65 }, CLI_EXIT_VMSILO },
                { "unknown how", { .how = (ExitHow) 7, .code = 0 }, CLI_EXIT_VMSILO },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                print_message("case: %s\n", cases[i].label);
                assert_int_equal(run_exit_status(&cases[i].result), cases[i].status);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_run_exit_status_maps_every_kind_of_end),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

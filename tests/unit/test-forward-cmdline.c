/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-forward-cmdline.c: vmsilo.forward= on the kernel command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "forward-cmdline.h"
#include "macro.h"
#include "strv.h"

static char *joined(const char *cmdline) {
        _cleanup_(strv_freep) char **l = NULL;

        assert_int_equal(forward_cmdline_parse(cmdline, &l), 0);
        return strv_join(l, "|");
}

static void test_services_are_listed(void **state) {
        _cleanup_(freep) char *a = joined("console=ttyS0 vmsilo.forward=wayland quiet");
        _cleanup_(freep) char *b = joined("vmsilo.forward=wayland,tray,sound\n");

        assert_string_equal(a, "wayland");
        assert_string_equal(b, "wayland|tray|sound");
}

static void test_none_without_the_word(void **state) {
        _cleanup_(freep) char *a = joined("");
        _cleanup_(freep) char *b =
                        joined("console=ttyS0 xvmsilo.forward=wayland vmsilo.forwardx=1");
        _cleanup_(freep) char *c = joined("vmsilo.forward=");

        assert_string_equal(a, "");
        assert_string_equal(b, "");
        assert_string_equal(c, "");
}

static void test_last_word_wins_and_duplicates_go(void **state) {
        _cleanup_(freep) char *a = joined("vmsilo.forward=tray vmsilo.forward=wayland,wayland");

        assert_string_equal(a, "wayland");
}

static void test_bad_names_are_refused(void **state) {
        char **l = NULL;

        assert_int_equal(forward_cmdline_parse("vmsilo.forward=../x", &l), -EINVAL);
        assert_int_equal(forward_cmdline_parse("vmsilo.forward=wayland,", &l), -EINVAL);
        assert_int_equal(forward_cmdline_parse("vmsilo.forward=,wayland", &l), -EINVAL);
        assert_int_equal(forward_cmdline_parse("vmsilo.forward=a/b", &l), -EINVAL);
        assert_int_equal(forward_cmdline_parse("vmsilo.forward=a,b,c,d,e,f,g,h,i", &l), -E2BIG);
        assert_null(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_services_are_listed),
                cmocka_unit_test(test_none_without_the_word),
                cmocka_unit_test(test_last_word_wins_and_duplicates_go),
                cmocka_unit_test(test_bad_names_are_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

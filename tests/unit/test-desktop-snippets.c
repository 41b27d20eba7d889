/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-desktop-snippets.c: the sway and KWin settings carry each VM's colour, readable text on
 * it, and an app_id match that takes no other VM's windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "desktop-snippets.h"
#include "macro.h"

static Config *load(void) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};
        Config *c = NULL;

        assert_int_equal(config_load_string("{\"user\": \"u\", \"nixosVms\": ["
                                            "{\"name\": \"web\", \"color\": \"yellow\"},"
                                            "{\"name\": \"web-dev\", \"color\": \"rgb(0,0,128)\","
                                            " \"frameWidth\": 6}]}",
                                         NULL, &c, &e),
                        0);
        return c;
}

static void test_desktop_snippets_sway_colours_each_vms_titles(void **state) {
        _cleanup_(config_freep) Config *c = load();
        _cleanup_(freep) char *text = NULL;

        assert_int_equal(desktop_snippets_format(c, DESKTOP_SNIPPET_SWAY, &text), 0);
        /* yellow is light: black text; navy is dark: white text */
        assert_non_null(strstr(text, "for_window [app_id=\"^vmsilo-web(\\.|$)\"] border normal 4, "
                                     "title_format \"<span background='#ffff00' "
                                     "foreground='#000000'> %title </span>\"\n"));
        assert_non_null(strstr(text, "for_window [app_id=\"^vmsilo-web-dev(\\.|$)\"] border "
                                     "normal 6, title_format \"<span background='#000080' "
                                     "foreground='#ffffff'>"));
}

static void test_desktop_snippets_kwin_rules_and_colour_schemes(void **state) {
        _cleanup_(config_freep) Config *c = load();
        _cleanup_(freep) char *text = NULL;

        assert_int_equal(desktop_snippets_format(c, DESKTOP_SNIPPET_KWIN, &text), 0);
        assert_non_null(strstr(text, "[General]\ncount=2\nrules=vmsilo-1,vmsilo-2\n"));
        assert_non_null(strstr(text, "[vmsilo-2]\nDescription=vmsilo VM web-dev\n"
                                     "wmclass=^vmsilo-web-dev(\\.|$)\nwmclassmatch=3\n"));
        assert_non_null(strstr(text, "decocolor=vmsilo-web\ndecocolorrule=2\n"));
        assert_non_null(strstr(text, "Name=vmsilo-web\n[WM]\nactiveBackground=255,255,0\n"
                                     "activeForeground=0,0,0\n"));
        assert_non_null(strstr(text, "activeBackground=0,0,128\nactiveForeground=255,255,255\n"));
}

static void test_desktop_snippets_kinds_round_trip(void **state) {
        assert_int_equal(desktop_snippet_kind_from_string("sway"), DESKTOP_SNIPPET_SWAY);
        assert_string_equal(desktop_snippet_kind_to_string(DESKTOP_SNIPPET_KWIN), "kwin");
        assert_true((int) desktop_snippet_kind_from_string("gnome") < 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_desktop_snippets_sway_colours_each_vms_titles),
                cmocka_unit_test(test_desktop_snippets_kwin_rules_and_colour_schemes),
                cmocka_unit_test(test_desktop_snippets_kinds_round_trip),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-desktop-entry.c: desktop_entry_parse() on a guest's .desktop file, and desktop_exec_split()
 * on the same bytes as an Exec= value. An accepted entry must survive its normalised form
 * unchanged, and its host entry must hold exactly one Exec line that tokenises back to
 * vm-run, the VM and the guest argv: otherwise the invariant aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "desktop-entry.h"
#include "fuzz.h"
#include "strv.h"

#define FUZZ_INPUT_MAX (DESKTOP_ENTRY_FILE_MAX + 1024u)

static void check_round_trip(const DesktopEntry *e) {
        _cleanup_(desktop_entry_freep) DesktopEntry *back = NULL;
        _cleanup_(freep) char *text = NULL;

        CHECK(desktop_entry_format(e, &text) >= 0);
        CHECK(desktop_entry_parse(text, strlen(text), &back, NULL) == 0);
        CHECK(streq(back->name, e->name));
        CHECK(strv_equal(back->argv, e->argv));
        CHECK(strv_equal(back->categories, e->categories) ||
                        (strv_length(back->categories) == 0 && strv_length(e->categories) == 0));
        CHECK(back->terminal == e->terminal);
}

static void check_host_entry(const DesktopEntry *e) {
        _cleanup_(strv_freep) char **argv = NULL, **expected = NULL;
        _cleanup_(freep) char *text = NULL;
        char *exec, *eol;

        CHECK(desktop_entry_format_host(e, "vm", "/usr/bin/vm-run", "/h/.local/x.png", &text) >= 0);
        CHECK(desktop_entry_is_ours(text, strlen(text)));
        exec = strstr(text, "\nExec=");
        CHECK(exec);
        CHECK(!strstr(exec + 1, "\nExec="));
        exec += strlen("\nExec=");
        eol = strchr(exec, '\n');
        CHECK(eol);
        *eol = '\0';
        CHECK(desktop_exec_tokenize(exec, &argv, NULL) == 0);
        expected = strv_copy((char *const[]){ (char *) "/usr/bin/vm-run", (char *) "vm", NULL });
        CHECK(expected);
        CHECK(strv_extend_strv(&expected, e->argv) >= 0);
        CHECK(strv_equal(argv, expected));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e = NULL;
        _cleanup_(strv_freep) char **argv = NULL;
        _cleanup_(freep) char *value = NULL;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (desktop_entry_parse((const char *) data, size, &e, NULL) == 0) {
                CHECK(e->name && e->argv && e->argv[0]);
                check_round_trip(e);
                check_host_entry(e);
        }
        if (size > DESKTOP_ENTRY_LINE_MAX)
                return 0;
        value = strndup((const char *) data, size);
        if (value && desktop_exec_split(value, &argv, NULL) == 0)
                STRV_FOREACH(w, argv)
                        CHECK(desktop_exec_word_is_valid(*w));
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-desktop-entry.c: tests for desktop-entry.c, most of them hostile guest files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <unistr.h>

#include "desktop-entry.h"
#include "strv.h"

#define STRV_MAKE(...) ((char *const[]){ __VA_ARGS__, NULL })
#define HEAD "[Desktop Entry]\nType=Application\nName=App\n"

static int parse(const char *text, DesktopEntry **ret, const char **reason) {
        return desktop_entry_parse(text, strlen(text), ret, reason);
}

static DesktopEntry *parse_ok(const char *text) {
        DesktopEntry *e = NULL;
        const char *reason = NULL;
        int r = parse(text, &e, &reason);

        if (r < 0)
                fail_msg("'%s' refused: %s", text, strna(reason));
        return e;
}

static void assert_refused(const char *text, int error) {
        DesktopEntry *e = NULL;
        const char *reason = NULL;

        assert_int_equal(parse(text, &e, &reason), error);
        assert_null(e);
        assert_non_null(reason);
}

static void assert_argv(const char *exec, char *const *expected) {
        _cleanup_(strv_freep) char **argv = NULL;
        const char *reason = NULL;
        int r = desktop_exec_split(exec, &argv, &reason);

        if (r < 0)
                fail_msg("Exec '%s' refused: %s", exec, strna(reason));
        assert_true(strv_equal(argv, expected));
}

static void assert_exec_refused(const char *exec) {
        _cleanup_(strv_freep) char **argv = NULL;
        const char *reason = NULL;

        if (desktop_exec_split(exec, &argv, &reason) != -EBADMSG)
                fail_msg("Exec '%s' was accepted", exec);
        assert_null(argv);
        assert_non_null(reason);
}

static void test_desktop_entry_parse_reads_a_typical_entry(void **state) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e = parse_ok(
                        "# comment\n\n[Desktop Entry]\nVersion=1.0\nType=Application\n"
                        "Name=Firefox ESR\nName[de]=Firefox-Browser\nComment=Browse\n"
                        "Exec=/usr/lib/firefox-esr/firefox-esr %u\nIcon=firefox-esr\n"
                        "Terminal=false\nCategories=Network;WebBrowser;\n"
                        "[Desktop Action new-window]\nName=New Window\nExec=firefox -new-window\n");

        assert_string_equal(e->name, "Firefox ESR");
        assert_true(strv_equal(e->argv, STRV_MAKE("/usr/lib/firefox-esr/firefox-esr")));
        assert_string_equal(e->icon, "firefox-esr");
        assert_false(e->terminal);
        assert_true(strv_equal(e->categories, STRV_MAKE("Network", "WebBrowser")));
}

static void test_desktop_entry_parse_accepts_crlf_spaces_around_equals_and_terminal(void **state) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e =
                        parse_ok("[Desktop Entry]\r\nType = Application\r\nName =  htop \r\n"
                                 "Exec= htop\r\nTerminal=true\r\n   \r\n");

        assert_string_equal(e->name, "htop");
        assert_true(strv_equal(e->argv, STRV_MAKE("htop")));
        assert_true(e->terminal);
        assert_null(e->icon);
        assert_null(e->categories);
}

static void test_desktop_entry_parse_refuses_shell_in_exec(void **state) {
        /* The issue's example: a word with ';' and '~' is refused, never passed on. */
        assert_refused(HEAD "Exec=rm -rf ~; x\n", -EBADMSG);
        assert_refused(HEAD "Exec=sh -c \"rm -rf ~; x\"\n", -EBADMSG);
}

static void test_desktop_exec_split_refuses_metacharacters(void **state) {
        static const char *const hostile[] = {
                "x `id`",
                "x $(id)",
                "x ${HOME}",
                "x $HOME",
                "x | y",
                "x && y",
                "x > /tmp/f",
                "x < /etc/passwd",
                "x *",
                "x ?",
                "x #",
                "x (y)",
                "x 'y'",
                "x\ty",
                "x \\\\y",
                "\"x\" \"$(id)\"",
                "\"x\\\\`id\\\\`\"",
                "x ~",
                "x \"a b\"",
                "x \"\"",
                "x \"y\"z",
                "x \"unterminated",
                "x \"a\\\\qb\"",
                "x \\q",
                "x \\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(hostile); i++)
                assert_exec_refused(hostile[i]);
}

static void test_desktop_exec_split_drops_field_codes(void **state) {
        assert_argv("app %f %F %u %U %i %c %k %d %D %n %N %v %m", STRV_MAKE("app"));
        assert_argv("app --file=%f -x", STRV_MAKE("app", "-x"));
        assert_argv("app \"%u\"", STRV_MAKE("app"));
        assert_exec_refused("app 100%%");
        assert_exec_refused("app %z");
        assert_exec_refused("app %");
        assert_exec_refused("%f");
}

static void test_desktop_exec_split_follows_quoting_rules(void **state) {
        assert_argv("\"/usr/bin/app\" \"--opt=x\"  -y", STRV_MAKE("/usr/bin/app", "--opt=x", "-y"));
        assert_argv("env GDK_BACKEND=x11 app:1 a,b user@host +x",
                        STRV_MAKE("env", "GDK_BACKEND=x11", "app:1", "a,b", "user@host", "+x"));
        /* \s is a string escape for a space: it separates words. */
        assert_argv("app\\s-x", STRV_MAKE("app", "-x"));
}

static void test_desktop_exec_split_refuses_option_as_command_and_empty(void **state) {
        assert_exec_refused("--help");
        assert_exec_refused("");
        assert_exec_refused("   ");
        assert_exec_refused("%U");
}

static void test_desktop_exec_split_bounds_words(void **state) {
        _cleanup_(freep) char *many = NULL, *long_word = NULL;
        size_t n = 0;

        many = malloc(2 * (DESKTOP_ENTRY_ARGV_MAX + 1) + 1);
        assert_non_null(many);
        for (size_t i = 0; i <= DESKTOP_ENTRY_ARGV_MAX; i++) {
                many[n++] = 'a';
                many[n++] = ' ';
        }
        many[n] = '\0';
        assert_exec_refused(many);
        many[2 * DESKTOP_ENTRY_ARGV_MAX] = '\0';
        {
                _cleanup_(strv_freep) char **argv = NULL;

                assert_int_equal(desktop_exec_split(many, &argv, NULL), 0);
                assert_int_equal(strv_length(argv), DESKTOP_ENTRY_ARGV_MAX);
        }
        long_word = malloc(DESKTOP_ENTRY_WORD_MAX + 2);
        assert_non_null(long_word);
        memset(long_word, 'a', DESKTOP_ENTRY_WORD_MAX + 1);
        long_word[DESKTOP_ENTRY_WORD_MAX + 1] = '\0';
        assert_exec_refused(long_word);
}

static void test_desktop_entry_parse_skips_entries_with_nothing_to_launch(void **state) {
        assert_refused("[Desktop Entry]\nType=Link\nName=x\nURL=http://x\n", -ENOEXEC);
        assert_refused(HEAD "Exec=app\nNoDisplay=true\n", -ENOEXEC);
        assert_refused(HEAD "Exec=app\nHidden=true\n", -ENOEXEC);
        assert_refused(HEAD "DBusActivatable=true\n", -ENOEXEC);
}

static void test_desktop_entry_parse_refuses_malformed_files(void **state) {
        static const char *const bad[] = {
                "",
                "Type=Application\nName=x\nExec=x\n",
                "[Desktop Action a]\nName=x\n[Desktop Entry]\nType=Application\nName=x\nExec=x\n",
                "[Desktop Entry]\nName=x\nExec=x\n",
                "[Desktop Entry]\nType=Application\nExec=x\n",
                HEAD "Exec=x\n[Desktop Entry]\nType=Application\n",
                HEAD "Exec=x\nExec=y\n",
                HEAD "Name=y\nExec=x\n",
                HEAD "Exec=x\nTerminal=yes\n",
                HEAD "Exec=x\nthis line has no equals sign\n",
                HEAD "Exec=x\nBad Key=1\n",
                HEAD "Exec=x\n[Broken\n",
                HEAD "Exec=x\n[Desktop Action a]\nx=1\n[Desktop Action a]\n",
                HEAD "Exec=x\\q\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_refused(bad[i], -EBADMSG);
}

static void test_desktop_entry_parse_refuses_nul_and_invalid_utf8(void **state) {
        static const char with_nul[] = HEAD "Exec=app\0 rm\n";
        static const char *const bad_utf8[] = {
                HEAD "Exec=app\nComment=\xff\n", /* anywhere in the file, not only keys we use */
                HEAD "Exec=app\nComment=\xc0\xaf\n",     /* overlong '/' */
                HEAD "Exec=app\nComment=\xed\xa0\x80\n", /* surrogate */
                HEAD "Exec=app\nComment=\xe2\x82\n",     /* truncated */
        };
        DesktopEntry *e = NULL;

        assert_int_equal(desktop_entry_parse(with_nul, sizeof(with_nul) - 1, &e, NULL), -EBADMSG);
        assert_null(e);
        for (size_t i = 0; i < ELEMENTSOF(bad_utf8); i++)
                assert_refused(bad_utf8[i], -EBADMSG);
}

static void test_desktop_entry_parse_bounds_file_and_lines(void **state) {
        _cleanup_(freep) char *big = malloc(DESKTOP_ENTRY_FILE_MAX + 1);
        _cleanup_(freep) char *long_line = NULL;
        DesktopEntry *e = NULL;

        assert_non_null(big);
        memset(big, '#', DESKTOP_ENTRY_FILE_MAX + 1);
        assert_int_equal(desktop_entry_parse(big, DESKTOP_ENTRY_FILE_MAX + 1, &e, NULL), -EFBIG);
        assert_true(asprintf(&long_line, HEAD "Exec=app\nComment=%0*d\n",
                                    (int) DESKTOP_ENTRY_LINE_MAX, 0) > 0);
        assert_refused(long_line, -EBADMSG);
}

static void test_desktop_entry_parse_bounds_keys(void **state) {
        _cleanup_(freep) char *text = strdup(HEAD "Exec=app\n");

        assert_non_null(text);
        for (unsigned i = 0; i < DESKTOP_ENTRY_KEYS_MAX; i++) {
                char *t = NULL;

                assert_true(asprintf(&t, "%sX-K%u=1\n", text, i) > 0);
                free(text);
                text = t;
        }
        assert_refused(text, -EBADMSG);
}

static void test_desktop_entry_parse_refuses_spoofing_names(void **state) {
        static const char *const bad[] = {
                "[Desktop Entry]\nType=Application\nExec=x\nName=x] [banking\n",
                "[Desktop Entry]\nType=Application\nExec=x\nName=a\\nb\n",
                "[Desktop Entry]\nType=Application\nExec=x\nName=a\\tb\n",
                "[Desktop Entry]\nType=Application\nExec=x\nName=\xe2\x80\xae"
                "gnp.exe\n",
                "[Desktop Entry]\nType=Application\nExec=x\nName=a\xc2\x85"
                "b\n",
                "[Desktop Entry]\nType=Application\nExec=x\nName=\xe2\x80\x8b\n",
                "[Desktop Entry]\nType=Application\nExec=x\nName=   \n",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_refused(bad[i], -EBADMSG);
}

/* Each code point is refused inside "a<c>b": invisible, bidi, blank or bracket look-alikes. */
static void test_desktop_entry_parse_refuses_names_by_unicode_category(void **state) {
        static const uint32_t bad[] = {
                0x061c,  /* ARABIC LETTER MARK (Cf) */
                0x200e,  /* LEFT-TO-RIGHT MARK (Cf) */
                0x2067,  /* RIGHT-TO-LEFT ISOLATE (Cf) */
                0x00ad,  /* SOFT HYPHEN (Cf) */
                0xe000,  /* private use (Co) */
                0x0378,  /* unassigned (Cn) */
                0x00a0,  /* NO-BREAK SPACE (Zs) */
                0x2003,  /* EM SPACE (Zs) */
                0x3000,  /* IDEOGRAPHIC SPACE (Zs) */
                0x2029,  /* PARAGRAPH SEPARATOR (Zp) */
                0x3164,  /* HANGUL FILLER (Lo, default ignorable) */
                0x115f,  /* HANGUL CHOSEONG FILLER */
                0x1160,  /* HANGUL JUNGSEONG FILLER */
                0xffa0,  /* HALFWIDTH HANGUL FILLER */
                0x034f,  /* COMBINING GRAPHEME JOINER (Mn, default ignorable) */
                0xff3b,  /* FULLWIDTH LEFT SQUARE BRACKET (NFKD '[') */
                0xff3d,  /* FULLWIDTH RIGHT SQUARE BRACKET */
                0xfe47,  /* PRESENTATION FORM FOR VERTICAL LEFT SQUARE BRACKET */
                0xfe5d,  /* SMALL LEFT TORTOISE SHELL BRACKET (Ps) */
                0x3010,  /* LEFT BLACK LENTICULAR BRACKET (Ps) */
                0x3011,  /* RIGHT BLACK LENTICULAR BRACKET (Pe) */
                0x27e6,  /* MATHEMATICAL LEFT WHITE SQUARE BRACKET (Ps) */
                0xff08,  /* FULLWIDTH LEFT PARENTHESIS (Ps) */
                0x1f12a, /* TORTOISE SHELL BRACKETED S (So, NFKD U+3014 S U+3015) */
                '[',
                ']',
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(freep) char *text = NULL;
                uint8_t utf8[5] = {};

                assert_true(u8_uctomb(utf8, bad[i], 4) > 0);
                assert_true(asprintf(&text,
                                            "[Desktop "
                                            "Entry]\nType=Application\nExec=x\nName=a%sb\n",
                                            utf8) > 0);
                if (parse(text, &(DesktopEntry *){ NULL }, NULL) != -EBADMSG)
                        fail_msg("U+%04X accepted in a Name", (unsigned) bad[i]);
        }
}

/* ASCII ( ) { }, accents (also combining ones), CJK, dashes and emoji stay. */
static void test_desktop_entry_parse_keeps_ordinary_punctuation(void **state) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e =
                        parse_ok("[Desktop Entry]\nType=Application\nExec=x\nName=Foo (beta) {x} "
                                 "e\xcc\x81 \xe2\x80\x93 \xe2\x91\xb4 \xf0\x9f\xa6\x8a\n");

        assert_string_equal(e->name, "Foo (beta) {x} e\xcc\x81 \xe2\x80\x93 \xe2\x91\xb4 "
                                     "\xf0\x9f\xa6\x8a");
}

static void test_desktop_entry_parse_keeps_unicode_names(void **state) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e = parse_ok(
                        "[Desktop Entry]\nType=Application\nExec=x\nName=Bloc-notes \xc3\xa9"
                        "dit "
                        "\xe6\x96\x87 C:\\\\x\n");

        assert_string_equal(e->name, "Bloc-notes \xc3\xa9"
                                     "dit \xe6\x96\x87 C:\\x");
}

static void test_desktop_entry_parse_drops_unusable_icons_and_categories(void **state) {
        _cleanup_(desktop_entry_freep) DesktopEntry *a = parse_ok(HEAD "Exec=x\nIcon=../../etc/x\n"
                                                                       "Categories=Ok;b@d;;A-1\n");
        _cleanup_(desktop_entry_freep) DesktopEntry *b =
                        parse_ok(HEAD "Exec=x\nIcon=/usr/share/pixmaps/../../x.png\n");
        _cleanup_(desktop_entry_freep) DesktopEntry *c =
                        parse_ok(HEAD "Exec=x\nIcon=/usr/share/pixmaps/app.png\n");

        assert_null(a->icon);
        assert_true(strv_equal(a->categories, STRV_MAKE("Ok", "A-1")));
        assert_null(b->icon);
        assert_string_equal(c->icon, "/usr/share/pixmaps/app.png");
}

static void test_desktop_names_are_checked(void **state) {
        assert_true(desktop_id_is_valid("org.mozilla.firefox"));
        assert_true(desktop_id_is_valid("libreoffice-writer_1"));
        assert_false(desktop_id_is_valid(".hidden"));
        assert_false(desktop_id_is_valid("-x"));
        assert_false(desktop_id_is_valid("a/b"));
        assert_false(desktop_id_is_valid(""));
        assert_true(desktop_icon_name_is_valid("gtk+-icon"));
        assert_false(desktop_icon_name_is_valid("/usr//x"));
        assert_false(desktop_icon_name_is_valid("/usr/x/"));
        assert_false(desktop_icon_name_is_valid("a b"));
        assert_true(desktop_exec_word_is_valid("--a=b,c:d@e+f/g.h_i"));
        assert_false(desktop_exec_word_is_valid("a%b"));
}

static char *host_name(const char *vm, const char *id, const char *suffix) {
        char *name = NULL;

        assert_int_equal(desktop_host_file_name("vmsilo-", vm, id, suffix, &name), 0);
        return name;
}

/* A VM's image cannot name an entry or icon so that it is another VM's: distinct (vm, id) pairs
 * give distinct names, and a VM name that could make them ambiguous is refused. */
static void test_desktop_host_file_name_is_injective(void **state) {
        static const char *const pairs[][2] = {
                { "a-b", "c" },
                { "a", "b-c" },
                { "a", "b.c" },
                { "a_b", "c" },
                { "a", "b_c" },
                { "a", "a.a" },
                { "ab", "c" },
                { "a", "bc" },
        };
        char *names[ELEMENTSOF(pairs)];
        char *bad = NULL;

        for (size_t i = 0; i < ELEMENTSOF(pairs); i++)
                names[i] = host_name(pairs[i][0], pairs[i][1], ".desktop");
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++)
                for (size_t j = i + 1; j < ELEMENTSOF(pairs); j++)
                        if (streq(names[i], names[j]))
                                fail_msg("%s/%s and %s/%s both give '%s'", pairs[i][0], pairs[i][1],
                                                pairs[j][0], pairs[j][1], names[i]);
        assert_string_equal(names[0], "vmsilo-a-b.c.desktop");
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++)
                free(names[i]);
        assert_int_equal(desktop_host_file_name("", "a.b", "c", ".png", &bad), -EINVAL);
        assert_int_equal(desktop_host_file_name("", "a/b", "c", ".png", &bad), -EINVAL);
        assert_int_equal(desktop_host_file_name("", "", "c", ".png", &bad), -EINVAL);
        assert_int_equal(desktop_host_file_name("", "a", "../c", ".png", &bad), -EINVAL);
        assert_null(bad);
}

static void test_desktop_exec_append_word_round_trips_reserved_characters(void **state) {
        static const char *const words[] = { "plain", "a b", "\"q\"", "`id`", "$(x)", "back\\slash",
                "100%", "%f", "semi;colon", "new\nline", "~", "" };

        for (size_t i = 0; i < ELEMENTSOF(words); i++) {
                _cleanup_(freep) char *buf = strdup("x ");
                _cleanup_(strv_freep) char **argv = NULL;
                _cleanup_(strv_freep) char **back_argv = NULL;

                assert_non_null(buf);
                assert_int_equal(desktop_exec_append_word(&buf, words[i]), 0);
                assert_null(strchr(buf, '\n'));
                assert_int_equal(desktop_exec_tokenize(buf, &argv, NULL), 0);
                assert_true(strv_equal(argv, STRV_MAKE("x", (char *) words[i])));
                assert_int_equal(desktop_exec_split(buf, &back_argv, NULL),
                                desktop_exec_word_is_valid(words[i]) ? 0 : -EBADMSG);
        }
}

static void test_desktop_entry_format_round_trips(void **state) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e =
                        parse_ok(HEAD "Exec=app --x=1 %U\nTerminal=true\nCategories=Utility;\n");
        _cleanup_(desktop_entry_freep) DesktopEntry *back = NULL;
        _cleanup_(freep) char *text = NULL;

        assert_int_equal(desktop_entry_format(e, &text), 0);
        assert_string_equal(text, "[Desktop Entry]\nType=Application\nName=App\n"
                                  "Exec=app --x=1\nTerminal=true\nCategories=Utility;\n");
        back = parse_ok(text);
        assert_string_equal(back->name, e->name);
        assert_true(strv_equal(back->argv, e->argv));
        assert_true(strv_equal(back->categories, e->categories));
        assert_true(back->terminal);
}

static void test_desktop_entry_format_host_launches_through_vm_run(void **state) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e = parse_ok(HEAD "Exec=app -x %f\n");
        _cleanup_(freep) char *text = NULL;

        assert_int_equal(desktop_entry_format_host(e, "work", "/usr/bin/vm-run",
                                         "/home/u/.local/share/icons/vmsilo/work-app.png", &text),
                        0);
        assert_string_equal(text, "[Desktop Entry]\nType=Application\nName=[work] App\n"
                                  "Exec=/usr/bin/vm-run work app -x\n"
                                  "Icon=/home/u/.local/share/icons/vmsilo/work-app.png\n"
                                  "Terminal=false\nX-Vmsilo-VM=work\n");
        assert_true(desktop_entry_is_ours(text, strlen(text)));
        assert_false(desktop_entry_is_ours(HEAD, strlen(HEAD)));
}

static void test_desktop_entry_format_host_quotes_paths_and_refuses_controls(void **state) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e = parse_ok(HEAD "Exec=app\n");
        _cleanup_(freep) char *text = NULL, *bad = NULL;
        _cleanup_(strv_freep) char **argv = NULL;
        const char *exec;

        assert_int_equal(desktop_entry_format_host(e, "w", "/opt/my bin/vm-run", NULL, &text), 0);
        exec = strstr(text, "\nExec=");
        assert_non_null(exec);
        assert_string_equal(strchr(exec + 1, '\n'), "\nTerminal=false\nX-Vmsilo-VM=w\n");
        *strchr(exec + 1, '\n') = '\0';
        assert_int_equal(desktop_exec_tokenize(exec + strlen("\nExec="), &argv, NULL), 0);
        assert_true(strv_equal(argv, STRV_MAKE("/opt/my bin/vm-run", "w", "app")));
        assert_int_equal(desktop_entry_format_host(e, "w", "/usr/bin/vm-run", "/h/x\ny", &bad),
                        -EINVAL);
        assert_null(bad);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_desktop_entry_parse_reads_a_typical_entry),
                cmocka_unit_test(
                                test_desktop_entry_parse_accepts_crlf_spaces_around_equals_and_terminal),
                cmocka_unit_test(test_desktop_entry_parse_refuses_shell_in_exec),
                cmocka_unit_test(test_desktop_exec_split_refuses_metacharacters),
                cmocka_unit_test(test_desktop_exec_split_drops_field_codes),
                cmocka_unit_test(test_desktop_exec_split_follows_quoting_rules),
                cmocka_unit_test(test_desktop_exec_split_refuses_option_as_command_and_empty),
                cmocka_unit_test(test_desktop_exec_split_bounds_words),
                cmocka_unit_test(test_desktop_entry_parse_skips_entries_with_nothing_to_launch),
                cmocka_unit_test(test_desktop_entry_parse_refuses_malformed_files),
                cmocka_unit_test(test_desktop_entry_parse_refuses_nul_and_invalid_utf8),
                cmocka_unit_test(test_desktop_entry_parse_bounds_file_and_lines),
                cmocka_unit_test(test_desktop_entry_parse_bounds_keys),
                cmocka_unit_test(test_desktop_entry_parse_refuses_spoofing_names),
                cmocka_unit_test(test_desktop_entry_parse_refuses_names_by_unicode_category),
                cmocka_unit_test(test_desktop_entry_parse_keeps_ordinary_punctuation),
                cmocka_unit_test(test_desktop_entry_parse_keeps_unicode_names),
                cmocka_unit_test(test_desktop_entry_parse_drops_unusable_icons_and_categories),
                cmocka_unit_test(test_desktop_names_are_checked),
                cmocka_unit_test(test_desktop_host_file_name_is_injective),
                cmocka_unit_test(test_desktop_exec_append_word_round_trips_reserved_characters),
                cmocka_unit_test(test_desktop_entry_format_round_trips),
                cmocka_unit_test(test_desktop_entry_format_host_launches_through_vm_run),
                cmocka_unit_test(test_desktop_entry_format_host_quotes_paths_and_refuses_controls),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-entry.c: Desktop Entry files from guest images, parsed and sanitised for the host
 * menu (Desktop Entry Specification 1.5, [Desktop Entry] group only), and the host entries
 * that launch them through vm-run. Pure. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <uninorm.h>

#include "desktop-entry.h"
#include "strv.h"
#include "utf8.h"

/* The mark of a host entry vmsilod wrote; nothing else in the user's menu carries it. */
#define DESKTOP_OWNER_KEY "X-Vmsilo-VM"

/* Characters the spec says must be quoted in an Exec argument. */
#define EXEC_RESERVED " \t\n\"'\\><~|&;$*?#()`"
/* Field codes the spec defines (current and deprecated); all are dropped. */
#define EXEC_FIELD_CODES "fFuUdDnNickvm"

DesktopEntry *desktop_entry_free(DesktopEntry *e) {
        if (!e)
                return NULL;
        free(e->name);
        strv_free(e->argv);
        free(e->icon);
        strv_free(e->categories);
        free(e);
        return NULL;
}

static int fail(const char **reterr_reason, int r, const char *reason) {
        if (reterr_reason)
                *reterr_reason = reason;
        return r;
}

static bool char_in(char c, const char *set) {
        return c != '\0' && strchr(set, c);
}

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool desktop_exec_word_is_valid(const char *s) {
        size_t len = strlen(s);

        if (len == 0 || len > DESKTOP_ENTRY_WORD_MAX)
                return false;
        for (const char *p = s; *p; p++)
                if (!is_alnum(*p) && !char_in(*p, "_-./+=:,@"))
                        return false;
        return true;
}

bool desktop_id_is_valid(const char *s) {
        size_t len = strlen(s);

        if (len == 0 || len > DESKTOP_ENTRY_ID_MAX || s[0] == '.' || s[0] == '-')
                return false;
        for (const char *p = s; *p; p++)
                if (!is_alnum(*p) && !char_in(*p, "._-"))
                        return false;
        return true;
}

/* One icon name or path component: [A-Za-z0-9._+-]+, not starting with '.' or '-' (so never
 * "." or ".."). */
static bool icon_component_is_valid(const char *s, size_t len) {
        if (len == 0 || s[0] == '.' || s[0] == '-')
                return false;
        for (size_t i = 0; i < len; i++)
                if (!is_alnum(s[i]) && !char_in(s[i], "._+-"))
                        return false;
        return true;
}

bool desktop_icon_name_is_valid(const char *s) {
        size_t len = strlen(s);

        if (len == 0 || len > DESKTOP_ENTRY_ICON_MAX)
                return false;
        if (s[0] != '/')
                return icon_component_is_valid(s, len);
        for (const char *p = s; *p;) {
                size_t n;

                p++; /* the '/' */
                n = strcspn(p, "/");
                if (!icon_component_is_valid(p, n))
                        return false;
                p += n;
        }
        return true;
}

/* A growing string; *buf stays NUL-terminated. */
static int append(char **buf, const char *s, size_t n) {
        size_t len = *buf ? strlen(*buf) : 0;
        char *b = realloc(*buf, len + n + 1);

        if (!b)
                return -ENOMEM;
        memcpy(b + len, s, n);
        b[len + n] = '\0';
        *buf = b;
        return 0;
}

static int append_str(char **buf, const char *s) {
        return append(buf, s, strlen(s));
}

/* The spec's string escapes: \s \n \t \r \\. Anything else after a backslash is refused. */
static int unescape(const char *untrusted_value, char **ret) {
        _cleanup_(freep) char *out = malloc(strlen(untrusted_value) + 1);
        size_t n = 0;

        if (!out)
                return -ENOMEM;
        for (const char *p = untrusted_value; *p; p++) {
                if (*p != '\\') {
                        out[n++] = *p;
                        continue;
                }
                p++;
                switch (*p) {
                case 's':
                        out[n++] = ' ';
                        break;
                case 'n':
                        out[n++] = '\n';
                        break;
                case 't':
                        out[n++] = '\t';
                        break;
                case 'r':
                        out[n++] = '\r';
                        break;
                case '\\':
                        out[n++] = '\\';
                        break;
                default:
                        return -EBADMSG;
                }
        }
        out[n] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

/* Reads one quoted Exec argument starting after its opening quote; *p ends after the closing
 * one. Inside, only " ` $ \ may follow a backslash, and ` and $ must. */
static int read_quoted(const char **p, char **ret, const char **reterr_reason) {
        _cleanup_(freep) char *w = strdup("");
        const char *s = *p;
        int r;

        if (!w)
                return -ENOMEM;
        for (;;) {
                char c = *s;

                if (c == '\0')
                        return fail(reterr_reason, -EBADMSG, "unterminated quote in Exec");
                if (c == '"') {
                        s++;
                        break;
                }
                if (c == '\\') {
                        if (!char_in(s[1], "\"`$\\"))
                                return fail(reterr_reason, -EBADMSG,
                                                "backslash in a quoted Exec argument before "
                                                "something other than \" ` $ or \\");
                        c = s[1];
                        s++;
                } else if (c == '`' || c == '$')
                        return fail(reterr_reason, -EBADMSG,
                                        "unescaped ` or $ in a quoted Exec argument");
                r = append(&w, &c, 1);
                if (r < 0)
                        return r;
                s++;
        }
        if (*s != '\0' && *s != ' ')
                return fail(reterr_reason, -EBADMSG,
                                "closing quote in the middle of an Exec argument");
        *p = s;
        *ret = TAKE_PTR(w);
        return 0;
}

static int read_unquoted(const char **p, char **ret, const char **reterr_reason) {
        size_t n = strcspn(*p, " ");
        char *w;

        for (size_t i = 0; i < n; i++)
                if (char_in((*p)[i], EXEC_RESERVED))
                        return fail(reterr_reason, -EBADMSG,
                                        "unquoted reserved character (a shell metacharacter, "
                                        "quote or backslash) in Exec");
        w = strndup(*p, n);
        if (!w)
                return -ENOMEM;
        *p += n;
        *ret = w;
        return 0;
}

/* Drops field codes from w in place. Returns 1 if w held one (the caller drops the whole word:
 * "--file=%f" means nothing without a file), 0 if not, -EBADMSG for an unknown code. */
static int strip_field_codes(char *w) {
        bool found = false;
        char *out = w;

        for (const char *p = w; *p; p++) {
                if (*p != '%') {
                        *out++ = *p;
                        continue;
                }
                p++;
                if (*p == '%')
                        *out++ = '%';
                else if (char_in(*p, EXEC_FIELD_CODES))
                        found = true;
                else
                        return -EBADMSG;
        }
        *out = '\0';
        return found;
}

int desktop_exec_tokenize(const char *untrusted_value, char ***ret, const char **reterr_reason) {
        _cleanup_(freep) char *untrusted_exec = NULL;
        _cleanup_(strv_freep) char **argv = strv_new_empty();
        const char *p;
        int r;

        if (!argv)
                return -ENOMEM;
        r = unescape(untrusted_value, &untrusted_exec);
        if (r == -EBADMSG)
                return fail(reterr_reason, r, "unknown escape sequence in Exec");
        if (r < 0)
                return r;
        p = untrusted_exec;
        for (;;) {
                _cleanup_(freep) char *w = NULL;

                while (*p == ' ')
                        p++;
                if (*p == '\0')
                        break;
                if (*p == '"') {
                        p++;
                        r = read_quoted(&p, &w, reterr_reason);
                } else
                        r = read_unquoted(&p, &w, reterr_reason);
                if (r < 0)
                        return r;
                r = strip_field_codes(w);
                if (r < 0)
                        return fail(reterr_reason, r, "unknown field code in Exec");
                if (r > 0)
                        continue;
                /* Room for the "vm-run VM" a host entry puts in front. */
                if (strv_length(argv) >= DESKTOP_ENTRY_ARGV_MAX + 2)
                        return fail(reterr_reason, -EBADMSG, "too many Exec arguments");
                r = strv_consume(&argv, TAKE_PTR(w));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(argv);
        return 0;
}

int desktop_exec_split(const char *untrusted_value, char ***ret, const char **reterr_reason) {
        _cleanup_(strv_freep) char **untrusted_argv = NULL;
        int r;

        r = desktop_exec_tokenize(untrusted_value, &untrusted_argv, reterr_reason);
        if (r < 0)
                return r;
        /* sanitize start */
        if (strv_length(untrusted_argv) > DESKTOP_ENTRY_ARGV_MAX)
                return fail(reterr_reason, -EBADMSG, "too many Exec arguments");
        STRV_FOREACH(w, untrusted_argv)
                if (!desktop_exec_word_is_valid(*w))
                        return fail(reterr_reason, -EBADMSG,
                                        "an Exec argument has a character outside "
                                        "[A-Za-z0-9_-./+=:,@] (or is empty or too long)");
        if (!untrusted_argv[0])
                return fail(reterr_reason, -EBADMSG, "Exec has no command");
        if (untrusted_argv[0][0] == '-')
                return fail(reterr_reason, -EBADMSG, "Exec's command starts with '-'");
        /* sanitize end */
        *ret = TAKE_PTR(untrusted_argv);
        return 0;
}

/* Whether c is a bracket a label could fake the "[vm] " prefix with: '[' or ']', or any
 * opening or closing punctuation (Ps, Pe) outside ASCII (fullwidth forms, U+3010, U+FE5D…). */
static bool codepoint_is_bracket(ucs4_t c) {
        if (c < 0x80)
                return c == '[' || c == ']';
        return uc_is_general_category(c, uc_general_category_or(UC_CATEGORY_Ps, UC_CATEGORY_Pe));
}

/* The one rule for the code points of a menu label (docs/desktop.md "Name"): 1 if c is refused,
 * 0 if not, -ENOMEM. Refused, but for U+0020: controls, format characters (bidi marks, soft
 * hyphen), surrogates, private use and unassigned code points (general category C*), every
 * separator (Z*: other spaces, U+2028, U+2029), default-ignorable code points (invisible, such
 * as the Hangul fillers), and a bracket, itself or in its compatibility decomposition (NFKD:
 * U+FF3B, which NFKC folds to '[', and U+1F12A "〔S〕" too). */
static int codepoint_is_refused(ucs4_t c) {
        ucs4_t buf[32];
        size_t n = ELEMENTSOF(buf);
        ucs4_t *d;
        bool refused;

        if (c == ' ')
                return 0;
        if (uc_is_general_category(c, uc_general_category_or(UC_CATEGORY_C, UC_CATEGORY_Z)) ||
                        uc_is_property_default_ignorable_code_point(c))
                return 1;
        refused = codepoint_is_bracket(c);
        d = u32_normalize(UNINORM_NFKD, &c, 1, buf, &n);
        if (!d)
                return -ENOMEM;
        for (size_t i = 0; i < n && !refused; i++)
                refused = codepoint_is_bracket(d[i]);
        if (d != buf)
                free(d);
        return refused;
}

static int sanitize_name(const char *untrusted_value, char **ret, const char **reterr_reason) {
        _cleanup_(freep) char *untrusted_name = NULL;
        size_t start, len;
        int r;

        r = unescape(untrusted_value, &untrusted_name);
        if (r == -EBADMSG)
                return fail(reterr_reason, r, "unknown escape sequence in Name");
        if (r < 0)
                return r;

        /* sanitize start */
        start = strspn(untrusted_name, " ");
        len = strlen(untrusted_name + start);
        while (len > 0 && untrusted_name[start + len - 1] == ' ')
                len--;
        if (len == 0)
                return fail(reterr_reason, -EBADMSG, "Name is empty");
        if (len > DESKTOP_ENTRY_NAME_MAX)
                return fail(reterr_reason, -EBADMSG, "Name is longer than 128 bytes");
        for (size_t i = 0; i < len;) {
                uint32_t c;
                int n = utf8_decode(untrusted_name + start + i, len - i, &c);

                if (n < 0)
                        return fail(reterr_reason, -EBADMSG, "Name is not UTF-8");
                r = codepoint_is_refused(c);
                if (r < 0)
                        return r;
                if (r > 0)
                        return fail(reterr_reason, -EBADMSG,
                                        "Name holds a control, format, blank, invisible or "
                                        "bracket character");
                i += (size_t) n;
        }
        /* sanitize end */
        *ret = strndup(untrusted_name + start, len);
        return *ret ? 0 : -ENOMEM;
}

/* Categories=A;B;…: items outside [A-Za-z0-9_-] are dropped, at most
 * DESKTOP_ENTRY_CATEGORIES_MAX kept. Never fails but for OOM. */
static int parse_categories(const char *untrusted_value, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;

        for (const char *p = untrusted_value;
                        *p && strv_length(l) < DESKTOP_ENTRY_CATEGORIES_MAX;) {
                size_t n = strcspn(p, ";");
                bool ok = n > 0 && n <= DESKTOP_ENTRY_CATEGORY_MAX;

                for (size_t i = 0; ok && i < n; i++)
                        ok = is_alnum(p[i]) || p[i] == '_' || p[i] == '-';
                if (ok) {
                        char *item = strndup(p, n);

                        if (!item || strv_consume(&l, item) < 0)
                                return -ENOMEM;
                }
                p += n;
                if (*p == ';')
                        p++;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* The raw values of the keys we read from [Desktop Entry] (pointing into the parse buffer). */
typedef struct RawEntry {
        const char *type, *name, *exec, *icon, *no_display, *hidden, *terminal, *categories;
} RawEntry;

static const char **raw_slot(RawEntry *e, const char *key) {
        static const struct {
                const char *key;
                size_t offset;
        } slots[] = {
                { "Type", offsetof(RawEntry, type) },
                { "Name", offsetof(RawEntry, name) },
                { "Exec", offsetof(RawEntry, exec) },
                { "Icon", offsetof(RawEntry, icon) },
                { "NoDisplay", offsetof(RawEntry, no_display) },
                { "Hidden", offsetof(RawEntry, hidden) },
                { "Terminal", offsetof(RawEntry, terminal) },
                { "Categories", offsetof(RawEntry, categories) },
        };

        for (size_t i = 0; i < ELEMENTSOF(slots); i++)
                if (streq(slots[i].key, key))
                        return (const char **) ((char *) e + slots[i].offset);
        return NULL;
}

/* "Key" or "Key[locale]": [A-Za-z0-9-]+ then an optional [ [A-Za-z0-9_@.-]+ ]. */
static bool key_is_valid(const char *k) {
        size_t n = 0;

        while (is_alnum(k[n]) || k[n] == '-')
                n++;
        if (n == 0)
                return false;
        if (k[n] == '\0')
                return true;
        if (k[n] != '[')
                return false;
        k += n + 1;
        n = 0;
        while (is_alnum(k[n]) || char_in(k[n], "_@.-"))
                n++;
        return n > 0 && k[n] == ']' && k[n + 1] == '\0';
}

static bool group_name_is_valid(const char *g) {
        if (*g == '\0')
                return false;
        for (; *g; g++)
                if ((unsigned char) *g < 0x20 || *g == 0x7f || *g == '[' || *g == ']')
                        return false;
        return true;
}

typedef struct ParseState {
        char **groups; /* every group seen: duplicates are refused */
        char **keys;   /* every key of [Desktop Entry]: duplicates are refused */
        bool in_main;
        RawEntry raw;
} ParseState;

static void parse_state_finish(ParseState *s) {
        s->groups = strv_free(s->groups);
        s->keys = strv_free(s->keys);
}

static int parse_group(ParseState *s, char *line, size_t len, const char **reterr_reason) {
        if (line[len - 1] != ']')
                return fail(reterr_reason, -EBADMSG, "malformed group header");
        line[len - 1] = '\0';
        line++;
        if (!group_name_is_valid(line))
                return fail(reterr_reason, -EBADMSG, "malformed group name");
        if (!s->groups && !streq(line, "Desktop Entry"))
                return fail(reterr_reason, -EBADMSG, "the first group is not [Desktop Entry]");
        if (strv_contains(s->groups, line))
                return fail(reterr_reason, -EBADMSG, "duplicate group");
        if (strv_length(s->groups) >= DESKTOP_ENTRY_GROUPS_MAX)
                return fail(reterr_reason, -EBADMSG, "too many groups");
        s->in_main = streq(line, "Desktop Entry");
        return strv_extend(&s->groups, line) < 0 ? -ENOMEM : 0;
}

static int parse_key(ParseState *s, char *line, const char **reterr_reason) {
        char *eq = strchr(line, '='), *end, *value;
        const char **slot;

        if (!s->groups)
                return fail(reterr_reason, -EBADMSG, "a key before any group");
        if (!eq)
                return fail(reterr_reason, -EBADMSG, "a line that is no key=value");
        value = eq + 1;
        value += strspn(value, " ");
        for (end = eq; end > line && end[-1] == ' '; end--)
                ;
        *end = '\0';
        if (!key_is_valid(line))
                return fail(reterr_reason, -EBADMSG, "malformed key");
        if (!s->in_main)
                return 0;
        if (strv_length(s->keys) >= DESKTOP_ENTRY_KEYS_MAX)
                return fail(reterr_reason, -EBADMSG, "too many keys in [Desktop Entry]");
        if (strv_contains(s->keys, line))
                return fail(reterr_reason, -EBADMSG, "duplicate key in [Desktop Entry]");
        if (strv_extend(&s->keys, line) < 0)
                return -ENOMEM;
        slot = raw_slot(&s->raw, line); /* NULL for localised and unused keys */
        if (slot)
                *slot = value;
        return 0;
}

static int parse_lines(ParseState *s, char *text, const char **reterr_reason) {
        for (char *line = text; line;) {
                char *next = strchr(line, '\n');
                size_t len;
                int r;

                if (next)
                        *next++ = '\0';
                len = strlen(line);
                if (len > DESKTOP_ENTRY_LINE_MAX)
                        return fail(reterr_reason, -EBADMSG, "a line longer than 4096 bytes");
                if (len > 0 && line[len - 1] == '\r')
                        line[--len] = '\0';
                if (line[strspn(line, " \t")] == '\0' || line[0] == '#')
                        r = 0;
                else if (line[0] == '[')
                        r = parse_group(s, line, len, reterr_reason);
                else
                        r = parse_key(s, line, reterr_reason);
                if (r < 0)
                        return r;
                line = next;
        }
        if (!strv_contains(s->groups, "Desktop Entry"))
                return fail(reterr_reason, -EBADMSG, "no [Desktop Entry] group");
        return 0;
}

/* Booleans are "true" or "false"; an absent key is false. */
static int parse_bool(const char *v, bool *ret) {
        if (!v || streq(v, "false"))
                *ret = false;
        else if (streq(v, "true"))
                *ret = true;
        else
                return -EBADMSG;
        return 0;
}

static int build_entry(const RawEntry *raw, DesktopEntry **ret, const char **reterr_reason) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e = NULL;
        bool no_display, hidden;
        int r;

        if (!raw->type)
                return fail(reterr_reason, -EBADMSG, "no Type");
        if (!streq(raw->type, "Application"))
                return fail(reterr_reason, -ENOEXEC, "not Type=Application");
        e = calloc(1, sizeof(DesktopEntry));
        if (!e)
                return -ENOMEM;
        if (parse_bool(raw->no_display, &no_display) < 0 || parse_bool(raw->hidden, &hidden) < 0 ||
                        parse_bool(raw->terminal, &e->terminal) < 0)
                return fail(reterr_reason, -EBADMSG,
                                "NoDisplay, Hidden or Terminal is not true or false");
        if (hidden || no_display)
                return fail(reterr_reason, -ENOEXEC, "hidden (Hidden or NoDisplay)");
        if (!raw->name)
                return fail(reterr_reason, -EBADMSG, "no Name");
        if (!raw->exec)
                return fail(reterr_reason, -ENOEXEC, "no Exec");
        r = sanitize_name(raw->name, &e->name, reterr_reason);
        if (r < 0)
                return r;
        r = desktop_exec_split(raw->exec, &e->argv, reterr_reason);
        if (r < 0)
                return r;
        if (raw->icon) {
                _cleanup_(freep) char *untrusted_icon = NULL;

                r = unescape(raw->icon, &untrusted_icon);
                if (r == -ENOMEM)
                        return r;
                /* An unusable icon is cosmetic: the entry stays, without one. */
                if (r >= 0 && desktop_icon_name_is_valid(untrusted_icon))
                        e->icon = TAKE_PTR(untrusted_icon);
        }
        if (raw->categories && parse_categories(raw->categories, &e->categories) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(e);
        return 0;
}

int desktop_entry_parse(const char *untrusted_data, size_t untrusted_size, DesktopEntry **ret,
                const char **reterr_reason) {
        _cleanup_(parse_state_finish) ParseState s = {};
        _cleanup_(freep) char *text = NULL;
        int r;

        if (untrusted_size > DESKTOP_ENTRY_FILE_MAX)
                return fail(reterr_reason, -EFBIG, "larger than 64 KiB");
        if (memchr(untrusted_data, '\0', untrusted_size))
                return fail(reterr_reason, -EBADMSG, "a NUL byte");
        if (!utf8_is_valid(untrusted_data, untrusted_size))
                return fail(reterr_reason, -EBADMSG, "not UTF-8");
        text = strndup(untrusted_data, untrusted_size);
        if (!text)
                return -ENOMEM;
        r = parse_lines(&s, text, reterr_reason);
        if (r < 0)
                return r;
        return build_entry(&s.raw, ret, reterr_reason);
}

int desktop_exec_append_word(char **buf, const char *word) {
        bool quote = word[0] == '\0' || word[strcspn(word, EXEC_RESERVED)] != '\0';
        int r = 0;

        if (quote)
                r = append_str(buf, "\"");
        for (const char *p = word; r >= 0 && *p; p++) {
                /* Quoting escapes first, then the string escape doubles every backslash. */
                if (quote && char_in(*p, "\"`$\\"))
                        r = append_str(buf, "\\\\");
                if (r < 0)
                        break;
                if (*p == '\\')
                        r = append_str(buf, "\\\\");
                else if (*p == '%')
                        r = append_str(buf, "%%");
                else if (*p == '\n')
                        r = append_str(buf, "\\n");
                else if (*p == '\t')
                        r = append_str(buf, "\\t");
                else if (*p == '\r')
                        r = append_str(buf, "\\r");
                else
                        r = append(buf, p, 1);
        }
        if (r >= 0 && quote)
                r = append_str(buf, "\"");
        return r;
}

/* A string value: backslash and the line breaks escaped; other controls cannot be written. */
static int append_string_value(char **buf, const char *s) {
        int r = 0;

        for (const char *p = s; r >= 0 && *p; p++) {
                if (*p == '\\')
                        r = append_str(buf, "\\\\");
                else if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return -EINVAL;
                else
                        r = append(buf, p, 1);
        }
        return r;
}

static int append_line(char **buf, const char *key, const char *value) {
        int r;

        r = append_str(buf, key);
        if (r >= 0)
                r = append_str(buf, "=");
        if (r >= 0)
                r = append_string_value(buf, value);
        if (r >= 0)
                r = append_str(buf, "\n");
        return r;
}

static int append_words(char **buf, char *const *words, bool *first) {
        STRV_FOREACH(w, words) {
                int r = *first ? 0 : append_str(buf, " ");

                *first = false;
                if (r >= 0)
                        r = desktop_exec_append_word(buf, *w);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int append_exec(char **buf, char *const *prefix, char *const *argv) {
        bool first = true;
        int r;

        r = append_str(buf, "Exec=");
        if (r >= 0)
                r = append_words(buf, prefix, &first);
        if (r >= 0)
                r = append_words(buf, argv, &first);
        if (r >= 0)
                r = append_str(buf, "\n");
        return r;
}

static int append_tail(char **buf, const DesktopEntry *e) {
        _cleanup_(freep) char *categories = NULL;
        int r;

        r = append_line(buf, "Terminal", e->terminal ? "true" : "false");
        if (r < 0 || !e->categories || !e->categories[0])
                return r;
        categories = strv_join(e->categories, ";");
        if (!categories)
                return -ENOMEM;
        r = append_str(buf, "Categories=");
        if (r >= 0)
                r = append_string_value(buf, categories);
        if (r >= 0)
                r = append_str(buf, ";\n");
        return r;
}

int desktop_entry_format(const DesktopEntry *e, char **ret) {
        _cleanup_(freep) char *buf = strdup("[Desktop Entry]\nType=Application\n");
        int r;

        if (!buf)
                return -ENOMEM;
        r = append_line(&buf, "Name", e->name);
        if (r >= 0)
                r = append_exec(&buf, NULL, e->argv);
        if (r >= 0)
                r = append_tail(&buf, e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}

int desktop_entry_format_host(const DesktopEntry *e, const char *vm, const char *vm_run,
                const char *icon_path, char **ret) {
        _cleanup_(freep) char *buf = strdup("[Desktop Entry]\nType=Application\n"), *name = NULL;
        char *const prefix[] = { (char *) vm_run, (char *) vm, NULL };
        int r;

        if (!buf)
                return -ENOMEM;
        if (asprintf(&name, "[%s] %s", vm, e->name) < 0)
                return -ENOMEM;
        r = append_line(&buf, "Name", name);
        if (r >= 0)
                r = append_exec(&buf, prefix, e->argv);
        if (r >= 0 && icon_path)
                r = append_line(&buf, "Icon", icon_path);
        if (r >= 0)
                r = append_tail(&buf, e);
        if (r >= 0)
                r = append_line(&buf, DESKTOP_OWNER_KEY, vm);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}

int desktop_host_file_name(const char *prefix, const char *vm, const char *id, const char *suffix,
                char **ret) {
        if (vm[0] == '\0' || vm[strcspn(vm, "./")] != '\0' || !desktop_id_is_valid(id))
                return -EINVAL;
        return asprintf(ret, "%s%s.%s%s", prefix, vm, id, suffix) < 0 ? -ENOMEM : 0;
}

bool desktop_entry_is_ours(const char *data, size_t size) {
        static const char mark[] = "\n" DESKTOP_OWNER_KEY "=";

        return memmem(data, size, mark, strlen(mark)) != NULL;
}

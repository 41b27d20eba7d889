/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-entry.h: Desktop Entry files from guest images, parsed and sanitised for the host
 * menu, and the host entry that launches one through vm-run. Pure. The rules are in
 * docs/desktop.md; every value here has passed them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Bounds on guest data (docs/desktop.md). A file over DESKTOP_ENTRY_FILE_MAX is -EFBIG. */
#define DESKTOP_ENTRY_FILE_MAX (64u * 1024u)
#define DESKTOP_ENTRY_LINE_MAX 4096u
#define DESKTOP_ENTRY_KEYS_MAX 512u /* lines of the [Desktop Entry] group */
#define DESKTOP_ENTRY_GROUPS_MAX 64u
#define DESKTOP_ENTRY_NAME_MAX 128u /* bytes of UTF-8 */
#define DESKTOP_ENTRY_ARGV_MAX 64u
#define DESKTOP_ENTRY_WORD_MAX 1024u
#define DESKTOP_ENTRY_ICON_MAX 255u
#define DESKTOP_ENTRY_CATEGORIES_MAX 16u
#define DESKTOP_ENTRY_CATEGORY_MAX 64u
#define DESKTOP_ENTRY_ID_MAX 128u

typedef struct DesktopEntry {
        char *name;        /* plain Name=, printable UTF-8, no brackets or bidi controls */
        char **argv;       /* Exec= tokenised, field codes dropped, every word whitelisted */
        char *icon;        /* an icon name or an absolute path in the image; NULL: none usable */
        char **categories; /* may be NULL */
        bool terminal;
} DesktopEntry;

DesktopEntry *desktop_entry_free(DesktopEntry *e);
DEFINE_FREE_FUNC(DesktopEntry *, desktop_entry_free);

/* Parses one Desktop Entry file. Returns 0 and a launchable Application entry in *ret;
 * -ENOEXEC for a well-formed file with nothing to launch (not Type=Application, NoDisplay,
 * Hidden, no Exec); -EBADMSG for a malformed or refused one; -EFBIG over
 * DESKTOP_ENTRY_FILE_MAX; -ENOMEM. *reterr_reason (may be NULL) gets a static English phrase
 * saying why for every failure but -ENOMEM. */
int desktop_entry_parse(const char *untrusted_data, size_t untrusted_size, DesktopEntry **ret,
                const char **reterr_reason);

/* Tokenises a raw Exec= value (still string-escaped, as in the file): string escapes, then the
 * spec's quoting rules; a word holding a field code is dropped ("%%" is a literal '%'). An
 * unknown escape or field code, an unquoted reserved character, a bad quote or more than
 * DESKTOP_ENTRY_ARGV_MAX + 2 words (a host entry's) is -EBADMSG with *reterr_reason set (may be
 * NULL). No word is checked: use desktop_exec_split() for guest data. */
int desktop_exec_tokenize(const char *untrusted_value, char ***ret, const char **reterr_reason);
/* Splits a raw Exec= value (still string-escaped, as in the file) into an argv: string escapes,
 * then the spec's quoting rules; a word holding a field code is dropped ("%%" is a literal '%');
 * an unknown field code, an unquoted reserved character, a bad quote, more than
 * DESKTOP_ENTRY_ARGV_MAX words, a word desktop_exec_word_is_valid() refuses, no words left, or a
 * first word starting with '-' is -EBADMSG with *reterr_reason set (may be NULL). */
int desktop_exec_split(const char *untrusted_value, char ***ret, const char **reterr_reason);

/* Whether s is an argv word we pass on: non-empty, at most DESKTOP_ENTRY_WORD_MAX bytes of
 * [A-Za-z0-9] and _ - . / + = : , @ only. */
bool desktop_exec_word_is_valid(const char *s);
/* Whether s names an application: [A-Za-z0-9._-], 1..DESKTOP_ENTRY_ID_MAX bytes, not starting
 * with '.' or '-' (the desktop file's name without ".desktop"; also used in host file names). */
bool desktop_id_is_valid(const char *s);
/* Whether s is an Icon= value we look up: a name of [A-Za-z0-9._+-] not starting with '.' or
 * '-', or an absolute path whose components are such names; at most DESKTOP_ENTRY_ICON_MAX. */
bool desktop_icon_name_is_valid(const char *s);

/* Appends word to *buf as one Exec= argument: double-quoted per the spec when it holds a
 * reserved character, then escaped for a string value ('\\' doubled) with '%' as "%%". So
 * desktop_entry_parse() gives word back unchanged, and no launcher sees a field code. */
int desktop_exec_append_word(char **buf, const char *word);

/* The normalised form an image keeps (docs/desktop.md): Type, Name, Exec, Terminal,
 * Categories; parsed again with desktop_entry_parse(). */
int desktop_entry_format(const DesktopEntry *e, char **ret);

/* The entry the host menu shows: Name=[vm] name, Exec=vm_run vm argv…, Icon=icon_path when
 * not NULL, and X-Vmsilo-VM=vm, the mark of a file vmsilod owns. -EINVAL when a string cannot
 * be written safely (a control character in vm_run or icon_path). */
int desktop_entry_format_host(const DesktopEntry *e, const char *vm, const char *vm_run,
                const char *icon_path, char **ret);

/* "<prefix><vm>.<id><suffix>": the name of a file of vm's entry id on the host (docs/desktop.md). A
 * VM name holds no '.' (and -EINVAL if it does, or a '/', or is empty; -EINVAL for an id
 * desktop_id_is_valid() refuses), so the first '.' ends it: no two (vm, id) pairs share a name, and
 * no VM's image can take or hide another VM's entry. */
int desktop_host_file_name(
                const char *prefix, const char *vm, const char *id, const char *suffix, char **ret);

/* Whether data (a file's first bytes) is an entry desktop_entry_format_host() wrote. */
bool desktop_entry_is_ours(const char *data, size_t size);

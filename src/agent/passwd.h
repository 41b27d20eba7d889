/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passwd.h: user and group lookup from <etc>/passwd and <etc>/group files, without NSS.
 *
 * The agent is a static binary: glibc's getpwnam()/initgroups() would need NSS modules loaded at
 * run time, so we parse the two files ourselves. etc_dir is "/etc" in the guest and a temp dir in
 * tests (--etc-dir). */
#pragma once

#include <stdio.h>
#include <sys/types.h>

#include "macro.h"

#define PASSWD_GROUPS_MAX 1024U
#define PASSWD_LINE_MAX 4096U

typedef struct PasswdEntry {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home;  /* never NULL after a successful lookup; "/" when the field is empty */
        char *shell; /* never NULL; "/bin/sh" when the field is empty */
} PasswdEntry;

void passwd_entry_finish(PasswdEntry *e);

/* Parses one passwd(5) line "name:pw:uid:gid:gecos:home:shell" (no trailing newline). Pure.
 * -EINVAL for a malformed line. */
int passwd_parse_line(const char *line, PasswdEntry *ret);

/* Looks name up in f (a passwd(5) file); -ENOENT if absent. Malformed lines are skipped. */
int passwd_find(FILE *f, const char *name, PasswdEntry *ret);
int passwd_lookup(const char *etc_dir, const char *name, PasswdEntry *ret);

/* Computes the group list initgroups(3) would set: primary gid first, then every group of f (a
 * group(5) file) listing user as a member, without duplicates, at most PASSWD_GROUPS_MAX.
 * *ret is malloc()ed; *ret_n its length. */
int passwd_find_groups(FILE *f, const char *user, gid_t primary, gid_t **ret, size_t *ret_n);
int passwd_lookup_groups(
                const char *etc_dir, const char *user, gid_t primary, gid_t **ret, size_t *ret_n);

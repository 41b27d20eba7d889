/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passwd.c: passwd(5)/group(5) parsing for the static agent. Pure parsers plus thin file readers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passwd.h"

void passwd_entry_finish(PasswdEntry *e) {
        free(e->name);
        free(e->home);
        free(e->shell);
        *e = (PasswdEntry){};
}

DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, fclose);

/* Splits s in place at ':' into exactly n fields; -EINVAL for any other count. */
static int split_fields(char *s, char **fields, size_t n) {
        size_t i = 0;

        for (;;) {
                if (i >= n)
                        return -EINVAL;
                fields[i++] = s;
                s = strchr(s, ':');
                if (!s)
                        break;
                *s++ = '\0';
        }
        return i == n ? 0 : -EINVAL;
}

/* Decimal id below (uid_t) -1 (which means "no id" to the kernel). */
static int parse_id(const char *s, uint32_t *ret) {
        char *end;
        unsigned long long v;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end != '\0' || v >= UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int passwd_parse_line(const char *line, PasswdEntry *ret) {
        _cleanup_(freep) char *copy = NULL;
        char *f[7];
        uint32_t uid, gid;
        PasswdEntry e = {};

        copy = strdup(line);
        if (!copy)
                return -ENOMEM;
        if (split_fields(copy, f, ELEMENTSOF(f)) < 0)
                return -EINVAL;
        if (f[0][0] == '\0' || parse_id(f[2], &uid) < 0 || parse_id(f[3], &gid) < 0)
                return -EINVAL;
        e.name = strdup(f[0]);
        e.home = strdup(f[5][0] ? f[5] : "/");
        e.shell = strdup(f[6][0] ? f[6] : "/bin/sh");
        if (!e.name || !e.home || !e.shell) {
                passwd_entry_finish(&e);
                return -ENOMEM;
        }
        e.uid = uid;
        e.gid = gid;
        *ret = e;
        return 0;
}

/* Reads one line without its newline; 0 at EOF, 1 for a line, -E2BIG (line skipped) if longer
 * than PASSWD_LINE_MAX. */
static int read_line(FILE *f, char *buf, size_t size) {
        size_t len;

        if (!fgets(buf, (int) size, f))
                return ferror(f) ? -EIO : 0;
        len = strlen(buf);
        if (len > 0 && buf[len - 1] == '\n') {
                buf[len - 1] = '\0';
                return 1;
        }
        if (feof(f))
                return 1;
        for (int c = fgetc(f); c != EOF && c != '\n'; c = fgetc(f))
                ;
        return -E2BIG;
}

int passwd_find(FILE *f, const char *name, PasswdEntry *ret) {
        char buf[PASSWD_LINE_MAX + 2];
        int r;

        while ((r = read_line(f, buf, sizeof(buf))) != 0) {
                PasswdEntry e;
                char *colon;

                if (r == -EIO)
                        return r;
                if (r < 0)
                        continue;
                colon = strchr(buf, ':');
                if (!colon || (size_t) (colon - buf) != strlen(name) ||
                                strncmp(buf, name, colon - buf) != 0)
                        continue;
                r = passwd_parse_line(buf, &e);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                *ret = e;
                return 0;
        }
        return -ENOENT;
}

static int open_in(const char *etc_dir, const char *file, FILE **ret) {
        _cleanup_(freep) char *path = NULL;
        FILE *f;

        if (asprintf(&path, "%s/%s", etc_dir, file) < 0)
                return -ENOMEM;
        f = fopen(path, "re");
        if (!f)
                return -errno;
        *ret = f;
        return 0;
}

int passwd_lookup(const char *etc_dir, const char *name, PasswdEntry *ret) {
        _cleanup_(fclosep) FILE *f = NULL;
        int r;

        r = open_in(etc_dir, "passwd", &f);
        if (r < 0)
                return r;
        return passwd_find(f, name, ret);
}

static bool gid_in(const gid_t *l, size_t n, gid_t g) {
        for (size_t i = 0; i < n; i++)
                if (l[i] == g)
                        return true;
        return false;
}

static bool member_in(char *members, const char *user) {
        for (char *save = NULL, *m = strtok_r(members, ",", &save); m;
                        m = strtok_r(NULL, ",", &save))
                if (streq(m, user))
                        return true;
        return false;
}

int passwd_find_groups(FILE *f, const char *user, gid_t primary, gid_t **ret, size_t *ret_n) {
        _cleanup_(freep) gid_t *l = NULL;
        char buf[PASSWD_LINE_MAX + 2];
        size_t n = 0;
        int r;

        l = malloc(sizeof(gid_t) * PASSWD_GROUPS_MAX);
        if (!l)
                return -ENOMEM;
        l[n++] = primary;
        while ((r = read_line(f, buf, sizeof(buf))) != 0) {
                char *fields[4];
                uint32_t gid;

                if (r == -EIO)
                        return r;
                if (r < 0 || split_fields(buf, fields, ELEMENTSOF(fields)) < 0)
                        continue;
                if (parse_id(fields[2], &gid) < 0 || !member_in(fields[3], user))
                        continue;
                if (gid_in(l, n, gid) || n >= PASSWD_GROUPS_MAX)
                        continue;
                l[n++] = gid;
        }
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

int passwd_lookup_groups(
                const char *etc_dir, const char *user, gid_t primary, gid_t **ret, size_t *ret_n) {
        _cleanup_(fclosep) FILE *f = NULL;
        int r;

        r = open_in(etc_dir, "group", &f);
        if (r == -ENOENT) {
                gid_t *l = malloc(sizeof(gid_t));
                if (!l)
                        return -ENOMEM;
                l[0] = primary;
                *ret = l;
                *ret_n = 1;
                return 0;
        }
        if (r < 0)
                return r;
        return passwd_find_groups(f, user, primary, ret, ret_n);
}

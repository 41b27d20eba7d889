/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup.c: per-session cgroup2 groups: create, enter, watch for emptiness, kill, remove. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "fs-util.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, fclose);

int cgroup_find_mount(FILE *mountinfo, char **ret) {
        _cleanup_(freep) char *line = NULL;
        size_t cap = 0;

        while (getline(&line, &cap, mountinfo) >= 0) {
                /* "36 35 98:0 /root /mnt rw,noatime master:1 - cgroup2 cgroup2 rw": the file
                 * system type is the first field after the " - " separator. */
                char mount_point[4096], fstype[64];
                const char *sep = strstr(line, " - ");
                char *copy;

                if (!sep || sscanf(sep, " - %63s", fstype) != 1 || !streq(fstype, "cgroup2"))
                        continue;
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mount_point) != 1)
                        continue;
                /* mountinfo escapes spaces as \040; a cgroup2 mount with one is not ours. */
                if (strchr(mount_point, '\\'))
                        continue;
                copy = strdup(mount_point);
                if (!copy)
                        return -ENOMEM;
                *ret = copy;
                return 0;
        }
        return -ENOENT;
}

int cgroup_parse_self(FILE *proc_cgroup, char **ret) {
        _cleanup_(freep) char *line = NULL;
        size_t cap = 0;
        ssize_t len;

        while ((len = getline(&line, &cap, proc_cgroup)) >= 0) {
                char *copy;

                if (strncmp(line, "0::", 3) != 0)
                        continue;
                if (len > 0 && line[len - 1] == '\n')
                        line[len - 1] = '\0';
                if (line[3] != '/')
                        return -EINVAL;
                /* "0::/" is the root; drop the lone slash so base paths concatenate cleanly. */
                copy = strdup(streq(line + 3, "/") ? "" : line + 3);
                if (!copy)
                        return -ENOMEM;
                *ret = copy;
                return 0;
        }
        return -ENOENT;
}

int cgroup_base_acquire(char **ret) {
        _cleanup_(fclosep) FILE *mi = NULL, *self = NULL;
        _cleanup_(freep) char *mount_point = NULL, *own = NULL;
        char *base;
        int r;

        mi = fopen("/proc/self/mountinfo", "re");
        if (!mi)
                return -errno;
        r = cgroup_find_mount(mi, &mount_point);
        if (r < 0)
                return r;
        self = fopen("/proc/self/cgroup", "re");
        if (!self)
                return -errno;
        r = cgroup_parse_self(self, &own);
        if (r < 0)
                return r;
        if (asprintf(&base, "%s%s", mount_point, own) < 0)
                return -ENOMEM;
        *ret = base;
        return 0;
}

int cgroup_session_create(const char *base, uint32_t id, char **ret_path) {
        _cleanup_(freep) char *path = NULL;

        if (asprintf(&path, "%s/vmsilo-session-%d-%u", base, (int) getpid(), id) < 0)
                return -ENOMEM;
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        *ret_path = TAKE_PTR(path);
        return 0;
}

static int write_file_at(const char *dir, const char *file, const char *value) {
        char path[4096];
        size_t len = strlen(value);
        int fd;
        ssize_t n;

        if ((size_t) snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = write(fd, value, len);
        if (n < 0) {
                int e = errno;
                (void) close(fd);
                return -e;
        }
        (void) close(fd);
        return (size_t) n == len ? 0 : -EIO;
}

int cgroup_enter(const char *path) {
        return write_file_at(path, "cgroup.procs", "0");
}

int cgroup_is_populated(const char *path) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_(freep) char *fn = NULL;
        char key[32];
        int value;

        if (asprintf(&fn, "%s/cgroup.events", path) < 0)
                return -ENOMEM;
        f = fopen(fn, "re");
        if (!f)
                return -errno;
        while (fscanf(f, "%31s %d", key, &value) == 2)
                if (streq(key, "populated"))
                        return value != 0;
        return -EBADMSG;
}

int cgroup_watch(int inotify_fd, const char *path, int *ret_wd) {
        _cleanup_(freep) char *fn = NULL;
        int wd;

        if (asprintf(&fn, "%s/cgroup.events", path) < 0)
                return -ENOMEM;
        wd = inotify_add_watch(inotify_fd, fn, IN_MODIFY);
        if (wd < 0)
                return -errno;
        *ret_wd = wd;
        return 0;
}

int cgroup_kill_all(const char *path) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_(freep) char *fn = NULL;
        int pid;

        if (write_file_at(path, "cgroup.kill", "1") >= 0)
                return 0;
        /* Pre-5.14 kernels: kill what we see. A process forking right now may escape this pass;
         * the caller repeats on the next populated notification. */
        if (asprintf(&fn, "%s/cgroup.procs", path) < 0)
                return -ENOMEM;
        f = fopen(fn, "re");
        if (!f)
                return -errno;
        while (fscanf(f, "%d", &pid) == 1)
                if (pid > 0)
                        (void) kill(pid, SIGKILL);
        return 0;
}

int cgroup_remove(const char *path) {
        return rmdir(path) < 0 ? -errno : 0;
}

/* Decimal digits only (no sign, no spaces), at most 10 of them; *ret_end after the last. */
static int parse_digits(const char *s, uint64_t *ret, const char **ret_end) {
        uint64_t v = 0;
        size_t n = 0;

        for (; s[n] >= '0' && s[n] <= '9'; n++) {
                if (n >= 10)
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s[n] - '0');
        }
        if (n == 0)
                return -EINVAL;
        *ret = v;
        *ret_end = s + n;
        return 0;
}

int cgroup_session_name_parse(const char *name, pid_t *ret_agent_pid) {
        static const char prefix[] = "vmsilo-session-";
        const char *p;
        uint64_t pid, id;

        if (strncmp(name, prefix, sizeof(prefix) - 1) != 0)
                return -EINVAL;
        if (parse_digits(name + sizeof(prefix) - 1, &pid, &p) < 0 || *p != '-')
                return -EINVAL;
        if (parse_digits(p + 1, &id, &p) < 0 || *p != '\0')
                return -EINVAL;
        if (pid == 0 || pid > INT32_MAX)
                return -EINVAL;
        *ret_agent_pid = (pid_t) pid;
        return 0;
}

int cgroup_cleanup_stale(const char *base) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int n = 0;

        d = opendir(base);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                _cleanup_(freep) char *path = NULL;
                pid_t agent_pid;

                if (cgroup_session_name_parse(de->d_name, &agent_pid) < 0)
                        continue;
                if (agent_pid == getpid() || kill(agent_pid, 0) >= 0 || errno != ESRCH)
                        continue;
                if (asprintf(&path, "%s/%s", base, de->d_name) < 0)
                        return -ENOMEM;
                (void) cgroup_kill_all(path);
                /* Killed processes leave the group asynchronously; a later start retries. */
                (void) cgroup_remove(path);
                n++;
        }
        return n;
}

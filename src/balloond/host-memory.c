/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-memory.c: /proc/meminfo and PSI parsing (pure) and their readers. */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>

#include "fileio.h"
#include "host-memory.h"
#include "macro.h"

/* Finds "key:" at the start of a line and parses the number after it. */
static int meminfo_field(const char *text, const char *key, uint64_t *ret) {
        size_t len = strlen(key);

        for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                unsigned long long kib;
                char unit[4] = "";
                int n;

                if (strncmp(p, key, len) != 0 || p[len] != ':')
                        continue;
                n = sscanf(p + len + 1, " %llu %3s", &kib, unit);
                if (n < 1 || (n == 2 && strcmp(unit, "kB") != 0))
                        return -EBADMSG;
                if (kib > UINT64_MAX / 1024)
                        return -EBADMSG;
                *ret = (uint64_t) kib * 1024;
                return 0;
        }
        return -EBADMSG;
}

int host_memory_parse(const char *text, HostMemory *ret) {
        HostMemory m;
        int r;

        r = meminfo_field(text, "MemTotal", &m.total_bytes);
        if (r < 0)
                return r;
        r = meminfo_field(text, "MemAvailable", &m.available_bytes);
        if (r < 0)
                return r;
        *ret = m;
        return 0;
}

int host_memory_acquire(const char *path, HostMemory *ret) {
        _cleanup_(freep) char *text = NULL;
        int r;

        r = read_full_file(path, HOST_MEMORY_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;
        return host_memory_parse(text, ret);
}

int host_pressure_parse(const char *text, HostPressure *ret) {
        unsigned whole, hundredths;
        unsigned long long total;
        const char *p;

        p = strncmp(text, "some ", 5) == 0 ? text : strstr(text, "\nsome ");
        if (!p)
                return -EBADMSG;
        if (*p == '\n')
                p++;
        if (sscanf(p, "some avg10=%u.%2u avg60=%*s avg300=%*s total=%llu", &whole, &hundredths,
                            &total) != 3)
                return -EBADMSG;
        if (whole > 100 || hundredths > 99)
                return -EBADMSG;
        *ret = (HostPressure){
                .some_avg10_centi = whole * 100 + hundredths,
                .some_total_usec = total,
        };
        return 0;
}

int host_pressure_acquire(const char *path, HostPressure *ret) {
        _cleanup_(freep) char *text = NULL;
        int r;

        r = read_full_file(path, HOST_MEMORY_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;
        return host_pressure_parse(text, ret);
}

int host_pressure_trigger_open(
                const char *path, uint64_t stall_usec, uint64_t window_usec, int *ret_fd) {
        _cleanup_(closep) int fd = -EBADF;
        char trigger[64];
        int n;

        struct statfs sfs;

        fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* Only procfs and cgroupfs files take triggers; writing one to an ordinary file (a test's
         * stand-in) would just change the file. */
        if (fstatfs(fd, &sfs) < 0)
                return -errno;
        if (sfs.f_type != PROC_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC)
                return -EOPNOTSUPP;
        n = snprintf(trigger, sizeof(trigger), "some %" PRIu64 " %" PRIu64, stall_usec,
                        window_usec);
        /* The kernel wants the terminating NUL written too. */
        if (write(fd, trigger, (size_t) n + 1) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

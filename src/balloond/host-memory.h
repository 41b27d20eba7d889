/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-memory.h: host memory figures from /proc/meminfo and memory pressure from PSI
 * (/proc/pressure/memory). The parsers are pure; the readers take their path so tests (and
 * --host-meminfo / --psi) can point them at a file. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define HOST_MEMORY_FILE_MAX (64 * 1024)

typedef struct HostMemory {
        uint64_t total_bytes;
        uint64_t available_bytes;
} HostMemory;

typedef struct HostPressure {
        unsigned some_avg10_centi; /* "some avg10" in hundredths of a percent */
        uint64_t some_total_usec;
} HostPressure;

/* MemTotal and MemAvailable ("kB"); -EBADMSG when either is missing or malformed. */
int host_memory_parse(const char *text, HostMemory *ret);
int host_memory_acquire(const char *path, HostMemory *ret);

/* The "some" line of a PSI file; -EBADMSG when missing or malformed. */
int host_pressure_parse(const char *text, HostPressure *ret);
int host_pressure_acquire(const char *path, HostPressure *ret);

/* Opens path and arms a PSI trigger "some <stall_usec> <window_usec>"; the fd then signals
 * EPOLLPRI each time the trigger fires. -EINVAL/-EOPNOTSUPP/-ENOENT… when the file does not
 * support triggers (an ordinary file, an old kernel): the caller carries on without. */
int host_pressure_trigger_open(
                const char *path, uint64_t stall_usec, uint64_t window_usec, int *ret_fd);

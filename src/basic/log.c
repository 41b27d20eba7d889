/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.c: leveled logging to stderr with %m support, with syslog priorities when stderr is the
 * journal. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "string-table.h"

static LogLevel max_level = LOG_LEVEL_INFO;
static const char *program_name = NULL;

static const char *const log_level_table[_LOG_LEVEL_MAX] = {
        [LOG_LEVEL_ERROR] = "error",
        [LOG_LEVEL_WARN] = "warn",
        [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_DEBUG] = "debug",
        [LOG_LEVEL_TRACE] = "trace",
};

DEFINE_STRING_TABLE_LOOKUP(log_level, LogLevel, _LOG_LEVEL_MAX);

int log_parse_level_arg(const char *arg, LogLevel *ret) {
        LogLevel l = log_level_from_string(arg);

        if (l < 0)
                return log_error_errno(EINVAL,
                                "--log-level: '%s' is not one of error, warn, info, debug, trace",
                                arg);
        *ret = l;
        return 0;
}

static const char *const log_priority_table[_LOG_LEVEL_MAX] = {
        [LOG_LEVEL_ERROR] = SD_ERR,
        [LOG_LEVEL_WARN] = SD_WARNING,
        [LOG_LEVEL_INFO] = SD_INFO,
        [LOG_LEVEL_DEBUG] = SD_DEBUG,
        [LOG_LEVEL_TRACE] = SD_DEBUG,
};

bool log_stream_is_journal(const char *journal_stream, dev_t dev, ino_t ino) {
        uintmax_t d, i;
        int end = 0;

        if (!journal_stream || sscanf(journal_stream, "%ju:%ju%n", &d, &i, &end) != 2 ||
                        journal_stream[end] != '\0')
                return false;
        return d == (uintmax_t) dev && i == (uintmax_t) ino;
}

int log_format_line(char *buf, size_t size, LogLevel level, bool journal, const char *program,
                bool location, const char *file, int line, const char *func, const char *message) {
        const char *priority = journal ? log_priority_table[level] : "";
        int r;

        if (location)
                r = snprintf(buf, size, "%s%s%s[%s] %s:%d %s(): %s\n", priority, program ?: "",
                                program ? ": " : "", log_level_table[level], file, line, func,
                                message);
        else
                r = snprintf(buf, size, "%s%s%s%s\n", priority, program ?: "", program ? ": " : "",
                                message);
        if (r >= 0 && (size_t) r >= size && size >= 2)
                buf[size - 2] = '\n'; /* a truncated line still ends one journal record */
        return r;
}

bool log_fd_is_journal(int fd, const char *journal_stream) {
        struct stat st;

        return fstat(fd, &st) >= 0 && log_stream_is_journal(journal_stream, st.st_dev, st.st_ino);
}

/* Decided once: stderr does not change under a running program. */
bool log_stderr_is_journal(void) {
        static int cached = -1;

        if (cached < 0)
                cached = log_fd_is_journal(STDERR_FILENO, getenv("JOURNAL_STREAM"));
        return cached;
}

void log_set_max_level(LogLevel l) {
        if (l >= 0 && l < _LOG_LEVEL_MAX)
                max_level = l;
}

LogLevel log_get_max_level(void) {
        return max_level;
}

void log_set_program_name(const char *name) {
        program_name = name;
}

int log_internal(LogLevel level, int error, const char *file, int line, const char *func,
                const char *format, ...) {
        char buf[2048], out[2560];
        va_list ap;

        /* %m must print the error we were given, not whatever errno happens to hold. */
        errno = error;
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        (void) log_format_line(out, sizeof(out), level, log_stderr_is_journal(), program_name,
                        max_level >= LOG_LEVEL_DEBUG, file, line, func, buf);
        (void) fputs(out, stderr);
        return -error;
}

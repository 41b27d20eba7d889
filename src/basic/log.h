/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.h: leveled logging to stderr. libsystemd does not export systemd's log API, so this is ours.
 * log_*_errno(r, …) returns r (negative) and makes %m print strerror(-r). */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "macro.h"

typedef enum LogLevel {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARN,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
        LOG_LEVEL_TRACE,
        _LOG_LEVEL_MAX,
        _LOG_LEVEL_INVALID = -EINVAL,
} LogLevel;

const char *log_level_to_string(LogLevel l);
LogLevel log_level_from_string(const char *s);
/* The argument of --log-level: sets *ret, or logs the usage error and returns -EINVAL. */
int log_parse_level_arg(const char *arg, LogLevel *ret);

void log_set_max_level(LogLevel l);
LogLevel log_get_max_level(void);
/* Program name printed in front of every line ("vmsilod: …"); not copied, must outlive logging. */
void log_set_program_name(const char *name);

/* Whether the stream with this device and inode is the journal, by the value of $JOURNAL_STREAM
 * ("DEVICE:INODE" in decimal, set by systemd for a service whose output goes to the journal;
 * a child that inherited the variable but got another stderr does not match). Pure. */
bool log_stream_is_journal(const char *journal_stream, dev_t dev, ino_t ino);
/* Whether fd is the stream $JOURNAL_STREAM (journal_stream) names. */
bool log_fd_is_journal(int fd, const char *journal_stream);
/* Whether this process's stderr is the journal; decided once. */
bool log_stderr_is_journal(void);

/* One log line with its newline, truncated to size: for the journal prefixed with the syslog
 * priority ("<3>" for errors, sd-daemon.h) so `journalctl -p err` finds it; then "PROGRAM: "
 * when program is set; with location, "[LEVEL] FILE:LINE FUNC(): ". A truncated line still ends
 * in the newline. Pure. Returns what snprintf() returns. */
int log_format_line(char *buf, size_t size, LogLevel level, bool journal, const char *program,
                bool location, const char *file, int line, const char *func, const char *message);

int log_internal(LogLevel level, int error, const char *file, int line, const char *func,
                const char *format, ...) _printf_(6, 7);

#define log_full_errno(level, error, ...)                                                          \
        ({                                                                                         \
                int _e_ = (error) < 0 ? -(error) : (error);                                        \
                (level) <= log_get_max_level() ? log_internal((level), _e_, __FILE__, __LINE__,    \
                                                                 __func__, __VA_ARGS__)            \
                                               : -_e_;                                             \
        })

#define log_full(level, ...) (void) log_full_errno((level), 0, __VA_ARGS__)

#define log_error(...) log_full(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_full(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_full(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_full(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_trace(...) log_full(LOG_LEVEL_TRACE, __VA_ARGS__)

#define log_error_errno(error, ...) log_full_errno(LOG_LEVEL_ERROR, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_LEVEL_WARN, error, __VA_ARGS__)
#define log_info_errno(error, ...) log_full_errno(LOG_LEVEL_INFO, error, __VA_ARGS__)
#define log_debug_errno(error, ...) log_full_errno(LOG_LEVEL_DEBUG, error, __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory.")

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.c: leveled logging to stderr with %m support. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
        char buf[2048];
        va_list ap;

        /* %m must print the error we were given, not whatever errno happens to hold. */
        errno = error;
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        if (max_level >= LOG_LEVEL_DEBUG)
                (void) fprintf(stderr, "%s%s[%s] %s:%d %s(): %s\n", program_name ?: "",
                                program_name ? ": " : "", log_level_table[level], file, line, func,
                                buf);
        else
                (void) fprintf(stderr, "%s%s%s\n", program_name ?: "", program_name ? ": " : "",
                                buf);
        return -error;
}

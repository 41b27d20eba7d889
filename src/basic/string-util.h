/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* string-util.h: formatted strings for messages and paths, NULL when out of memory. */
#pragma once

#include <stdarg.h>

#include "macro.h"

/* A newly allocated formatted string, or NULL when out of memory. */
char *strprintf(const char *format, ...) _printf_(1, 2);
char *vstrprintf(const char *format, va_list ap) _printf_(1, 0);

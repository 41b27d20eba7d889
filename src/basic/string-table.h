/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* string-table.h: enum <-> string lookups generated from one table, so the two directions can
 * never disagree. Usage, in a .c file:
 *         static const char *const color_table[_COLOR_MAX] = { [COLOR_RED] = "red", … };
 *         DEFINE_STRING_TABLE_LOOKUP(color, Color, _COLOR_MAX);
 * defines color_to_string(Color) (NULL when out of range) and color_from_string(const char *)
 * (-EINVAL when unknown or NULL). */
#pragma once

#include <errno.h>
#include <string.h>

#define DEFINE_STRING_TABLE_LOOKUP(name, type, max)                                                \
        const char *name##_to_string(type i) {                                                     \
                if ((int) i < 0 || (int) i >= (int) (max))                                         \
                        return NULL;                                                               \
                return name##_table[i];                                                            \
        }                                                                                          \
        type name##_from_string(const char *s) {                                                   \
                if (!s)                                                                            \
                        return (type) -EINVAL;                                                     \
                for (int i = 0; i < (int) (max); i++)                                              \
                        if (name##_table[i] && strcmp(name##_table[i], s) == 0)                    \
                                return (type) i;                                                   \
                return (type) -EINVAL;                                                             \
        }

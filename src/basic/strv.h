/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* strv.h: NULL-terminated string vectors ("strv"). A strv owns its strings; NULL is the empty
 * strv for every reader below. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Frees every string and the array. Accepts NULL; returns NULL. */
char **strv_free(char **l);
DEFINE_FREE_FUNC(char **, strv_free);

size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);
/* Index of s in l, or -ENOENT. */
int strv_find(char *const *l, const char *s);

/* Returns a new empty strv (one NULL slot) or NULL on OOM. */
char **strv_new_empty(void);
/* Deep copy; an empty (not NULL) strv for l == NULL. NULL on OOM. */
char **strv_copy(char *const *l);

/* Appends s, taking ownership on success only. *l may be NULL. */
int strv_consume(char ***l, char *s);
/* Appends a copy of s. *l may be NULL. */
int strv_extend(char ***l, const char *s);
/* Appends copies of every string of other. */
int strv_extend_strv(char ***l, char *const *other);

/* Sorts in place with strcmp(); returns l. */
char **strv_sort(char **l);
/* Joins with separator; "" for an empty strv. NULL on OOM. */
char *strv_join(char *const *l, const char *separator);
bool strv_equal(char *const *a, char *const *b);

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)

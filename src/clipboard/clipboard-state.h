/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clipboard-state.h: the global clipboard's contents and rules, Qubes' two-level clipboard
 * (docs/graphics.md "Global clipboard"). Pure: no I/O; vmsilo-clipboard holds the one instance
 * in memory and never writes it anywhere. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The most a copy may hold: bigger selections are refused, never truncated. */
#define CLIPBOARD_SIZE_MAX (1024u * 1024u)
/* A VM name as the clipboard stores it (the fences' --vm); longer names are refused. */
#define CLIPBOARD_SOURCE_MAX 64u

typedef struct ClipboardState {
        char *data; /* NULL: empty */
        size_t size;
        char source[CLIPBOARD_SOURCE_MAX + 1]; /* the VM (or "host") it was copied from */
} ClipboardState;

void clipboard_state_finish(ClipboardState *s);
/* Whether source is a name the clipboard accepts: 1..CLIPBOARD_SOURCE_MAX of [A-Za-z0-9._-]. */
bool clipboard_source_is_valid(const char *source);
/* Replaces the contents with a copy of untrusted_data from source. Refused, leaving the contents
 * as they were: -EFBIG beyond CLIPBOARD_SIZE_MAX, -EBADMSG for invalid UTF-8 or a NUL byte,
 * -EINVAL for an empty copy or an invalid source name. */
int clipboard_state_copy(
                ClipboardState *s, const char *source, const void *untrusted_data, size_t size);
/* Hands the contents to target once (Qubes: a paste clears the clipboard): *ret_data (owned by
 * the caller, NUL-terminated) and *ret_size. -ENOENT when empty, -EINVAL for an invalid name. */
int clipboard_state_paste(ClipboardState *s, const char *target, char **ret_data, size_t *ret_size);
void clipboard_state_clear(ClipboardState *s);

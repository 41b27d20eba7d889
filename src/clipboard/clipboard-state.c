/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clipboard-state.h"
#include "macro.h"
#include "utf8.h"

void clipboard_state_clear(ClipboardState *s) {
        /* the text may be a password: not left behind in freed memory */
        if (s->data)
                explicit_bzero(s->data, s->size);
        free(s->data);
        *s = (ClipboardState){};
}

void clipboard_state_finish(ClipboardState *s) {
        clipboard_state_clear(s);
}

bool clipboard_source_is_valid(const char *source) {
        size_t n = strlen(source);

        if (n == 0 || n > CLIPBOARD_SOURCE_MAX)
                return false;
        return strspn(source, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
               n;
}

int clipboard_state_copy(
                ClipboardState *s, const char *source, const void *untrusted_data, size_t size) {
        char *data;

        if (!clipboard_source_is_valid(source) || size == 0)
                return -EINVAL;
        if (size > CLIPBOARD_SIZE_MAX)
                return -EFBIG;
        if (memchr(untrusted_data, 0, size) || !utf8_is_valid(untrusted_data, size))
                return -EBADMSG;
        data = malloc(size + 1);
        if (!data)
                return -ENOMEM;
        memcpy(data, untrusted_data, size);
        data[size] = 0;
        clipboard_state_clear(s);
        s->data = data;
        s->size = size;
        strcpy(s->source, source);
        return 0;
}

int clipboard_state_paste(
                ClipboardState *s, const char *target, char **ret_data, size_t *ret_size) {
        if (!clipboard_source_is_valid(target))
                return -EINVAL;
        if (!s->data)
                return -ENOENT;
        *ret_data = TAKE_PTR(s->data);
        *ret_size = s->size;
        clipboard_state_clear(s);
        return 0;
}

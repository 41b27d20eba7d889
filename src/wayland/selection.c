/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* selection.c: the guest's selection, as its requests describe it. Pure. */
#include <stddef.h>
#include <string.h>

#include "macro.h"
#include "selection.h"

/* The text types asked for, best first: UTF-8 is what vmsilo-clipboard keeps. */
static const char *const text_types[] = {
        "text/plain;charset=utf-8",
        "UTF8_STRING",
        "text/plain",
};

static SelectionSource *find(Selection *s, uint32_t id) {
        for (size_t i = 0; i < ELEMENTSOF(s->sources); i++)
                if (s->sources[i].id == id)
                        return &s->sources[i];
        return NULL;
}

void selection_offer(Selection *s, uint32_t source, const char *untrusted_mime) {
        SelectionSource *src;
        size_t t;

        if (source == 0 || !untrusted_mime)
                return;
        for (t = 0; t < ELEMENTSOF(text_types); t++)
                if (strcmp(untrusted_mime, text_types[t]) == 0)
                        break;
        if (t == ELEMENTSOF(text_types))
                return; /* not text: never asked for, nothing to remember */
        src = find(s, source);
        if (!src)
                src = find(s, 0);
        if (!src) {
                src = &s->sources[s->next];
                s->next = (s->next + 1) % ELEMENTSOF(s->sources);
        }
        if (src->id != source)
                *src = (SelectionSource){ .id = source };
        src->types |= 1u << t;
        if (s->current == source) /* offered late: still the selection's */
                s->current_types = src->types;
}

void selection_set(Selection *s, uint32_t source) {
        const SelectionSource *src = source != 0 ? find(s, source) : NULL;

        s->current = source;
        s->current_types = src ? src->types : 0;
}

void selection_forget(Selection *s, uint32_t source) {
        SelectionSource *src;

        if (source == 0)
                return;
        src = find(s, source);
        if (src)
                *src = (SelectionSource){};
        if (s->current == source)
                selection_set(s, 0);
}

const char *selection_text_type(const Selection *s, uint32_t *ret_source) {
        for (size_t t = 0; t < ELEMENTSOF(text_types); t++)
                if (s->current != 0 && (s->current_types & (1u << t))) {
                        *ret_source = s->current;
                        return text_types[t];
                }
        return NULL;
}

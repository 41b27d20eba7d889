/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* selection.h: what the fence remembers of the guest's clipboard selection, which never reaches
 * the compositor (filter_drops_request): the wl_data_source it last set as the selection and
 * which text types that source offered, so the copy key can ask the guest for its text. Fed by
 * the guest's own requests: a guest can only ever describe its own selection. Pure. */
#pragma once

#include <stdint.h>

/* Sources remembered with their offers before one becomes the selection; an older one is
 * forgotten (its set_selection then finds no text type). */
#define SELECTION_SOURCES_MAX 8u

typedef struct SelectionSource {
        uint32_t id;    /* the guest's wl_data_source, 0: a free slot */
        unsigned types; /* bits: the text types it offered, in selection_text_types order */
} SelectionSource;

typedef struct Selection {
        SelectionSource sources[SELECTION_SOURCES_MAX];
        unsigned next;    /* the slot a new source takes when none is free */
        uint32_t current; /* the source of the guest's selection, 0: none */
        unsigned current_types;
} Selection;

/* wl_data_source.offer(mime) on the guest's source id. */
void selection_offer(Selection *s, uint32_t source, const char *untrusted_mime);
/* wl_data_device.set_selection(source), 0: the guest cleared its selection. */
void selection_set(Selection *s, uint32_t source);
/* wl_data_source.destroy, or the id deleted. */
void selection_forget(Selection *s, uint32_t source);
/* The guest's selection and the text type to ask it for (the best it offered): NULL when it
 * has none or offered no text. */
const char *selection_text_type(const Selection *s, uint32_t *ret_source);

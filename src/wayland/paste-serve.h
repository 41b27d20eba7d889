/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* paste-serve.h: the text the paste key offered to one guest client, and its writes into the
 * pipes the guest passes with wl_data_offer.receive (non-blocking, on the event loop, each with
 * its own copy, PASTE_SERVE_WRITERS_MAX at once, PASTE_SERVE_TIMEOUT_USEC each). Every copy of
 * the text is zeroed before it is freed: it is the user's. */
#pragma once

#include <stddef.h>
#include <systemd/sd-event.h>

#define PASTE_SERVE_WRITERS_MAX 4u
#define PASTE_SERVE_TIMEOUT_USEC (5u * 1000u * 1000u)

typedef struct PasteServe PasteServe;

typedef struct PasteWriter {
        PasteServe *owner;
        sd_event_source *io, *timer; /* NULL: a free slot */
        char *data;
        size_t size, done;
} PasteWriter;

struct PasteServe {
        sd_event *event;  /* not owned */
        const char *name; /* for the logs: "VM x connection n", not owned */
        char *text;       /* NULL: nothing offered */
        size_t size;
        PasteWriter writers[PASTE_SERVE_WRITERS_MAX];
};

void paste_serve_init(PasteServe *p, sd_event *event, const char *name);
/* Drops the text and every write under way. */
void paste_serve_finish(PasteServe *p);

/* The text offered now: a copy of size bytes of text (replacing any before). -ENOMEM. */
int paste_serve_set(PasteServe *p, const char *text, size_t size);
/* The offer is no longer the guest's selection: the text is dropped (writes under way go on). */
void paste_serve_forget(PasteServe *p);
/* Writes the text into fd (taken, always); with no text, or too many writes at once, it is
 * closed empty. */
void paste_serve_write(PasteServe *p, int fd);

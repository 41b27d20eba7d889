/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* paste-serve.c: the paste key's text, written into the guest's pipes. */
#include "paste-serve.h"
#include "fd-util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"

/* Frees a copy of clipboard text, zeroed first. */
static void *text_free(char *text, size_t size) {
        if (text)
                explicit_bzero(text, size);
        return mfree(text);
}

static char *text_dup(const char *text, size_t size) {
        char *copy = malloc(size + 1);

        if (copy) {
                memcpy(copy, text, size);
                copy[size] = 0;
        }
        return copy;
}

static void writer_finish(PasteWriter *w) {
        w->io = sd_event_source_disable_unref(w->io); /* closes the guest's pipe (io_fd_own) */
        w->timer = sd_event_source_disable_unref(w->timer);
        w->data = text_free(w->data, w->size);
        w->size = w->done = 0;
}

void paste_serve_init(PasteServe *p, sd_event *event, const char *name) {
        *p = (PasteServe){ .event = event, .name = name };
}

void paste_serve_forget(PasteServe *p) {
        p->text = text_free(p->text, p->size);
        p->size = 0;
}

void paste_serve_finish(PasteServe *p) {
        paste_serve_forget(p);
        for (size_t i = 0; i < ELEMENTSOF(p->writers); i++)
                writer_finish(&p->writers[i]);
}

int paste_serve_set(PasteServe *p, const char *text, size_t size) {
        char *copy = text_dup(text, size);

        if (!copy)
                return -ENOMEM;
        paste_serve_forget(p);
        p->text = copy;
        p->size = size;
        return 0;
}

static int on_writer_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        PasteWriter *w = userdata;

        while (w->done < w->size) {
                ssize_t n = write(fd, w->data + w->done, w->size - w->done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;
                if (n < 0)
                        break; /* the guest closed its end: its loss */
                w->done += (size_t) n;
        }
        writer_finish(w);
        return 0;
}

static int on_writer_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        PasteWriter *w = userdata;

        log_warning("%s did not read the pasted text in time.", w->owner->name);
        writer_finish(w);
        return 0;
}

void paste_serve_write(PasteServe *p, int fd) {
        _cleanup_(closep) int pipe_fd = fd;
        PasteWriter *w = NULL;
        int r;

        if (!p->text)
                return;
        for (size_t i = 0; i < ELEMENTSOF(p->writers) && !w; i++)
                if (!p->writers[i].io)
                        w = &p->writers[i];
        if (!w) {
                log_warning("%s reads the pasted text %u times at once; this read gets nothing.",
                                p->name, PASTE_SERVE_WRITERS_MAX);
                return;
        }
        *w = (PasteWriter){ .owner = p, .size = p->size };
        w->data = text_dup(p->text, p->size);
        r = w->data ? 0 : -ENOMEM;
        if (r >= 0)
                r = fd_set_nonblock(pipe_fd);
        if (r >= 0)
                r = sd_event_add_io(p->event, &w->io, pipe_fd, EPOLLOUT, on_writer_io, w);
        if (r >= 0)
                r = sd_event_source_set_io_fd_own(w->io, true);
        if (r >= 0)
                TAKE_FD(pipe_fd); /* the event source closes it now */
        if (r >= 0)
                r = sd_event_add_time_relative(p->event, &w->timer, CLOCK_MONOTONIC,
                                PASTE_SERVE_TIMEOUT_USEC, 0, on_writer_timeout, w);
        if (r < 0) {
                log_warning_errno(r, "%s: cannot serve the pasted text: %m", p->name);
                writer_finish(w);
        }
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* filter.h: the fence's rules for one client connection, applied to whole messages in both
 * directions: decode against the tables, track objects, filter the registry, rewrite titles.
 * Pure: bytes in, bytes to forward out; the caller moves fds and bytes (proxy.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "appid.h"
#include "buffer.h"
#include "frame.h"
#include "idmap.h"
#include "keyboard.h"
#include "objects.h"
#include "registry.h"
#include "selection.h"

struct Filter {
        const char *vm;      /* not owned; outlives the filter */
        ObjectTable objects; /* the guest's ids */
        Registry registry;
        Idmap ids; /* guest ids <-> the compositor's */
        Frame frame;
        AppIdKnown app_id_known; /* NULL: no host entry is known */
        void *userdata;
        Keyboard keyboard; /* the clipboard keys: keyboard.copy and .paste set by the caller */
        /* A wl_keyboard.keymap went by: its fd is the first of those the event took; the caller
         * reads keymap_size bytes of it into keyboard_set_keymap() and clears this. */
        bool keymap_wanted;
        uint32_t keymap_size;
        Selection selection; /* the guest's own, kept from the compositor */
        HotkeyAction hotkey; /* a clipboard key was pressed (and swallowed); the caller clears */
        /* The paste key's wl_data_offer (filter_offer_paste()) while it is the guest's selection,
         * 0: none (never offered, or the guest set a selection of its own since). The caller
         * holds its text, and drops it once this is 0. */
        uint32_t paste_offer;
        /* The guest asked one of the fence's offers for its text (wl_data_offer.receive): the
         * message's fd is the caller's, to write the paste's text into when this is paste_offer,
         * else to close. The caller clears. */
        uint32_t receive_offer;
        bool keyboard_entered; /* a wl_keyboard.enter went by: the caller clears */
};

/* The mime types of the paste key's offer, best first. */
extern const char *const filter_paste_types[3];

/* No frame (frame_init() and frame_start() turn it on). */
int filter_init(Filter *f, const char *vm);
/* Messages the filter swallows whole (the clipboard isolation). */
bool filter_drops_request(const struct wl_interface *interface, uint16_t opcode);
bool filter_drops_event(const struct wl_interface *interface, uint16_t opcode);
void filter_finish(Filter *f);

/* The copy key: appends to out (towards the client) wl_data_source.send(mime) to the source of the
 * guest's selection, asking for its best text type. Returns 1 when appended (the caller queues
 * the pipe's write end with it), 0 when the guest has no selection with a text type, -ENOMEM. */
int filter_ask_selection(Filter *f, Buffer *out);

/* The paste key: appends to out (towards the client) a wl_data_offer of the fence's own, in the
 * guest's compositor id range, offering filter_paste_types, and makes it the selection of the
 * guest's data device (its lowest-numbered one). Returns 1 when appended (f->paste_offer is the
 * offer), 0 when the guest has no data device, -EMFILE (the guest keeps too many offers alive),
 * -ENOMEM. */
int filter_offer_paste(Filter *f, Buffer *out);

/* Takes the message at the start of untrusted_buf (len bytes available; n_fds fds queued from the
 * same peer) and appends what to forward to out. Returns the message's size (> 0) with
 * *ret_n_fds set to the queued fds it takes: they go on, in order, with the forwarded bytes (no
 * rule drops a message that carries fds). -EAGAIN: the message is not complete yet. Any other
 * error ends the connection, with a reason for the log in *reterr_reason:
 * -EMSGSIZE/-EBADMSG (malformed), -EBADF (fds missing), -ENOENT/-EPROTO (unknown object or
 * opcode, request newer than the object), -EPERM/-ERANGE (bind refused), -EEXIST/-EINVAL/-EMFILE
 * (bad or too many new ids), -ENOMEM. */
int filter_request(Filter *f, const uint8_t *untrusted_buf, size_t len, size_t n_fds, Buffer *out,
                size_t *ret_n_fds, const char **reterr_reason);
/* The same for a message from the compositor to the client. The compositor is trusted not to
 * attack us but is still parsed in full: its events name the objects and fds the client gets.
 * Requests of the fence's own (the frame's) go to up. */
int filter_event(Filter *f, const uint8_t *buf, size_t len, size_t n_fds, Buffer *out, Buffer *up,
                size_t *ret_n_fds, const char **reterr_reason);

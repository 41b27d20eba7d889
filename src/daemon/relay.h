/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* relay.h: one vm-run stream passed between a client connection and the guest agent. Windows
 * pass through unchanged in both directions, so flow control is end to end and the daemon never
 * holds more than the frame in hand. Ids are remapped: the client picks its own, the guest side
 * is opened by the daemon. */
#pragma once

#include <stdint.h>

#include "mux.h"
#include "vm.h"

typedef struct Client Client;

struct Relay {
        Client *client;
        uint32_t client_id;
        Vm *vm;
        uint32_t guest_id; /* 0 until the guest stream is opened */
        bool guest_accepted;
        /* The client's OPEN, encoded, kept until the VM runs (decoded strings die with the
         * callback; the encoding is the copy the codec already knows how to check). */
        uint8_t *open_payload;
        size_t open_payload_size;
        VmWaiter waiter;       /* on vm->waiters while waiting for the boot */
        bool start_after_stop; /* the VM was stopping (idle shutdown): start it once stopped */
        /* Mirrors of the windows the far end granted, to turn on_writable totals into the
         * increments the near end is granted. */
        size_t client_send_window; /* what the client may still send = what the guest granted */
        size_t guest_send_window;  /* what the guest may still send = what the client granted */
        Relay *client_next;        /* Client::relays */
        Relay *vm_next;            /* Vm::relays, once the guest stream exists */
};

/* A client OPENed client_id: starts the VM if needed and opens the guest stream once it runs.
 * Answers the client with REJECT itself on failure. */
int relay_new(Client *client, uint32_t client_id, const FrameOpen *req);
/* Closes both ends (error 0: normal) without notifying the side that already closed
 * (`from_guest`/`from_client`), unlinks and frees. */
void relay_close(Relay *relay, int error, bool from_guest, bool from_client);

/* Guest-side events, dispatched by the VM's channel callbacks. */
void relay_on_guest_accept(Relay *relay);
void relay_on_guest_data(Relay *relay, uint8_t fd, const uint8_t *data, size_t len);
void relay_on_guest_eof(Relay *relay, uint8_t fd);
void relay_on_guest_writable(Relay *relay, size_t window);
void relay_on_guest_exit(Relay *relay, const FrameExit *exit);
void relay_on_guest_close(Relay *relay, int error, const char *reason);

/* Client-side events, dispatched by the client connection's channel callbacks. */
void relay_on_client_data(Relay *relay, uint8_t fd, const uint8_t *data, size_t len);
void relay_on_client_eof(Relay *relay, uint8_t fd);
void relay_on_client_writable(Relay *relay, size_t window);
void relay_on_client_signal(Relay *relay, uint32_t signo);
void relay_on_client_resize(Relay *relay, uint16_t rows, uint16_t cols);
void relay_on_client_close(Relay *relay, int error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* relay.c: vm-run streams between client connections and the guest agent. */
#include <stdio.h>

#include "client.h"
#include "log.h"
#include "relay.h"

static Mux *guest_mux(Relay *relay) {
        return channel_get_mux(relay->vm->agent);
}

static Mux *client_mux(Relay *relay) {
        return client_get_mux(relay->client);
}

static void relay_unlink(Relay *relay) {
        Relay **p;

        vm_remove_waiter(&relay->waiter);
        for (p = &relay->client->relays; *p && *p != relay; p = &(*p)->client_next)
                ;
        if (*p)
                *p = relay->client_next;
        if (relay->guest_id != 0)
                vm_relay_removed(relay->vm, relay);
}

void relay_close(Relay *relay, int error, bool from_guest, bool from_client) {
        if (!from_client)
                (void) (relay->guest_accepted ? mux_stream_close(client_mux(relay),
                                                                relay->client_id, error)
                                              : mux_stream_reject(client_mux(relay),
                                                                relay->client_id,
                                                                error < 0 ? error : -ECONNRESET,
                                                                "stream closed"));
        if (!from_guest && relay->guest_id != 0 && relay->vm->agent)
                (void) mux_stream_close(guest_mux(relay), relay->guest_id, error);
        relay_unlink(relay);
        free(relay->open_payload);
        free(relay);
}

static void relay_reject(Relay *relay, int error, const char *message) {
        (void) mux_stream_reject(client_mux(relay), relay->client_id, error, message);
        relay_unlink(relay);
        free(relay->open_payload);
        free(relay);
}

static void relay_open_guest(Relay *relay) {
        _cleanup_(frame_open_finish) FrameOpen req = {};
        int r;

        r = frame_open_decode(relay->open_payload, relay->open_payload_size, &req);
        if (r >= 0)
                r = mux_stream_open(guest_mux(relay), &req, relay, &relay->guest_id);
        if (r < 0) {
                log_warning_errno(r, "VM '%s': cannot open a guest stream: %m",
                                relay->vm->config->name);
                relay->guest_id = 0;
                relay_reject(relay, r, "cannot open a stream to the guest agent");
                return;
        }
        /* What the client granted us is what we granted the guest in the OPEN. */
        relay->guest_send_window = req.window;
        vm_relay_added(relay->vm, relay);
}

static void relay_on_vm_state(VmWaiter *w, Vm *vm) {
        Relay *relay = (Relay *) ((char *) w - offsetof(Relay, waiter));
        char message[FRAME_REJECT_MESSAGE_MAX];

        switch (vm->state) {
        case VM_RUNNING:
                vm_remove_waiter(w);
                relay_open_guest(relay);
                return;
        case VM_FAILED:
        case VM_STOPPED:
                if (relay->start_after_stop) {
                        relay->start_after_stop = false;
                        if (vm_start(vm) >= 0)
                                return; /* keep waiting, now for the boot */
                }
                (void) snprintf(message, sizeof(message), "VM '%s' failed to start: %s",
                                vm->config->name, vm->failure_reason ?: "it stopped");
                relay_reject(relay, -EHOSTDOWN, message);
                return;
        default:
                return;
        }
}

int relay_new(Client *client, uint32_t client_id, const FrameOpen *req) {
        Vm *vm = client->vm;
        Relay *relay;
        int size, r;

        relay = calloc(1, sizeof(Relay));
        if (!relay)
                return -ENOMEM;
        size = frame_open_encode(req, NULL, 0);
        if (size < 0 || !(relay->open_payload = malloc((size_t) size))) {
                free(relay);
                return size < 0 ? size : -ENOMEM;
        }
        relay->open_payload_size =
                        (size_t) frame_open_encode(req, relay->open_payload, (size_t) size);
        relay->client = client;
        relay->client_id = client_id;
        relay->vm = vm;
        relay->waiter.on_state = relay_on_vm_state;
        relay->client_next = client->relays;
        client->relays = relay;
        (void) mux_stream_set_userdata(client_get_mux(client), client_id, relay);

        if (vm->state == VM_RUNNING && !vm->agent_lost) {
                relay_open_guest(relay);
                return 0;
        }
        if (vm->state == VM_STOPPING || (vm->state == VM_RUNNING && vm->agent_lost)) {
                /* A request racing an idle shutdown, or a VMM that just died and is not reaped
                 * yet: let it go down, then boot again. */
                relay->start_after_stop = true;
                vm_add_waiter(vm, &relay->waiter);
                return 0;
        }
        r = vm_start(vm);
        if (r < 0) {
                char message[FRAME_REJECT_MESSAGE_MAX];
                (void) snprintf(message, sizeof(message), "VM '%s' cannot start: %s",
                                vm->config->name, vm->failure_reason ?: strerror(-r));
                relay_reject(relay, -EHOSTDOWN, message);
                return 0;
        }
        vm_add_waiter(vm, &relay->waiter);
        return 0;
}

void relay_on_guest_accept(Relay *relay) {
        size_t window = mux_stream_get_send_window(guest_mux(relay), relay->guest_id);
        int r;

        r = mux_stream_accept(client_mux(relay), relay->client_id, (uint32_t) window, relay);
        if (r < 0) {
                relay_close(relay, r, false, true);
                return;
        }
        relay->guest_accepted = true;
        relay->client_send_window = window;
}

/* Both ends run the same window accounting, so a send that does not fit is a bug of ours or a
 * peer that broke the protocol: the stream ends, the connection stays. */
static void relay_forward(Relay *relay, Mux *to, uint32_t id, uint8_t fd, const uint8_t *data,
                size_t len, size_t *window) {
        int r = len <= *window ? mux_stream_send(to, id, fd, data, len) : -EPROTO;

        if (r < 0 || (size_t) r != len) {
                relay_close(relay, -EPROTO, false, false);
                return;
        }
        *window -= len;
}

void relay_on_guest_data(Relay *relay, uint8_t fd, const uint8_t *data, size_t len) {
        relay_forward(relay, client_mux(relay), relay->client_id, fd, data, len,
                        &relay->guest_send_window);
}

void relay_on_client_data(Relay *relay, uint8_t fd, const uint8_t *data, size_t len) {
        if (relay->guest_id == 0 || !relay->guest_accepted) {
                relay_close(relay, -EPROTO, false, false);
                return;
        }
        relay_forward(relay, guest_mux(relay), relay->guest_id, fd, data, len,
                        &relay->client_send_window);
}

void relay_on_guest_eof(Relay *relay, uint8_t fd) {
        (void) mux_stream_send_eof(client_mux(relay), relay->client_id, fd);
}

void relay_on_client_eof(Relay *relay, uint8_t fd) {
        if (relay->guest_accepted)
                (void) mux_stream_send_eof(guest_mux(relay), relay->guest_id, fd);
}

/* window: the far end's send window now; the increment since our mirror is what it granted. */
static void relay_pass_credit(Mux *to, uint32_t id, size_t window, size_t *mirror) {
        if (window > *mirror)
                (void) mux_stream_grant(to, id, (uint32_t) (window - *mirror));
        *mirror = window;
}

void relay_on_guest_writable(Relay *relay, size_t window) {
        relay_pass_credit(client_mux(relay), relay->client_id, window, &relay->client_send_window);
}

void relay_on_client_writable(Relay *relay, size_t window) {
        if (relay->guest_id != 0)
                relay_pass_credit(guest_mux(relay), relay->guest_id, window,
                                &relay->guest_send_window);
}

void relay_on_guest_exit(Relay *relay, const FrameExit *exit) {
        (void) mux_stream_send_exit(client_mux(relay), relay->client_id, exit);
}

void relay_on_client_signal(Relay *relay, uint32_t signo) {
        if (relay->guest_accepted)
                (void) mux_stream_send_signal(guest_mux(relay), relay->guest_id, signo);
}

void relay_on_client_resize(Relay *relay, uint16_t rows, uint16_t cols) {
        if (relay->guest_accepted)
                (void) mux_stream_send_resize(guest_mux(relay), relay->guest_id, rows, cols);
}

void relay_on_guest_close(Relay *relay, int error, const char *reason) {
        if (!relay->guest_accepted) {
                relay_reject(relay, error < 0 ? error : -ECONNRESET, reason);
                return;
        }
        relay_close(relay, error, true, false);
}

void relay_on_client_close(Relay *relay, int error) {
        relay_close(relay, error, false, true);
}

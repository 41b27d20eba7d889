/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* client.c: vm-run connections on a VM's command socket. */
#include <stdio.h>

#include "client.h"
#include "conn-limit.h"
#include "log.h"
#include "relay.h"

static void on_client_open(Mux *m, uint32_t id, const FrameOpen *req, void *userdata) {
        Client *c = userdata;
        char message[FRAME_REJECT_MESSAGE_MAX];
        int r;

        if (c->refused) {
                (void) snprintf(message, sizeof(message), "permission denied: uid %u %s",
                                (unsigned) c->uid, c->refused);
                (void) mux_stream_reject(m, id, -EACCES, message);
                return;
        }
        if (req->kind != STREAM_KIND_EXEC) {
                (void) mux_stream_reject(m, id, -EOPNOTSUPP, "only exec streams are relayed");
                return;
        }
        r = relay_new(c, id, req);
        if (r < 0)
                (void) mux_stream_reject(m, id, r, "cannot relay this stream");
}

static void on_client_data(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd,
                const uint8_t *data, size_t len) {
        relay_on_client_data(stream_userdata, fd, data, len);
}

static void on_client_eof(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd) {
        relay_on_client_eof(stream_userdata, fd);
}

static void on_client_writable(Mux *m, uint32_t id, void *stream_userdata, size_t window) {
        relay_on_client_writable(stream_userdata, window);
}

static void on_client_signal(Mux *m, uint32_t id, void *stream_userdata, uint32_t signo) {
        relay_on_client_signal(stream_userdata, signo);
}

static void on_client_resize(
                Mux *m, uint32_t id, void *stream_userdata, uint16_t rows, uint16_t cols) {
        relay_on_client_resize(stream_userdata, rows, cols);
}

static void on_client_close(
                Mux *m, uint32_t id, void *stream_userdata, int error, const char *reason) {
        relay_on_client_close(stream_userdata, error);
}

static int on_client_reap(sd_event_source *s, void *userdata) {
        client_free(userdata);
        return 0;
}

static int on_client_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        Client *c = userdata;

        /* A busy vmsilod can see the deadline and the client's OPEN in one iteration, the
         * deadline first: answer the OPEN with the refusal before closing, or the client reads
         * ECONNRESET instead of why. */
        (void) channel_drain(c->channel);
        return on_client_reap(s, userdata);
}

static void on_client_disconnect(Channel *ch, int error, const char *reason, void *userdata) {
        Client *c = userdata;

        log_debug("VM '%s': client disconnected: %s", c->vm->config->name, reason);
        /* We are inside the channel's own callback: free it from a fresh dispatch. */
        c->reaper = sd_event_source_disable_unref(c->reaper); /* a refused client's deadline */
        if (sd_event_add_defer(c->vm->manager->event, &c->reaper, on_client_reap, c) < 0)
                log_oom();
}

static ConnLimit *client_limit(Vm *vm, const char *refused) {
        return refused ? &vm->refused_limit : &vm->clients_limit;
}

int client_new(Vm *vm, int fd, uid_t uid, const char *refusal, Client **ret) {
        _cleanup_(client_freep) Client *c = NULL;
        MuxConfig config = {
                .role = MUX_ROLE_AGENT,
                .capabilities = PROTOCOL_CAPABILITIES,
                .callbacks = {
                        .on_open = on_client_open,
                        .on_data = on_client_data,
                        .on_eof = on_client_eof,
                        .on_writable = on_client_writable,
                        .on_signal = on_client_signal,
                        .on_resize = on_client_resize,
                        .on_close = on_client_close,
                },
        };
        int r;

        r = conn_limit_acquire(client_limit(vm, refusal), uid);
        if (r < 0)
                return r;
        c = calloc(1, sizeof(Client));
        if (!c) {
                conn_limit_release(client_limit(vm, refusal), uid);
                return -ENOMEM;
        }
        /* Linked first: client_freep() undoes the count from here on. */
        c->vm = vm;
        c->uid = uid;
        c->refused = refusal;
        c->next = vm->clients;
        vm->clients = c;
        config.userdata = c;
        if (c->refused) {
                r = sd_event_add_time_relative(vm->manager->event, &c->reaper, CLOCK_MONOTONIC,
                                CLIENT_REFUSED_TIMEOUT_USEC, 0, on_client_deadline, c);
                if (r < 0)
                        return r;
        }
        r = channel_new(vm->manager->event, fd, &config, "command-client", &c->channel);
        if (r < 0)
                return r;
        channel_set_disconnect_handler(c->channel, on_client_disconnect, c);

        *ret = TAKE_PTR(c);
        return 0;
}

Client *client_free(Client *c) {
        Client **p;

        if (!c)
                return NULL;
        while (c->relays)
                relay_close(c->relays, -ECONNRESET, false, true);
        if (c->vm) {
                for (p = &c->vm->clients; *p && *p != c; p = &(*p)->next)
                        ;
                if (*p) {
                        *p = c->next;
                        conn_limit_release(client_limit(c->vm, c->refused), c->uid);
                }
        }
        sd_event_source_disable_unref(c->reaper);
        channel_free(c->channel);
        free(c);
        return NULL;
}

Mux *client_get_mux(Client *c) {
        return channel_get_mux(c->channel);
}

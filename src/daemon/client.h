/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* client.h: one connection to a VM's command socket (vm-run). The daemon plays the agent's part of
 * the channel protocol towards the client and relays every stream to the real agent. */
#pragma once

#include "channel.h"
#include "vm.h"

typedef struct Relay Relay;

typedef struct Client Client;
struct Client {
        Vm *vm;
        Channel *channel;
        Relay *relays;           /* Relay::client_next */
        sd_event_source *reaper; /* deferred free after a disconnect */
        /* manager_peer_refusal() said no: every OPEN is rejected with this (static text). */
        const char *refused;
        uid_t refused_uid;
        Client *next; /* Vm-owned list of clients */
};

/* Takes fd (accepted and authorised) on success and links the client into vm's list. */
int client_new(Vm *vm, int fd, Client **ret);
/* Closes every relay of the client (guest streams get CLOSE) and frees it. */
Client *client_free(Client *c);
DEFINE_FREE_FUNC(Client *, client_free);

Mux *client_get_mux(Client *c);

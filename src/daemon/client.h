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
        sd_event_source *reaper; /* deferred free after a disconnect, or a refused client's
                                    deadline */
        uid_t uid;               /* SO_PEERCRED */
        /* manager_peer_refusal() said no: every OPEN is rejected with this (static text). */
        const char *refused;
        Client *next; /* Vm-owned list of clients */
};

/* A refused client is told why when it sends OPEN, then closed; one that sends nothing is
 * closed after this. */
#define CLIENT_REFUSED_TIMEOUT_USEC (2 * 1000 * 1000)

/* Takes fd (accepted; from uid, refused with refusal or authorised when NULL) on success and
 * links the client into vm's list. -EMFILE/-EUSERS when vm already has as many clients as it takes
 * (VM_CLIENTS_MAX and friends): the caller closes fd. */
int client_new(Vm *vm, int fd, uid_t uid, const char *refusal, Client **ret);
/* Closes every relay of the client (guest streams get CLOSE) and frees it. */
Client *client_free(Client *c);
DEFINE_FREE_FUNC(Client *, client_free);

Mux *client_get_mux(Client *c);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* channel.h: a Mux driven over one connected fd by sd-event: reads feed the mux, its output queue
 * is written as the socket allows, reading pauses while the output queue is above the high-water
 * mark (so a peer that stops reading cannot make us buffer without bound). Used by the daemon for
 * both ends it relays (guest agent and vm-run clients) and by the vm-run client itself. */
#pragma once

#include <systemd/sd-event.h>

#include "macro.h"
#include "mux.h"

typedef struct Channel Channel;

/* The connection ended: error is -ECONNRESET when the peer closed it, the mux's error when the
 * protocol broke, or a read/write errno. Called once, from the event loop (never from inside
 * channel_new()); the handler may free the channel. */
typedef void (*ChannelDisconnectHandler)(
                Channel *ch, int error, const char *reason, void *userdata);

/* Takes fd (connected, any blocking mode) on success. config is copied; mux callbacks must not
 * free the channel (use the disconnect handler or a deferred event for that). */
int channel_new(sd_event *e, int fd, const MuxConfig *config, const char *description,
                Channel **ret);
Channel *channel_free(Channel *ch);
DEFINE_FREE_FUNC(Channel *, channel_free);

void channel_set_disconnect_handler(Channel *ch, ChannelDisconnectHandler handler, void *userdata);
Mux *channel_get_mux(Channel *ch);
/* Handles what the peer has sent so far and writes what that queued, now, without the event loop:
 * the last word before the owner frees the channel, so a frame that arrived together with the
 * owner's deadline is still answered. Returns false if the channel disconnected meanwhile (its
 * handler has run and may have freed it). */
bool channel_drain(Channel *ch);
/* Whether the output queue is above MUX_OUTPUT_HIGH_WATER: producers should wait. */
bool channel_is_congested(const Channel *ch);

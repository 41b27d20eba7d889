/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-stream.h: the byte stream between the halves of vmsilo-tray, cut into tray-wire messages,
 * on sd-event. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"

#define TRAY_STREAM_QUEUE_MAX (16u * 1024u * 1024u) /* bytes queued for a slow peer */

typedef struct TrayStream TrayStream;

/* msg is one whole message (tray_wire_frame()); a negative return closes the stream. */
typedef int (*TrayStreamMessageFn)(const uint8_t *untrusted_msg, size_t size, void *userdata);
/* The stream ended: error is 0 at the peer's EOF, else -errno. Called once; the stream is still
 * valid during the call, the callee may free it. */
typedef void (*TrayStreamCloseFn)(int error, void *userdata);

/* Takes fd (non-blocking is set here) on success. */
int tray_stream_new(sd_event *event, int fd, TrayStreamMessageFn on_message,
                TrayStreamCloseFn on_close, void *userdata, TrayStream **ret);
TrayStream *tray_stream_free(TrayStream *s);
DEFINE_FREE_FUNC(TrayStream *, tray_stream_free);
/* Queues a whole message, taking msg (malloc'd). -ENOBUFS if the peer has not read
 * TRAY_STREAM_QUEUE_MAX bytes (the caller closes), -ENOMEM. */
int tray_stream_send(TrayStream *s, uint8_t *msg, size_t size);

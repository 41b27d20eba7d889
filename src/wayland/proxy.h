/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* proxy.h: vmsilo-wayland's I/O: accepts the VM's Wayland clients on one listening socket, gives
 * each its own connection to the compositor, and moves bytes and fds both ways through that
 * connection's Filter. One process per VM, one sd-event loop, no threads. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "hotkey.h"
#include "macro.h"

/* Clients of one VM at once; waypipe opens one connection per guest program. */
#define PROXY_CLIENTS_MAX 32u
/* Bytes queued towards one side: past HIGH the other side is no longer read (backpressure), past
 * MAX the connection is cut. Reads are at most 8 KiB, so MAX is only reached by a bug. */
#define PROXY_BUFFER_HIGH (1024u * 1024u)
#define PROXY_BUFFER_MAX (4u * 1024u * 1024u)
/* libwayland sends at most 28 fds per sendmsg() and sizes its receive buffer for as many. */
#define PROXY_FDS_PER_SEND_MAX 28u
/* fds received ahead of the messages that take them; more is a client sending stray fds. */
#define PROXY_FDS_PENDING_MAX 32u
/* fds queued towards one side: past HIGH the other side is no longer read. */
#define PROXY_FDS_QUEUED_HIGH 128u
/* The copy key: how much of the guest's selection is read (one byte more than the global
 * clipboard takes, to tell a selection too large), and for how long. */
#define PROXY_COPY_MAX (1024u * 1024u + 1u)
#define PROXY_COPY_TIMEOUT_USEC (2u * 1000u * 1000u)

typedef struct Proxy Proxy;

typedef struct ProxyOptions {
        const char *vm;             /* the VM's name */
        const char *upstream_path;  /* the compositor's socket */
        uint32_t frame_rgb;         /* the VM's colour, 0xRRGGBB */
        uint32_t frame_width;       /* pixels; 0: no frame */
        bool viewporter_allowed;    /* false: the frame uses plain buffers (--no-viewporter) */
        int entries_fd;             /* the host's applications dir (O_PATH), or -EBADF */
        Hotkey copy_key, paste_key; /* the clipboard keys, swallowed in the VM's windows */
        const char *clipboard_path; /* vmsilo-clipboard's socket; NULL: the keys do nothing */
} ProxyOptions;

/* A copy or paste asked for by a script ends: line is "ok <size>\n", "empty\n" (nothing to
 * paste) or "error <why>\n". */
typedef void (*ProxyReply)(const char *line, void *userdata);

/* What the keys do, for `vmsilo clipboard copy-from|paste-to VM` (fence-control.c): on the
 * program of the VM whose window had the keyboard focus last. reply is called once, now or (a
 * copy reads the guest's selection) later; before proxy_free() returns at the latest. */
void proxy_clipboard(Proxy *p, HotkeyAction action, ProxyReply reply, void *userdata);

/* Serves listen_fd (a listening unix socket; taken on success), connecting each client to the
 * compositor as options say. The strings in options must outlive the proxy; entries_fd stays the
 * caller's. */
int proxy_new(sd_event *event, int listen_fd, const ProxyOptions *options, Proxy **ret);
Proxy *proxy_free(Proxy *p);
DEFINE_FREE_FUNC(Proxy *, proxy_free);

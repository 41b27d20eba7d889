/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-wire.h: the messages between the guest and host halves of vmsilo-tray (docs/tray.md).
 * Pure. The host decodes everything from the guest as hostile input. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "tray-item.h"

#define TRAY_WIRE_LENGTH_SIZE 4u
/* A message: u32 length (of what follows), u8 type, payload; every integer little-endian. */
#define TRAY_WIRE_MESSAGE_MAX (3u * 1024u * 1024u)
#define TRAY_WIRE_STRING_MAX 1024u /* bytes a string may have on the wire */
#define TRAY_WIRE_PIXMAP_BYTES_MAX (TRAY_PIXMAP_SIDE_MAX * TRAY_PIXMAP_SIDE_MAX * 4u)

typedef enum TrayMessageType {
        /* guest → host */
        TRAY_MSG_ITEM = 0x01,   /* key, then the item's snapshot */
        TRAY_MSG_REMOVE = 0x02, /* key */
        /* host → guest: key, then the arguments */
        TRAY_MSG_ACTIVATE = 0x10,           /* i32 x, i32 y */
        TRAY_MSG_SECONDARY_ACTIVATE = 0x11, /* i32 x, i32 y */
        TRAY_MSG_CONTEXT_MENU = 0x12,       /* i32 x, i32 y */
        TRAY_MSG_SCROLL = 0x13,             /* i32 delta, u8 orientation (0 vertical) */
        TRAY_MSG_MENU_EVENT = 0x14,         /* i32 menu id, u8 TrayMenuEvent */
        TRAY_MSG_ABOUT_TO_SHOW = 0x15,      /* i32 menu id */
} TrayMessageType;

typedef enum TrayMenuEvent {
        TRAY_MENU_EVENT_CLICKED,
        TRAY_MENU_EVENT_HOVERED,
        TRAY_MENU_EVENT_OPENED,
        TRAY_MENU_EVENT_CLOSED,
        _TRAY_MENU_EVENT_MAX,
        _TRAY_MENU_EVENT_INVALID = -EINVAL,
} TrayMenuEvent;

/* A host → guest interaction. a/b are x/y, delta/orientation or menu id/event by type. */
typedef struct TrayAction {
        uint8_t type; /* TrayMessageType, 0x10.. */
        uint32_t key;
        int32_t a;
        int32_t b;
} TrayAction;

const char *tray_menu_event_to_string(TrayMenuEvent e);
TrayMenuEvent tray_menu_event_from_string(const char *s);

/* Whether buf (len bytes) starts with a whole message: returns 0 with *ret_size its total size
 * (length field included), -EAGAIN if more bytes are needed, -EBADMSG if the length is 0 or over
 * TRAY_WIRE_MESSAGE_MAX (the stream cannot be resynchronised: close it). */
int tray_wire_frame(const uint8_t *untrusted_buf, size_t untrusted_len, size_t *ret_size);

/* The type and key of a whole message (msg as framed by tray_wire_frame()); -EBADMSG if it is
 * too short for them. */
int tray_wire_peek(const uint8_t *untrusted_msg, size_t size, uint8_t *ret_type, uint32_t *ret_key);

/* Decodes a TRAY_MSG_ITEM and sanitises it (tray_sanitize_text() on every string,
 * tray_sanitize_item() on the whole). Returns 0 with *ret, -EBADMSG with *reterr_reason (static)
 * when the message is malformed or breaks a bound, -ENOMEM. */
int tray_wire_decode_item(const uint8_t *untrusted_msg, size_t size, TrayItem **ret,
                const char **reterr_reason);
/* Decodes a host → guest message: -EBADMSG for another type, a short message, a bad event. */
int tray_wire_decode_action(const uint8_t *msg, size_t size, TrayAction *ret);

/* Encoders: a whole message (length field included) in *ret (malloc'd, *ret_size bytes).
 * Strings are cut to TRAY_WIRE_STRING_MAX bytes; -E2BIG if the item has more pixmaps, bigger
 * pixmaps or more menu entries than a message can hold (see tray-guest.c for how the guest half
 * keeps one past each host bound), -ENOMEM. */
int tray_wire_encode_item(uint32_t key, const TrayItem *item, uint8_t **ret, size_t *ret_size);
int tray_wire_encode_remove(uint32_t key, uint8_t **ret, size_t *ret_size);
int tray_wire_encode_action(const TrayAction *action, uint8_t **ret, size_t *ret_size);

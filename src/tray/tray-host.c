/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tray-host.c: the host half of vmsilo-tray. Each message from the guest half is decoded and
 * sanitised (tray-wire.c, tray-sanitize.c) before it touches a bus; an item that breaks a bound
 * or its update rate is removed and its key refused from then on, the other items and the half
 * carry on. Only a stream that cannot be framed any more ends the half. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "sni-item.h"
#include "time-util.h"
#include "tray-host.h"
#include "tray-stream.h"
#include "tray-wire.h"

struct TrayHost {
        sd_event *event;
        char *vm;
        uint32_t color_rgb;
        TrayStream *stream;
        SniItem *items[TRAY_HOST_ITEMS_MAX];
        uint32_t refused[TRAY_HOST_REFUSED_MAX];
        size_t n_refused;
        unsigned next_name; /* n of the next org.kde.StatusNotifierItem-<pid>-<n> */
};

TrayHost *tray_host_free(TrayHost *h) {
        if (!h)
                return NULL;
        for (size_t i = 0; i < TRAY_HOST_ITEMS_MAX; i++)
                sni_item_free(h->items[i]);
        tray_stream_free(h->stream);
        sd_event_unref(h->event);
        free(h->vm);
        return mfree(h);
}

static SniItem **find_item(TrayHost *h, uint32_t key) {
        for (size_t i = 0; i < TRAY_HOST_ITEMS_MAX; i++)
                if (h->items[i] && sni_item_get_key(h->items[i]) == key)
                        return &h->items[i];
        return NULL;
}

static bool is_refused(const TrayHost *h, uint32_t key) {
        for (size_t i = 0; i < h->n_refused; i++)
                if (h->refused[i] == key)
                        return true;
        /* Once the list is full every key without a live item is refused: a guest cycling keys
         * gains nothing. */
        return h->n_refused == TRAY_HOST_REFUSED_MAX;
}

static void drop_item(TrayHost *h, uint32_t key, const char *reason) {
        SniItem **slot = find_item(h, key);

        log_warning("VM '%s': dropping tray item %u: %s.", h->vm, key, reason);
        if (slot)
                *slot = sni_item_free(*slot);
        if (!is_refused(h, key))
                h->refused[h->n_refused++] = key;
}

static void send_action(const TrayAction *action, void *userdata) {
        TrayHost *h = userdata;
        uint8_t *msg;
        size_t size;
        int r;

        r = tray_wire_encode_action(action, &msg, &size);
        if (r >= 0)
                r = tray_stream_send(h->stream, msg, size);
        if (r < 0)
                log_warning_errno(r, "VM '%s': cannot forward a tray interaction, ignoring: %m",
                                h->vm);
}

/* The item's proxy, created on its first snapshot; NULL (logged) when the VM has too many. */
static int acquire_item(TrayHost *h, uint32_t key, SniItem **ret) {
        SniItem **slot = find_item(h, key);
        int r;

        if (slot) {
                *ret = *slot;
                return 0;
        }
        for (size_t i = 0; i < TRAY_HOST_ITEMS_MAX; i++) {
                if (h->items[i])
                        continue;
                r = sni_item_new(
                                h->event, h->vm, key, h->next_name++, send_action, h, &h->items[i]);
                if (r < 0)
                        return log_error_errno(r, "VM '%s': cannot export a tray item: %m", h->vm);
                *ret = h->items[i];
                return 0;
        }
        return -ENOSPC;
}

static int handle_item(TrayHost *h, uint32_t key, const uint8_t *untrusted_msg, size_t size) {
        _cleanup_(tray_item_freep) TrayItem *item = NULL;
        const char *reason = "out of memory";
        SniItem *s = NULL;
        int r;

        r = tray_wire_decode_item(untrusted_msg, size, &item, &reason);
        if (r < 0) {
                drop_item(h, key, reason);
                return 0;
        }
        r = acquire_item(h, key, &s);
        if (r == -ENOSPC) {
                drop_item(h, key, "the VM has too many tray items");
                return 0;
        }
        if (r < 0)
                return 0;
        if (!tray_rate_allow(sni_item_get_rate(s), now_usec())) {
                drop_item(h, key, "too many updates per second");
                return 0;
        }
        r = sni_item_update(s, TAKE_PTR(item), h->color_rgb);
        if (r < 0)
                log_warning_errno(
                                r, "VM '%s': cannot update tray item %u, ignoring: %m", h->vm, key);
        return 0;
}

static int on_message(const uint8_t *untrusted_msg, size_t size, void *userdata) {
        TrayHost *h = userdata;
        uint8_t type;
        uint32_t key;

        if (tray_wire_peek(untrusted_msg, size, &type, &key) < 0)
                return log_error_errno(EBADMSG, "VM '%s': tray message too short.", h->vm);
        if (!find_item(h, key) && is_refused(h, key))
                return 0;
        if (type == TRAY_MSG_ITEM)
                return handle_item(h, key, untrusted_msg, size);
        if (type == TRAY_MSG_REMOVE) {
                SniItem **slot = find_item(h, key);
                if (slot)
                        *slot = sni_item_free(*slot);
                return 0;
        }
        return log_error_errno(EBADMSG, "VM '%s': unknown tray message type %u.", h->vm, type);
}

static void on_close(int error, void *userdata) {
        TrayHost *h = userdata;

        if (error < 0)
                log_error_errno(error, "VM '%s': tray stream broken: %m", h->vm);
        else
                log_info("VM '%s': tray stream closed.", h->vm);
        (void) sd_event_exit(h->event, error < 0 ? 1 : 0);
}

int tray_host_new(sd_event *event, int fd, const char *vm, uint32_t color_rgb, TrayHost **ret) {
        _cleanup_(tray_host_freep) TrayHost *h = NULL;
        int r;

        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->event = sd_event_ref(event);
        h->color_rgb = color_rgb;
        h->vm = strdup(vm);
        if (!h->vm)
                return -ENOMEM;
        r = tray_stream_new(event, fd, on_message, on_close, h, &h->stream);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(h);
        return 0;
}

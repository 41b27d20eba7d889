/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pcm-ring.c: the bounded PCM ring of vmsilo-sound (see pcm-ring.h). Pure. */
#include "pcm-ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

int pcm_ring_init(PcmRing *r, size_t frame_bytes, size_t capacity_bytes) {
        uint8_t *data;

        if (frame_bytes == 0 || frame_bytes > PCM_RING_CAPACITY_MAX)
                return -EINVAL;
        capacity_bytes = MIN(capacity_bytes, PCM_RING_CAPACITY_MAX);
        capacity_bytes -= capacity_bytes % frame_bytes;
        if (capacity_bytes == 0)
                capacity_bytes = frame_bytes;
        data = malloc(capacity_bytes);
        if (!data)
                return -ENOMEM;
        *r = (PcmRing){
                .data = data, .capacity_bytes = capacity_bytes, .frame_bytes = frame_bytes
        };
        return 0;
}

void pcm_ring_finish(PcmRing *r) {
        free(r->data);
        *r = (PcmRing){};
}

void pcm_ring_clear(PcmRing *r) {
        r->head = 0;
        r->used_bytes = 0;
}

size_t pcm_ring_available(const PcmRing *r) {
        return r->frame_bytes ? r->used_bytes - r->used_bytes % r->frame_bytes : 0;
}

size_t pcm_ring_push(PcmRing *r, const void *p, size_t n) {
        size_t room = r->capacity_bytes - r->used_bytes, take = n, tail, first;

        if (r->frame_bytes == 0) { /* a finished ring takes nothing */
                r->dropped_bytes += n;
                return 0;
        }
        if (take > room)
                take = room - room % r->frame_bytes;
        r->dropped_bytes += n - take;
        tail = (r->head + r->used_bytes) % r->capacity_bytes;
        first = MIN(take, r->capacity_bytes - tail);
        if (first > 0)
                memcpy(r->data + tail, p, first);
        if (take > first)
                memcpy(r->data, (const uint8_t *) p + first, take - first);
        r->used_bytes += take;
        return take;
}

size_t pcm_ring_pop(PcmRing *r, void *p, size_t n) {
        size_t take = MIN(n, pcm_ring_available(r)), first;

        if (take == 0)
                return 0;
        take -= take % r->frame_bytes;
        first = MIN(take, r->capacity_bytes - r->head);
        if (first > 0)
                memcpy(p, r->data + r->head, first);
        if (take > first)
                memcpy((uint8_t *) p + first, r->data, take - first);
        r->used_bytes -= take;
        r->head = r->used_bytes == 0 ? 0 : (r->head + take) % r->capacity_bytes;
        return take;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ring.c: most-recent-bytes ring buffer. Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

int ring_init(Ring *r, size_t capacity) {
        if (capacity == 0)
                return -EINVAL;
        r->data = malloc(capacity);
        if (!r->data)
                return -ENOMEM;
        r->capacity = capacity;
        r->start = r->size = 0;
        return 0;
}

void ring_finish(Ring *r) {
        free(r->data);
        *r = (Ring){};
}

void ring_append(Ring *r, const uint8_t *data, size_t len) {
        if (len >= r->capacity) {
                /* Only the tail survives. */
                memcpy(r->data, data + len - r->capacity, r->capacity);
                r->start = 0;
                r->size = r->capacity;
                return;
        }
        for (size_t done = 0; done < len;) {
                size_t end = (r->start + r->size) % r->capacity;
                size_t chunk = len - done;

                if (chunk > r->capacity - end)
                        chunk = r->capacity - end;
                memcpy(r->data + end, data + done, chunk);
                done += chunk;
                r->size += chunk;
                if (r->size > r->capacity) {
                        r->start = (r->start + r->size - r->capacity) % r->capacity;
                        r->size = r->capacity;
                }
        }
}

void ring_segments(const Ring *r, const uint8_t **ret_a, size_t *ret_a_len, const uint8_t **ret_b,
                size_t *ret_b_len) {
        size_t first = r->size;

        if (r->start + first > r->capacity)
                first = r->capacity - r->start;
        *ret_a = r->data + r->start;
        *ret_a_len = first;
        *ret_b = r->data;
        *ret_b_len = r->size - first;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ring.h: a fixed-size byte ring that keeps the most recent bytes (console scrollback). */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct Ring {
        uint8_t *data; /* capacity bytes, owned */
        size_t capacity;
        size_t start; /* index of the oldest byte */
        size_t size;  /* bytes held, <= capacity */
} Ring;

int ring_init(Ring *r, size_t capacity);
void ring_finish(Ring *r);
/* Appends len bytes; when full, the oldest bytes are overwritten. */
void ring_append(Ring *r, const uint8_t *data, size_t len);
/* The held bytes in order, as at most two segments (second may be empty). */
void ring_segments(const Ring *r, const uint8_t **ret_a, size_t *ret_a_len, const uint8_t **ret_b,
                size_t *ret_b_len);

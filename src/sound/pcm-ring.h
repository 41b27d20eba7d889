/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pcm-ring.h: a bounded byte ring between the VM's side of vmsilo-sound (D-Bus Write/Read) and
 * the sound server's side (libpulse stream callbacks). Neither side ever waits for the other:
 * what does not fit is dropped and counted, what is missing is the caller's silence. Pure; the
 * caller holds whatever lock guards it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The most a ring may hold: 1 s of 8-channel 48 kHz float is 1.5 MiB; a voice needs far less. */
#define PCM_RING_CAPACITY_MAX ((size_t) 2 * 1024 * 1024)

typedef struct PcmRing {
        uint8_t *data;
        size_t capacity_bytes; /* a multiple of frame_bytes */
        size_t frame_bytes;
        size_t head; /* index of the oldest byte */
        size_t used_bytes;
        uint64_t dropped_bytes; /* offered to a full ring */
} PcmRing;

/* Room for capacity_bytes rounded down to whole frames (at least one frame, at most
 * PCM_RING_CAPACITY_MAX). -EINVAL for frame_bytes 0 or larger than the maximum. */
int pcm_ring_init(PcmRing *r, size_t frame_bytes, size_t capacity_bytes);
/* Frees the storage; accepts a zeroed ring. */
void pcm_ring_finish(PcmRing *r);

/* Copies as many whole frames of p as fit; the rest is counted in dropped_bytes. Returns the
 * bytes taken. */
size_t pcm_ring_push(PcmRing *r, const void *p, size_t n);
/* Takes up to n bytes, whole frames only, oldest first. Returns the bytes copied into p. */
size_t pcm_ring_pop(PcmRing *r, void *p, size_t n);
/* Forgets what the ring holds (the drop count stays). */
void pcm_ring_clear(PcmRing *r);
/* Whole frames' worth of bytes that pcm_ring_pop() could return now. */
size_t pcm_ring_available(const PcmRing *r);

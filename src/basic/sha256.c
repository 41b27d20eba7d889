/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sha256.c: SHA-256 (FIPS 180-4). Pure. */
#include <string.h>

#include "macro.h"
#include "sha256.h"

static const uint32_t sha256_k[64] = {
        0x428a2f98,
        0x71374491,
        0xb5c0fbcf,
        0xe9b5dba5,
        0x3956c25b,
        0x59f111f1,
        0x923f82a4,
        0xab1c5ed5,
        0xd807aa98,
        0x12835b01,
        0x243185be,
        0x550c7dc3,
        0x72be5d74,
        0x80deb1fe,
        0x9bdc06a7,
        0xc19bf174,
        0xe49b69c1,
        0xefbe4786,
        0x0fc19dc6,
        0x240ca1cc,
        0x2de92c6f,
        0x4a7484aa,
        0x5cb0a9dc,
        0x76f988da,
        0x983e5152,
        0xa831c66d,
        0xb00327c8,
        0xbf597fc7,
        0xc6e00bf3,
        0xd5a79147,
        0x06ca6351,
        0x14292967,
        0x27b70a85,
        0x2e1b2138,
        0x4d2c6dfc,
        0x53380d13,
        0x650a7354,
        0x766a0abb,
        0x81c2c92e,
        0x92722c85,
        0xa2bfe8a1,
        0xa81a664b,
        0xc24b8b70,
        0xc76c51a3,
        0xd192e819,
        0xd6990624,
        0xf40e3585,
        0x106aa070,
        0x19a4c116,
        0x1e376c08,
        0x2748774c,
        0x34b0bcb5,
        0x391c0cb3,
        0x4ed8aa4a,
        0x5b9cca4f,
        0x682e6ff3,
        0x748f82ee,
        0x78a5636f,
        0x84c87814,
        0x8cc70208,
        0x90befffa,
        0xa4506ceb,
        0xbef9a3f7,
        0xc67178f2,
};

static uint32_t rotr32(uint32_t x, unsigned n) {
        return (x >> n) | (x << (32 - n));
}

static uint32_t be32_read(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void be32_write(uint8_t *p, uint32_t v) {
        p[0] = v >> 24;
        p[1] = v >> 16;
        p[2] = v >> 8;
        p[3] = v;
}

static void sha256_block(Sha256 *s, const uint8_t *block) {
        uint32_t w[64], a, b, c, d, e, f, g, h;

        for (size_t i = 0; i < 16; i++)
                w[i] = be32_read(block + 4 * i);
        for (size_t i = 16; i < 64; i++) {
                uint32_t s0 = rotr32(w[i - 15], 7) ^ rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
                uint32_t s1 = rotr32(w[i - 2], 17) ^ rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        a = s->state[0], b = s->state[1], c = s->state[2], d = s->state[3];
        e = s->state[4], f = s->state[5], g = s->state[6], h = s->state[7];
        for (size_t i = 0; i < 64; i++) {
                uint32_t t1 = h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) +
                              ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
                uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) +
                              ((a & b) ^ (a & c) ^ (b & c));
                h = g, g = f, f = e, e = d + t1;
                d = c, c = b, b = a, a = t1 + t2;
        }
        s->state[0] += a, s->state[1] += b, s->state[2] += c, s->state[3] += d;
        s->state[4] += e, s->state[5] += f, s->state[6] += g, s->state[7] += h;
}

void sha256_init(Sha256 *s) {
        *s = (Sha256){
                .state = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
                                0x1f83d9ab, 0x5be0cd19 },
        };
}

void sha256_update(Sha256 *s, const void *data, size_t size) {
        const uint8_t *p = data;

        s->length_bytes += size;
        if (s->buffer_used > 0) {
                size_t n = MIN(SHA256_BLOCK_SIZE - s->buffer_used, size);
                memcpy(s->buffer + s->buffer_used, p, n);
                s->buffer_used += n, p += n, size -= n;
                if (s->buffer_used < SHA256_BLOCK_SIZE)
                        return;
                sha256_block(s, s->buffer);
                s->buffer_used = 0;
        }
        for (; size >= SHA256_BLOCK_SIZE; p += SHA256_BLOCK_SIZE, size -= SHA256_BLOCK_SIZE)
                sha256_block(s, p);
        if (size > 0) {
                memcpy(s->buffer, p, size);
                s->buffer_used = size;
        }
}

void sha256_finish(Sha256 *s, uint8_t ret[SHA256_DIGEST_SIZE]) {
        uint64_t length_bits = s->length_bytes * 8;

        s->buffer[s->buffer_used++] = 0x80;
        if (s->buffer_used > SHA256_BLOCK_SIZE - 8) {
                memset(s->buffer + s->buffer_used, 0, SHA256_BLOCK_SIZE - s->buffer_used);
                sha256_block(s, s->buffer);
                s->buffer_used = 0;
        }
        memset(s->buffer + s->buffer_used, 0, SHA256_BLOCK_SIZE - 8 - s->buffer_used);
        be32_write(s->buffer + 56, length_bits >> 32);
        be32_write(s->buffer + 60, (uint32_t) length_bits);
        sha256_block(s, s->buffer);
        for (size_t i = 0; i < 8; i++)
                be32_write(ret + 4 * i, s->state[i]);
}

void sha256_digest(const void *data, size_t size, uint8_t ret[SHA256_DIGEST_SIZE]) {
        Sha256 s;

        sha256_init(&s);
        sha256_update(&s, data, size);
        sha256_finish(&s, ret);
}

char *sha256_to_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char ret[SHA256_HEX_SIZE]) {
        static const char hex[] = "0123456789abcdef";

        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
                ret[2 * i] = hex[digest[i] >> 4];
                ret[2 * i + 1] = hex[digest[i] & 15];
        }
        ret[2 * SHA256_DIGEST_SIZE] = '\0';
        return ret;
}

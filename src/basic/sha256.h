/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sha256.h: SHA-256 (FIPS 180-4), incremental. Pure: no I/O, no allocation. Used for content
 * hashes (image manifests), not for anything security-critical against a chosen-prefix attacker. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64
/* Lower-case hex plus the terminating NUL. */
#define SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)

typedef struct Sha256 {
        uint32_t state[8];
        uint64_t length_bytes; /* total bytes fed so far */
        uint8_t buffer[SHA256_BLOCK_SIZE];
        size_t buffer_used; /* bytes of buffer[] holding a partial block */
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t size);
/* Writes the digest; s must be re-initialised before reuse. */
void sha256_finish(Sha256 *s, uint8_t ret[SHA256_DIGEST_SIZE]);

/* One-shot digest of a buffer. */
void sha256_digest(const void *data, size_t size, uint8_t ret[SHA256_DIGEST_SIZE]);
/* Formats a digest as 64 lower-case hex digits; returns ret. */
char *sha256_to_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char ret[SHA256_HEX_SIZE]);

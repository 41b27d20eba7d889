/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* digest.h: the image builder's content hashes (inputs manifests, content-addressed root images):
 * SHA-256 from nettle, and its hex form. Pure. Not in src/basic: the guest agent hashes nothing. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

/* Lower-case hex plus the terminating NUL. */
#define SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)

/* One-shot digest of a buffer. */
void digest_sha256(const void *data, size_t size, uint8_t ret[SHA256_DIGEST_SIZE]);
/* Formats a digest as 64 lower-case hex digits; returns ret. */
char *digest_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char ret[SHA256_HEX_SIZE]);

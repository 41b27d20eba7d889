/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* digest.c: see digest.h. */
#include "digest.h"

void digest_sha256(const void *data, size_t size, uint8_t ret[SHA256_DIGEST_SIZE]) {
        struct sha256_ctx s;

        sha256_init(&s);
        sha256_update(&s, size, data);
        sha256_digest(&s, SHA256_DIGEST_SIZE, ret);
}

char *digest_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char ret[SHA256_HEX_SIZE]) {
        static const char hex[] = "0123456789abcdef";

        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
                ret[2 * i] = hex[digest[i] >> 4];
                ret[2 * i + 1] = hex[digest[i] & 0xf];
        }
        ret[2 * SHA256_DIGEST_SIZE] = '\0';
        return ret;
}

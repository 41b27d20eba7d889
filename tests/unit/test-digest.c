/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-digest.c: tests for digest.c (nettle's SHA-256 and its hex form) against the FIPS 180-4 /
 * NIST example vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "digest.h"
#include "macro.h"

static const struct {
        const char *label;
        const char *input;
        const char *hex;
} vectors[] = {
        { "empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "two blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { "55 bytes (padding fits one block)",
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
        { "56 bytes (padding needs a second block)",
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
};

static void test_digest_matches_known_vectors(void **state) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[SHA256_HEX_SIZE];

        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                digest_sha256(vectors[i].input, strlen(vectors[i].input), digest);
                assert_string_equal(digest_hex(digest, hex), vectors[i].hex);
        }
}

/* rootfs-build.c hashes files block by block through nettle: the same digest as one shot. */
static void test_digest_in_pieces_equals_one_shot(void **state) {
        uint8_t data[1000], one[SHA256_DIGEST_SIZE], pieces[SHA256_DIGEST_SIZE];
        struct sha256_ctx s;

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t) (i * 7);
        digest_sha256(data, sizeof(data), one);
        sha256_init(&s);
        for (size_t off = 0, step = 1; off < sizeof(data); off += step, step = step * 2 + 1)
                sha256_update(&s, MIN(step, sizeof(data) - off), data + off);
        sha256_digest(&s, SHA256_DIGEST_SIZE, pieces);
        assert_memory_equal(one, pieces, SHA256_DIGEST_SIZE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_digest_matches_known_vectors),
                cmocka_unit_test(test_digest_in_pieces_equals_one_shot),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

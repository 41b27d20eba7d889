/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz.h: what every fuzz target shares: the libFuzzer entry point and CHECK(), which aborts on
 * a broken invariant (our bug, never bad input: inputs are rejected, not asserted on). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
        do {                                                                                       \
                if (!(x)) {                                                                        \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #x);  \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

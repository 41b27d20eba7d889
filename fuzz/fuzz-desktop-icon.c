/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-desktop-icon.c: desktop_icon_png_recode() (desktop_icon_check(), then libpng's decoder)
 * on an icon file from a guest image. Input: the PNG file. What it writes must pass the check
 * and be a fixed point: recoding it again gives the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "desktop-icon.h"
#include "fuzz.h"

#define FUZZ_INPUT_MAX (DESKTOP_ICON_SIZE_MAX + 1u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *out = NULL, *again = NULL;
        size_t out_size = 0, again_size = 0;
        const char *reason = NULL;
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        r = desktop_icon_png_recode(data, size, &out, &out_size, &reason);
        CHECK(r == 0 || ((r == -EBADMSG || r == -EFBIG) && reason && !out));
        if (r < 0)
                return 0;
        CHECK(out_size > 0 && out_size <= DESKTOP_ICON_SIZE_MAX);
        CHECK(desktop_icon_check(out, out_size, DESKTOP_ICON_PNG, NULL) == 0);
        CHECK(desktop_icon_png_recode(out, out_size, &again, &again_size, NULL) == 0);
        CHECK(again_size == out_size && memcmp(again, out, out_size) == 0);
        free(again);
        free(out);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-desktop-icon.c: desktop_icon_check() on icon bytes from a guest image. Input: one byte
 * choosing the format (even: PNG, odd: SVG), then the file. */
#include <stdint.h>

#include "desktop-icon.h"
#include "fuzz.h"

#define FUZZ_INPUT_MAX (DESKTOP_ICON_SIZE_MAX + 2u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        DesktopIconFormat f;
        const char *reason = NULL;
        int r;

        if (size == 0 || size > FUZZ_INPUT_MAX)
                return 0;
        f = data[0] % 2 ? DESKTOP_ICON_SVG : DESKTOP_ICON_PNG;
        r = desktop_icon_check(data + 1, size - 1, f, &reason);
        CHECK(r == 0 || ((r == -EBADMSG || r == -EFBIG) && reason));
        return 0;
}

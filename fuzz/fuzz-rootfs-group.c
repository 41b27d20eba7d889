/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-rootfs-group.c: rootfs_plan_group_add_member() on an /etc/group that the packages and the
 * user's guestConfig script left in a root image. Input: the file's text. Checks what the image
 * builder relies on: the result is the text with exactly the member (and at most one comma)
 * added, and adding again changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rootfs-plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text, *out = NULL, *again = NULL;

        text = strndup((const char *) data, size);
        if (!text)
                return 0;
        if (rootfs_plan_group_add_member(text, "audio", "user", &out) == 0 && out) {
                size_t grown = strlen(out) - strlen(text);

                CHECK(grown == strlen("user") || grown == strlen(",user"));
                CHECK(rootfs_plan_group_add_member(out, "audio", "user", &again) == 0);
                CHECK(!again);
        }
        free(out);
        free(text);
        return 0;
}

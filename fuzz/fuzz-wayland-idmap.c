/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-wayland-idmap.c: the guest/compositor id translation (src/wayland/idmap.c) against a
 * model. Input: 3-byte operations [op][id u16 LE]: op % 4 = 0 the guest creates id, 1 the fence
 * creates an object, 2 the compositor sends delete_id(id), 3 lookups of id both ways. Guest ids
 * come from the whole 32-bit space (id * 257 spreads them). Every new upstream id must be the
 * lowest one not live, as libwayland-server requires; the two directions must stay inverse. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "idmap.h"
#include "macro.h"
#include "wire.h"

#define MODEL_IDS 4096u

static const struct wl_interface own_interface = { .name = "fuzz_own", .version = 1 };
static bool live[MODEL_IDS];     /* upstream ids, model */
static uint32_t guest[MODEL_IDS]; /* upstream id -> guest id, 0: own */

static uint32_t lowest_free(void) {
        for (uint32_t i = 2; i < MODEL_IDS; i++)
                if (!live[i])
                        return i;
        return MODEL_IDS;
}

static void check_new(uint32_t up, uint32_t g) {
        CHECK(up == lowest_free());
        if (up < MODEL_IDS) {
                live[up] = true;
                guest[up] = g;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Idmap m;

        if (size > 3 * 2048)
                return 0;
        memset(live, 0, sizeof(live));
        memset(guest, 0, sizeof(guest));
        live[1] = true;
        guest[1] = WIRE_DISPLAY_ID;
        CHECK(idmap_init(&m) == 0);
        for (; size >= 3; data += 3, size -= 3) {
                uint32_t id = (uint32_t) (data[1] | data[2] << 8), g = id * 257u, up, back;
                const struct wl_interface *own;
                int r;

                switch (data[0] % 4) {
                case 0:
                        r = idmap_add_guest(&m, g, &up);
                        if (g == 0 || g >= WIRE_SERVER_ID_START)
                                CHECK(r == -EINVAL);
                        else if (r == 0)
                                check_new(up, g);
                        else if (g > IDMAP_IDS_MAX)
                                CHECK(r == -EMFILE);
                        else
                                CHECK(r == -EEXIST && idmap_to_upstream(&m, g) != 0);
                        break;
                case 1:
                        CHECK(idmap_add_own(&m, &own_interface, &up) == 0);
                        check_new(up, 0);
                        break;
                case 2:
                        r = idmap_delete(&m, id, &back);
                        if (id >= 2 && id < MODEL_IDS && live[id]) {
                                CHECK(r == 0 && back == guest[id]);
                                live[id] = false;
                                CHECK(back == 0 || idmap_to_upstream(&m, back) == 0);
                        } else
                                CHECK(r == -ENOENT);
                        break;
                default:
                        back = idmap_to_guest(&m, id, &own);
                        if (id < MODEL_IDS && live[id] && id != 0) {
                                CHECK(back == guest[id]);
                                CHECK(!own == (guest[id] != 0));
                                if (back != 0)
                                        CHECK(idmap_to_upstream(&m, back) == id);
                        } else
                                CHECK(back == 0 && !own);
                        up = idmap_to_upstream(&m, g);
                        if (up != 0 && g < WIRE_SERVER_ID_START)
                                CHECK(up < MODEL_IDS && live[up] && guest[up] == g);
                }
        }
        idmap_finish(&m);
        return 0;
}

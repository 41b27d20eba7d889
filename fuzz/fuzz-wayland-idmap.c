/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-wayland-idmap.c: the guest/compositor id translation (src/wayland/idmap.c) against a
 * model. Input: 3-byte operations [op][id u16 LE]: op % 6 = 0 the guest creates id, 1 the fence
 * creates an object, 2 the compositor sends delete_id(id), 3 lookups of id both ways, 4 the
 * compositor creates WIRE_SERVER_ID_START + id (hidden), 5 the fence creates an object in the
 * guest's compositor range, or the guest destroys WIRE_SERVER_ID_START + id there. Guest ids
 * come from the whole 32-bit space (id * 257 spreads them). Every new upstream id must be the
 * lowest one not live, as libwayland-server requires, and every new id in the guest's
 * compositor range the lowest free one, as libwayland-client requires; the two directions must
 * stay inverse; no compositor id ever maps to a guest id nor a guest one to it. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "idmap.h"
#include "macro.h"
#include "wire.h"

#define MODEL_IDS 4096u

static const struct wl_interface own_interface = { .name = "fuzz_own", .version = 1 };
static bool live[MODEL_IDS];       /* upstream ids, model */
static uint32_t guest[MODEL_IDS];  /* upstream id -> guest id, 0: own */
static bool own_server[MODEL_IDS]; /* the guest's compositor range, index id - start */
static const struct wl_interface *hidden[MODEL_IDS]; /* the compositor's, index id - start */

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

static uint32_t lowest_free_server(void) {
        for (uint32_t i = 0; i < MODEL_IDS; i++)
                if (!own_server[i])
                        return WIRE_SERVER_ID_START + i;
        return WIRE_SERVER_ID_START + MODEL_IDS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Idmap m;

        if (size > 3 * 2048)
                return 0;
        memset(live, 0, sizeof(live));
        memset(guest, 0, sizeof(guest));
        memset(own_server, 0, sizeof(own_server));
        memset(hidden, 0, sizeof(hidden));
        live[1] = true;
        guest[1] = WIRE_DISPLAY_ID;
        CHECK(idmap_init(&m) == 0);
        for (; size >= 3; data += 3, size -= 3) {
                uint32_t id = (uint32_t) (data[1] | data[2] << 8), g = id * 257u, up, back;
                uint32_t sid = id % MODEL_IDS; /* compositor-range ids: start + sid */
                const struct wl_interface *own;
                int r;

                switch (data[0] % 6) {
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
                case 4:
                        hidden[sid] = data[0] & 0x80 ? &own_interface : NULL;
                        CHECK(idmap_add_hidden(&m, WIRE_SERVER_ID_START + sid, hidden[sid]) == 0);
                        break;
                case 5:
                        if (data[0] & 0x80) {
                                r = idmap_delete_own_server(&m, WIRE_SERVER_ID_START + sid);
                                CHECK((r == 0) == own_server[sid]);
                                own_server[sid] = false;
                                break;
                        }
                        CHECK(idmap_add_own_server(&m, &up) == 0);
                        CHECK(up == lowest_free_server());
                        own_server[up - WIRE_SERVER_ID_START] = true;
                        break;
                default:
                        back = idmap_to_guest(&m, WIRE_SERVER_ID_START + sid, &own);
                        CHECK(back == 0 && own == hidden[sid]);
                        CHECK(idmap_to_upstream(&m, WIRE_SERVER_ID_START + sid) == 0);
                        CHECK(idmap_is_own_server(&m, WIRE_SERVER_ID_START + sid) ==
                                        own_server[sid]);
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registry.c: the allowlist of globals and the per-connection registry filter. Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "registry.h"
#include "viewporter-server-protocol.h"
#include "wayland-server-protocol.h"
#include "xdg-decoration-server-protocol.h"
#include "xdg-shell-server-protocol.h"

/* What a window needs, and nothing that reaches other clients or the whole screen: no screen
 * capture, layer shell, virtual input, foreign-toplevel, data-control, input-method, session lock
 * or activation. wl_data_device_manager is shown because common clients (foot) refuse to start
 * without it, but filter.c isolates it: no selection or drag crosses in either direction. The
 * primary selection stays hidden until the two-level clipboard (issue #15) filters it too. */
static const RegistryAllowed allowlist[] = {
        { &wl_compositor_interface, 5 },
        { &wl_subcompositor_interface, 1 },
        { &wl_shm_interface, 1 },
        { &wl_seat_interface, 8 },
        { &wl_output_interface, 4 },
        { &xdg_wm_base_interface, 5 },
        { &zxdg_decoration_manager_v1_interface, 1 },
        { &wp_viewporter_interface, 1 },
        { &wl_data_device_manager_interface, 3 },
};

const RegistryAllowed *registry_allowlist(size_t *ret_n) {
        *ret_n = ELEMENTSOF(allowlist);
        return allowlist;
}

const RegistryAllowed *registry_allowed_find(const char *interface) {
        for (size_t i = 0; i < ELEMENTSOF(allowlist); i++)
                if (streq(allowlist[i].interface->name, interface))
                        return &allowlist[i];
        return NULL;
}

void registry_finish(Registry *r) {
        free(r->globals);
        *r = (Registry){};
}

static RegistryGlobal *find(const Registry *r, uint32_t name) {
        for (size_t i = 0; i < r->n_globals; i++)
                if (r->globals[i].name == name)
                        return &r->globals[i];
        return NULL;
}

int registry_global(Registry *r, uint32_t name, const char *interface, uint32_t version,
                uint32_t *ret_version) {
        const RegistryAllowed *a = registry_allowed_find(interface);
        RegistryGlobal *g = find(r, name);

        if (!g) {
                if (r->n_globals >= REGISTRY_GLOBALS_MAX)
                        return -EMFILE;
                g = reallocarray(r->globals, r->n_globals + 1, sizeof(RegistryGlobal));
                if (!g)
                        return -ENOMEM;
                r->globals = g;
                g = &r->globals[r->n_globals++];
        }
        *g = (RegistryGlobal){ .name = name };
        if (!a || version == 0)
                return 0;
        g->interface = a->interface;
        g->version = MIN(version, a->version_max);
        *ret_version = g->version;
        return 1;
}

int registry_global_remove(const Registry *r, uint32_t name) {
        const RegistryGlobal *g = find(r, name);

        return g && g->interface;
}

int registry_bind(const Registry *r, uint32_t name, const char *interface, uint32_t version,
                const struct wl_interface **ret) {
        const RegistryGlobal *g = find(r, name);

        if (!g || !g->interface || !interface || !streq(g->interface->name, interface))
                return -EPERM;
        if (version == 0 || version > g->version)
                return -ERANGE;
        *ret = g->interface;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registry.h: the allowlist of globals a guest may see, and the registry filter of one
 * connection: which upstream global names were shown (and at which version) and which hidden.
 * Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wayland-util.h>

/* Globals one compositor connection may announce; sway offers about 40. */
#define REGISTRY_GLOBALS_MAX 1024u

typedef struct RegistryAllowed {
        const struct wl_interface *interface;
        uint32_t version_max; /* never above interface->version: the decoder's tables stop there */
} RegistryAllowed;

typedef struct RegistryGlobal {
        uint32_t name;
        const struct wl_interface *interface; /* NULL: hidden */
        uint32_t version;                     /* as announced to the client, capped */
} RegistryGlobal;

typedef struct Registry {
        RegistryGlobal *globals;
        size_t n_globals;
} Registry;

/* The allowlist; ret_n: its length. */
const RegistryAllowed *registry_allowlist(size_t *ret_n);
/* The allowlist entry named interface, or NULL. */
const RegistryAllowed *registry_allowed_find(const char *interface);

void registry_finish(Registry *r);

/* wl_registry.global from the compositor: returns 1 and the version to announce in *ret_version if
 * the global is shown, 0 if it is hidden, -EMFILE past REGISTRY_GLOBALS_MAX. A name announced
 * again (one event per wl_registry object) keeps its entry. */
int registry_global(Registry *r, uint32_t name, const char *interface, uint32_t version,
                uint32_t *ret_version);

/* wl_registry.global_remove: 1 if the client saw the name (forward the event), 0 if not. The
 * entry stays: another wl_registry object gets the same event, and a bind racing the removal is
 * the compositor's to answer. */
int registry_global_remove(const Registry *r, uint32_t name);

/* wl_registry.bind from the client: the interface to track the new object as. -EPERM: a hidden
 * or unknown name, or an interface other than the one announced under it; -ERANGE: version 0 or
 * above the announced one. */
int registry_bind(const Registry *r, uint32_t name, const char *interface, uint32_t version,
                const struct wl_interface **ret);

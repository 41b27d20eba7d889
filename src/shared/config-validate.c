/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-validate.c: rules that span options or VMs: unique VM names, TAP names and PCI
 * devices, and a dependsOn graph without unknown names, self-references or cycles. Pure. */
#include <stdio.h>
#include <string.h>

#include "config-internal.h"
#include "strv.h"

/* "nixosVms[i]<suffix>", NULL on OOM. */
static char *vm_path(size_t i, const char *suffix) {
        char *p;

        if (asprintf(&p, "nixosVms[%zu]%s", i, suffix) < 0)
                return NULL;
        return p;
}

static char *interface_path(size_t vm_index, const char *ifname) {
        _cleanup_(freep) char *base = vm_path(vm_index, ".network.interfaces");

        return base ? config_path_key(base, ifname) : NULL;
}

static int check_unique_names(const Config *c, ConfigErrors *e) {
        for (size_t i = 0; i < c->n_vms; i++) {
                _cleanup_(freep) char *p = NULL;
                const VmConfig *first = config_find_vm(c, c->vms[i].name);

                if (!c->vms[i].name || first == &c->vms[i])
                        continue;
                p = vm_path(i, ".name");
                if (!p || config_error_add(e, 0, 0, p,
                                          "duplicate VM name '%s' (also nixosVms[%zu])",
                                          c->vms[i].name, (size_t) (first - c->vms)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Finds an earlier interface (in config order) with the same TAP name as vms[vi].interfaces[ii]. */
static bool find_tap_owner(const Config *c, size_t vi, size_t ii, size_t *ret_vm, size_t *ret_if) {
        const char *tap = c->vms[vi].interfaces[ii].tap_name;

        for (size_t v = 0; v <= vi; v++)
                for (size_t i = 0; i < (v == vi ? ii : c->vms[v].n_interfaces); i++)
                        if (streq_ptr(c->vms[v].interfaces[i].tap_name, tap)) {
                                *ret_vm = v;
                                *ret_if = i;
                                return true;
                        }
        return false;
}

static int check_unique_taps(const Config *c, ConfigErrors *e) {
        for (size_t v = 0; v < c->n_vms; v++)
                for (size_t i = 0; i < c->vms[v].n_interfaces; i++) {
                        const NetInterface *iface = &c->vms[v].interfaces[i];
                        _cleanup_(freep) char *p = NULL, *other = NULL;
                        size_t ov, oi;

                        if (!iface->tap_name || !find_tap_owner(c, v, i, &ov, &oi))
                                continue;
                        p = interface_path(v, iface->name);
                        other = interface_path(ov, c->vms[ov].interfaces[oi].name);
                        if (!p || !other ||
                                        config_error_add(e, 0, 0, p,
                                                        "TAP name '%s' is already used by %s",
                                                        iface->tap_name, other) < 0)
                                return -ENOMEM;
                }
        return 0;
}

/* Finds an earlier pciDevices entry (in config order) with the same address. */
static bool find_pci_owner(const Config *c, size_t vi, size_t di, size_t *ret_vm) {
        const char *a = c->vms[vi].pci_devices[di].address;

        for (size_t v = 0; v <= vi; v++)
                for (size_t d = 0; d < (v == vi ? di : c->vms[v].n_pci_devices); d++)
                        if (streq_ptr(c->vms[v].pci_devices[d].address, a)) {
                                *ret_vm = v;
                                return true;
                        }
        return false;
}

static int check_unique_pci(const Config *c, ConfigErrors *e) {
        for (size_t v = 0; v < c->n_vms; v++)
                for (size_t d = 0; d < c->vms[v].n_pci_devices; d++) {
                        const char *a = c->vms[v].pci_devices[d].address;
                        _cleanup_(freep) char *suffix = NULL, *p = NULL;
                        size_t ov;

                        if (!a || !find_pci_owner(c, v, d, &ov))
                                continue;
                        if (asprintf(&suffix, ".pciDevices[%zu].path", d) < 0)
                                return -ENOMEM;
                        p = vm_path(v, suffix);
                        if (!p || config_error_add(e, 0, 0, p,
                                                  "PCI device %s is already passed through to "
                                                  "nixosVms[%zu] ('%s')",
                                                  a, ov, strna(c->vms[ov].name)) < 0)
                                return -ENOMEM;
                }
        return 0;
}

static int check_depends_names(const Config *c, size_t v, ConfigErrors *e) {
        const VmConfig *vm = &c->vms[v];

        for (size_t i = 0; vm->depends_on[i]; i++) {
                _cleanup_(freep) char *suffix = NULL, *p = NULL;
                const char *dep = vm->depends_on[i];
                int r = 0;

                if (asprintf(&suffix, ".dependsOn[%zu]", i) < 0)
                        return -ENOMEM;
                p = vm_path(v, suffix);
                if (!p)
                        return -ENOMEM;
                if (streq_ptr(dep, vm->name))
                        r = config_error_add(e, 0, 0, p, "VM '%s' cannot depend on itself", dep);
                else if (!config_find_vm(c, dep))
                        r = config_error_add(e, 0, 0, p, "unknown VM '%s'", dep);
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef struct DepsWalk {
        const Config *config;
        ConfigErrors *errors;
        uint8_t *mark; /* per VM: 0 unvisited, 1 on the current path, 2 done */
        size_t *stack; /* the current path, VM indices */
        size_t depth;
} DepsWalk;

/* Records "a -> b -> a" for the cycle that closes at stack entry `from`. */
static int report_cycle(DepsWalk *w, size_t from, size_t closing) {
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_(freep) char *chain = NULL, *p = NULL;

        for (size_t i = from; i < w->depth; i++)
                if (strv_extend(&names, w->config->vms[w->stack[i]].name) < 0)
                        return -ENOMEM;
        if (strv_extend(&names, w->config->vms[closing].name) < 0)
                return -ENOMEM;
        chain = strv_join(names, " -> ");
        p = vm_path(w->stack[from], ".dependsOn");
        if (!chain || !p)
                return -ENOMEM;
        return config_error_add(w->errors, 0, 0, p, "dependency cycle: %s", chain);
}

static int deps_visit(DepsWalk *w, size_t v) {
        const VmConfig *vm = &w->config->vms[v];
        int r;

        w->mark[v] = 1;
        w->stack[w->depth++] = v;
        for (size_t i = 0; vm->depends_on[i]; i++) {
                const VmConfig *dep = config_find_vm(w->config, vm->depends_on[i]);
                size_t d;

                if (!dep || dep == vm)
                        continue; /* reported by check_depends_names() */
                d = (size_t) (dep - w->config->vms);
                if (w->mark[d] == 1) {
                        size_t from = 0;

                        while (w->stack[from] != d)
                                from++;
                        r = report_cycle(w, from, d);
                } else
                        r = w->mark[d] == 0 ? deps_visit(w, d) : 0;
                if (r < 0)
                        return r;
        }
        w->depth--;
        w->mark[v] = 2;
        return 0;
}

static int check_depends(const Config *c, ConfigErrors *e) {
        _cleanup_(freep) uint8_t *mark = NULL;
        _cleanup_(freep) size_t *stack = NULL;
        DepsWalk w;
        int r;

        for (size_t v = 0; v < c->n_vms; v++) {
                r = check_depends_names(c, v, e);
                if (r < 0)
                        return r;
        }
        mark = calloc(c->n_vms ?: 1, sizeof(uint8_t));
        stack = calloc(c->n_vms ?: 1, sizeof(size_t));
        if (!mark || !stack)
                return -ENOMEM;
        w = (DepsWalk){ .config = c, .errors = e, .mark = mark, .stack = stack };
        for (size_t v = 0; v < c->n_vms; v++) {
                if (mark[v] != 0 || !c->vms[v].name)
                        continue;
                r = deps_visit(&w, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

int config_validate(const Config *c, ConfigErrors *e) {
        int r;

        r = check_unique_names(c, e);
        if (r >= 0)
                r = check_unique_taps(c, e);
        if (r >= 0)
                r = check_unique_pci(c, e);
        if (r >= 0)
                r = check_depends(c, e);
        return r;
}

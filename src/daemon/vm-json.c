/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-json.c: the VM object of the control protocol (docs/daemon-sockets.md), from its
 * configuration and state. */
#include "vm-json.h"
#include "companion.h"
#include "strv.h"
#include "time-util.h"
#include "tray-companion.h"
#include "vmm.h"

static json_t *vm_interfaces_to_json(const VmConfig *c) {
        json_t *list = json_array();

        for (size_t i = 0; list && i < c->n_interfaces; i++) {
                const NetInterface *ifc = &c->interfaces[i];
                char mac[PLAN_MAC_STRING_MAX];
                json_t *addresses = json_array();

                STRV_FOREACH(a, ifc->addresses)
                        json_array_append_new(addresses, json_string(*a));
                STRV_FOREACH(a, ifc->v6_addresses)
                        json_array_append_new(addresses, json_string(*a));
                json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}", "name", ifc->name,
                                                            "tap", ifc->tap_name, "mac",
                                                            plan_format_mac(ifc->mac, mac),
                                                            "addresses", addresses));
        }
        return list;
}

json_t *vm_to_json(const Vm *vm) {
        const VmConfig *c = vm->config;
        bool up = vm->state == VM_RUNNING;
        json_t *o;

        o = json_pack("{s:s, s:s, s:s?, s:o, s:o, s:I, s:i, s:i, s:I, s:s, s:s?, s:o, s:o, s:o, "
                      "s:o}",
                        "name", c->name, "state", vm_state_to_string(vm->state), "reason",
                        vm->state == VM_FAILED ? vm->failure_reason : NULL, "pid",
                        vm->pid > 0 ? json_integer(vm->pid) : json_null(), "uptime_sec",
                        up ? json_integer((json_int_t) ((now_usec() - vm->running_since_usec) /
                                                        1000000ULL))
                           : json_null(),
                        "memory_mib", (json_int_t) c->memory_mib, "cpus", (int) c->cpus, "sessions",
                        (int) vm->live_sessions, "clients", (json_int_t) vm->n_relays, "vmm",
                        vmm_kind_to_string(config_vm_vmm(
                                        vm->manager->config, c, vm->manager->crosvm_available)),
                        "accel", (const char *) NULL, "auto_shutdown_sec",
                        c->auto_shutdown ? json_integer((json_int_t) c->auto_shutdown_after_sec)
                                         : json_null(),
                        "interfaces", vm_interfaces_to_json(c), "gui",
                        vm->companions ? companions_to_json(vm->companions) : json_null(), "tray",
                        vm->tray ? tray_companion_to_json(vm->tray) : json_null());
        /* "accel" stays null where the backend has none to show. */
        if (o && vm_state_has_vmm(vm->state) && vm->backend && vm->ops->status)
                vm->ops->status(vm, o);
        return o;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-format.c: the normalised configuration as JSON: every option with its effective value
 * (defaults filled in) in the order of the option tables, plus derived values (colorRgb,
 * textColor, sharedHomePath, filled-in macAddress and tap.name, sizeBytes, …). Pure. */
#include <stdio.h>

#include <jansson.h>

#include "config-internal.h"

/* Builders never fail half-way: a failed allocation sets *oom and the caller checks it once at
 * the end. json_object_set_new() consumes v even on failure and accepts a NULL object. */
static void put(json_t *o, const char *key, json_t *v, bool *oom) {
        if (!v || json_object_set_new(o, key, v) < 0)
                *oom = true;
}

static void append(json_t *a, json_t *v, bool *oom) {
        if (!v || json_array_append_new(a, v) < 0)
                *oom = true;
}

static json_t *string_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

static json_t *strv_to_json(char *const *l, bool *oom) {
        json_t *a = json_array();

        for (size_t i = 0; l && l[i]; i++)
                append(a, json_string(l[i]), oom);
        return a;
}

static json_t *rgb_to_json(uint32_t rgb) {
        char buf[8];

        (void) snprintf(buf, sizeof(buf), "#%06x", rgb & 0xffffff);
        return json_string(buf);
}

static void put_options(json_t *o, const KeyValueList *l, bool *oom) {
        for (size_t i = 0; i < l->n_items; i++)
                put(o, l->items[i].key, json_string(l->items[i].value), oom);
}

static json_t *crosvm_to_json(const CrosvmOptions *crosvm, bool *oom) {
        json_t *o = json_object();

        put(o, "logLevel", string_or_null(crosvm->log_level), oom);
        put(o, "extraArgs", strv_to_json(crosvm->extra_args, oom), oom);
        put(o, "extraRunArgs", strv_to_json(crosvm->extra_run_args, oom), oom);
        return o;
}

static json_t *routes_to_json(const Route *routes, size_t n, bool *oom) {
        json_t *o = json_object();

        for (size_t i = 0; i < n; i++) {
                json_t *r = json_object();

                put(r, "via", json_string(routes[i].via), oom);
                put(o, routes[i].destination, r, oom);
        }
        return o;
}

static json_t *host_ports_to_json(const HostPort *ports, size_t n, bool *oom) {
        json_t *a = json_array();

        for (size_t i = 0; i < n; i++) {
                char s[sizeof("tcp/65535")];

                (void) snprintf(s, sizeof(s), "%s/%u", ports[i].udp ? "udp" : "tcp",
                                (unsigned) ports[i].port);
                if (a)
                        append(a, json_string(s), oom);
        }
        return a;
}

static json_t *interface_to_json(const NetInterface *iface, bool *oom) {
        json_t *o = json_object(), *tap = json_object();
        char mac[18];
        const uint8_t *m = iface->mac;

        (void) snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
                        m[4], m[5]);
        put(o, "type", json_string("tap"), oom);
        put(o, "macAddress", json_string(mac), oom);
        put(tap, "name", string_or_null(iface->tap_name), oom);
        put(tap, "hostAddress", string_or_null(iface->tap_host_address), oom);
        put(tap, "bridge", string_or_null(iface->tap_bridge), oom);
        put(tap, "allowedHostPorts",
                        host_ports_to_json(iface->tap_allowed_host_ports,
                                        iface->n_tap_allowed_host_ports, oom),
                        oom);
        put(o, "tap", tap, oom);
        put(o, "dhcp", json_boolean(iface->dhcp), oom);
        put(o, "addresses", strv_to_json(iface->addresses, oom), oom);
        put(o, "routes", routes_to_json(iface->routes, iface->n_routes, oom), oom);
        put(o, "v6Addresses", strv_to_json(iface->v6_addresses, oom), oom);
        put(o, "v6Routes", routes_to_json(iface->v6_routes, iface->n_v6_routes, oom), oom);
        return o;
}

static json_t *network_to_json(const VmConfig *vm, bool *oom) {
        json_t *o = json_object(), *ifs = json_object();

        put(o, "nameservers", strv_to_json(vm->nameservers, oom), oom);
        for (size_t i = 0; i < vm->n_interfaces; i++)
                put(ifs, vm->interfaces[i].name, interface_to_json(&vm->interfaces[i], oom), oom);
        put(o, "interfaces", ifs, oom);
        return o;
}

static json_t *disk_to_json(const DiskConfig *d, bool *oom) {
        json_t *o = json_object();

        put(o, "path", string_or_null(d->path), oom);
        put_options(o, &d->options, oom);
        return o;
}

static json_t *switch_to_json(const DeviceSwitch *s, bool *oom) {
        json_t *o;

        if (!s->custom)
                return json_boolean(s->enabled);
        o = json_object();
        put_options(o, &s->options, oom);
        return o;
}

static json_t *shared_home_to_json(const VmConfig *vm) {
        if (vm->shared_home_mode == SHARED_HOME_PATH)
                return json_string(vm->shared_home_path);
        return json_boolean(vm->shared_home_mode == SHARED_HOME_DEFAULT);
}

static json_t *devices_to_json(const VmConfig *vm, const char *which, bool *oom) {
        json_t *a = json_array();

        if (streq(which, "additionalDisks"))
                for (size_t i = 0; i < vm->n_additional_disks; i++)
                        append(a, disk_to_json(&vm->additional_disks[i], oom), oom);
        else if (streq(which, "sharedDirectories"))
                for (size_t i = 0; i < vm->n_shared_directories; i++) {
                        json_t *o = json_object();

                        put(o, "path", string_or_null(vm->shared_directories[i].path), oom);
                        put(o, "tag", string_or_null(vm->shared_directories[i].tag), oom);
                        put_options(o, &vm->shared_directories[i].options, oom);
                        append(a, o, oom);
                }
        else if (streq(which, "pciDevices"))
                for (size_t i = 0; i < vm->n_pci_devices; i++) {
                        json_t *o = json_object();

                        put(o, "path", string_or_null(vm->pci_devices[i].address), oom);
                        put(o, "sysfsPath", string_or_null(vm->pci_devices[i].sysfs_path), oom);
                        put_options(o, &vm->pci_devices[i].options, oom);
                        append(a, o, oom);
                }
        else
                for (size_t i = 0; i < vm->n_vhost_user; i++) {
                        json_t *o = json_object();

                        put_options(o, &vm->vhost_user[i], oom);
                        append(a, o, oom);
                }
        return a;
}

static void put_vm_basics(json_t *o, const VmConfig *vm, bool *oom) {
        json_t *as = json_object();

        put(o, "name", string_or_null(vm->name), oom);
        put(o, "memory", json_integer((json_int_t) vm->memory_mib), oom);
        put(o, "cpus", json_integer(vm->cpus), oom);
        put(o, "color", json_string(vm->color), oom);
        put(o, "colorRgb", rgb_to_json(vm->color_rgb), oom);
        put(o, "frameWidth", json_integer(vm->frame_width), oom);
        put(o, "textColor", rgb_to_json(vm->text_rgb), oom);
        put(o, "network", network_to_json(vm, oom), oom);
        put(as, "enable", json_boolean(vm->auto_shutdown), oom);
        put(as, "after", json_integer((json_int_t) vm->auto_shutdown_after_sec), oom);
        put(o, "autoShutdown", as, oom);
        put(o, "autoStart", json_boolean(vm->auto_start), oom);
        put(o, "tray", json_boolean(vm->tray), oom);
        put(o, "dependsOn", strv_to_json(vm->depends_on, oom), oom);
}

static void put_vm_disks(json_t *o, const VmConfig *vm, bool *oom) {
        put(o, "additionalDisks", devices_to_json(vm, "additionalDisks", oom), oom);
        put(o, "rootDisk", vm->root_disk ? disk_to_json(vm->root_disk, oom) : json_null(), oom);
        put(o, "kernel", string_or_null(vm->kernel), oom);
        put(o, "initramfs", string_or_null(vm->initramfs), oom);
        put(o, "rootDiskReadonly", json_boolean(vm->root_disk_readonly), oom);
        put(o, "sharedHome", shared_home_to_json(vm), oom);
        put(o, "sharedHomePath", string_or_null(vm->shared_home_path), oom);
        put(o, "kernelParams", strv_to_json(vm->kernel_params, oom), oom);
}

static void put_vm_devices(json_t *o, const VmConfig *vm, bool *oom) {
        json_t *overlay = json_object();

        put(o, "gpu", switch_to_json(&vm->gpu, oom), oom);
        put(o, "sound", switch_to_json(&vm->sound, oom), oom);
        put(o, "sharedDirectories", devices_to_json(vm, "sharedDirectories", oom), oom);
        put(o, "pciDevices", devices_to_json(vm, "pciDevices", oom), oom);
        put(o, "guestPrograms", strv_to_json(vm->guest_programs, oom), oom);
        put(o, "guestConfig", strv_to_json(vm->guest_config, oom), oom);
        put(o, "vhostUser", devices_to_json(vm, "vhostUser", oom), oom);
        put(o, "crosvm", crosvm_to_json(&vm->crosvm, oom), oom);
        put(overlay, "type", json_string(overlay_type_to_string(vm->root_overlay_type)), oom);
        put(overlay, "size", json_string(vm->root_overlay_size), oom);
        put(overlay, "sizeBytes", json_integer((json_int_t) vm->root_overlay_size_bytes), oom);
        put(o, "rootOverlay", overlay, oom);
        put(o, "waylandProxy", json_string(vm->wayland_proxy), oom);
        put(o, "vmm", json_string(vmm_kind_to_string(vm->vmm)), oom);
        put(o, "acceleration", json_string(accel_kind_to_string(vm->accel)), oom);
}

static json_t *vm_to_json(const VmConfig *vm, bool *oom) {
        json_t *o = json_object();

        put_vm_basics(o, vm, oom);
        put_vm_disks(o, vm, oom);
        put_vm_devices(o, vm, oom);
        return o;
}

static json_t *balloond_to_json(const BalloondOptions *b, bool *oom) {
        json_t *o = json_object();

        put(o, "logLevel", json_string(b->log_level), oom);
        put(o, "pollInterval", json_string(b->poll_interval), oom);
        put(o, "pollIntervalUsec", json_integer((json_int_t) b->poll_interval_usec), oom);
        put(o, "criticalHostPercent", json_integer(b->critical_host_percent), oom);
        put(o, "guestAvailableBias", json_string(b->guest_available_bias), oom);
        put(o, "guestAvailableBiasBytes", json_integer((json_int_t) b->guest_available_bias_bytes),
                        oom);
        put(o, "extraArgs", strv_to_json(b->extra_args, oom), oom);
        return o;
}

static json_t *config_to_json(const Config *c, bool *oom) {
        json_t *o = json_object(), *hn = json_object(), *nat = json_object();
        json_t *vms = json_array(), *tray = json_object();

        put(o, "enable", json_boolean(c->enable), oom);
        put(o, "user", string_or_null(c->user), oom);
        put(nat, "enable", json_boolean(c->nat_enable), oom);
        put(nat, "interface", json_string(c->nat_interface), oom);
        put(hn, "nat", nat, oom);
        put(o, "hostNetworking", hn, oom);
        for (size_t i = 0; i < c->n_vms; i++)
                append(vms, vm_to_json(&c->vms[i], oom), oom);
        put(o, "nixosVms", vms, oom);
        put(o, "enableBashIntegration", json_boolean(c->enable_bash_integration), oom);
        put(o, "crosvm", crosvm_to_json(&c->crosvm, oom), oom);
        put(o, "vmsilo-balloond", balloond_to_json(&c->balloond, oom), oom);
        put(tray, "logLevel", json_string(c->tray_log_level), oom);
        put(o, "vmsilo-tray", tray, oom);
        put(o, "isolatedPciDevices", strv_to_json(c->isolated_pci_devices, oom), oom);
        put(o, "vmm", json_string(vmm_kind_to_string(c->vmm)), oom);
        put(o, "acceleration", json_string(accel_kind_to_string(c->accel)), oom);
        put(o, "waylandDisplay", string_or_null(c->wayland_display), oom);
        put(o, "frameWidth", json_integer(c->frame_width), oom);
        put(o, "clipboardCopyKey", json_string(c->clipboard_copy_key), oom);
        put(o, "clipboardPasteKey", json_string(c->clipboard_paste_key), oom);
        return o;
}

int config_format_json(const Config *c, char **ret) {
        _cleanup_(json_decrefp) json_t *o = NULL;
        bool oom = false;
        char *s;

        o = config_to_json(c, &oom);
        if (!o || oom)
                return -ENOMEM;
        s = json_dumps(o, JSON_INDENT(2));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

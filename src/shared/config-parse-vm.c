/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-parse-vm.c: one nixosVms item, JSON -> VmConfig, with its defaults. */
#include <stdio.h>
#include <string.h>

#include "config-internal.h"
#include "parse-util.h"
#include "strv.h"

#define AUTO_SHUTDOWN_AFTER_SEC_MAX UINT32_MAX

static const char *const vm_keys[] = {
        "name",
        "memory",
        "cpus",
        "color",
        "frameWidth",
        "network",
        "autoShutdown",
        "autoStart",
        "tray",
        "dependsOn",
        "additionalDisks",
        "rootDisk",
        "kernel",
        "initramfs",
        "rootDiskReadonly",
        "sharedHome",
        "kernelParams",
        "gpu",
        "sound",
        "sharedDirectories",
        "pciDevices",
        "guestPrograms",
        "guestConfig",
        "vhostUser",
        "crosvm",
        "rootOverlay",
        "waylandProxy",
        "vmm",
        "acceleration",
        NULL,
};

static const char *const wayland_proxies[] = { "wayland-proxy-virtwl", "sommelier", "waypipe",
        NULL };
static const char *const overlay_types[] = { "qcow2", "tmpfs", NULL };

int config_vm_init_defaults(VmConfig *vm) {
        *vm = (VmConfig){
                .memory_mib = 1024,
                .cpus = 2,
                .color_rgb = 0xff0000,
                .auto_shutdown_after_sec = 60,
                .tray = true,
                .root_disk_readonly = true,
                .shared_home_mode = SHARED_HOME_DEFAULT,
                .gpu = { .enabled = true },
                .sound = { .enabled = true },
                .root_overlay_type = OVERLAY_QCOW2,
                .root_overlay_size_bytes = UINT64_C(10) << 30,
                .vmm = VMM_AUTO,
                .accel = ACCEL_AUTO,
        };
        vm->color = strdup("red");
        vm->nameservers = strv_new_empty();
        vm->depends_on = strv_new_empty();
        vm->kernel_params = strv_new_empty();
        vm->guest_programs = strv_new_empty();
        vm->guest_config = strv_new_empty();
        vm->crosvm.extra_args = strv_new_empty();
        vm->crosvm.extra_run_args = strv_new_empty();
        vm->root_overlay_size = strdup("10G");
        vm->wayland_proxy = strdup(wayland_proxies[0]);
        if (!vm->color || !vm->nameservers || !vm->depends_on || !vm->kernel_params ||
                        !vm->guest_programs || !vm->guest_config || !vm->crosvm.extra_args ||
                        !vm->crosvm.extra_run_args || !vm->root_overlay_size || !vm->wayland_proxy)
                return -ENOMEM;
        return 0;
}

static int parse_name(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        _cleanup_(freep) char *name = NULL, *p = config_path_key(path, "name");
        int r;

        if (!p)
                return -ENOMEM;
        if (!json_object_get(obj, "name"))
                return config_error_add(e, 0, 0, p, "required option is missing");
        r = config_json_string(e, path, obj, "name", false, &name);
        if (r <= 0)
                return r;
        if (!config_vm_name_is_valid(name))
                return config_error_add(e, 0, 0, p,
                                "'%s' is not a valid VM name (1-%d characters of a-z, 0-9, '_' "
                                "and '-', starting with a letter or digit)",
                                name, CONFIG_VM_NAME_MAX);
        vm->name = TAKE_PTR(name);
        return 0;
}

int config_parse_frame_width(json_t *obj, const char *path, uint32_t *ret, ConfigErrors *e) {
        uint64_t width = *ret;
        int r;

        r = config_json_uint(
                        e, path, obj, "frameWidth", 0, CONFIG_FRAME_WIDTH_MAX, " pixels", &width);
        *ret = (uint32_t) width;
        return r;
}

/* color, and frameWidth, the frame vmsilo-wayland draws in it */
static int parse_vm_color(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        _cleanup_(freep) char *color = NULL, *p = NULL;
        uint32_t rgb;
        int r;

        r = config_parse_frame_width(obj, path, &vm->frame_width, e);
        if (r < 0)
                return r;
        vm->frame_width_set = r > 0;
        r = config_json_string(e, path, obj, "color", false, &color);
        if (r <= 0)
                return r;
        if (parse_color(color, &rgb) < 0) {
                p = config_path_key(path, "color");
                if (!p)
                        return -ENOMEM;
                return config_error_add(e, 0, 0, p,
                                "'%s' is not a colour (a CSS colour name, '#rrggbb', '#rgb' or "
                                "'rgb(r,g,b)')",
                                color);
        }
        free(vm->color);
        vm->color = TAKE_PTR(color);
        vm->color_rgb = rgb;
        return 0;
}

static int parse_resources(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        uint64_t cpus = vm->cpus;
        int r;

        r = config_json_uint(e, path, obj, "memory", CONFIG_MEMORY_MIB_MIN, CONFIG_MEMORY_MIB_MAX,
                        " MiB", &vm->memory_mib);
        if (r >= 0)
                r = config_json_uint(e, path, obj, "cpus", 1, CONFIG_CPUS_MAX, "", &cpus);
        vm->cpus = (unsigned) cpus;
        return r;
}

static int parse_auto_shutdown(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        static const char *const keys[] = { "enable", "after", NULL };
        _cleanup_(freep) char *p = config_path_key(path, "autoShutdown");
        json_t *o;
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_object(e, path, obj, "autoShutdown", &o);
        if (r <= 0)
                return r;
        r = config_keys_check(e, p, o, keys);
        if (r >= 0)
                r = config_json_bool(e, p, o, "enable", &vm->auto_shutdown);
        if (r >= 0)
                r = config_json_uint(e, p, o, "after", 1, AUTO_SHUTDOWN_AFTER_SEC_MAX, " seconds",
                                &vm->auto_shutdown_after_sec);
        return r;
}

static int parse_shared_home(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        json_t *v = json_object_get(obj, "sharedHome");
        _cleanup_(freep) char *p = NULL;

        if (!v)
                return 0;
        if (json_is_boolean(v)) {
                vm->shared_home_mode = json_is_true(v) ? SHARED_HOME_DEFAULT : SHARED_HOME_DISABLED;
                return 0;
        }
        p = config_path_key(path, "sharedHome");
        if (!p)
                return -ENOMEM;
        if (!json_is_string(v))
                return config_error_add(e, 0, 0, p, "expected a boolean or a string, got %s",
                                config_json_type_name(v));
        if (!config_path_is_absolute(json_string_value(v)))
                return config_error_add(e, 0, 0, p, "must be an absolute path, got '%s'",
                                json_string_value(v));
        vm->shared_home_mode = SHARED_HOME_PATH;
        vm->shared_home_path = strdup(json_string_value(v));
        return vm->shared_home_path ? 0 : -ENOMEM;
}

/* guestConfig: one path or a list of paths, all absolute. */
static int parse_guest_config(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, "guestConfig");
        json_t *v = json_object_get(obj, "guestConfig");
        int r;

        if (!p)
                return -ENOMEM;
        if (json_is_string(v)) {
                r = strv_extend(&vm->guest_config, json_string_value(v));
                if (r < 0)
                        return r;
        } else if (v && !json_is_array(v))
                return config_error_add(e, 0, 0, p, "expected a path or a list of paths, got %s",
                                config_json_type_name(v));
        else {
                r = config_json_strv(e, path, obj, "guestConfig", &vm->guest_config);
                if (r <= 0)
                        return r;
        }
        for (size_t i = 0; vm->guest_config[i]; i++) {
                if (config_path_is_absolute(vm->guest_config[i]))
                        continue;
                _cleanup_(freep) char *pi = json_is_array(v) ? config_path_index(p, i) : strdup(p);

                if (!pi)
                        return -ENOMEM;
                r = config_error_add(e, 0, 0, pi, "must be an absolute path, got '%s'",
                                vm->guest_config[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_root_overlay(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        static const char *const keys[] = { "type", "size", NULL };
        _cleanup_(freep) char *p = config_path_key(path, "rootOverlay"), *ps = NULL;
        uint64_t bytes;
        json_t *o;
        int i, r;

        if (!p)
                return -ENOMEM;
        r = config_json_object(e, path, obj, "rootOverlay", &o);
        if (r <= 0)
                return r;
        r = config_keys_check(e, p, o, keys);
        if (r >= 0)
                r = config_parse_choice(e, p, o, "type", overlay_types, &i);
        if (r > 0)
                vm->root_overlay_type = overlay_type_from_string(overlay_types[i]);
        if (r >= 0)
                r = config_json_string(e, p, o, "size", false, &vm->root_overlay_size);
        if (r <= 0)
                return r;
        if (parse_size(vm->root_overlay_size, &bytes) < 0 || bytes == 0) {
                ps = config_path_key(p, "size");
                if (!ps)
                        return -ENOMEM;
                return config_error_add(e, 0, 0, ps,
                                "'%s' is not a positive size (e.g. '10G', '512m'; units k, m, "
                                "g, t)",
                                vm->root_overlay_size);
        }
        vm->root_overlay_size_bytes = bytes;
        return 0;
}

static int parse_wayland_proxy(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        int i, r;

        r = config_parse_choice(e, path, obj, "waylandProxy", wayland_proxies, &i);
        if (r <= 0)
                return r;
        free(vm->wayland_proxy);
        vm->wayland_proxy = strdup(wayland_proxies[i]);
        return vm->wayland_proxy ? 0 : -ENOMEM;
}

static int parse_lists(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        int r;

        r = config_json_strv(e, path, obj, "dependsOn", &vm->depends_on);
        if (r >= 0)
                r = config_json_strv(e, path, obj, "kernelParams", &vm->kernel_params);
        if (r >= 0)
                r = config_json_strv(e, path, obj, "guestPrograms", &vm->guest_programs);
        return r;
}

static int parse_flags(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        int r;

        r = config_json_bool(e, path, obj, "autoStart", &vm->auto_start);
        if (r >= 0)
                r = config_json_bool(e, path, obj, "rootDiskReadonly", &vm->root_disk_readonly);
        if (r >= 0)
                r = config_json_bool(e, path, obj, "tray", &vm->tray);
        return r;
}

static int parse_boot(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        int r;

        r = config_parse_abs_path(e, path, obj, "kernel", true, &vm->kernel);
        if (r >= 0)
                r = config_parse_abs_path(e, path, obj, "initramfs", true, &vm->initramfs);
        return r;
}

int config_parse_vm(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        int (*const steps[])(json_t *, const char *, VmConfig *, ConfigErrors *) = {
                parse_name,
                parse_resources,
                parse_vm_color,
                config_parse_network,
                parse_auto_shutdown,
                parse_flags,
                parse_lists,
                parse_boot,
                parse_shared_home,
                config_parse_devices,
                parse_guest_config,
                parse_root_overlay,
                parse_wayland_proxy,
        };
        int r;

        if (!json_is_object(obj))
                return config_error_add(e, 0, 0, path, "expected an object, got %s",
                                config_json_type_name(obj));
        r = config_keys_check(e, path, obj, vm_keys);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(steps); i++)
                r = steps[i](obj, path, vm, e);
        if (r >= 0)
                r = config_parse_crosvm(obj, path, true, &vm->crosvm, e);
        if (r >= 0)
                r = config_parse_vmm_accel(obj, path, &vm->vmm, &vm->accel, e);
        return r < 0 ? r : 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.c: the configuration object: loading entry points, error list, destructors, lookups
 * and enum string tables. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config-internal.h"
#include "log.h"
#include "strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, fclose);

static const char *const vmm_kind_table[_VMM_KIND_MAX] = {
        [VMM_AUTO] = "auto",
        [VMM_QEMU] = "qemu",
        [VMM_CROSVM] = "crosvm",
};

static const char *const accel_kind_table[_ACCEL_KIND_MAX] = {
        [ACCEL_AUTO] = "auto",
        [ACCEL_KVM] = "kvm",
        [ACCEL_TCG] = "tcg",
};

static const char *const overlay_type_table[_OVERLAY_TYPE_MAX] = {
        [OVERLAY_QCOW2] = "qcow2",
        [OVERLAY_TMPFS] = "tmpfs",
};

static int table_lookup(const char *const *table, int n, const char *s) {
        if (!s)
                return -EINVAL;
        for (int i = 0; i < n; i++)
                if (streq(table[i], s))
                        return i;
        return -EINVAL;
}

const char *vmm_kind_to_string(VmmKind k) {
        return k >= 0 && k < _VMM_KIND_MAX ? vmm_kind_table[k] : NULL;
}

VmmKind vmm_kind_from_string(const char *s) {
        return (VmmKind) table_lookup(vmm_kind_table, _VMM_KIND_MAX, s);
}

const char *accel_kind_to_string(AccelKind k) {
        return k >= 0 && k < _ACCEL_KIND_MAX ? accel_kind_table[k] : NULL;
}

AccelKind accel_kind_from_string(const char *s) {
        return (AccelKind) table_lookup(accel_kind_table, _ACCEL_KIND_MAX, s);
}

const char *overlay_type_to_string(OverlayType t) {
        return t >= 0 && t < _OVERLAY_TYPE_MAX ? overlay_type_table[t] : NULL;
}

OverlayType overlay_type_from_string(const char *s) {
        return (OverlayType) table_lookup(overlay_type_table, _OVERLAY_TYPE_MAX, s);
}

int config_error_add(
                ConfigErrors *e, int line, int column, const char *path, const char *format, ...) {
        _cleanup_(freep) char *p = NULL, *m = NULL;
        ConfigError *items;
        va_list ap;
        int r;

        p = strdup(path ?: "");
        if (!p)
                return -ENOMEM;
        va_start(ap, format);
        r = vasprintf(&m, format, ap);
        va_end(ap);
        if (r < 0) {
                m = NULL;
                return -ENOMEM;
        }
        items = reallocarray(e->items, e->n_items + 1, sizeof(ConfigError));
        if (!items)
                return -ENOMEM;
        e->items = items;
        e->items[e->n_items++] = (ConfigError){
                .path = TAKE_PTR(p),
                .message = TAKE_PTR(m),
                .line = line,
                .column = column,
        };
        return 0;
}

void config_errors_finish(ConfigErrors *e) {
        for (size_t i = 0; i < e->n_items; i++) {
                free(e->items[i].path);
                free(e->items[i].message);
        }
        free(e->items);
        *e = (ConfigErrors){};
}

int config_error_format(const ConfigError *e, const char *file, char **ret) {
        char location[32] = ""; /* "LINE:COL:" */
        const char *path = e->path ?: "", *separator = path[0] != '\0' ? ": " : "";
        char *s;

        if (e->line > 0)
                (void) snprintf(location, sizeof(location), "%d:%d:", e->line, e->column);
        if (asprintf(&s, "%s:%s %s%s%s", file, location, path, separator, e->message) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

void config_errors_print(const ConfigErrors *e, const char *file, FILE *f) {
        for (size_t i = 0; i < e->n_items; i++) {
                _cleanup_(freep) char *s = NULL;

                if (config_error_format(&e->items[i], file, &s) < 0)
                        (void) fprintf(f, "%s: %s\n", file, e->items[i].message);
                else
                        (void) fprintf(f, "%s\n", s);
        }
}

static bool key_is_identifier(const char *key) {
        if (!*key || isdigit((unsigned char) *key))
                return false;
        for (const char *p = key; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '_' && *p != '-')
                        return false;
        return true;
}

char *config_path_key(const char *parent, const char *key) {
        char *p;
        int r;

        if (!key_is_identifier(key))
                r = asprintf(&p, "%s[\"%s\"]", parent, key);
        else if (!parent || !*parent)
                r = asprintf(&p, "%s", key);
        else
                r = asprintf(&p, "%s.%s", parent, key);
        return r < 0 ? NULL : p;
}

char *config_path_index(const char *parent, size_t i) {
        char *p;

        if (asprintf(&p, "%s[%zu]", parent, i) < 0)
                return NULL;
        return p;
}

void key_value_list_finish(KeyValueList *l) {
        for (size_t i = 0; i < l->n_items; i++) {
                free(l->items[i].key);
                free(l->items[i].value);
        }
        free(l->items);
        *l = (KeyValueList){};
}

const char *key_value_list_get(const KeyValueList *l, const char *key) {
        for (size_t i = 0; i < l->n_items; i++)
                if (streq(l->items[i].key, key))
                        return l->items[i].value;
        return NULL;
}

static void routes_free(Route *routes, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(routes[i].destination);
                free(routes[i].via);
        }
        free(routes);
}

void net_interface_finish(NetInterface *i) {
        free(i->name);
        free(i->tap_name);
        free(i->tap_host_address);
        free(i->tap_bridge);
        free(i->tap_allowed_host_ports);
        strv_free(i->addresses);
        strv_free(i->v6_addresses);
        routes_free(i->routes, i->n_routes);
        routes_free(i->v6_routes, i->n_v6_routes);
        *i = (NetInterface){};
}

static void disk_config_finish(DiskConfig *d) {
        free(d->path);
        key_value_list_finish(&d->options);
}

static void crosvm_options_finish(CrosvmOptions *o) {
        free(o->log_level);
        strv_free(o->extra_args);
        strv_free(o->extra_run_args);
        *o = (CrosvmOptions){};
}

static void vm_devices_finish(VmConfig *vm) {
        for (size_t i = 0; i < vm->n_additional_disks; i++)
                disk_config_finish(&vm->additional_disks[i]);
        free(vm->additional_disks);
        if (vm->root_disk)
                disk_config_finish(vm->root_disk);
        free(vm->root_disk);
        for (size_t i = 0; i < vm->n_shared_directories; i++) {
                free(vm->shared_directories[i].path);
                free(vm->shared_directories[i].tag);
                key_value_list_finish(&vm->shared_directories[i].options);
        }
        free(vm->shared_directories);
        for (size_t i = 0; i < vm->n_pci_devices; i++) {
                free(vm->pci_devices[i].address);
                free(vm->pci_devices[i].sysfs_path);
                key_value_list_finish(&vm->pci_devices[i].options);
        }
        free(vm->pci_devices);
        for (size_t i = 0; i < vm->n_vhost_user; i++)
                key_value_list_finish(&vm->vhost_user[i]);
        free(vm->vhost_user);
        key_value_list_finish(&vm->gpu.options);
        key_value_list_finish(&vm->sound.options);
}

void config_vm_finish(VmConfig *vm) {
        free(vm->name);
        free(vm->color);
        strv_free(vm->nameservers);
        for (size_t i = 0; i < vm->n_interfaces; i++)
                net_interface_finish(&vm->interfaces[i]);
        free(vm->interfaces);
        strv_free(vm->depends_on);
        free(vm->kernel);
        free(vm->initramfs);
        free(vm->shared_home_path);
        strv_free(vm->kernel_params);
        vm_devices_finish(vm);
        strv_free(vm->guest_programs);
        strv_free(vm->guest_config);
        crosvm_options_finish(&vm->crosvm);
        free(vm->root_overlay_size);
        free(vm->wayland_proxy);
        *vm = (VmConfig){};
}

Config *config_free(Config *c) {
        if (!c)
                return NULL;
        free(c->user);
        free(c->nat_interface);
        for (size_t i = 0; i < c->n_vms; i++)
                config_vm_finish(&c->vms[i]);
        free(c->vms);
        crosvm_options_finish(&c->crosvm);
        free(c->balloond.log_level);
        free(c->balloond.poll_interval);
        free(c->balloond.guest_available_bias);
        strv_free(c->balloond.extra_args);
        free(c->tray_log_level);
        free(c->clipboard_copy_key);
        free(c->clipboard_paste_key);
        strv_free(c->isolated_pci_devices);
        free(c->wayland_display);
        free(c);
        return NULL;
}

const VmConfig *config_find_vm(const Config *c, const char *name) {
        for (size_t i = 0; i < c->n_vms; i++)
                if (streq_ptr(c->vms[i].name, name))
                        return &c->vms[i];
        return NULL;
}

VmmKind config_vm_vmm(const Config *c, const VmConfig *vm, bool crosvm_available) {
        VmmKind k = vm->vmm != VMM_AUTO ? vm->vmm : c->vmm;

        if (k == VMM_AUTO)
                return crosvm_available ? VMM_CROSVM : VMM_QEMU;
        return k;
}

VmmKind *config_vmm_kinds(const Config *c, bool crosvm_available) {
        VmmKind *vmms = calloc(c->n_vms ?: 1, sizeof(VmmKind));

        for (size_t i = 0; vmms && i < c->n_vms; i++)
                vmms[i] = config_vm_vmm(c, &c->vms[i], crosvm_available);
        return vmms;
}

AccelKind config_vm_accel(const Config *c, const VmConfig *vm) {
        return vm->accel != ACCEL_AUTO ? vm->accel : c->accel;
}

const char *config_vm_crosvm_log_level(const Config *c, const VmConfig *vm) {
        return vm->crosvm.log_level ?: c->crosvm.log_level;
}

int config_load_string(const char *json, const char *source, Config **ret, ConfigErrors *errors) {
        /* source is only for callers' messages: every error here names a JSON path. */
        _cleanup_(config_freep) Config *c = NULL;
        json_t *root;
        json_error_t jerr;
        size_t n_before = errors->n_items;
        int r;

        root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                r = config_error_add(errors, jerr.line > 0 ? jerr.line : 0,
                                jerr.column > 0 ? jerr.column : 0, "", "%s", jerr.text);
                return r < 0 ? r : -EINVAL;
        }
        c = calloc(1, sizeof(Config));
        if (!c) {
                json_decref(root);
                return -ENOMEM;
        }
        /* All passes run even after errors, so that one run reports every problem; derive and
         * validate skip what parse left unset (a VM without a valid name, for one). */
        r = config_parse(root, c, errors);
        json_decref(root);
        if (r >= 0)
                r = config_derive(c, errors);
        if (r >= 0)
                r = config_validate(c, errors);
        if (r < 0)
                return r;
        if (errors->n_items != n_before)
                return -EINVAL;
        *ret = TAKE_PTR(c);
        return 0;
}

/* Reads a whole file, at most CONFIG_FILE_SIZE_MAX bytes, NUL-terminated. */
static int read_file(const char *path, char **ret) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_(freep) char *buf = NULL;
        size_t n;

        f = fopen(path, "re");
        if (!f)
                return -errno;
        buf = malloc(CONFIG_FILE_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        n = fread(buf, 1, CONFIG_FILE_SIZE_MAX + 1, f);
        if (ferror(f))
                return -EIO;
        if (n > CONFIG_FILE_SIZE_MAX)
                return -EFBIG;
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

int config_load_file(const char *path, Config **ret, ConfigErrors *errors) {
        _cleanup_(freep) char *json = NULL;
        int r, k;

        r = read_file(path, &json);
        if (r < 0) {
                k = config_error_add(errors, 0, 0, "", "cannot read file: %s", strerror(-r));
                return k < 0 ? k : r;
        }
        return config_load_string(json, path, ret, errors);
}

int config_load_file_logged(const char *path, Config **ret) {
        _cleanup_(config_errors_finish) ConfigErrors errors = {};
        int r;

        r = config_load_file(path, ret, &errors);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                for (size_t i = 0; i < errors.n_items; i++) {
                        _cleanup_(freep) char *line = NULL;

                        if (config_error_format(&errors.items[i], path, &line) < 0)
                                (void) log_oom();
                        else
                                log_error("%s", line);
                }
                if (errors.n_items == 0)
                        log_error_errno(r, "cannot load '%s': %m", path);
                return r;
        }
        return 0;
}

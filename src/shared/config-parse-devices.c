/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-parse-devices.c: a VM's devices: additionalDisks, rootDisk, sharedDirectories,
 * pciDevices, gpu, sound and vhostUser. All are free-form attribute sets of VMM options with a
 * few keys we interpret ourselves. */
#include <stdio.h>
#include <string.h>

#include "config-internal.h"

/* virtio-fs limits a mount tag to 36 bytes. */
#define SHARED_DIR_TAG_MAX 36

/* Checks that item is an object; records an error naming path if not. Returns 1 if it is. */
static int require_object(ConfigErrors *e, const char *path, json_t *item) {
        int r;

        if (json_is_object(item))
                return 1;
        r = config_error_add(
                        e, 0, 0, path, "expected an object, got %s", config_json_type_name(item));
        return r < 0 ? r : 0;
}

/* Checks that the object item has key; records an error naming it if not. Returns 1 if it has. */
static int require_key(ConfigErrors *e, const char *path, json_t *item, const char *key) {
        _cleanup_(freep) char *p = NULL;
        int r;

        if (json_object_get(item, key))
                return 1;
        p = config_path_key(path, key);
        if (!p)
                return -ENOMEM;
        r = config_error_add(e, 0, 0, p, "required option is missing");
        return r < 0 ? r : 0;
}

/* An item that must be an object with an absolute "path" (into *ret_path). Returns 0 if it is no
 * object (error recorded), else 1, with an error recorded for a missing or bad path: the caller
 * goes on checking the rest of the object. */
static int parse_path_object(ConfigErrors *e, const char *path, json_t *item, char **ret_path) {
        int r;

        r = require_object(e, path, item);
        if (r <= 0)
                return r;
        r = require_key(e, path, item, "path");
        if (r > 0)
                r = config_parse_abs_path(e, path, item, "path", false, ret_path);
        return r < 0 ? r : 1;
}

/* Parses one element of a list into ret, an element of the list's type. */
typedef int (*ParseItemFunc)(ConfigErrors *e, const char *path, json_t *item, void *ret);

/* Parses the list obj[key] into a new array of item_size elements. *items holds the array, and
 * *n_items counts the elements begun, before each is parsed, so that the VM's destructor frees a
 * half-parsed list. items is the address of the VM's typed array pointer. */
static int parse_list(json_t *obj, const char *path, const char *key, size_t item_size,
                ParseItemFunc parse_item, void **items, size_t *n_items, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, key);
        json_t *list, *item;
        size_t i;
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_array(e, path, obj, key, &list);
        if (r <= 0)
                return r;
        *items = calloc(json_array_size(list) ?: 1, item_size);
        if (!*items)
                return -ENOMEM;
        json_array_foreach(list, i, item) {
                _cleanup_(freep) char *pi = config_path_index(p, i);

                if (!pi)
                        return -ENOMEM;
                (*n_items)++;
                r = parse_item(e, pi, item, (uint8_t *) *items + i * item_size);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_disk(ConfigErrors *e, const char *path, json_t *item, void *ret) {
        static const char *const skip[] = { "path", NULL };
        DiskConfig *d = ret;
        int r;

        r = parse_path_object(e, path, item, &d->path);
        if (r <= 0)
                return r;
        return config_json_options(e, path, item, skip, &d->options);
}

static int parse_additional_disks(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        return parse_list(obj, path, "additionalDisks", sizeof(DiskConfig), parse_disk,
                        (void **) &vm->additional_disks, &vm->n_additional_disks, e);
}

static int parse_root_disk(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, "rootDisk");
        json_t *v = json_object_get(obj, "rootDisk");

        if (!p)
                return -ENOMEM;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_object(v))
                return config_error_add(e, 0, 0, p, "expected an object or null, got %s",
                                config_json_type_name(v));
        vm->root_disk = calloc(1, sizeof(DiskConfig));
        if (!vm->root_disk)
                return -ENOMEM;
        return parse_disk(e, p, v, vm->root_disk);
}

static bool tag_is_valid(const char *tag) {
        size_t len = strlen(tag);

        if (len == 0 || len > SHARED_DIR_TAG_MAX)
                return false;
        for (const char *p = tag; *p; p++)
                if (*p <= ' ' || *p >= 0x7f || *p == ',' || *p == '=')
                        return false;
        return true;
}

/* "tag", or its synonym "id" (the original README's examples use id). */
static int parse_shared_dir_tag(
                ConfigErrors *e, const char *path, json_t *item, SharedDirectory *d) {
        bool has_tag = json_object_get(item, "tag"), has_id = json_object_get(item, "id");
        _cleanup_(freep) char *p = NULL;
        int r;

        if (has_tag && has_id)
                return config_error_add(
                                e, 0, 0, path, "tag and id are synonyms, give only one of them");
        if (!has_tag && !has_id)
                return require_key(e, path, item, "tag");
        r = config_json_string(e, path, item, has_tag ? "tag" : "id", false, &d->tag);
        if (r <= 0 || tag_is_valid(d->tag))
                return r;
        p = config_path_key(path, has_tag ? "tag" : "id");
        if (!p)
                return -ENOMEM;
        r = config_error_add(e, 0, 0, p,
                        "'%s' is not a valid tag (1-%d printable characters, no spaces, ',' or "
                        "'=')",
                        d->tag, SHARED_DIR_TAG_MAX);
        d->tag = mfree(d->tag);
        return r;
}

static int parse_shared_dir(ConfigErrors *e, const char *path, json_t *item, void *ret) {
        static const char *const skip[] = { "path", "tag", "id", NULL };
        SharedDirectory *d = ret;
        int r;

        r = parse_path_object(e, path, item, &d->path);
        if (r <= 0)
                return r;
        r = parse_shared_dir_tag(e, path, item, d);
        if (r >= 0)
                r = config_json_options(e, path, item, skip, &d->options);
        return r;
}

static int parse_shared_dirs(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        return parse_list(obj, path, "sharedDirectories", sizeof(SharedDirectory), parse_shared_dir,
                        (void **) &vm->shared_directories, &vm->n_shared_directories, e);
}

static int parse_pci_device(ConfigErrors *e, const char *path, json_t *item, void *ret) {
        static const char *const skip[] = { "path", NULL };
        PciDevice *d = ret;
        _cleanup_(freep) char *s = NULL, *p = NULL;
        int r;

        r = require_object(e, path, item);
        if (r <= 0)
                return r;
        r = require_key(e, path, item, "path");
        if (r > 0)
                r = config_json_string(e, path, item, "path", false, &s);
        if (r > 0) {
                p = config_path_key(path, "path");
                r = p ? config_parse_pci_address(e, p, s, &d->address) : -ENOMEM;
        }
        if (r > 0 && asprintf(&d->sysfs_path, "/sys/bus/pci/devices/%s/", d->address) < 0) {
                d->sysfs_path = NULL;
                return -ENOMEM;
        }
        if (r >= 0)
                r = config_json_options(e, path, item, skip, &d->options);
        return r;
}

static int parse_pci_devices(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        return parse_list(obj, path, "pciDevices", sizeof(PciDevice), parse_pci_device,
                        (void **) &vm->pci_devices, &vm->n_pci_devices, e);
}

/* gpu and sound: false, true, or an attribute set of VMM options. */
static int parse_switch(
                json_t *obj, const char *path, const char *key, DeviceSwitch *s, ConfigErrors *e) {
        _cleanup_(freep) char *p = config_path_key(path, key);
        json_t *v = json_object_get(obj, key);

        if (!p)
                return -ENOMEM;
        if (!v)
                return 0;
        if (json_is_boolean(v)) {
                s->enabled = json_is_true(v);
                return 0;
        }
        if (!json_is_object(v))
                return config_error_add(e, 0, 0, p, "expected a boolean or an object, got %s",
                                config_json_type_name(v));
        s->enabled = true;
        s->custom = true;
        return config_json_options(e, p, v, /* skip= */ NULL, &s->options);
}

static int parse_gpu_sound(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        int r;

        r = parse_switch(obj, path, "gpu", &vm->gpu, e);
        if (r >= 0)
                r = parse_switch(obj, path, "sound", &vm->sound, e);
        return r;
}

static int parse_vhost_user_item(ConfigErrors *e, const char *path, json_t *item, void *ret) {
        int r;

        r = require_object(e, path, item);
        if (r > 0)
                r = config_json_options(e, path, item, /* skip= */ NULL, ret);
        return r;
}

static int parse_vhost_user(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        return parse_list(obj, path, "vhostUser", sizeof(KeyValueList), parse_vhost_user_item,
                        (void **) &vm->vhost_user, &vm->n_vhost_user, e);
}

int config_parse_devices(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e) {
        int (*const steps[])(json_t *, const char *, VmConfig *, ConfigErrors *) = {
                parse_additional_disks,
                parse_root_disk,
                parse_shared_dirs,
                parse_pci_devices,
                parse_gpu_sound,
                parse_vhost_user,
        };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(steps); i++)
                r = steps[i](obj, path, vm, e);
        return r;
}

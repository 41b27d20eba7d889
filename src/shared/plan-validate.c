/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan-validate.c: VM options the chosen VMM cannot provide, as config errors. Pure. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "plan-validate.h"
#include "plan.h"
#include "qemu-plan.h"
#include "share-ids.h"

typedef struct PlanCheck {
        ConfigErrors *errors;
        const VmConfig *vm;
        size_t vm_index;
        VmmKind vmm;
        int n_found;
} PlanCheck;

/* Appends "<nixosVms[i]><suffix>: <message>". suffix starts with '.' or '['. */
_printf_(3, 4) static int check_fail(PlanCheck *k, const char *suffix, const char *format, ...) {
        _cleanup_(freep) char *path = NULL, *message = NULL;
        ConfigError *items;
        va_list ap;
        int r;

        if (asprintf(&path, "nixosVms[%zu]%s", k->vm_index, suffix) < 0) {
                path = NULL;
                return -ENOMEM;
        }
        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        if (r < 0) {
                message = NULL;
                return -ENOMEM;
        }
        items = reallocarray(k->errors->items, k->errors->n_items + 1, sizeof(ConfigError));
        if (!items)
                return -ENOMEM;
        k->errors->items = items;
        k->errors->items[k->errors->n_items++] = (ConfigError){
                .path = TAKE_PTR(path),
                .message = TAKE_PTR(message),
        };
        k->n_found++;
        return 0;
}

static bool is_power_of_two(unsigned long long v) {
        return v > 0 && (v & (v - 1)) == 0;
}

static int check_block_size(PlanCheck *k, const char *where, const char *value) {
        unsigned long long v;
        char *end;

        errno = 0;
        v = strtoull(value, &end, 10);
        if (errno == 0 && end != value && *end == '\0' && value[0] != '-' && is_power_of_two(v) &&
                        v >= QEMU_PLAN_BLOCK_SIZE_MIN && v <= QEMU_PLAN_BLOCK_SIZE_MAX)
                return 0;
        return check_fail(k, where,
                        "block size '%s' is not a power of two between %d and %d bytes, which "
                        "qemu requires; this VM uses qemu",
                        value, QEMU_PLAN_BLOCK_SIZE_MIN, QEMU_PLAN_BLOCK_SIZE_MAX);
}

static int check_bool(PlanCheck *k, const char *where, const char *value) {
        if (plan_parse_bool(value) >= 0)
                return 0;
        return check_fail(k, where, "expected true or false, got '%s'", value);
}

/* One disk's options. base is ".additionalDisks[j]" or ".rootDisk". */
static int check_disk(PlanCheck *k, const char *base, const DiskConfig *d, bool root) {
        char where[256];
        int r = 0;

        if (k->vmm == VMM_CROSVM && strchr(d->path, ','))
                r = check_fail(k, base,
                                "path '%s' contains ',', which crosvm's --block uses to separate "
                                "options; this VM uses crosvm",
                                d->path);
        for (size_t i = 0; r >= 0 && i < d->options.n_items; i++) {
                const char *key = d->options.items[i].key, *value = d->options.items[i].value;

                (void) snprintf(where, sizeof(where), "%s.%s", base, key);
                if (root && streq(key, "ro"))
                        r = check_fail(k, where,
                                        "the root disk's access mode is "
                                        "rootDiskReadonly; set that instead");
                else if (root && streq(key, "root"))
                        r = check_fail(k, where,
                                        "the root disk is always mounted as root; "
                                        "remove this key");
                else if (streq(key, "id") && strlen(value) > QEMU_PLAN_DISK_ID_MAX)
                        r = check_fail(k, where, "disk id '%s' is longer than %d characters", value,
                                        QEMU_PLAN_DISK_ID_MAX);
                else if (k->vmm != VMM_QEMU || streq(key, "id"))
                        continue;
                else if (!qemu_plan_disk_key_is_supported(key))
                        r = check_fail(k, where,
                                        "'%s' is a crosvm disk option with no qemu equivalent; "
                                        "this VM uses qemu (qemu maps ro, sparse, block-size, id, "
                                        "direct and lock)",
                                        key);
                else if (streq(key, "block-size") || streq(key, "block_size"))
                        r = check_block_size(k, where, value);
                else
                        r = check_bool(k, where, value);
        }
        return r;
}

static int check_disks(PlanCheck *k) {
        char base[64];
        int r;

        if (k->vm->root_disk) {
                r = check_disk(k, ".rootDisk", k->vm->root_disk, true);
                if (r < 0)
                        return r;
        }
        for (size_t j = 0; j < k->vm->n_additional_disks; j++) {
                (void) snprintf(base, sizeof(base), ".additionalDisks[%zu]", j);
                r = check_disk(k, base, &k->vm->additional_disks[j], false);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* crosvm serves shares over 9p in-process (crosvm-plan.c): virtio-fs and the id keys need the
 * per-device jail --disable-sandbox turns off. */
static int check_shared_dir_crosvm(PlanCheck *k, const char *base, const SharedDirectory *d) {
        char where[256];
        int r = 0;

        if (strchr(d->path, ':') || strchr(d->tag, ':'))
                r = check_fail(k, base,
                                "path '%s' or tag '%s' contains ':', which crosvm's --shared-dir "
                                "uses to separate fields; this VM uses crosvm",
                                d->path, d->tag);
        for (size_t i = 0; r >= 0 && i < d->options.n_items; i++) {
                const char *key = d->options.items[i].key, *value = d->options.items[i].value;

                (void) snprintf(where, sizeof(where), "%s.%s", base, key);
                if (streq(key, "type")) {
                        if (plan_shared_dir_type_from_string(value) == PLAN_SHARED_DIR_FS)
                                r = check_fail(k, where,
                                                "crosvm runs its virtio-fs device (type=%s) in "
                                                "a jail of its own that cannot be built inside "
                                                "vmsilo's sandbox; use type = \"p9\" (or leave "
                                                "type out), or serve the directory with "
                                                "virtiofsd and attach it with vhostUser "
                                                "(type = \"fs\")",
                                                value);
                } else if (streq(key, "ascii_casefold"))
                        r = check_bool(k, where, value);
                else if (share_ids_is_key(key))
                        r = check_fail(k, where,
                                        "'%s' takes effect only in crosvm's per-device jail, "
                                        "which vmsilo turns off (crosvm runs in vmsilo's sandbox); "
                                        "crosvm's 9p server shows the host's owners unchanged "
                                        "and creates files as the configured user; remove it",
                                        key);
                else if (streq(key, "readonly"))
                        r = check_fail(k, where,
                                        "'readonly' is a qemu (9p) option; crosvm's "
                                        "--shared-dir has none; this VM uses crosvm");
                else
                        r = check_fail(k, where,
                                        "'%s' is not an option of crosvm's 9p server (it knows "
                                        "type and ascii_casefold); virtio-fs options need "
                                        "virtiofsd attached with vhostUser (type = \"fs\"); this "
                                        "VM uses crosvm",
                                        key);
        }
        return r;
}

/* uidmap/gidmap on QEMU: one guest id standing for the configured user (share-ids.h). */
static int check_share_map(PlanCheck *k, const char *where, const char *key, const char *value,
                const char *id_key, const char *id_value) {
        ShareIdMap m;
        uint32_t id;

        if (share_ids_parse_map(value, &m) < 0)
                return check_fail(k, where,
                                "'%s' is not one 'GUEST HOST COUNT' triple of decimal ids "
                                "separated by single spaces",
                                value);
        if (m.count != 1)
                return check_fail(k, where,
                                "qemu's 9p server runs as the configured user and cannot map a "
                                "range of %" PRIu32 " ids; this VM uses qemu, which honours only "
                                "'GUEST HOST 1' (HOST = the configured user)",
                                m.count);
        if (id_value && share_ids_parse_id(id_value, &id) >= 0 && id != m.inner)
                return check_fail(k, where,
                                "%s %" PRIu32 " is not the guest id %" PRIu32 " this %s maps; "
                                "qemu can honour only one guest id",
                                id_key, id, m.inner, key);
        return 0;
}

static int check_shared_dir_qemu(PlanCheck *k, const char *base, const SharedDirectory *d) {
        char where[256];
        uint32_t id;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < d->options.n_items; i++) {
                const char *key = d->options.items[i].key, *value = d->options.items[i].value;

                (void) snprintf(where, sizeof(where), "%s.%s", base, key);
                if (!qemu_plan_shared_dir_key_is_supported(key))
                        r = check_fail(k, where,
                                        "'%s' is a crosvm shared-directory option with no qemu "
                                        "(9p) equivalent; this VM uses qemu (qemu maps type=p9, "
                                        "readonly, uid, gid, uidmap and gidmap)",
                                        key);
                else if (streq(key, "uid") || streq(key, "gid")) {
                        if (share_ids_parse_id(value, &id) < 0)
                                r = check_fail(k, where,
                                                "expected a decimal id between 0 and %" PRIu32
                                                ", got '%s'",
                                                (uint32_t) SHARE_IDS_ID_MAX, value);
                } else if (streq(key, "uidmap"))
                        r = check_share_map(k, where, key, value, "uid",
                                        key_value_list_get(&d->options, "uid"));
                else if (streq(key, "gidmap"))
                        r = check_share_map(k, where, key, value, "gid",
                                        key_value_list_get(&d->options, "gid"));
                else if (streq(key, "readonly"))
                        r = check_bool(k, where, value);
                else if (plan_shared_dir_type_from_string(value) == PLAN_SHARED_DIR_FS)
                        r = check_fail(k, where,
                                        "virtio-fs (type=%s) is not a qemu share here; this VM "
                                        "uses qemu, which shares directories over 9p (leave type "
                                        "out or use type=p9)",
                                        value);
        }
        return r;
}

static int check_shared_dirs(PlanCheck *k) {
        char base[64], where[96];
        int r;

        for (size_t j = 0; j < k->vm->n_shared_directories; j++) {
                const SharedDirectory *d = &k->vm->shared_directories[j];
                const char *type = key_value_list_get(&d->options, "type");

                (void) snprintf(base, sizeof(base), ".sharedDirectories[%zu]", j);
                (void) snprintf(where, sizeof(where), "%s.type", base);
                if (k->vm->shared_home_path && streq(d->tag, PLAN_SHARED_HOME_TAG))
                        r = check_fail(k, base,
                                        "tag '%s' is the shared home's; set sharedHome = false to "
                                        "share this directory as the home instead",
                                        d->tag);
                else if (type && plan_shared_dir_type_from_string(type) < 0)
                        r = check_fail(k, where, "unknown type '%s' (fs or p9)", type);
                else if (k->vmm == VMM_CROSVM)
                        r = check_shared_dir_crosvm(k, base, d);
                else
                        r = check_shared_dir_qemu(k, base, d);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* On QEMU a sound attribute set may say capture (a boolean) and backend ("pulse"); the other
 * keys are crosvm --virtio-snd options. */
static int check_sound_qemu(PlanCheck *k) {
        const KeyValueList *o = &k->vm->sound.options;
        char where[128];
        int r = 0;

        for (size_t i = 0; r >= 0 && k->vm->sound.custom && i < o->n_items; i++) {
                const char *key = o->items[i].key, *value = o->items[i].value;

                (void) snprintf(where, sizeof(where), ".sound.%s", key);
                if (!qemu_plan_sound_key_is_supported(key))
                        r = check_fail(k, where,
                                        "'%s' is a crosvm --virtio-snd option with no qemu "
                                        "equivalent; this VM uses qemu (qemu knows capture and "
                                        "backend)",
                                        key);
                else if (streq(key, "capture"))
                        r = check_bool(k, where, value);
                else if (!streq(value, QEMU_PLAN_SOUND_BACKEND))
                        r = check_fail(k, where,
                                        "unknown sound backend '%s' (qemu VMs play through "
                                        "'" QEMU_PLAN_SOUND_BACKEND "')",
                                        value);
        }
        return r;
}

/* Everything below exists only on crosvm. */
static int check_crosvm_only(PlanCheck *k) {
        const VmConfig *vm = k->vm;
        const char *ctx_types = key_value_list_get(&vm->gpu.options, "context-types");
        char where[128];
        int r = 0;

        if (vm->gpu.custom && ctx_types && strstr(ctx_types, "cross-domain"))
                r = check_fail(k, ".gpu",
                                "cross-domain GPU (context-types=%s) needs crosvm; this VM uses "
                                "qemu",
                                ctx_types);
        else if (vm->gpu.custom)
                r = check_fail(k, ".gpu",
                                "GPU options are crosvm --gpu options and need crosvm; this VM "
                                "uses qemu (use gpu = true or false: qemu VMs get no GPU)");
        for (size_t j = 0; r >= 0 && j < vm->n_vhost_user; j++) {
                (void) snprintf(where, sizeof(where), ".vhostUser[%zu]", j);
                r = check_fail(k, where, "vhost-user devices need crosvm; this VM uses qemu");
        }
        for (size_t j = 0; r >= 0 && j < vm->n_pci_devices; j++)
                for (size_t i = 0; r >= 0 && i < vm->pci_devices[j].options.n_items; i++) {
                        const char *key = vm->pci_devices[j].options.items[i].key;
                        const char *value = vm->pci_devices[j].options.items[i].value;

                        (void) snprintf(where, sizeof(where), ".pciDevices[%zu].%s", j, key);
                        if (!streq(key, "iommu"))
                                r = check_fail(k, where,
                                                "'%s' is a crosvm --vfio option with no qemu "
                                                "equivalent; this VM uses qemu",
                                                key);
                        else if (!qemu_plan_iommu_known(value))
                                r = check_fail(k, where,
                                                "iommu = \"%s\" has no qemu equivalent (qemu "
                                                "knows \"on\", \"viommu\" and \"off\")",
                                                value);
                }
        if (r >= 0 && vm->crosvm.extra_args && vm->crosvm.extra_args[0])
                r = check_fail(k, ".crosvm.extraArgs",
                                "crosvm arguments for a VM that uses qemu would be ignored");
        if (r >= 0 && vm->crosvm.extra_run_args && vm->crosvm.extra_run_args[0])
                r = check_fail(k, ".crosvm.extraRunArgs",
                                "crosvm arguments for a VM that uses qemu would be ignored");
        return r;
}

int plan_validate_vm(const VmConfig *vm, size_t vm_index, VmmKind vmm, ConfigErrors *errors) {
        PlanCheck k = { .errors = errors, .vm = vm, .vm_index = vm_index, .vmm = vmm };
        int r;

        if (!IN_SET(vmm, VMM_QEMU, VMM_CROSVM))
                return -EINVAL;
        if (vmm == VMM_QEMU) {
                r = check_crosvm_only(&k);
                if (r >= 0)
                        r = check_sound_qemu(&k);
                if (r < 0)
                        return r;
        }
        r = check_disks(&k);
        if (r < 0)
                return r;
        r = check_shared_dirs(&k);
        if (r < 0)
                return r;
        return k.n_found;
}

int plan_validate_config(const Config *c, const VmmKind *vmms, ConfigErrors *errors) {
        int r, total = 0;

        for (size_t i = 0; i < c->n_vms; i++) {
                r = plan_validate_vm(&c->vms[i], i, vmms[i], errors);
                if (r < 0)
                        return r;
                total += r;
        }
        return total;
}

/* The HOST side of "GUEST HOST 1" on QEMU must be the configured user: QEMU runs as that user
 * and every file it creates belongs to it. */
static int check_share_map_host(PlanCheck *k, const char *where, const char *value,
                const char *what, uint32_t host) {
        ShareIdMap m;

        if (!value || share_ids_parse_map(value, &m) < 0 || m.outer == host)
                return 0;
        return check_fail(k, where,
                        "maps guest id %" PRIu32 " to host %s %" PRIu32
                        ", but qemu's 9p server runs as the configured user (%s %" PRIu32
                        ") and every file it creates belongs to that user; use '%" PRIu32
                        " %" PRIu32 " 1'",
                        m.inner, what, m.outer, what, host, m.inner, host);
}

int plan_validate_share_hosts(const Config *c, const VmmKind *vmms, uint32_t uid, uint32_t gid,
                ConfigErrors *errors) {
        char where[96];
        int r, total = 0;

        for (size_t i = 0; i < c->n_vms; i++) {
                PlanCheck k = { .errors = errors, .vm = &c->vms[i], .vm_index = i };

                if (vmms[i] != VMM_QEMU)
                        continue;
                for (size_t j = 0; j < c->vms[i].n_shared_directories; j++) {
                        const KeyValueList *o = &c->vms[i].shared_directories[j].options;

                        (void) snprintf(where, sizeof(where), ".sharedDirectories[%zu].uidmap", j);
                        r = check_share_map_host(
                                        &k, where, key_value_list_get(o, "uidmap"), "uid", uid);
                        if (r < 0)
                                return r;
                        (void) snprintf(where, sizeof(where), ".sharedDirectories[%zu].gidmap", j);
                        r = check_share_map_host(
                                        &k, where, key_value_list_get(o, "gidmap"), "gid", gid);
                        if (r < 0)
                                return r;
                }
                total += k.n_found;
        }
        return total;
}

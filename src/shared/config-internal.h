/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-internal.h: what the config-*.c files share and nothing else includes. The loader runs
 * in three passes over one Config: parse (JSON -> struct, per-field checks), derive (MACs, TAP
 * names, shared home), validate (rules across fields and VMs). Each pass records every problem
 * in a ConfigErrors and returns < 0 only for -ENOMEM. */
#pragma once

#include <stdlib.h>

#include <jansson.h>

#include "config.h"

static inline bool isempty(const char *s) {
        return !s || !*s;
}

/* Appends one error. line/column 0 = unknown. */
int config_error_add(ConfigErrors *e, int line, int column, const char *path, const char *format,
                ...) _printf_(5, 6);

/* JSON paths: "parent.key" ("key" at the root; keys that are not plain identifiers are written
 * as parent["key"]) and "parent[i]". NULL on OOM. */
char *config_path_key(const char *parent, const char *key);
char *config_path_index(const char *parent, size_t i);

/* config-keys.c: records "unknown option" for every key of obj not in known (NULL-terminated),
 * with a suggestion for near misses. */
int config_keys_check(ConfigErrors *e, const char *path, json_t *obj, const char *const *known);
/* The known key closest to key (edit distance ≤ 2, or equal ignoring case), or NULL. */
const char *config_keys_suggest(const char *key, const char *const *known);
size_t config_keys_edit_distance(const char *a, const char *b);

/* frameWidth in obj (global or per VM): 0..CONFIG_FRAME_WIDTH_MAX; 1 if set, 0 if absent. */
int config_parse_frame_width(json_t *obj, const char *path, uint32_t *ret, ConfigErrors *e);

/* config-json.c: typed getters. Each looks up key in obj; if it is absent the output keeps its
 * default. A value of the wrong type or out of range is recorded as an error at "path.key" and
 * also leaves the output alone. Return: 1 if the output was set, 0 if not, -ENOMEM. */
int config_json_bool(ConfigErrors *e, const char *path, json_t *obj, const char *key, bool *ret);
int config_json_uint(ConfigErrors *e, const char *path, json_t *obj, const char *key, uint64_t min,
                uint64_t max, const char *unit, uint64_t *ret);
/* nullable: JSON null is accepted and leaves *ret alone (i.e. NULL). */
int config_json_string(ConfigErrors *e, const char *path, json_t *obj, const char *key,
                bool nullable, char **ret);
/* A list of strings; replaces *ret (which must be a strv) when set. */
int config_json_strv(ConfigErrors *e, const char *path, json_t *obj, const char *key, char ***ret);
/* Returns the object/array value (borrowed) in *ret, or NULL if absent or of the wrong type. */
int config_json_object(
                ConfigErrors *e, const char *path, json_t *obj, const char *key, json_t **ret);
int config_json_array(
                ConfigErrors *e, const char *path, json_t *obj, const char *key, json_t **ret);
/* A free-form attribute set of scalars (string, integer, boolean) as key=value options, leaving
 * out the keys in skip (NULL-terminated). Keys must match [A-Za-z0-9_-]+ and values must not
 * contain ',' (the VMM's option separator). */
int config_json_options(ConfigErrors *e, const char *path, json_t *obj, const char *const *skip,
                KeyValueList *ret);
const char *config_json_type_name(const json_t *v);

/* config-parse.c, config-parse-vm.c, config-parse-net.c: JSON -> Config. */
int config_parse(json_t *root, Config *c, ConfigErrors *e);
int config_parse_vm(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e);
int config_parse_network(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e);
/* additionalDisks, rootDisk, sharedDirectories, pciDevices, gpu, sound, vhostUser. */
int config_parse_devices(json_t *obj, const char *path, VmConfig *vm, ConfigErrors *e);
/* Shared by root and VM: crosvm.{logLevel,extraArgs,extraRunArgs}. */
int config_parse_crosvm(
                json_t *obj, const char *path, bool per_vm, CrosvmOptions *crosvm, ConfigErrors *e);
/* "vmm" and "acceleration", shared by root and VM. */
int config_parse_vmm_accel(
                json_t *obj, const char *path, VmmKind *vmm, AccelKind *accel, ConfigErrors *e);
/* A PCI address string, normalised ("0000:01:00.0") into *ret. */
int config_parse_pci_address(ConfigErrors *e, const char *path, const char *s, char **ret);
/* A string that must be one of choices (NULL-terminated); stores the index. */
int config_parse_choice(ConfigErrors *e, const char *path, json_t *obj, const char *key,
                const char *const *choices, int *ret_index);
/* A log level string: error|warn|info|debug|trace. */
int config_parse_log_level(ConfigErrors *e, const char *path, json_t *obj, const char *key,
                bool nullable, char **ret);
/* A host path that must be absolute. */
int config_parse_abs_path(ConfigErrors *e, const char *path, json_t *obj, const char *key,
                bool nullable, char **ret);
bool config_path_is_absolute(const char *p);

/* Initialises a VM with every default of the option tables. -ENOMEM only. */
int config_vm_init_defaults(VmConfig *vm);
void config_vm_finish(VmConfig *vm);
void key_value_list_finish(KeyValueList *l);
void net_interface_finish(NetInterface *i);

/* config-derive.c */
int config_derive(Config *c, ConfigErrors *e);
/* Stable MAC for "<vm>-<ifname>": FNV-1a 64 of that string, octets from the low byte up, first
 * octet forced to locally administered unicast. */
void config_derive_mac(const char *vm_name, const char *ifname, uint8_t ret[6]);
/* 0x000000 or 0xffffff, whichever contrasts more with rgb (WCAG relative luminance). */
uint32_t config_derive_text_rgb(uint32_t rgb);

/* config-validate.c: rules across fields and VMs. */
int config_validate(const Config *c, ConfigErrors *e);
bool config_vm_name_is_valid(const char *name);
/* The argument of a program's --vm: 0 if it could be a VM name, else logs the usage error and
 * returns -EINVAL. */
int config_check_vm_name_arg(const char *arg);

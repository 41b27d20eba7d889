/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-parse.c: the top level of the JSON -> Config pass (programs.vmsilo itself) and the
 * value parsers the VM-level files share. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config-internal.h"
#include "hotkey-spec.h"
#include "parse-util.h"
#include "strv.h"

#define USER_NAME_MAX 32

static const char *const root_keys[] = {
        "enable",
        "user",
        "hostNetworking",
        "nixosVms",
        "enableBashIntegration",
        "crosvm",
        "vmsilo-balloond",
        "vmsilo-tray",
        "isolatedPciDevices",
        "vmm",
        "acceleration",
        "waylandDisplay",
        "frameWidth",
        "clipboardCopyKey",
        "clipboardPasteKey",
        NULL,
};

static const char *const log_levels[] = { "error", "warn", "info", "debug", "trace", NULL };
static const char *const vmm_choices[] = { "auto", "qemu", "crosvm", NULL };
static const char *const accel_choices[] = { "auto", "kvm", "tcg", NULL };

static int choices_join(const char *const *choices, char **ret) {
        _cleanup_(freep) char *j = NULL;
        size_t len = 0;

        for (const char *const *c = choices; *c; c++)
                len += strlen(*c) + 4;
        j = calloc(1, len + 1);
        if (!j)
                return -ENOMEM;
        for (const char *const *c = choices; *c; c++) {
                if (c != choices)
                        strcat(j, ", ");
                strcat(j, "'");
                strcat(j, *c);
                strcat(j, "'");
        }
        *ret = TAKE_PTR(j);
        return 0;
}

int config_parse_choice(ConfigErrors *e, const char *path, json_t *obj, const char *key,
                const char *const *choices, int *ret_index) {
        _cleanup_(freep) char *s = NULL, *p = NULL, *list = NULL;
        int r;

        r = config_json_string(e, path, obj, key, false, &s);
        if (r <= 0)
                return r;
        for (int i = 0; choices[i]; i++)
                if (streq(choices[i], s)) {
                        *ret_index = i;
                        return 1;
                }
        p = config_path_key(path, key);
        if (!p || choices_join(choices, &list) < 0)
                return -ENOMEM;
        return config_error_add(e, 0, 0, p, "must be one of %s, got '%s'", list, s);
}

int config_parse_log_level(ConfigErrors *e, const char *path, json_t *obj, const char *key,
                bool nullable, char **ret) {
        json_t *v = json_object_get(obj, key);
        int i, r;

        if (nullable && json_is_null(v))
                return 0;
        r = config_parse_choice(e, path, obj, key, log_levels, &i);
        if (r <= 0)
                return r;
        free(*ret);
        *ret = strdup(log_levels[i]);
        return *ret ? 1 : -ENOMEM;
}

bool config_path_is_absolute(const char *p) {
        return p[0] == '/';
}

int config_parse_abs_path(ConfigErrors *e, const char *path, json_t *obj, const char *key,
                bool nullable, char **ret) {
        _cleanup_(freep) char *s = NULL, *p = NULL;
        int r;

        r = config_json_string(e, path, obj, key, nullable, &s);
        if (r <= 0)
                return r;
        if (!config_path_is_absolute(s)) {
                p = config_path_key(path, key);
                if (!p)
                        return -ENOMEM;
                return config_error_add(e, 0, 0, p, "must be an absolute path, got '%s'", s);
        }
        free(*ret);
        *ret = TAKE_PTR(s);
        return 1;
}

int config_parse_pci_address(ConfigErrors *e, const char *path, const char *s, char **ret) {
        char buf[PCI_ADDRESS_STR_MAX];

        if (parse_pci_address(s, buf) < 0)
                return config_error_add(e, 0, 0, path,
                                "'%s' is not a PCI address (expected 'bb:dd.f' or 'dddd:bb:dd.f')",
                                s);
        free(*ret);
        *ret = strdup(buf);
        return *ret ? 1 : -ENOMEM;
}

int config_parse_crosvm(json_t *obj, const char *path, bool per_vm, CrosvmOptions *crosvm,
                ConfigErrors *e) {
        static const char *const keys[] = { "logLevel", "extraArgs", "extraRunArgs", NULL };
        _cleanup_(freep) char *p = config_path_key(path, "crosvm");
        json_t *o;
        int r;

        if (!p)
                return -ENOMEM;
        r = config_json_object(e, path, obj, "crosvm", &o);
        if (r <= 0)
                return r;
        r = config_keys_check(e, p, o, keys);
        if (r >= 0)
                r = config_parse_log_level(e, p, o, "logLevel", per_vm, &crosvm->log_level);
        if (r >= 0)
                r = config_json_strv(e, p, o, "extraArgs", &crosvm->extra_args);
        if (r >= 0)
                r = config_json_strv(e, p, o, "extraRunArgs", &crosvm->extra_run_args);
        return r;
}

int config_parse_vmm_accel(
                json_t *obj, const char *path, VmmKind *vmm, AccelKind *accel, ConfigErrors *e) {
        int i, r;

        r = config_parse_choice(e, path, obj, "vmm", vmm_choices, &i);
        if (r > 0)
                *vmm = vmm_kind_from_string(vmm_choices[i]);
        if (r < 0)
                return r;
        r = config_parse_choice(e, path, obj, "acceleration", accel_choices, &i);
        if (r > 0)
                *accel = accel_kind_from_string(accel_choices[i]);
        return r;
}

static bool user_name_is_valid(const char *s) {
        size_t len = strlen(s);

        if (len == 0 || len > USER_NAME_MAX || s[0] == '-' || isdigit((unsigned char) s[0]))
                return false;
        for (const char *p = s; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("._-", *p))
                        return false;
        return true;
}

static int parse_user(json_t *root, Config *c, ConfigErrors *e) {
        int r;

        r = config_json_string(e, "", root, "user", false, &c->user);
        if (r < 0)
                return r;
        if (!json_object_get(root, "user"))
                return config_error_add(e, 0, 0, "user", "required option is missing");
        if (r > 0 && !user_name_is_valid(c->user))
                return config_error_add(e, 0, 0, "user",
                                "'%s' is not a valid user name (letters, digits, '.', '_', '-'; "
                                "not starting with a digit or '-'; at most %d characters)",
                                c->user, USER_NAME_MAX);
        /* The VMMs run as this user: a VMM escape must not own the host (docs/sandbox.md). */
        if (r > 0 && streq(c->user, "root"))
                return config_error_add(e, 0, 0, "user",
                                "must not be root: the VMMs run as this user; name the desktop "
                                "user");
        return 0;
}

static int parse_host_networking(json_t *root, Config *c, ConfigErrors *e) {
        static const char *const keys[] = { "nat", NULL };
        static const char *const nat_keys[] = { "enable", "interface", NULL };
        json_t *hn, *nat;
        int r;

        r = config_json_object(e, "", root, "hostNetworking", &hn);
        if (r <= 0)
                return r;
        r = config_keys_check(e, "hostNetworking", hn, keys);
        if (r >= 0)
                r = config_json_object(e, "hostNetworking", hn, "nat", &nat);
        if (r <= 0)
                return r;
        r = config_keys_check(e, "hostNetworking.nat", nat, nat_keys);
        if (r >= 0)
                r = config_json_bool(e, "hostNetworking.nat", nat, "enable", &c->nat_enable);
        if (r >= 0)
                r = config_json_string(e, "hostNetworking.nat", nat, "interface", false,
                                &c->nat_interface);
        if (r < 0)
                return r;
        if (r > 0 && !isempty(c->nat_interface) && !ifname_is_valid(c->nat_interface))
                return config_error_add(e, 0, 0, "hostNetworking.nat.interface",
                                "'%s' is not a valid network interface name", c->nat_interface);
        return 0;
}

/* Run after parse_host_networking(): the requirement spans two options. */
static int check_nat_interface(const Config *c, ConfigErrors *e) {
        if (c->nat_enable && isempty(c->nat_interface))
                return config_error_add(e, 0, 0, "hostNetworking.nat.interface",
                                "required when hostNetworking.nat.enable is true");
        return 0;
}

static int parse_balloond(json_t *root, Config *c, ConfigErrors *e) {
        static const char *const keys[] = { "logLevel", "pollInterval", "criticalHostPercent",
                "guestAvailableBias", "extraArgs", NULL };
        const char *p = "vmsilo-balloond";
        BalloondOptions *b = &c->balloond;
        uint64_t percent = b->critical_host_percent;
        json_t *o;
        int r;

        r = config_json_object(e, "", root, p, &o);
        if (r <= 0)
                return r;
        r = config_keys_check(e, p, o, keys);
        if (r >= 0)
                r = config_parse_log_level(e, p, o, "logLevel", false, &b->log_level);
        if (r >= 0)
                r = config_json_string(e, p, o, "pollInterval", false, &b->poll_interval);
        if (r >= 0)
                r = config_json_uint(e, p, o, "criticalHostPercent", 0, 100, " percent", &percent);
        if (r >= 0)
                r = config_json_string(
                                e, p, o, "guestAvailableBias", false, &b->guest_available_bias);
        if (r >= 0)
                r = config_json_strv(e, p, o, "extraArgs", &b->extra_args);
        b->critical_host_percent = (unsigned) percent;
        return r;
}

static int check_balloond_values(Config *c, ConfigErrors *e) {
        BalloondOptions *b = &c->balloond;
        int r;

        r = parse_duration(b->poll_interval, &b->poll_interval_usec);
        if (r < 0 || b->poll_interval_usec == 0) {
                r = config_error_add(e, 0, 0, "vmsilo-balloond.pollInterval",
                                "'%s' is not a positive duration (e.g. '2s', '500ms'; units us, "
                                "ms, s, m, h)",
                                b->poll_interval);
                if (r < 0)
                        return r;
        }
        if (parse_size(b->guest_available_bias, &b->guest_available_bias_bytes) < 0)
                return config_error_add(e, 0, 0, "vmsilo-balloond.guestAvailableBias",
                                "'%s' is not a size (e.g. '300m', '1G'; units k, m, g, t)",
                                b->guest_available_bias);
        return 0;
}

static int parse_tray(json_t *root, Config *c, ConfigErrors *e) {
        static const char *const keys[] = { "logLevel", NULL };
        json_t *o;
        int r;

        r = config_json_object(e, "", root, "vmsilo-tray", &o);
        if (r <= 0)
                return r;
        r = config_keys_check(e, "vmsilo-tray", o, keys);
        if (r >= 0)
                r = config_parse_log_level(
                                e, "vmsilo-tray", o, "logLevel", false, &c->tray_log_level);
        return r;
}

static int parse_isolated_pci(json_t *root, Config *c, ConfigErrors *e) {
        _cleanup_(strv_freep) char **l = NULL;
        int r;

        r = config_json_strv(e, "", root, "isolatedPciDevices", &l);
        if (r <= 0)
                return r;
        for (size_t i = 0; l[i]; i++) {
                _cleanup_(freep) char *p = config_path_index("isolatedPciDevices", i);
                _cleanup_(freep) char *a = NULL;

                if (!p)
                        return -ENOMEM;
                r = config_parse_pci_address(e, p, l[i], &a);
                if (r > 0)
                        r = strv_consume(&c->isolated_pci_devices, TAKE_PTR(a));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A display name in the user's runtime dir (what WAYLAND_DISPLAY holds): no '/', not "." or "..";
 * or an absolute path without ".." components. Either must fit a unix socket address. */
static bool wayland_display_is_valid(const char *d) {
        size_t len = strlen(d);

        if (len == 0 || len > CONFIG_WAYLAND_DISPLAY_MAX)
                return false;
        if (d[0] != '/')
                return !strchr(d, '/') && !streq(d, ".") && !streq(d, "..");
        for (const char *p = d; (p = strstr(p, "/..")); p++)
                if (p[3] == '/' || p[3] == 0)
                        return false;
        return true;
}

static int parse_wayland_display(json_t *root, Config *c, ConfigErrors *e) {
        int r;

        r = config_json_string(e, "", root, "waylandDisplay", true, &c->wayland_display);
        if (r > 0 && !wayland_display_is_valid(c->wayland_display))
                return config_error_add(e, 0, 0, "waylandDisplay",
                                "'%s' is neither a display name (like wayland-1) nor an absolute "
                                "path without '..' of at most %d characters",
                                c->wayland_display, CONFIG_WAYLAND_DISPLAY_MAX);
        return r < 0 ? r : 0;
}

/* The clipboard keys: spelled as hotkey-spec.h says, at most 64 bytes, not the same chord twice.
 * Whether the key name is an xkb keysym is the fence's to say (it refuses to start). */
static int parse_clipboard_key(json_t *root, const char *key, char **value, ConfigErrors *e) {
        const char *name;
        unsigned mods;
        int r;

        r = config_json_string(e, "", root, key, false, value);
        if (r > 0 && (strlen(*value) > 64 || hotkey_spec_split(*value, &mods, &name) < 0))
                return config_error_add(e, 0, 0, key,
                                "'%s' is not modifiers (ctrl, shift, alt, logo; at least one) "
                                "and a key name joined by '+', like 'ctrl+shift+c'",
                                *value);
        return r < 0 ? r : 0;
}

static int parse_clipboard_keys(json_t *root, Config *c, ConfigErrors *e) {
        int r;

        r = parse_clipboard_key(root, "clipboardCopyKey", &c->clipboard_copy_key, e);
        if (r >= 0)
                r = parse_clipboard_key(root, "clipboardPasteKey", &c->clipboard_paste_key, e);
        if (r >= 0 && strcasecmp(c->clipboard_copy_key, c->clipboard_paste_key) == 0)
                return config_error_add(e, 0, 0, "clipboardPasteKey",
                                "must differ from clipboardCopyKey ('%s')", c->clipboard_copy_key);
        return r;
}

static int parse_vms(json_t *root, Config *c, ConfigErrors *e) {
        json_t *list, *item;
        size_t i;
        int r;

        r = config_json_array(e, "", root, "nixosVms", &list);
        if (r <= 0)
                return r;
        if (json_array_size(list) > CONFIG_VMS_MAX)
                return config_error_add(e, 0, 0, "nixosVms",
                                "at most %d VMs are supported, got %zu", CONFIG_VMS_MAX,
                                json_array_size(list));
        c->vms = calloc(json_array_size(list) ?: 1, sizeof(VmConfig));
        if (!c->vms)
                return -ENOMEM;
        json_array_foreach(list, i, item) {
                _cleanup_(freep) char *p = config_path_index("nixosVms", i);

                if (!p)
                        return -ENOMEM;
                r = config_vm_init_defaults(&c->vms[c->n_vms]);
                c->n_vms++;
                if (r >= 0)
                        r = config_parse_vm(item, p, &c->vms[c->n_vms - 1], e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int config_init_defaults(Config *c) {
        c->enable_bash_integration = true;
        c->frame_width = CONFIG_FRAME_WIDTH_DEFAULT;
        c->nat_interface = strdup("");
        c->crosvm.log_level = strdup("info");
        c->crosvm.extra_args = strv_new_empty();
        c->crosvm.extra_run_args = strv_new_empty();
        c->balloond.log_level = strdup("info");
        c->balloond.poll_interval = strdup("2s");
        c->balloond.critical_host_percent = 5;
        c->balloond.guest_available_bias = strdup("300m");
        c->balloond.extra_args = strv_new_empty();
        c->tray_log_level = strdup("info");
        c->isolated_pci_devices = strv_new_empty();
        c->clipboard_copy_key = strdup(HOTKEY_COPY_DEFAULT);
        c->clipboard_paste_key = strdup(HOTKEY_PASTE_DEFAULT);
        if (!c->nat_interface || !c->crosvm.log_level || !c->crosvm.extra_args ||
                        !c->crosvm.extra_run_args || !c->balloond.log_level ||
                        !c->balloond.poll_interval || !c->balloond.guest_available_bias ||
                        !c->balloond.extra_args || !c->tray_log_level || !c->isolated_pci_devices ||
                        !c->clipboard_copy_key || !c->clipboard_paste_key)
                return -ENOMEM;
        return 0;
}

int config_parse(json_t *root, Config *c, ConfigErrors *e) {
        int r;

        r = config_init_defaults(c);
        if (r < 0)
                return r;
        if (!json_is_object(root))
                return config_error_add(e, 0, 0, "", "the document must be an object, got %s",
                                config_json_type_name(root));
        r = config_keys_check(e, "", root, root_keys);
        if (r >= 0)
                r = config_json_bool(e, "", root, "enable", &c->enable);
        if (r >= 0)
                r = parse_user(root, c, e);
        if (r >= 0)
                r = parse_host_networking(root, c, e);
        if (r >= 0)
                r = check_nat_interface(c, e);
        if (r >= 0)
                r = config_json_bool(
                                e, "", root, "enableBashIntegration", &c->enable_bash_integration);
        if (r >= 0)
                r = config_parse_crosvm(root, "", false, &c->crosvm, e);
        if (r >= 0)
                r = parse_balloond(root, c, e);
        if (r >= 0)
                r = check_balloond_values(c, e);
        if (r >= 0)
                r = parse_tray(root, c, e);
        if (r >= 0)
                r = parse_isolated_pci(root, c, e);
        if (r >= 0)
                r = config_parse_vmm_accel(root, "", &c->vmm, &c->accel, e);
        if (r >= 0)
                r = parse_wayland_display(root, c, e);
        if (r >= 0)
                r = config_parse_frame_width(root, "", &c->frame_width, e);
        if (r >= 0)
                r = parse_clipboard_keys(root, c, e);
        if (r >= 0)
                r = parse_vms(root, c, e);
        return r < 0 ? r : 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.h: the validated vmsilo configuration (the JSON form of the original `programs.vmsilo`
 * option tree) and its loader. Pure: no I/O beyond what the caller hands in.
 *
 * Ownership: a Config owns every string and array below it; config_free() releases all of it.
 * After a successful config_load_*() every field is validated and every derived value (MACs, TAP
 * names, shared-home path, colour RGB, byte and µs forms of sizes and durations) is filled in. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"
#include "macro.h"
#include "vmsilo-config.h"

/* <sysconfdir>/vmsilo/config.json (meson.build). */
#define CONFIG_DEFAULT_PATH VMSILO_CONFIG_PATH
/* Larger files are refused before parsing. */
#define CONFIG_FILE_SIZE_MAX (16 * 1024 * 1024)
/* VM names become parts of socket and TAP names ("<name>-command.socket", "<name>-0"). */
#define CONFIG_VM_NAME_MAX 64
#define CONFIG_VMS_MAX 256
/* waylandDisplay: what fits sun_path with its NUL. */
#define CONFIG_WAYLAND_DISPLAY_MAX 107
#define CONFIG_INTERFACES_MAX 16
#define CONFIG_MEMORY_MIB_MIN 64
#define CONFIG_MEMORY_MIB_MAX (1024 * 1024)
#define CONFIG_CPUS_MAX 256
/* frameWidth: pixels of the VM's colour vmsilo-wayland draws around each window (its
 * FRAME_WIDTH_DEFAULT and FRAME_WIDTH_MAX). */
#define CONFIG_FRAME_WIDTH_DEFAULT 4
#define CONFIG_FRAME_WIDTH_MAX 64
/* Linux IFNAMSIZ - 1: the longest usable interface name. */
#define CONFIG_IFNAME_MAX 15

typedef enum VmmKind {
        VMM_AUTO, /* crosvm when installed, else QEMU; resolved by the caller, never by the plan */
        VMM_QEMU,
        VMM_CROSVM,
        _VMM_KIND_MAX,
        _VMM_KIND_INVALID = -EINVAL,
} VmmKind;

typedef enum AccelKind {
        ACCEL_AUTO, /* KVM when the host can really run guests with it, else TCG */
        ACCEL_KVM,
        ACCEL_TCG,
        _ACCEL_KIND_MAX,
        _ACCEL_KIND_INVALID = -EINVAL,
} AccelKind;

typedef enum OverlayType {
        OVERLAY_QCOW2,
        OVERLAY_TMPFS,
        _OVERLAY_TYPE_MAX,
        _OVERLAY_TYPE_INVALID = -EINVAL,
} OverlayType;

typedef enum SharedHomeMode {
        SHARED_HOME_DISABLED,
        SHARED_HOME_DEFAULT, /* true: /shared/<name> */
        SHARED_HOME_PATH,    /* a string: that path */
        _SHARED_HOME_MODE_MAX,
        _SHARED_HOME_MODE_INVALID = -EINVAL,
} SharedHomeMode;

/* One entry of a free-form attribute set that is handed to the VMM as key=value. Values keep
 * their JSON scalar spelling: strings as they are, booleans "true"/"false", integers in decimal. */
typedef struct KeyValue {
        char *key;
        char *value;
} KeyValue;

typedef struct KeyValueList {
        KeyValue *items; /* in the order the JSON object gave them */
        size_t n_items;
} KeyValueList;

/* Returns the value for key or NULL. */
const char *key_value_list_get(const KeyValueList *l, const char *key);

typedef struct Route {
        char *destination; /* CIDR, e.g. "0.0.0.0/0" or "::/0" */
        char *via;         /* gateway address */
} Route;

/* One tap.allowedHostPorts item: "tcp/PORT" or "udp/PORT". */
typedef struct HostPort {
        bool udp;      /* else TCP */
        uint16_t port; /* 1-65535 */
} HostPort;

typedef struct NetInterface {
        char *name;     /* guest-visible name: the key in network.interfaces */
        unsigned index; /* position among the VM's interfaces sorted by name, as Nix attrsets are */
        uint8_t mac[6]; /* macAddress, or derived from a hash of "<vmname>-<ifname>" */
        bool mac_derived;
        char *tap_name; /* tap.name, or derived "<vmname>-<index>" (≤ CONFIG_IFNAME_MAX) */
        bool tap_name_derived;
        char *tap_host_address;           /* "10.0.0.254/24" or NULL; exclusive with tap_bridge */
        char *tap_bridge;                 /* bridge name or NULL */
        HostPort *tap_allowed_host_ports; /* host ports this guest may reach on its link */
        size_t n_tap_allowed_host_ports;
        bool dhcp;
        char **addresses;    /* NULL-terminated strv of IPv4 CIDRs, never NULL */
        char **v6_addresses; /* NULL-terminated strv of IPv6 CIDRs, never NULL */
        Route *routes;
        size_t n_routes;
        Route *v6_routes;
        size_t n_v6_routes;
} NetInterface;

/* additionalDisks items and rootDisk: `path` is required; every other key goes to the VMM. */
typedef struct DiskConfig {
        char *path;
        KeyValueList options; /* without "path", in JSON order */
} DiskConfig;

typedef struct SharedDirectory {
        char *path;           /* host directory */
        char *tag;            /* mount tag seen by the guest */
        KeyValueList options; /* without path and tag, in JSON order */
} SharedDirectory;

typedef struct PciDevice {
        char *address;        /* normalised "0000:01:00.0" */
        char *sysfs_path;     /* "/sys/bus/pci/devices/0000:01:00.0/" */
        KeyValueList options; /* without path */
} PciDevice;

/* gpu / sound: false, true (VMM default), or an attribute set of VMM options. */
typedef struct DeviceSwitch {
        bool enabled;
        bool custom; /* an attrset was given: options replace the default */
        KeyValueList options;
} DeviceSwitch;

typedef struct CrosvmOptions {
        char *log_level;       /* NULL per VM = use the global one */
        char **extra_args;     /* strv, never NULL */
        char **extra_run_args; /* strv, never NULL */
} CrosvmOptions;

typedef struct VmConfig {
        char *name;
        uint64_t memory_mib;
        unsigned cpus;
        char *color;          /* as written */
        uint32_t color_rgb;   /* 0xRRGGBB */
        uint32_t text_rgb;    /* 0x000000 or 0xffffff, readable on color_rgb */
        uint32_t frame_width; /* frameWidth; the global one unless frame_width_set */
        bool frame_width_set;
        char **nameservers;       /* strv */
        NetInterface *interfaces; /* sorted by name */
        size_t n_interfaces;
        bool auto_shutdown;
        uint64_t auto_shutdown_after_sec;
        bool auto_start;
        bool tray;         /* show the guest's tray items on the host (docs/tray.md) */
        char **depends_on; /* strv of VM names */
        DiskConfig *additional_disks;
        size_t n_additional_disks;
        DiskConfig *root_disk; /* NULL: the built root filesystem */
        char *kernel;          /* NULL: default guest kernel */
        char *initramfs;       /* NULL: default initramfs */
        bool root_disk_readonly;
        SharedHomeMode shared_home_mode;
        char *shared_home_path; /* derived: "/shared/<name>", the given path, or NULL if disabled */
        char **kernel_params;   /* strv */
        DeviceSwitch gpu;
        DeviceSwitch sound;
        SharedDirectory *shared_directories;
        size_t n_shared_directories;
        PciDevice *pci_devices;
        size_t n_pci_devices;
        char **guest_programs;    /* strv of package names */
        char **guest_config;      /* strv of paths: files/scripts applied to the guest image */
        KeyValueList *vhost_user; /* each: type=…, socket=…, … */
        size_t n_vhost_user;
        CrosvmOptions crosvm;
        OverlayType root_overlay_type;
        char *root_overlay_size; /* as written, e.g. "10G" */
        uint64_t root_overlay_size_bytes;
        char *wayland_proxy; /* "wayland-proxy-virtwl" (default), "sommelier" (crosvm), "waypipe" */
        VmmKind vmm;         /* per-VM override, VMM_AUTO = inherit the global choice */
        AccelKind accel;     /* per-VM override, ACCEL_AUTO = inherit the global choice */
} VmConfig;

typedef struct BalloondOptions {
        char *log_level;
        char *poll_interval; /* as written, e.g. "2s" */
        uint64_t poll_interval_usec;
        unsigned critical_host_percent; /* 0–100 */
        char *guest_available_bias;     /* as written, e.g. "300m" */
        uint64_t guest_available_bias_bytes;
        char **extra_args;
} BalloondOptions;

typedef struct Config {
        bool enable;
        char *user;
        bool nat_enable;
        char *nat_interface; /* "" when unset */
        VmConfig *vms;       /* in JSON order */
        size_t n_vms;
        bool enable_bash_integration;
        CrosvmOptions crosvm; /* log_level never NULL here */
        BalloondOptions balloond;
        char *tray_log_level;
        char **isolated_pci_devices; /* strv of normalised addresses */
        char *wayland_display;       /* NULL: the one live wayland-N in the user's runtime dir */
        VmmKind vmm;                 /* global choice */
        AccelKind accel;             /* global choice */
        uint32_t frame_width;        /* frameWidth, the VMs' default */
        char *clipboard_copy_key;    /* clipboardCopyKey: "mod+mod+key" (hotkey-spec.h) */
        char *clipboard_paste_key;   /* clipboardPasteKey */
} Config;

/* One validation problem. path is the JSON path ("nixosVms[1].network.interfaces.wan.tap");
 * line/column are 0 when the parser cannot tell. */
typedef struct ConfigError {
        char *path;
        char *message;
        int line;
        int column;
} ConfigError;

typedef struct ConfigErrors {
        ConfigError *items;
        size_t n_items;
} ConfigErrors;

void config_errors_finish(ConfigErrors *e);
/* Formats e as "FILE:LINE:COL: PATH: MESSAGE"; "LINE:COL:" only when line > 0, "PATH: " only when
 * path is non-empty. Pure. Returns 0 with *ret a new string, or -ENOMEM. */
int config_error_format(const ConfigError *e, const char *file, char **ret);
/* Writes every error of e to f, one config_error_format() line each. */
void config_errors_print(const ConfigErrors *e, const char *file, FILE *f);

/* Parses and validates a whole document. On success returns 0 and *ret owns the config. On a
 * document with problems returns -EINVAL, leaves *ret untouched and appends *every* problem found
 * to errors (the caller prints them). Other negative errnos: -ENOMEM. `source` names the document
 * in errors and may be NULL. */
int config_load_string(const char *json, const char *source, Config **ret, ConfigErrors *errors);
/* As config_load_string(), reading the file first (-errno if it cannot be read; then errors holds
 * one entry saying why). */
int config_load_file(const char *path, Config **ret, ConfigErrors *errors);
/* config_load_file() that logs every problem found as "FILE:LINE:COLUMN: JSON-PATH: MESSAGE"
 * (the command-line programs' way). */
int config_load_file_logged(const char *path, Config **ret);

Config *config_free(Config *c);
DEFINE_FREE_FUNC(Config *, config_free);

const VmConfig *config_find_vm(const Config *c, const char *name);

/* The VMM and acceleration a VM actually asks for: the per-VM value, else the global one.
 * VMM_AUTO resolves to crosvm when crosvm_available, else QEMU. ACCEL_AUTO stays AUTO: whether
 * KVM works is the launcher's question. */
VmmKind config_vm_vmm(const Config *c, const VmConfig *vm, bool crosvm_available);
AccelKind config_vm_accel(const Config *c, const VmConfig *vm);

/* Every VM's config_vm_vmm(), in config order, for plan_validate_config(); NULL on OOM. */
VmmKind *config_vmm_kinds(const Config *c, bool crosvm_available);

/* Per-VM crosvm log level, else the global one. Never NULL. */
const char *config_vm_crosvm_log_level(const Config *c, const VmConfig *vm);

/* Renders the normalised configuration (defaults filled in, derived values included) as JSON
 * text. The returned string is owned by the caller. */
int config_format_json(const Config *c, char **ret);

const char *vmm_kind_to_string(VmmKind k);
VmmKind vmm_kind_from_string(const char *s);
const char *accel_kind_to_string(AccelKind k);
AccelKind accel_kind_from_string(const char *s);
const char *overlay_type_to_string(OverlayType t);
OverlayType overlay_type_from_string(const char *s);

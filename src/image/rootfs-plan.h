/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rootfs-plan.h: the decisions of `vmsilo image build NAME` (a VM's Debian root image) that need
 * no I/O: package names, the inputs manifest whose hash names the image, the mmdebstrap command
 * line, the image size and the files written into the tree. Pure: texts in, results in ret_*;
 * no files, no logging. The I/O lives in rootfs-build.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "macro.h"

/* Bump when the tree the builder makes changes: every image then gets a new name. */
#define ROOTFS_LAYOUT_VERSION 9
#define ROOTFS_MANIFEST_MAGIC "vmsilo-rootfs-manifest"

/* Always installed: systemd as /sbin/init starts the agent's unit. */
#define ROOTFS_BASE_PACKAGES "systemd-sysv"
/* Always installed too: the guest user's session bus (vmsilo-session-bus.service). */
#define ROOTFS_SESSION_BUS_PACKAGES "dbus-daemon"
/* Added for VMs whose gpu is on: the guest end of their Wayland display (docs/guest-image.md). */
#define ROOTFS_WAYLAND_PACKAGES "waypipe"
/* Added for VMs with tray on: what vmsilo-tray links besides libc and libsystemd (docs/tray.md). */
#define ROOTFS_TRAY_PACKAGES "libjansson4", "libpng16-16", "libunistring2"
/* Added when the programs list ROOTFS_PULSE_SERVER_PACKAGE: its session manager (a Recommends,
 * which the build does not install) and the ALSA plugin that routes ALSA's default device
 * through PipeWire, which holds the card (docs/sound.md, "The guest's Pulse server"). */
#define ROOTFS_PULSE_SERVER_PACKAGE "pipewire-pulse"
#define ROOTFS_PULSE_SERVER_PACKAGES "pipewire-alsa", "wireplumber"
/* Longest package name, suite and mirror URL accepted. */
#define ROOTFS_PACKAGE_NAME_MAX 128
#define ROOTFS_SUITE_MAX 64
#define ROOTFS_MIRROR_MAX 1024

/* Paths inside the image (absolute in the guest). */
#define ROOTFS_AGENT_PATH "/usr/libexec/vmsilo/vmsilo-agent"
#define ROOTFS_AGENT_UNIT_PATH "/etc/systemd/system/vmsilo-agent.service"
#define ROOTFS_AGENT_UNIT_WANTS "/etc/systemd/system/multi-user.target.wants/vmsilo-agent.service"
#define ROOTFS_SESSION_ENV_PATH "/etc/vmsilo/session.env"
#define ROOTFS_TMPFILES_PATH "/etc/tmpfiles.d/vmsilo.conf"
/* Same name as Debian's /usr/lib/tmpfiles.d/tmp.conf, which it overrides. */
#define ROOTFS_TMP_TMPFILES_PATH "/etc/tmpfiles.d/tmp.conf"
#define ROOTFS_SYSCTL_PATH "/etc/sysctl.d/50-vmsilo.conf"
/* The console's getty (rootfs_getty_autologin): systemd's console-getty.service, enabled, with a
 * drop-in; serial-getty@.service masked (see rootfs-plan.c). */
#define ROOTFS_GETTY_UNIT "/lib/systemd/system/console-getty.service"
#define ROOTFS_GETTY_WANTS_DIR "/etc/systemd/system/getty.target.wants"
#define ROOTFS_GETTY_WANTS ROOTFS_GETTY_WANTS_DIR "/console-getty.service"
#define ROOTFS_GETTY_DROPIN_DIR "/etc/systemd/system/console-getty.service.d"
#define ROOTFS_GETTY_DROPIN_PATH ROOTFS_GETTY_DROPIN_DIR "/vmsilo-autologin.conf"
#define ROOTFS_SERIAL_GETTY_MASK "/etc/systemd/system/serial-getty@.service"

/* mmdebstrap's own hooks that merge /usr as debootstrap does (Debian package mmdebstrap). */
#define ROOTFS_MMDEBSTRAP_MERGED_USR_HOOKS "/usr/share/mmdebstrap/hooks/merged-usr"

/* The tree's timestamps, and whatever else mmdebstrap makes reproducible: Debian 12's release
 * day. A constant, not the build's time: an image is named by its inputs alone. */
#define ROOTFS_SOURCE_DATE_EPOCH "1686355200"
#define ROOTFS_WAYPIPE_UNIT_PATH "/etc/systemd/system/vmsilo-waypipe.service"
#define ROOTFS_WAYPIPE_UNIT_WANTS                                                                  \
        "/etc/systemd/system/multi-user.target.wants/vmsilo-waypipe.service"
#define ROOTFS_SESSION_BUS_UNIT_PATH "/etc/systemd/system/vmsilo-session-bus.service"
#define ROOTFS_SESSION_BUS_UNIT_WANTS                                                              \
        "/etc/systemd/system/multi-user.target.wants/vmsilo-session-bus.service"
#define ROOTFS_TRAY_PATH "/usr/libexec/vmsilo/vmsilo-tray"
#define ROOTFS_TRAY_UNIT_PATH "/etc/systemd/system/vmsilo-tray.service"
#define ROOTFS_TRAY_UNIT_WANTS "/etc/systemd/system/multi-user.target.wants/vmsilo-tray.service"

/* Debian policy: lowercase letters, digits, + - . ; at least 2 long, starting alphanumeric. */
bool rootfs_plan_package_is_valid(const char *name);
/* [a-z0-9-]+, like "bookworm" or "stable". */
bool rootfs_plan_suite_is_valid(const char *suite);
/* http://, https:// or file:/// followed by printable non-blank ASCII. */
bool rootfs_plan_mirror_is_valid(const char *mirror);

/* The packages to install: programs + ROOTFS_BASE_PACKAGES + ROOTFS_SESSION_BUS_PACKAGES
 * (+ ROOTFS_WAYLAND_PACKAGES with wayland, + ROOTFS_TRAY_PACKAGES with tray,
 * + ROOTFS_PULSE_SERVER_PACKAGES when programs has ROOTFS_PULSE_SERVER_PACKAGE), sorted, each once.
 * -EINVAL (with *ret_bad pointing at the offending entry of programs) for an invalid name;
 * ret_bad may be NULL. */
int rootfs_plan_packages(
                char *const *programs, bool wayland, bool tray, char ***ret, const char **ret_bad);

/* VERSION_CODENAME from os-release(5) text, unquoted; -ENOENT if absent or not a valid suite. */
int rootfs_plan_os_codename(const char *os_release, char **ret);

/* mmdebstrap's argv: as root, into the directory target, minbase plus the packages as --include.
 * apt resolves them (alternatives, virtual packages, versioned dependencies), Depends only:
 * mmdebstrap installs no Recommends. */
int rootfs_plan_mmdebstrap_argv(const char *suite, const char *mirror, char *const *packages,
                const char *target, char ***ret);

/* The group whose devices the guest user may open: /init gives it the sound card's nodes
 * (guest/init.d/85-root.sh); the agent's sessions are no seat sessions logind would give ACLs. */
#define ROOTFS_SOUND_GROUP "audio"

/* text (an /etc/group) with member added to group's member list: *ret is the new text, or NULL
 * when nothing changes (no such group, or member already listed). */
int rootfs_plan_group_add_member(
                const char *text, const char *group, const char *member, char **ret);

/* ext4 image size for a tree using used_bytes in n_inodes: 25 % + 64 MiB slack, rounded up to
 * 4 MiB (the lower layer is read-only; the slack covers metadata and guestConfig scripts'
 * rounding), and the inode count to reserve. -ERANGE if it would not fit in 64 bits. */
int rootfs_plan_image_size(
                uint64_t used_bytes, uint64_t n_inodes, uint64_t *ret_bytes, uint64_t *ret_inodes);

typedef enum RootfsEntryKind {
        ROOTFS_ENTRY_FILE,
        ROOTFS_ENTRY_DIR,
        ROOTFS_ENTRY_SYMLINK,
        _ROOTFS_ENTRY_KIND_MAX,
        _ROOTFS_ENTRY_KIND_INVALID = -EINVAL,
} RootfsEntryKind;

/* One file of a guestConfig directory: its place below the directory, mode bits and content
 * (file: sha256 of the bytes; symlink: the target; directory: nothing). */
typedef struct RootfsTreeEntry {
        RootfsEntryKind kind;
        char *path; /* relative, no leading "/" */
        unsigned mode;
        char *target;                     /* symlinks only */
        char sha256_hex[SHA256_HEX_SIZE]; /* files only */
} RootfsTreeEntry;

typedef enum RootfsConfigKind {
        ROOTFS_CONFIG_TREE,   /* a directory copied over the root */
        ROOTFS_CONFIG_SCRIPT, /* an executable run chrooted in the tree */
        _ROOTFS_CONFIG_KIND_MAX,
        _ROOTFS_CONFIG_KIND_INVALID = -EINVAL,
} RootfsConfigKind;

typedef struct RootfsConfigItem {
        RootfsConfigKind kind;
        char sha256_hex[SHA256_HEX_SIZE]; /* script: its bytes */
        RootfsTreeEntry *entries;         /* tree: sorted by path */
        size_t n_entries;
} RootfsConfigItem;

/* What an image is built from. Paths of the inputs are not part of it: two VMs whose inputs have
 * equal contents share one image. */
typedef struct RootfsInputs {
        char *suite;
        char *mirror;
        char **packages; /* sorted, see rootfs_plan_packages() */
        char agent_sha256_hex[SHA256_HEX_SIZE];
        char agent_unit_sha256_hex[SHA256_HEX_SIZE];
        char tray_sha256_hex[SHA256_HEX_SIZE]; /* vmsilo-tray; "" without tray */
        RootfsConfigItem *config;              /* in guestConfig order */
        size_t n_config;
} RootfsInputs;

void rootfs_inputs_finish(RootfsInputs *in);
/* Appends a guestConfig item; returns its index or -ENOMEM. */
int rootfs_inputs_add_config(RootfsInputs *in, RootfsConfigKind kind);
/* Adds an entry to tree item `item`; -EINVAL if path is empty, absolute, has a ".." component
 * or a control character (the manifest is line-based), or target does (symlinks). */
int rootfs_inputs_add_entry(RootfsInputs *in, size_t item, RootfsEntryKind kind, const char *path,
                unsigned mode, const char *target, const uint8_t digest[SHA256_DIGEST_SIZE]);
/* Sorts every tree's entries by path, so a directory's listing order does not matter. */
void rootfs_inputs_sort(RootfsInputs *in);

/* The manifest text: magic + layout version, "suite S", "mirror M", "package P"…, "agent SHA",
 * "agent-unit SHA", "tray SHA" (with tray), then per guestConfig item "config-tree N" + "  file SHA
 * MODE PATH" / "  dir MODE PATH" / "  symlink PATH -> TARGET" lines, or "config-script SHA".
 * -EINVAL if a field is missing. */
int rootfs_manifest_format(const RootfsInputs *in, char **ret);
/* The image's name: sha256 hex of the manifest text. */
void rootfs_manifest_id(const char *text, char ret[SHA256_HEX_SIZE]);

/* The files the builder writes into the tree (guest user, session environment, sysctl). */
extern const char rootfs_session_env[];
extern const char rootfs_tmpfiles[];
/* /etc/tmpfiles.d/tmp.conf: /tmp kept at boot, aged out after 10 days. */
extern const char rootfs_tmp_tmpfiles[];
extern const char rootfs_sysctl[];
/* The drop-in of console-getty.service: the guest user logged in on the console. */
extern const char rootfs_getty_autologin[];
/* vmsilo-waypipe.service, installed and enabled with wayland (docs/guest-image.md). */
extern const char rootfs_waypipe_unit[];
/* vmsilo-session-bus.service, always: the guest user's D-Bus session bus (docs/guest-image.md). */
extern const char rootfs_session_bus_unit[];
/* vmsilo-tray.service, with tray: the guest half of vmsilo-tray (docs/tray.md). */
extern const char rootfs_tray_unit[];
/* The guest user's Pulse server (docs/sound.md), installed only when the tree has all three
 * programs: pipewire, wireplumber, pipewire-pulse (the services, in that order, then the sockets
 * of pipewire and pipewire-pulse; each unit's program is the one it runs or serves). */
#define ROOTFS_SOUND_SERVER_UNITS 5
typedef struct RootfsSoundServerUnit {
        const char *program; /* in the guest */
        const char *path;
        const char *wants;
        const char *text;
} RootfsSoundServerUnit;
extern const RootfsSoundServerUnit rootfs_sound_server_units[ROOTFS_SOUND_SERVER_UNITS];
/* With them: PipeWire's drop-in making the card its sink, wireplumber's turning its ALSA monitor
 * off. */
#define ROOTFS_PIPEWIRE_CONF_PATH "/etc/pipewire/pipewire.conf.d/50-vmsilo.conf"
#define ROOTFS_WIREPLUMBER_CONF_PATH "/etc/wireplumber/main.lua.d/51-vmsilo.lua"
extern const char rootfs_pipewire_conf[];
extern const char rootfs_wireplumber_conf[];
/* The guest user's lines to append to /etc/passwd, /etc/group, /etc/shadow. */
extern const char rootfs_passwd_line[];
extern const char rootfs_group_line[];
extern const char rootfs_shadow_line[];

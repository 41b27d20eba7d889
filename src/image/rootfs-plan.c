/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rootfs-plan.c: the pure decisions of the Debian root image builder (see rootfs-plan.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootfs-plan.h"
#include "strv.h"
#include "vmsilo-config.h"

const char rootfs_session_env[] =
                "# vmsilo: variables of every session the agent starts "
                "(docs/agent.md)\n"
                "XDG_RUNTIME_DIR=/run/user/" GUEST_UID "\n"
                "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/" GUEST_UID "/bus\n";
const char rootfs_tmpfiles[] = "# vmsilo: the guest user's XDG_RUNTIME_DIR, made at every boot\n"
                               "d /run/user/" GUEST_UID " 0700 " GUEST_UID " " GUEST_GID " -\n";
/* Replaces Debian's tmp.conf ("D /tmp": emptied at every boot). The agent starts before
 * systemd-tmpfiles-setup (its unit says why), so the boot's clean-up would delete what the first
 * sessions wrote to /tmp; files there age out after 10 days instead. */
const char rootfs_tmp_tmpfiles[] = "# vmsilo: /tmp is not emptied at boot (docs/guest-image.md)\n"
                                   "d /tmp 1777 root root 10d\n";
/* What systemd's upstream sysctl.d/50-default.conf sets and Debian's systemd does not ship:
 * every group may open ICMP echo sockets, so `ping` works without privileges. */
const char rootfs_sysctl[] = "# vmsilo: unprivileged ping, as systemd sets by default\n"
                             "net.ipv4.ping_group_range = 0 2147483647\n";
/* `vm-shell NAME` attaches to the console. The guest user's password is locked
 * (rootfs_shadow_line), so a login prompt would be a dead end: the getty there logs the user in,
 * as Debian's console-getty.service runs agetty but with --autologin (and login -f). Not
 * serial-getty@ttyS0, which the console= parameter makes systemd start: it waits for
 * dev-ttyS0.device, which never comes without udev (minbase has none), so the getty failed after
 * 90 s; it is masked, and console-getty (no device to wait for) is enabled instead. The console is
 * host-only: root and the configured user reach it through vmsilod. */
const char rootfs_getty_autologin[] =
                "# vmsilo: the guest user logged in on the console (docs/guest-image.md)\n"
                "[Service]\n"
                "ExecStart=\n"
                "ExecStart=-/sbin/agetty -o '-p -f -- \\\\u' --noclear --keep-baud --autologin " GUEST_USER
                " - 115200,38400,9600 $TERM\n";
/* One persistent `waypipe server` for the guest user: it makes the display wayland-0 in
 * /run/user/1000 (what the agent puts in WAYLAND_DISPLAY) and, for each Wayland client, connects
 * to the agent's socket for the host service "wayland", which opens one stream to the host. The
 * agent listens there only when the host's plan says vmsilo.forward=wayland (gpu on). */
const char rootfs_waypipe_unit[] =
                "# vmsilo: the guest user's Wayland display, relayed to the host "
                "(docs/guest-image.md)\n"
                "[Unit]\n"
                "Description=vmsilo Wayland display (waypipe server)\n"
                "ConditionKernelCommandLine=vmsilo.forward\n"
                "After=systemd-tmpfiles-setup.service\n"
                "\n"
                "[Service]\n"
                "User=" GUEST_USER "\n"
                "Environment=XDG_RUNTIME_DIR=/run/user/" GUEST_UID "\n"
                "ExecStart=/usr/bin/waypipe --socket /run/vmsilo/forward/wayland.sock --display "
                "wayland-0 server -- /bin/sleep infinity\n"
                "Restart=always\n"
                "RestartSec=1\n"
                "\n"
                "[Install]\n"
                "WantedBy=multi-user.target\n";
/* The guest user's session bus, a plain system service: guests run no `systemd --user` (the
 * agent starts sessions without PAM or logind), so dbus-user-session's socket never would. At
 * the address every session gets (rootfs_session_env), which sd-bus and libdbus also derive
 * from XDG_RUNTIME_DIR. */
const char rootfs_session_bus_unit[] =
                "# vmsilo: the guest user's D-Bus session bus (docs/guest-image.md)\n"
                "[Unit]\n"
                "Description=vmsilo D-Bus session bus of the guest user\n"
                "After=systemd-tmpfiles-setup.service\n"
                "StartLimitIntervalSec=0\n"
                "\n"
                "[Service]\n"
                "User=" GUEST_USER "\n"
                "Environment=XDG_RUNTIME_DIR=/run/user/" GUEST_UID "\n"
                "ExecStart=/usr/bin/dbus-daemon --session --nofork --nopidfile "
                "--address=unix:path=/run/user/" GUEST_UID "/bus\n"
                "Restart=always\n"
                "RestartSec=1\n"
                "\n"
                "[Install]\n"
                "WantedBy=multi-user.target\n";
/* The guest half of the tray: the session's StatusNotifierWatcher, connected to the agent's
 * socket for the host service "tray" (there only when the plan says vmsilo.forward=…tray). It
 * exits when the stream ends (no host yet, VM pausing, host half restarted) and is started
 * again; no start limit, a missing host is routine. */
const char rootfs_tray_unit[] =
                "# vmsilo: the guest's tray items in the host's tray (docs/tray.md)\n"
                "[Unit]\n"
                "Description=vmsilo tray (guest half)\n"
                "ConditionKernelCommandLine=vmsilo.forward\n"
                "Wants=vmsilo-session-bus.service\n"
                "After=vmsilo-session-bus.service vmsilo-agent.service\n"
                "StartLimitIntervalSec=0\n"
                "\n"
                "[Service]\n"
                "User=" GUEST_USER "\n"
                "Environment=XDG_RUNTIME_DIR=/run/user/" GUEST_UID " "
                "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/" GUEST_UID "/bus\n"
                "ExecStart=" ROOTFS_TRAY_PATH " guest --connect /run/vmsilo/forward/tray.sock\n"
                "Restart=always\n"
                "RestartSec=3\n"
                "\n"
                "[Install]\n"
                "WantedBy=multi-user.target\n";
/* The guest user's Pulse server, in images whose packages brought PipeWire's (docs/sound.md):
 * pipewire, its session manager wireplumber and pipewire-pulse, each a plain system service as
 * the guest user, like the session bus (no `systemd --user` runs). Restarted when they exit. The
 * two servers' sockets are systemd's, made at once at boot (before the agent, which is ordered
 * after them): the first vm-run after a boot often comes before PipeWire is up, and a program's
 * connection then waits in the socket's queue instead of failing ("Host is down"). */
#define SOUND_SERVER_UNIT(what, deps, binary)                                                      \
        "# vmsilo: " what " of the guest user (docs/sound.md)\n"                                   \
        "[Unit]\n"                                                                                 \
        "Description=vmsilo " what " of the guest user\n"                                          \
        "After=systemd-tmpfiles-setup.service vmsilo-session-bus.service\n" deps                   \
        "StartLimitIntervalSec=0\n"                                                                \
        "\n"                                                                                       \
        "[Service]\n"                                                                              \
        "User=" GUEST_USER "\n"                                                                    \
        "Environment=XDG_RUNTIME_DIR=/run/user/" GUEST_UID " "                                     \
        "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/" GUEST_UID "/bus\n"                         \
        "ExecStart=" binary "\n"                                                                   \
        "Restart=always\n"                                                                         \
        "RestartSec=1\n"                                                                           \
        "\n"                                                                                       \
        "[Install]\n"                                                                              \
        "WantedBy=multi-user.target\n"
/* Early (no default dependencies: /init made /run/user/UID), owned by the guest user; the
 * directory systemd makes for a socket is root's, so it is given to the user after binding. */
#define SOUND_SERVER_SOCKET(what, dir, socket)                                                     \
        "# vmsilo: the socket of the guest user's " what " (docs/sound.md)\n"                      \
        "[Unit]\n"                                                                                 \
        "Description=vmsilo " what " socket of the guest user\n"                                   \
        "DefaultDependencies=no\n"                                                                 \
        "Before=sockets.target\n"                                                                  \
        "\n"                                                                                       \
        "[Socket]\n"                                                                               \
        "ListenStream=/run/user/" GUEST_UID dir socket "\n"                                        \
        "SocketUser=" GUEST_USER "\n"                                                              \
        "SocketGroup=" GUEST_USER "\n"                                                             \
        "SocketMode=0600\n"                                                                        \
        "DirectoryMode=0700\n"                                                                     \
        "ExecStartPost=/bin/chown " GUEST_USER ":" GUEST_USER " /run/user/" GUEST_UID dir "\n"     \
        "\n"                                                                                       \
        "[Install]\n"                                                                              \
        "WantedBy=sockets.target\n"
#define SOUND_SERVER_FILE(program, name, kind, wanted_by, unit)                                    \
        {                                                                                          \
                "/usr/bin/" program, "/etc/systemd/system/vmsilo-" name "." kind,                  \
                                "/etc/systemd/system/" wanted_by ".wants/vmsilo-" name "." kind,   \
                                unit                                                               \
        }
const RootfsSoundServerUnit rootfs_sound_server_units[ROOTFS_SOUND_SERVER_UNITS] = {
        SOUND_SERVER_FILE("pipewire", "pipewire", "service", "multi-user.target",
                        SOUND_SERVER_UNIT("PipeWire", "Requires=vmsilo-pipewire.socket\n",
                                        "/usr/bin/pipewire")),
        SOUND_SERVER_FILE("wireplumber", "wireplumber", "service", "multi-user.target",
                        SOUND_SERVER_UNIT("PipeWire session manager",
                                        "After=vmsilo-pipewire.service\n", "/usr/bin/wireplumber")),
        SOUND_SERVER_FILE("pipewire-pulse", "pipewire-pulse", "service", "multi-user.target",
                        SOUND_SERVER_UNIT("Pulse server",
                                        "Requires=vmsilo-pipewire-pulse.socket\n"
                                        "After=vmsilo-pipewire.service vmsilo-wireplumber.service\n",
                                        "/usr/bin/pipewire-pulse")),
        SOUND_SERVER_FILE("pipewire", "pipewire", "socket", "sockets.target",
                        SOUND_SERVER_SOCKET("PipeWire", "", "/pipewire-0")),
        SOUND_SERVER_FILE("pipewire-pulse", "pipewire-pulse", "socket", "sockets.target",
                        SOUND_SERVER_SOCKET("Pulse server", "/pulse", "/native")),
};
/* Root images run no udev, and wireplumber's ALSA monitor finds only cards udev has marked
 * (SOUND_INITIALIZED): PipeWire makes the VM's card (hw:0, the only one) its sink and source
 * itself, and the monitor stays off. ALSA programs reach the card through PipeWire too
 * (pipewire-alsa, ROOTFS_PULSE_SERVER_PACKAGES), so nothing else opens it. nofail: a VM without
 * sound has no card, and one without capture no capture PCM (the adapter finds no format to
 * offer and is not made); PipeWire runs on without that node. */
#define PIPEWIRE_CARD_NODE(factory, name, description, media_class)                                \
        "    { factory = adapter\n"                                                                \
        "        args = {\n"                                                                       \
        "            factory.name         = " factory "\n"                                         \
        "            node.name            = \"" name "\"\n"                                        \
        "            node.description     = \"" description "\"\n"                                 \
        "            media.class          = \"" media_class "\"\n"                                 \
        "            api.alsa.path        = \"hw:0\"\n"                                            \
        "            node.suspend-on-idle = true\n"                                                \
        "        }\n"                                                                              \
        "        flags = [ nofail ]\n"                                                             \
        "    }\n"
const char rootfs_pipewire_conf[] =
                "# vmsilo: the VM's sound card as PipeWire's sink and source (docs/sound.md)\n"
                "context.objects = [\n" PIPEWIRE_CARD_NODE(
                                "api.alsa.pcm.sink", "vmsilo-card", "VM sound card", "Audio/Sink")
                                PIPEWIRE_CARD_NODE("api.alsa.pcm.source", "vmsilo-card-input",
                                                "VM sound card input", "Audio/Source") "]\n";
const char rootfs_wireplumber_conf[] =
                "-- vmsilo: no ALSA monitor without udev; PipeWire makes the card's nodes "
                "(docs/sound.md)\n"
                "alsa_monitor.enabled = false\n";

/* The guest user as guest/user.conf defines it (meson.build makes GUEST_* of it). */
const char rootfs_passwd_line[] = GUEST_USER ":x:" GUEST_UID ":" GUEST_GID ":" GUEST_USER
                                             ":" GUEST_HOME ":" GUEST_SHELL "\n";
const char rootfs_group_line[] = GUEST_USER ":x:" GUEST_GID ":\n";
/* Locked: nobody logs in with a password; the agent switches users itself. lastchg is empty,
 * not 0: 0 means "change the password at next login", which PAM enforces (sshd would refuse
 * even a key: "Your password has expired"). */
const char rootfs_shadow_line[] = GUEST_USER ":*::0:99999:7:::\n";

int rootfs_plan_group_add_member(
                const char *text, const char *group, const char *member, char **ret) {
        size_t n = strlen(group), m = strlen(member);

        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *end = strchrnul(l, '\n'), *members = l;

                if (strncmp(l, group, n) != 0 || l[n] != ':')
                        continue;
                /* name:password:gid:members */
                for (int colons = 0; colons < 3; colons++) {
                        members = memchr(members, ':', (size_t) (end - members));
                        if (!members)
                                return -EINVAL;
                        members++;
                }
                for (const char *p = members; p < end;) {
                        const char *comma = memchr(p, ',', (size_t) (end - p));
                        const char *stop = comma ? comma : end;

                        if ((size_t) (stop - p) == m && strncmp(p, member, m) == 0) {
                                *ret = NULL;
                                return 0;
                        }
                        p = comma ? comma + 1 : end;
                }
                if (asprintf(ret, "%.*s%s%s%s", (int) (end - text), text, members < end ? "," : "",
                                    member, end) < 0)
                        return -ENOMEM;
                return 0;
        }
        *ret = NULL;
        return 0;
}

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool rootfs_plan_package_is_valid(const char *name) {
        size_t n;

        if (!name)
                return false;
        n = strlen(name);
        if (n < 2 || n > ROOTFS_PACKAGE_NAME_MAX || !is_lower_alnum(name[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!is_lower_alnum(name[i]) && !strchr("+-.", name[i]))
                        return false;
        return true;
}

bool rootfs_plan_suite_is_valid(const char *suite) {
        size_t n;

        if (!suite)
                return false;
        n = strlen(suite);
        if (n == 0 || n > ROOTFS_SUITE_MAX || suite[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_lower_alnum(suite[i]) && suite[i] != '-')
                        return false;
        return true;
}

bool rootfs_plan_mirror_is_valid(const char *mirror) {
        static const char *const schemes[] = { "http://", "https://", "file:///" };
        size_t n, scheme = 0;

        if (!mirror)
                return false;
        n = strlen(mirror);
        if (n > ROOTFS_MIRROR_MAX)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(schemes); i++)
                if (strncmp(mirror, schemes[i], strlen(schemes[i])) == 0)
                        scheme = strlen(schemes[i]);
        if (scheme == 0 || n == scheme)
                return false;
        for (size_t i = 0; i < n; i++)
                if (mirror[i] <= ' ' || mirror[i] > '~')
                        return false;
        return true;
}

int rootfs_plan_packages(
                char *const *programs, bool wayland, bool tray, char ***ret, const char **ret_bad) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        char **sorted;
        size_t kept = 0;

        if (!l)
                return -ENOMEM;
        STRV_FOREACH(p, programs) {
                if (!rootfs_plan_package_is_valid(*p)) {
                        if (ret_bad)
                                *ret_bad = *p;
                        return -EINVAL;
                }
                if (strv_extend(&l, *p) < 0)
                        return -ENOMEM;
        }
        if (strv_extend(&l, ROOTFS_BASE_PACKAGES) < 0 ||
                        strv_extend(&l, ROOTFS_SESSION_BUS_PACKAGES) < 0)
                return -ENOMEM;
        if (wayland && strv_extend(&l, ROOTFS_WAYLAND_PACKAGES) < 0)
                return -ENOMEM;
        if (tray && strv_extend_strv(&l, (char *const[]){ ROOTFS_TRAY_PACKAGES, NULL }) < 0)
                return -ENOMEM;
        if (strv_contains(programs, ROOTFS_PULSE_SERVER_PACKAGE) &&
                        strv_extend_strv(&l,
                                        (char *const[]){ ROOTFS_PULSE_SERVER_PACKAGES, NULL }) < 0)
                return -ENOMEM;
        sorted = strv_sort(l);
        for (size_t i = 0; sorted[i]; i++) {
                if (kept > 0 && streq(sorted[kept - 1], sorted[i])) {
                        free(sorted[i]);
                        continue;
                }
                sorted[kept++] = sorted[i];
        }
        sorted[kept] = NULL;
        *ret = TAKE_PTR(l);
        return 0;
}

int rootfs_plan_os_codename(const char *os_release, char **ret) {
        static const char key[] = "VERSION_CODENAME=";
        const char *line = os_release;

        while (line && *line) {
                const char *end = strchrnul(line, '\n');

                if (strncmp(line, key, strlen(key)) == 0) {
                        const char *v = line + strlen(key);
                        size_t n = (size_t) (end - v);
                        char *s;

                        /* os-release allows shell quoting; codenames never need escapes. */
                        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                                v++;
                                n -= 2;
                        }
                        s = strndup(v, n);
                        if (!s)
                                return -ENOMEM;
                        if (!rootfs_plan_suite_is_valid(s)) {
                                free(s);
                                return -ENOENT;
                        }
                        *ret = s;
                        return 0;
                }
                line = *end ? end + 1 : NULL;
        }
        return -ENOENT;
}

int rootfs_plan_mmdebstrap_argv(const char *suite, const char *mirror, char *const *packages,
                const char *target, char ***ret) {
        _cleanup_(strv_freep) char **argv = strv_new_empty();
        _cleanup_(freep) char *include = NULL, *joined = NULL;

        if (!argv)
                return -ENOMEM;
        if (!rootfs_plan_suite_is_valid(suite) || !rootfs_plan_mirror_is_valid(mirror) ||
                        strv_length(packages) == 0)
                return -EINVAL;
        joined = strv_join(packages, ",");
        if (!joined || asprintf(&include, "--include=%s", joined) < 0)
                return -ENOMEM;
        /* --mode=root: we are root already, so no user namespace (which a hardened host may
         * refuse). --format=directory: mkfs.ext4 -d makes the image from the tree after the
         * agent and guestConfig are in. The merged-usr hooks make /usr merged the way
         * debootstrap does (symlinks + usr-is-merged); without them apt satisfies
         * init-system-helpers' "usrmerge | usr-is-merged" with usrmerge, which pulls in perl
         * (+47 MiB). */
        if (strv_extend(&argv, "mmdebstrap") < 0 || strv_extend(&argv, "--mode=root") < 0 ||
                        strv_extend(&argv, "--format=directory") < 0 ||
                        strv_extend(&argv, "--variant=minbase") < 0 ||
                        strv_extend(&argv, "--hook-dir=" ROOTFS_MMDEBSTRAP_MERGED_USR_HOOKS) < 0 ||
                        strv_extend(&argv, include) < 0 || strv_extend(&argv, suite) < 0 ||
                        strv_extend(&argv, target) < 0 || strv_extend(&argv, mirror) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(argv);
        return 0;
}

int rootfs_plan_image_size(
                uint64_t used_bytes, uint64_t n_inodes, uint64_t *ret_bytes, uint64_t *ret_inodes) {
        const uint64_t slack = UINT64_C(64) << 20, align = UINT64_C(4) << 20;
        uint64_t size;

        if (used_bytes > (UINT64_MAX - slack - align) / 5 * 4 || n_inodes > UINT64_MAX / 2)
                return -ERANGE;
        size = used_bytes + used_bytes / 4 + slack;
        size = (size + align - 1) / align * align;
        *ret_bytes = size;
        *ret_inodes = n_inodes + n_inodes / 4 + 1024;
        return 0;
}

void rootfs_inputs_finish(RootfsInputs *in) {
        free(in->suite);
        free(in->mirror);
        strv_free(in->packages);
        for (size_t i = 0; i < in->n_config; i++) {
                for (size_t j = 0; j < in->config[i].n_entries; j++) {
                        free(in->config[i].entries[j].path);
                        free(in->config[i].entries[j].target);
                }
                free(in->config[i].entries);
        }
        free(in->config);
        *in = (RootfsInputs){};
}

int rootfs_inputs_add_config(RootfsInputs *in, RootfsConfigKind kind) {
        RootfsConfigItem *n;

        n = reallocarray(in->config, in->n_config + 1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        in->config = n;
        in->config[in->n_config] = (RootfsConfigItem){ .kind = kind };
        return (int) in->n_config++;
}

static bool text_is_line_safe(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < ' ' || *s == 0x7f)
                        return false;
        return true;
}

static bool relative_path_is_valid(const char *p) {
        const char *c = p;

        if (!*p || *p == '/' || !text_is_line_safe(p))
                return false;
        while (c) {
                const char *slash = strchr(c, '/');
                size_t n = slash ? (size_t) (slash - c) : strlen(c);

                if (n == 0 || (n == 2 && c[0] == '.' && c[1] == '.') || (n == 1 && c[0] == '.'))
                        return false;
                c = slash ? slash + 1 : NULL;
        }
        return true;
}

int rootfs_inputs_add_entry(RootfsInputs *in, size_t item, RootfsEntryKind kind, const char *path,
                unsigned mode, const char *target, const uint8_t digest[SHA256_DIGEST_SIZE]) {
        _cleanup_(freep) char *p = NULL, *t = NULL;
        RootfsConfigItem *c;
        RootfsTreeEntry *n;

        if (item >= in->n_config || in->config[item].kind != ROOTFS_CONFIG_TREE ||
                        !relative_path_is_valid(path) || kind < 0 || kind >= _ROOTFS_ENTRY_KIND_MAX)
                return -EINVAL;
        if (kind == ROOTFS_ENTRY_SYMLINK && (!target || !*target || !text_is_line_safe(target)))
                return -EINVAL;
        if (kind == ROOTFS_ENTRY_FILE && !digest)
                return -EINVAL;
        p = strdup(path);
        if (!p)
                return -ENOMEM;
        if (kind == ROOTFS_ENTRY_SYMLINK) {
                t = strdup(target);
                if (!t)
                        return -ENOMEM;
        }
        c = &in->config[item];
        n = reallocarray(c->entries, c->n_entries + 1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        c->entries = n;
        n = &c->entries[c->n_entries++];
        *n = (RootfsTreeEntry){
                .kind = kind,
                .path = TAKE_PTR(p),
                .mode = mode & 07777,
                .target = TAKE_PTR(t),
        };
        if (kind == ROOTFS_ENTRY_FILE)
                (void) digest_hex(digest, n->sha256_hex);
        return 0;
}

static int entry_compare(const void *a, const void *b) {
        const RootfsTreeEntry *x = a, *y = b;

        return strcmp(x->path, y->path);
}

void rootfs_inputs_sort(RootfsInputs *in) {
        for (size_t i = 0; i < in->n_config; i++)
                if (in->config[i].n_entries > 1)
                        qsort(in->config[i].entries, in->config[i].n_entries,
                                        sizeof(RootfsTreeEntry), entry_compare);
}

static void format_config(FILE *f, size_t index, const RootfsConfigItem *c) {
        if (c->kind == ROOTFS_CONFIG_SCRIPT) {
                fprintf(f, "config-script %s\n", c->sha256_hex);
                return;
        }
        fprintf(f, "config-tree %zu\n", index);
        for (size_t j = 0; j < c->n_entries; j++) {
                const RootfsTreeEntry *e = &c->entries[j];

                switch (e->kind) {
                case ROOTFS_ENTRY_FILE:
                        fprintf(f, "  file %s %04o %s\n", e->sha256_hex, e->mode, e->path);
                        break;
                case ROOTFS_ENTRY_DIR:
                        fprintf(f, "  dir %04o %s\n", e->mode, e->path);
                        break;
                default:
                        fprintf(f, "  symlink %s -> %s\n", e->path, e->target);
                        break;
                }
        }
}

int rootfs_manifest_format(const RootfsInputs *in, char **ret) {
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (!in->suite || !in->mirror || strv_length(in->packages) == 0 ||
                        !in->agent_sha256_hex[0] || !in->agent_unit_sha256_hex[0])
                return -EINVAL;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "%s %d\nsuite %s\nmirror %s\n", ROOTFS_MANIFEST_MAGIC, ROOTFS_LAYOUT_VERSION,
                        in->suite, in->mirror);
        STRV_FOREACH(p, in->packages)
                fprintf(f, "package %s\n", *p);
        fprintf(f, "agent %s\nagent-unit %s\n", in->agent_sha256_hex, in->agent_unit_sha256_hex);
        if (in->tray_sha256_hex[0])
                fprintf(f, "tray %s\n", in->tray_sha256_hex);
        for (size_t i = 0; i < in->n_config; i++)
                format_config(f, i, &in->config[i]);
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

void rootfs_manifest_id(const char *text, char ret[SHA256_HEX_SIZE]) {
        uint8_t digest[SHA256_DIGEST_SIZE];

        digest_sha256(text, strlen(text), digest);
        (void) digest_hex(digest, ret);
}

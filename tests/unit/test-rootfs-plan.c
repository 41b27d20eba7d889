/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-rootfs-plan.c: tests for src/image/rootfs-plan.c and rules of src/shared/rootfs-layout.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rootfs-layout.h"
#include "rootfs-plan.h"
#include "strv.h"
#include "vmsilo-config.h"

#define STRV_MAKE(...) ((char *const[]){ __VA_ARGS__, NULL })

static void test_rootfs_plan_package_names_follow_debian_policy(void **state) {
        static const struct {
                const char *name;
                bool valid;
        } cases[] = {
                { "hello", true },
                { "firefox-esr", true },
                { "libstdc++6", true },
                { "g++", true },
                { "python3.11", true },
                { "0ad", true },
                { "a", false },           /* too short */
                { "Hello", false },       /* uppercase */
                { "-hello", false },      /* an option to debootstrap */
                { "+x", false },          /* must start alphanumeric */
                { "hello,world", false }, /* would split --include */
                { "hello world", false }, /* blank */
                { "hello:amd64", false }, /* no architecture qualifiers */
                { "hello\n", false },     /* control character */
                { "", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                assert_int_equal(rootfs_plan_package_is_valid(cases[i].name), cases[i].valid);
        assert_false(rootfs_plan_package_is_valid(NULL));
}

static void test_rootfs_plan_package_name_over_max_is_invalid(void **state) {
        char name[ROOTFS_PACKAGE_NAME_MAX + 2];

        memset(name, 'a', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        assert_false(rootfs_plan_package_is_valid(name));
        name[ROOTFS_PACKAGE_NAME_MAX] = '\0';
        assert_true(rootfs_plan_package_is_valid(name));
}

static void test_rootfs_plan_packages_sorts_dedups_and_adds_base(void **state) {
        _cleanup_(strv_freep) char **l = NULL;

        assert_int_equal(rootfs_plan_packages(STRV_MAKE("xterm", "hello", "xterm", "systemd-sysv"),
                                         false, false, &l, NULL),
                        0);
        assert_true(strv_equal(l, STRV_MAKE("dbus-daemon", "hello", "systemd-sysv", "xterm")));
}

static void test_rootfs_plan_packages_add_waypipe_for_wayland(void **state) {
        _cleanup_(strv_freep) char **l = NULL;
        _cleanup_(strv_freep) char **twice = NULL;

        assert_int_equal(rootfs_plan_packages(STRV_MAKE("xterm"), true, false, &l, NULL), 0);
        assert_true(strv_equal(l, STRV_MAKE("dbus-daemon", "systemd-sysv", "waypipe", "xterm")));
        assert_int_equal(rootfs_plan_packages(STRV_MAKE("waypipe"), true, false, &twice, NULL), 0);
        assert_true(strv_equal(twice, STRV_MAKE("dbus-daemon", "systemd-sysv", "waypipe")));
}

static void test_rootfs_plan_packages_add_the_tray_libraries_for_tray(void **state) {
        _cleanup_(strv_freep) char **l = NULL;

        assert_int_equal(rootfs_plan_packages(STRV_MAKE("hello"), false, true, &l, NULL), 0);
        assert_true(strv_equal(l, STRV_MAKE("dbus-daemon", "hello", "libjansson4", "libpng16-16",
                                                  "libunistring2", "systemd-sysv")));
}

/* pipewire-pulse brings its session manager and the ALSA plugin: PipeWire holds the card, so
 * ALSA programs must go through it. Images without it stay on plain ALSA. */
static void test_rootfs_plan_packages_add_pipewire_alsa_beside_the_pulse_server(void **state) {
        _cleanup_(strv_freep) char **l = NULL;
        _cleanup_(strv_freep) char **plain = NULL;

        assert_int_equal(rootfs_plan_packages(STRV_MAKE("pipewire-pulse", "wireplumber"), false,
                                         false, &l, NULL),
                        0);
        assert_true(strv_equal(l, STRV_MAKE("dbus-daemon", "pipewire-alsa", "pipewire-pulse",
                                                  "systemd-sysv", "wireplumber")));
        assert_int_equal(rootfs_plan_packages(STRV_MAKE("alsa-utils", "pipewire"), false, false,
                                         &plain, NULL),
                        0);
        assert_true(strv_equal(
                        plain, STRV_MAKE("alsa-utils", "dbus-daemon", "pipewire", "systemd-sysv")));
}

/* The session bus every session is told about, and the tray's guest half on it, connected to
 * the agent's socket for the host service "tray", as the user that socket belongs to. */
static void test_rootfs_session_bus_and_tray_units_match_the_session(void **state) {
        assert_non_null(strstr(rootfs_session_env,
                        "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus\n"));
        assert_non_null(strstr(rootfs_session_bus_unit, "\nUser=user\n"));
        assert_non_null(strstr(rootfs_session_bus_unit,
                        "dbus-daemon --session --nofork --nopidfile "
                        "--address=unix:path=/run/user/1000/bus\n"));
        assert_non_null(strstr(rootfs_tray_unit, "\nUser=user\n"));
        assert_non_null(strstr(rootfs_tray_unit,
                        "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus\n"));
        assert_non_null(strstr(rootfs_tray_unit, "ExecStart=/usr/libexec/vmsilo/vmsilo-tray guest "
                                                 "--connect /run/vmsilo/forward/tray.sock\n"));
}

/* The agent starts before the boot's tmpfiles run: /tmp must keep what the first sessions wrote,
 * so Debian's tmp.conf ("D /tmp", emptied at boot) is overridden by name. */
static void test_rootfs_tmp_is_not_emptied_at_boot(void **state) {
        assert_string_equal(ROOTFS_TMP_TMPFILES_PATH, "/etc/tmpfiles.d/tmp.conf");
        assert_non_null(strstr(rootfs_tmp_tmpfiles, "\nd /tmp 1777 root root 10d\n"));
        assert_null(strstr(rootfs_tmp_tmpfiles, "\nD "));
}

/* The guest user's Pulse server: each unit runs its program as the guest user in the runtime
 * directory every session is told (where libpulse finds pulse/native), and is enabled under its
 * own name. */
static void test_rootfs_sound_server_units_run_as_the_session_user(void **state) {
        const char *programs[] = { "/usr/bin/pipewire", "/usr/bin/wireplumber",
                "/usr/bin/pipewire-pulse" };

        assert_non_null(strstr(rootfs_session_env, "XDG_RUNTIME_DIR=/run/user/1000\n"));
        for (size_t i = 0; i < ELEMENTSOF(programs); i++) {
                const RootfsSoundServerUnit *u = &rootfs_sound_server_units[i];
                _cleanup_(freep) char *exec = NULL;

                assert_string_equal(u->program, programs[i]);
                assert_true(asprintf(&exec, "\nExecStart=%s\n", u->program) > 0);
                assert_non_null(strstr(u->text, exec));
                assert_non_null(strstr(u->text, "\nUser=user\n"));
                assert_non_null(strstr(u->text, "XDG_RUNTIME_DIR=/run/user/1000 "));
                assert_string_equal(strrchr(u->path, '/'), strrchr(u->wants, '/'));
                assert_int_equal(strncmp(u->wants, "/etc/systemd/system/multi-user.target.wants/",
                                                 44),
                                0);
        }
        /* The servers' sockets are systemd's, the user's, made before the agent starts (the agent
         * unit is ordered after them), and each server requires its own. */
        const RootfsSoundServerUnit *pw = &rootfs_sound_server_units[3],
                                    *pulse = &rootfs_sound_server_units[4];
        assert_string_equal(pw->path, "/etc/systemd/system/vmsilo-pipewire.socket");
        assert_string_equal(pw->wants,
                        "/etc/systemd/system/sockets.target.wants/vmsilo-pipewire.socket");
        assert_non_null(strstr(pw->text, "\nListenStream=/run/user/1000/pipewire-0\n"));
        assert_string_equal(pulse->path, "/etc/systemd/system/vmsilo-pipewire-pulse.socket");
        assert_non_null(strstr(pulse->text, "\nListenStream=/run/user/1000/pulse/native\n"));
        assert_non_null(strstr(pulse->text,
                        "\nExecStartPost=/bin/chown user:user /run/user/1000/pulse\n"));
        for (size_t i = 3; i < ROOTFS_SOUND_SERVER_UNITS; i++) {
                assert_non_null(strstr(rootfs_sound_server_units[i].text, "\nSocketUser=user\n"));
                assert_non_null(strstr(rootfs_sound_server_units[i].text, "\nSocketMode=0600\n"));
                assert_non_null(strstr(
                                rootfs_sound_server_units[i].text, "\nDefaultDependencies=no\n"));
        }
        assert_non_null(strstr(
                        rootfs_sound_server_units[0].text, "\nRequires=vmsilo-pipewire.socket\n"));
        assert_non_null(strstr(rootfs_sound_server_units[2].text,
                        "\nRequires=vmsilo-pipewire-pulse.socket\n"));
        assert_non_null(strstr(rootfs_pipewire_conf, "factory.name         = api.alsa.pcm.sink\n"));
        /* The card's capture PCM as a source too; nofail for both (no card, no capture PCM). */
        assert_non_null(strstr(
                        rootfs_pipewire_conf, "factory.name         = api.alsa.pcm.source\n"));
        assert_non_null(strstr(rootfs_pipewire_conf, "media.class          = \"Audio/Source\"\n"));
        assert_non_null(strstr(
                        strstr(strstr(rootfs_pipewire_conf, "nofail"), "api.alsa.pcm.source"),
                        "nofail"));
        assert_non_null(strstr(rootfs_wireplumber_conf, "alsa_monitor.enabled = false\n"));
}

/* The unit the image gets with wayland: the user, display and socket the agent expects. */
static void test_rootfs_waypipe_unit_matches_the_agent(void **state) {
        assert_non_null(strstr(rootfs_waypipe_unit, "\nUser=user\n"));
        assert_non_null(strstr(rootfs_waypipe_unit, "XDG_RUNTIME_DIR=/run/user/1000\n"));
        assert_non_null(strstr(rootfs_waypipe_unit,
                        "--socket /run/vmsilo/forward/wayland.sock --display wayland-0 server"));
        assert_non_null(strstr(rootfs_session_env, "XDG_RUNTIME_DIR=/run/user/1000\n"));
}

static void test_rootfs_plan_packages_names_the_bad_entry(void **state) {
        char **l = (char **) 0x41;
        const char *bad = NULL;

        assert_int_equal(rootfs_plan_packages(
                                         STRV_MAKE("hello", "--force-yes"), false, false, &l, &bad),
                        -EINVAL);
        assert_string_equal(bad, "--force-yes");
        assert_ptr_equal(l, (char **) 0x41);
}

static void test_rootfs_plan_suite_and_mirror_checks(void **state) {
        assert_true(rootfs_plan_suite_is_valid("bookworm"));
        assert_true(rootfs_plan_suite_is_valid("stable-backports"));
        assert_false(rootfs_plan_suite_is_valid("-bookworm"));
        assert_false(rootfs_plan_suite_is_valid("Bookworm"));
        assert_false(rootfs_plan_suite_is_valid("../x"));
        assert_false(rootfs_plan_suite_is_valid(""));

        assert_true(rootfs_plan_mirror_is_valid("http://deb.debian.org/debian"));
        assert_true(rootfs_plan_mirror_is_valid("https://mirror.example/debian/"));
        assert_true(rootfs_plan_mirror_is_valid("file:///srv/mirror"));
        assert_false(rootfs_plan_mirror_is_valid("http://"));
        assert_false(rootfs_plan_mirror_is_valid("ftp://x/debian"));
        assert_false(rootfs_plan_mirror_is_valid("--keyring=/x"));
        assert_false(rootfs_plan_mirror_is_valid("http://a b/debian"));
        assert_false(rootfs_plan_mirror_is_valid("http://a\n/debian"));
}

static void test_rootfs_plan_os_codename_reads_plain_and_quoted(void **state) {
        _cleanup_(freep) char *a = NULL, *b = NULL;

        assert_int_equal(rootfs_plan_os_codename("PRETTY_NAME=\"Debian GNU/Linux 12\"\n"
                                                 "VERSION_CODENAME=bookworm\nID=debian\n",
                                         &a),
                        0);
        assert_string_equal(a, "bookworm");
        assert_int_equal(rootfs_plan_os_codename("ID=debian\nVERSION_CODENAME=\"trixie\"", &b), 0);
        assert_string_equal(b, "trixie");
}

static void test_rootfs_plan_os_codename_missing_or_bad_is_enoent(void **state) {
        char *s = (char *) 0x41;

        assert_int_equal(rootfs_plan_os_codename("ID=nixos\nVERSION_ID=24.05\n", &s), -ENOENT);
        assert_int_equal(rootfs_plan_os_codename("VERSION_CODENAME=a b\n", &s), -ENOENT);
        assert_int_equal(rootfs_plan_os_codename("VERSION_CODENAME=\n", &s), -ENOENT);
        assert_int_equal(rootfs_plan_os_codename("", &s), -ENOENT);
        assert_ptr_equal(s, (char *) 0x41);
}

static void test_rootfs_plan_mmdebstrap_argv_is_minbase_with_includes(void **state) {
        _cleanup_(strv_freep) char **argv = NULL;

        assert_int_equal(rootfs_plan_mmdebstrap_argv("bookworm", "http://deb.debian.org/debian",
                                         STRV_MAKE("dbus-user-session", "pipewire-pulse",
                                                         "systemd-sysv"),
                                         "/s/tmp/rootfs", &argv),
                        0);
        assert_true(strv_equal(argv,
                        STRV_MAKE("mmdebstrap", "--mode=root", "--format=directory",
                                        "--variant=minbase",
                                        "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
                                        "--include=dbus-user-session,pipewire-pulse,systemd-sysv",
                                        "bookworm", "/s/tmp/rootfs",
                                        "http://deb.debian.org/debian")));
}

static void test_rootfs_plan_mmdebstrap_argv_refuses_bad_input(void **state) {
        char **argv = (char **) 0x41;

        assert_int_equal(rootfs_plan_mmdebstrap_argv("--foreign", "http://x/debian",
                                         STRV_MAKE("hello"), "/t", &argv),
                        -EINVAL);
        assert_int_equal(rootfs_plan_mmdebstrap_argv(
                                         "bookworm", "--aptopt=x", STRV_MAKE("hello"), "/t", &argv),
                        -EINVAL);
        assert_int_equal(rootfs_plan_mmdebstrap_argv(
                                         "bookworm", "http://x/debian", NULL, "/t", &argv),
                        -EINVAL);
        assert_ptr_equal(argv, (char **) 0x41);
}

static void test_rootfs_plan_sysctl_opens_ping_to_every_group(void **state) {
        /* The whole gid range, as systemd's 50-default.conf: the guest user needs no
         * capability to ping. */
        assert_non_null(strstr(rootfs_sysctl, "\nnet.ipv4.ping_group_range = 0 2147483647\n"));
        assert_string_equal(ROOTFS_SYSCTL_PATH, "/etc/sysctl.d/50-vmsilo.conf");
}

static void test_rootfs_getty_logs_the_guest_user_in(void **state) {
        /* The drop-in empties the template's ExecStart= before its own (two would be an error),
         * logs in the user of guest/user.conf without a password (-f: the password is locked),
         * on /dev/console, whatever the console's name. */
        assert_non_null(strstr(rootfs_getty_autologin,
                        "\n[Service]\nExecStart=\nExecStart=-/sbin/agetty "));
        assert_non_null(strstr(rootfs_getty_autologin, " --autologin " GUEST_USER " "));
        assert_non_null(strstr(rootfs_getty_autologin, "-o '-p -f -- \\\\u'"));
        assert_string_equal(ROOTFS_GETTY_DROPIN_PATH,
                        "/etc/systemd/system/console-getty.service.d/vmsilo-autologin.conf");
        assert_string_equal(ROOTFS_GETTY_WANTS,
                        "/etc/systemd/system/getty.target.wants/console-getty.service");
        assert_string_equal(GUEST_USER, "user");
}

static void test_rootfs_plan_image_size_adds_slack_and_rounds(void **state) {
        uint64_t bytes, inodes;

        assert_int_equal(rootfs_plan_image_size(UINT64_C(240) << 20, 10000, &bytes, &inodes), 0);
        /* 240 MiB + 60 MiB + 64 MiB = 364 MiB, a multiple of 4 MiB already. */
        assert_int_equal(bytes, UINT64_C(364) << 20);
        assert_int_equal(inodes, 10000 + 2500 + 1024);
        assert_int_equal(rootfs_plan_image_size(1, 0, &bytes, &inodes), 0);
        assert_int_equal(bytes, UINT64_C(68) << 20);
        assert_int_equal(bytes % (UINT64_C(4) << 20), 0);
}

static void test_rootfs_plan_image_size_overflow_is_erange(void **state) {
        uint64_t bytes = 7, inodes = 7;

        assert_int_equal(rootfs_plan_image_size(UINT64_MAX - 1, 1, &bytes, &inodes), -ERANGE);
        assert_int_equal(bytes, 7);
        assert_int_equal(inodes, 7);
}

static void fill_inputs(RootfsInputs *in) {
        assert_non_null(in->suite = strdup("bookworm"));
        assert_non_null(in->mirror = strdup("http://deb.debian.org/debian"));
        assert_int_equal(
                        rootfs_plan_packages(STRV_MAKE("hello"), false, false, &in->packages, NULL),
                        0);
        memset(in->agent_sha256_hex, 'a', SHA256_HEX_SIZE - 1);
        memset(in->agent_unit_sha256_hex, 'b', SHA256_HEX_SIZE - 1);
}

/* The guest half is an input too: a new vmsilo-tray makes a new image. */
static void test_rootfs_manifest_names_the_tray_binary_with_tray(void **state) {
        _cleanup_(rootfs_inputs_finish) RootfsInputs in = {};
        _cleanup_(freep) char *without = NULL, *with = NULL;

        fill_inputs(&in);
        assert_int_equal(rootfs_manifest_format(&in, &without), 0);
        assert_null(strstr(without, "\ntray "));
        memset(in.tray_sha256_hex, 'c', SHA256_HEX_SIZE - 1);
        assert_int_equal(rootfs_manifest_format(&in, &with), 0);
        assert_non_null(strstr(with,
                        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\ntray "
                        "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\n"));
}

static void test_rootfs_manifest_lists_every_input(void **state) {
        _cleanup_(rootfs_inputs_finish) RootfsInputs in = {};
        _cleanup_(freep) char *text = NULL;
        uint8_t digest[SHA256_DIGEST_SIZE];
        int tree, script;

        fill_inputs(&in);
        memset(digest, 0xcd, sizeof(digest));
        tree = rootfs_inputs_add_config(&in, ROOTFS_CONFIG_TREE);
        assert_int_equal(tree, 0);
        assert_int_equal(rootfs_inputs_add_entry(&in, tree, ROOTFS_ENTRY_FILE, "etc/motd", 0100644,
                                         NULL, digest),
                        0);
        assert_int_equal(rootfs_inputs_add_entry(
                                         &in, tree, ROOTFS_ENTRY_DIR, "etc", 040755, NULL, NULL),
                        0);
        assert_int_equal(rootfs_inputs_add_entry(&in, tree, ROOTFS_ENTRY_SYMLINK, "etc/l", 0777,
                                         "motd", NULL),
                        0);
        script = rootfs_inputs_add_config(&in, ROOTFS_CONFIG_SCRIPT);
        assert_int_equal(script, 1);
        memset(in.config[script].sha256_hex, 'e', SHA256_HEX_SIZE - 1);
        rootfs_inputs_sort(&in);

        assert_int_equal(rootfs_manifest_format(&in, &text), 0);
        assert_string_equal(text,
                        "vmsilo-rootfs-manifest 9\n"
                        "suite bookworm\n"
                        "mirror http://deb.debian.org/debian\n"
                        "package dbus-daemon\n"
                        "package hello\n"
                        "package systemd-sysv\n"
                        "agent aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                        "agent-unit "
                        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
                        "config-tree 0\n"
                        "  dir 0755 etc\n"
                        "  symlink etc/l -> motd\n"
                        "  file cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd "
                        "0644 "
                        "etc/motd\n"
                        "config-script "
                        "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\n");
}

static void test_rootfs_manifest_id_changes_with_any_input(void **state) {
        _cleanup_(rootfs_inputs_finish) RootfsInputs a = {}, b = {};
        _cleanup_(freep) char *ta = NULL, *tb = NULL, *tb2 = NULL;
        char ida[SHA256_HEX_SIZE], idb[SHA256_HEX_SIZE];

        fill_inputs(&a);
        fill_inputs(&b);
        assert_int_equal(rootfs_manifest_format(&a, &ta), 0);
        assert_int_equal(rootfs_manifest_format(&b, &tb), 0);
        rootfs_manifest_id(ta, ida);
        rootfs_manifest_id(tb, idb);
        assert_string_equal(ida, idb);
        assert_int_equal(strlen(ida), 64);

        b.agent_sha256_hex[0] = 'f';
        assert_int_equal(rootfs_manifest_format(&b, &tb2), 0);
        rootfs_manifest_id(tb2, idb);
        assert_string_not_equal(ida, idb);
}

static void test_rootfs_manifest_without_packages_is_einval(void **state) {
        _cleanup_(rootfs_inputs_finish) RootfsInputs in = {};
        char *text = (char *) 0x41;

        fill_inputs(&in);
        in.packages = strv_free(in.packages);
        assert_int_equal(rootfs_manifest_format(&in, &text), -EINVAL);
        assert_ptr_equal(text, (char *) 0x41);
}

static void test_rootfs_inputs_add_entry_rejects_unsafe_paths(void **state) {
        _cleanup_(rootfs_inputs_finish) RootfsInputs in = {};
        uint8_t digest[SHA256_DIGEST_SIZE] = {};
        static const char *const bad[] = { "", "/etc/x", "../x", "a/../b", "a//b", "./a", "a\nb",
                "a/", "a/.." };
        int tree, script;

        tree = rootfs_inputs_add_config(&in, ROOTFS_CONFIG_TREE);
        script = rootfs_inputs_add_config(&in, ROOTFS_CONFIG_SCRIPT);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(rootfs_inputs_add_entry(&in, tree, ROOTFS_ENTRY_FILE, bad[i], 0644,
                                                 NULL, digest),
                                -EINVAL);
        assert_int_equal(rootfs_inputs_add_entry(
                                         &in, tree, ROOTFS_ENTRY_SYMLINK, "l", 0777, "x\ny", NULL),
                        -EINVAL);
        assert_int_equal(rootfs_inputs_add_entry(
                                         &in, script, ROOTFS_ENTRY_FILE, "ok", 0644, NULL, digest),
                        -EINVAL);
        assert_int_equal(rootfs_inputs_add_entry(
                                         &in, 7, ROOTFS_ENTRY_FILE, "ok", 0644, NULL, digest),
                        -EINVAL);
        assert_int_equal(in.config[tree].n_entries, 0);
        assert_int_equal(rootfs_inputs_add_entry(&in, tree, ROOTFS_ENTRY_FILE, "a/b..c/.d", 0644,
                                         NULL, digest),
                        0);
}

static void test_rootfs_layout_which_vms_get_images_and_overlays(void **state) {
        DiskConfig disk = {};
        VmConfig vm = {
                .guest_programs = (char **) STRV_MAKE("hello"),
                .root_disk_readonly = true,
                .root_overlay_type = OVERLAY_QCOW2,
        };

        assert_true(rootfs_vm_needs_image(&vm));
        assert_true(rootfs_vm_needs_overlay_disk(&vm));
        vm.root_overlay_type = OVERLAY_TMPFS;
        assert_false(rootfs_vm_needs_overlay_disk(&vm));
        vm.root_overlay_type = OVERLAY_QCOW2;
        vm.root_disk_readonly = false;
        assert_false(rootfs_vm_needs_overlay_disk(&vm));
        vm.root_disk_readonly = true;

        /* A rootDisk of its own: booted as given, nothing built. */
        vm.root_disk = &disk;
        assert_false(rootfs_vm_needs_image(&vm));
        assert_true(rootfs_vm_has_root(&vm));
        assert_true(rootfs_vm_needs_overlay_disk(&vm));

        /* Neither: an initramfs-only guest. */
        vm.root_disk = NULL;
        vm.guest_programs = (char **) STRV_MAKE(NULL);
        assert_false(rootfs_vm_needs_image(&vm));
        assert_false(rootfs_vm_has_root(&vm));
        assert_false(rootfs_vm_needs_overlay_disk(&vm));
}

static void check_group_add(const char *text, const char *want) {
        _cleanup_(freep) char *out = NULL;

        assert_int_equal(rootfs_plan_group_add_member(text, "audio", "user", &out), 0);
        if (want)
                assert_string_equal(out, want);
        else
                assert_null(out);
}

static void test_rootfs_plan_group_add_member_to_audio(void **state) {
        (void) state;
        check_group_add("root:x:0:\naudio:x:29:\nvideo:x:44:\n",
                        "root:x:0:\naudio:x:29:user\nvideo:x:44:\n");
        check_group_add("audio:x:29:pulse\n", "audio:x:29:pulse,user\n");
        check_group_add("audio:x:29:pulse", "audio:x:29:pulse,user");
        /* Listed already (alone or among others): unchanged. */
        check_group_add("audio:x:29:user\n", NULL);
        check_group_add("audio:x:29:a,user,b\n", NULL);
        /* Only the group named exactly so, and members compared whole. */
        check_group_add("audiox:x:30:\naudio:x:29:username\n",
                        "audiox:x:30:\naudio:x:29:username,user\n");
        check_group_add("root:x:0:\n", NULL);
        check_group_add("", NULL);
}

static void test_rootfs_plan_group_add_member_bad_line_is_einval(void **state) {
        char *out = NULL;

        (void) state;
        assert_int_equal(rootfs_plan_group_add_member("audio:x\n", "audio", "user", &out), -EINVAL);
        assert_null(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rootfs_plan_package_names_follow_debian_policy),
                cmocka_unit_test(test_rootfs_plan_package_name_over_max_is_invalid),
                cmocka_unit_test(test_rootfs_plan_packages_sorts_dedups_and_adds_base),
                cmocka_unit_test(test_rootfs_plan_packages_names_the_bad_entry),
                cmocka_unit_test(test_rootfs_plan_packages_add_waypipe_for_wayland),
                cmocka_unit_test(test_rootfs_sound_server_units_run_as_the_session_user),
                cmocka_unit_test(test_rootfs_tmp_is_not_emptied_at_boot),
                cmocka_unit_test(test_rootfs_plan_packages_add_the_tray_libraries_for_tray),
                cmocka_unit_test(
                                test_rootfs_plan_packages_add_pipewire_alsa_beside_the_pulse_server),
                cmocka_unit_test(test_rootfs_session_bus_and_tray_units_match_the_session),
                cmocka_unit_test(test_rootfs_manifest_names_the_tray_binary_with_tray),
                cmocka_unit_test(test_rootfs_waypipe_unit_matches_the_agent),
                cmocka_unit_test(test_rootfs_plan_suite_and_mirror_checks),
                cmocka_unit_test(test_rootfs_plan_os_codename_reads_plain_and_quoted),
                cmocka_unit_test(test_rootfs_plan_os_codename_missing_or_bad_is_enoent),
                cmocka_unit_test(test_rootfs_plan_mmdebstrap_argv_is_minbase_with_includes),
                cmocka_unit_test(test_rootfs_plan_mmdebstrap_argv_refuses_bad_input),
                cmocka_unit_test(test_rootfs_plan_sysctl_opens_ping_to_every_group),
                cmocka_unit_test(test_rootfs_getty_logs_the_guest_user_in),
                cmocka_unit_test(test_rootfs_plan_group_add_member_to_audio),
                cmocka_unit_test(test_rootfs_plan_group_add_member_bad_line_is_einval),
                cmocka_unit_test(test_rootfs_plan_image_size_adds_slack_and_rounds),
                cmocka_unit_test(test_rootfs_plan_image_size_overflow_is_erange),
                cmocka_unit_test(test_rootfs_manifest_lists_every_input),
                cmocka_unit_test(test_rootfs_manifest_id_changes_with_any_input),
                cmocka_unit_test(test_rootfs_manifest_without_packages_is_einval),
                cmocka_unit_test(test_rootfs_inputs_add_entry_rejects_unsafe_paths),
                cmocka_unit_test(test_rootfs_layout_which_vms_get_images_and_overlays),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

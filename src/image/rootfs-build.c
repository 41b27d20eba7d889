/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rootfs-build.c: `vmsilo image build NAME`: a VM's Debian root image, built with mmdebstrap into
 * a temp directory of <state>/images/rootfs/, renamed to the hash of its inputs when complete,
 * then pointed at by <state>/images/vms/NAME. docs/guest-image.md "Root images". */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "desktop-layout.h"
#include "fileio.h"
#include "fs-util.h"
#include "image-desktop.h"
#include "image-plan.h"
#include "log.h"
#include "rootfs-build.h"
#include "rootfs-layout.h"
#include "rootfs-plan.h"
#include "spawn-util.h"
#include "strv.h"
#include "vmsilo-config.h"

/* A guestConfig tree deeper than this is refused (and so is a symlink loop, which lstat never
 * follows anyway). */
#define ROOTFS_TREE_DEPTH_MAX 64
/* The agent and its unit are read whole. */
#define ROOTFS_INPUT_SIZE_MAX (UINT64_C(256) << 20)

static void progress(const char *format, ...) _printf_(1, 2);
static void progress(const char *format, ...) {
        va_list ap;

        fputs("vmsilo image build: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
}

/* Helpers' output is our progress: their stdout goes to our stderr, stdout keeps the result. */
static int run_helper(char *const *argv, char *const *envp) {
        return spawn_wait(argv, envp, STDERR_FILENO);
}

/* A DIR over a duplicate of dir_fd, so the caller keeps its fd. */
static int opendir_dup(int dir_fd, DIR **ret) {
        int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);

        if (fd < 0)
                return -errno;
        *ret = fdopendir(fd);
        if (!*ret) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        return 0;
}

static int hash_fd(int fd, uint8_t ret[SHA256_DIGEST_SIZE]) {
        uint8_t buf[65536];
        struct sha256_ctx s;

        sha256_init(&s);
        for (;;) {
                ssize_t n = read_retry(fd, buf, sizeof(buf));

                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;
                sha256_update(&s, (size_t) n, buf);
        }
        sha256_digest(&s, SHA256_DIGEST_SIZE, ret);
        return 0;
}

static int hash_file_at(int dir_fd, const char *path, uint8_t ret[SHA256_DIGEST_SIZE]) {
        _cleanup_(closep) int fd = -EBADF;

        fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        return hash_fd(fd, ret);
}

/* ---- inputs ---- */

/* Adds every entry below dir_fd (a guestConfig directory) to tree item `item`. */
static int walk_config_tree(
                RootfsInputs *in, size_t item, int dir_fd, const char *prefix, unsigned depth) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        if (depth > ROOTFS_TREE_DEPTH_MAX)
                return -ELOOP;
        r = opendir_dup(dir_fd, &d);
        if (r < 0)
                return r;
        while ((errno = 0, de = readdir(d))) {
                _cleanup_(freep) char *rel = NULL;
                uint8_t digest[SHA256_DIGEST_SIZE];
                char target[PATH_MAX];
                struct stat st;
                ssize_t n;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (asprintf(&rel, "%s%s%s", prefix, *prefix ? "/" : "", de->d_name) < 0)
                        return -ENOMEM;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (S_ISREG(st.st_mode)) {
                        r = hash_file_at(dirfd(d), de->d_name, digest);
                        if (r >= 0)
                                r = rootfs_inputs_add_entry(in, item, ROOTFS_ENTRY_FILE, rel,
                                                st.st_mode, NULL, digest);
                } else if (S_ISLNK(st.st_mode)) {
                        n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
                        if (n < 0)
                                return -errno;
                        target[n] = '\0';
                        r = rootfs_inputs_add_entry(
                                        in, item, ROOTFS_ENTRY_SYMLINK, rel, 0777, target, NULL);
                } else if (S_ISDIR(st.st_mode)) {
                        _cleanup_(closep) int sub = openat(dirfd(d), de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (sub < 0)
                                return -errno;
                        r = rootfs_inputs_add_entry(
                                        in, item, ROOTFS_ENTRY_DIR, rel, st.st_mode, NULL, NULL);
                        if (r >= 0)
                                r = walk_config_tree(in, item, sub, rel, depth + 1);
                } else {
                        log_error("guestConfig: '%s' is neither a file, a directory nor a "
                                  "symlink; remove it from the tree.",
                                        rel);
                        return -EINVAL;
                }
                if (r < 0) {
                        if (r == -EINVAL)
                                log_error("guestConfig: cannot use the name '%s' (control "
                                          "characters or '..').",
                                                rel);
                        return r;
                }
        }
        return errno > 0 ? -errno : 0;
}

static int read_config_item(RootfsInputs *in, const char *path) {
        _cleanup_(closep) int fd = -EBADF;
        uint8_t digest[SHA256_DIGEST_SIZE];
        struct stat st;
        int item, r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(errno, "guestConfig: cannot open '%s': %m", path);
        if (fstat(fd, &st) < 0)
                return log_error_errno(errno, "guestConfig: cannot stat '%s': %m", path);
        if (S_ISDIR(st.st_mode)) {
                item = rootfs_inputs_add_config(in, ROOTFS_CONFIG_TREE);
                if (item < 0)
                        return log_oom();
                r = walk_config_tree(in, (size_t) item, fd, "", 0);
                if (r < 0)
                        return log_error_errno(
                                        r, "guestConfig: cannot read the tree '%s': %m", path);
                return 0;
        }
        if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
                return log_error_errno(EINVAL,
                                "guestConfig: '%s' is neither a directory (copied over the "
                                "root) nor an executable file (run in the image); chmod +x a "
                                "script, or put files in a directory.",
                                path);
        item = rootfs_inputs_add_config(in, ROOTFS_CONFIG_SCRIPT);
        if (item < 0)
                return log_oom();
        r = hash_fd(fd, digest);
        if (r < 0)
                return log_error_errno(r, "guestConfig: cannot read '%s': %m", path);
        (void) digest_hex(digest, in->config[item].sha256_hex);
        return 0;
}

static int hash_input(const char *what, const char *path, bool must_be_static,
                char ret_hex[SHA256_HEX_SIZE]) {
        _cleanup_(freep) char *data = NULL;
        uint8_t digest[SHA256_DIGEST_SIZE];
        size_t size;
        int r;

        r = read_full_file(path, ROOTFS_INPUT_SIZE_MAX, &data, &size);
        if (r < 0)
                return log_error_errno(r, "Cannot read the %s '%s': %m", what, path);
        if (must_be_static && image_plan_elf_is_static((const uint8_t *) data, size) != 1)
                return log_error_errno(ENOEXEC,
                                "The %s '%s' is not a static ELF64 executable; build vmsilo "
                                "without sanitizers.",
                                what, path);
        digest_sha256(data, size, digest);
        (void) digest_hex(digest, ret_hex);
        return 0;
}

static int read_inputs(const RootfsBuildOptions *o, RootfsInputs *in) {
        const char *bad = NULL;
        int r;

        if (!rootfs_plan_suite_is_valid(o->suite))
                return log_error_errno(EINVAL,
                                "Bad Debian suite '%s'; pass --suite bookworm or "
                                "similar.",
                                o->suite);
        if (!rootfs_plan_mirror_is_valid(o->mirror))
                return log_error_errno(EINVAL,
                                "Bad Debian mirror '%s'; pass --mirror "
                                "http://deb.debian.org/debian or similar.",
                                o->mirror);
        r = rootfs_plan_packages(o->programs, o->wayland, o->tray, &in->packages, &bad);
        if (r == -EINVAL)
                return log_error_errno(r,
                                "VM '%s': guestPrograms entry '%s' is not a Debian "
                                "package name.",
                                o->vm_name, bad);
        if (r < 0)
                return log_oom();
        in->suite = strdup(o->suite);
        in->mirror = strdup(o->mirror);
        if (!in->suite || !in->mirror)
                return log_oom();
        r = hash_input("agent", o->agent_path, true, in->agent_sha256_hex);
        if (r < 0)
                return r;
        r = hash_input("agent unit", o->agent_unit_path, false, in->agent_unit_sha256_hex);
        if (r < 0)
                return r;
        if (o->tray) {
                r = hash_input("tray", o->tray_path, false, in->tray_sha256_hex);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(p, o->guest_config) {
                r = read_config_item(in, *p);
                if (r < 0)
                        return r;
        }
        rootfs_inputs_sort(in);
        return 0;
}

/* ---- the tree ---- */

/* mmdebstrap mounts /proc, /sys and /dev in the target and may leave them behind when it is
 * killed: they go before the tree, which rm_rf() never crosses into another file system. */
static int unmount_leftovers(const char *path) {
        static const char *const mounts[] = { "rootfs/proc", "rootfs/sys", "rootfs/dev/pts" };

        for (size_t i = 0; i < ELEMENTSOF(mounts); i++) {
                _cleanup_(freep) char *m = NULL;

                if (asprintf(&m, "%s/%s", path, mounts[i]) < 0)
                        return -ENOMEM;
                (void) umount2(m, MNT_DETACH | UMOUNT_NOFOLLOW);
        }
        return 0;
}

/* Removes path (0 if it does not exist) and what mmdebstrap left mounted in it. */
static int remove_tree(const char *path) {
        struct stat st;
        int r;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        r = unmount_leftovers(path);
        return r < 0 ? r : rm_rf(path);
}

static void tmp_tree_removep(char **path) {
        if (*path)
                (void) unmount_leftovers(*path);
        rm_rf_and_freep(path);
}

static int write_file(const char *root, const char *path, const void *data, size_t size,
                mode_t mode, bool append) {
        _cleanup_(freep) char *full = NULL;
        _cleanup_(closep) int fd = -EBADF;
        int r;

        if (asprintf(&full, "%s%s", root, path) < 0)
                return -ENOMEM;
        fd = open(full,
                        O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW |
                                        (append ? O_APPEND : O_TRUNC),
                        mode);
        if (fd < 0)
                return log_error_errno(errno, "Cannot write '%s': %m", full);
        r = write_full_fd(fd, data, size);
        if (r < 0)
                return log_error_errno(r, "Cannot write '%s': %m", full);
        if (!append && fchmod(fd, mode) < 0)
                return log_error_errno(errno, "Cannot chmod '%s': %m", full);
        return 0;
}

static int make_dirs(const char *root, const char *path, mode_t mode) {
        _cleanup_(freep) char *full = NULL;
        int r;

        if (asprintf(&full, "%s%s", root, path) < 0)
                return -ENOMEM;
        r = mkdir_p(full, mode);
        if (r < 0)
                return log_error_errno(r, "Cannot create '%s': %m", full);
        return 0;
}

static int copy_file(const char *from, const char *root, const char *to, mode_t mode) {
        _cleanup_(freep) char *data = NULL;
        size_t size;
        int r;

        r = read_full_file(from, ROOTFS_INPUT_SIZE_MAX, &data, &size);
        if (r < 0)
                return log_error_errno(r, "Cannot read '%s': %m", from);
        return write_file(root, to, data, size, mode, false);
}

static bool file_has_line_prefix(const char *root, const char *path, const char *prefix) {
        _cleanup_(freep) char *full = NULL, *text = NULL;
        size_t size;

        if (asprintf(&full, "%s%s", root, path) < 0 ||
                        read_full_file(full, ROOTFS_INPUT_SIZE_MAX, &text, &size) < 0)
                return false;
        for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, prefix, strlen(prefix)) == 0)
                        return true;
        return false;
}

/* The guest user into the sound group, so its programs can open the sound card. */
static int add_guest_user_to_sound_group(const char *root) {
        _cleanup_(freep) char *full = NULL, *text = NULL, *changed = NULL;
        size_t size;
        int r;

        if (asprintf(&full, "%s/etc/group", root) < 0)
                return log_oom();
        r = read_full_file(full, ROOTFS_INPUT_SIZE_MAX, &text, &size);
        if (r < 0)
                return log_error_errno(r, "Cannot read '%s': %m", full);
        r = rootfs_plan_group_add_member(text, ROOTFS_SOUND_GROUP, GUEST_USER, &changed);
        if (r < 0)
                return log_error_errno(r, "Cannot parse '%s': %m", full);
        if (!changed)
                return 0;
        return write_file(root, "/etc/group", changed, strlen(changed), 0644, false);
}

/* The guest user (guest/user.conf), unless the packages made one already. */
static int add_guest_user(const char *root) {
        _cleanup_(freep) char *home = NULL;
        int r;

        if (!file_has_line_prefix(root, "/etc/passwd", GUEST_USER ":")) {
                r = write_file(root, "/etc/passwd", rootfs_passwd_line, strlen(rootfs_passwd_line),
                                0644, true);
                if (r >= 0)
                        r = write_file(root, "/etc/shadow", rootfs_shadow_line,
                                        strlen(rootfs_shadow_line), 0640, true);
                if (r < 0)
                        return r;
        }
        if (!file_has_line_prefix(root, "/etc/group", GUEST_USER ":")) {
                r = write_file(root, "/etc/group", rootfs_group_line, strlen(rootfs_group_line),
                                0644, true);
                if (r < 0)
                        return r;
        }
        r = add_guest_user_to_sound_group(root);
        if (r < 0)
                return r;
        r = make_dirs(root, GUEST_HOME, 0700);
        if (r < 0)
                return r;
        if (asprintf(&home, "%s" GUEST_HOME, root) < 0)
                return log_oom();
        if (chown(home, GUEST_UID_NUMBER, GUEST_GID_NUMBER) < 0 || chmod(home, 0700) < 0)
                return log_error_errno(errno, "Cannot set up '%s': %m", home);
        return 0;
}

/* Enables the unit at unit_path (in the guest) for multi-user.target: the symlink
 * `systemctl enable` would make. */
static int enable_unit(const char *root, const char *unit_path, const char *wants_path) {
        _cleanup_(freep) char *wants = NULL;

        if (asprintf(&wants, "%s%s", root, wants_path) < 0)
                return log_oom();
        (void) unlink(wants);
        if (symlink(unit_path, wants) < 0)
                return log_error_errno(errno, "Cannot enable the unit '%s': %m", wants);
        return 0;
}

/* A unit of ours (its package came with the others), written and enabled. */
static int install_unit(const char *root, const char *path, const char *wants, const char *text) {
        int r;

        r = write_file(root, path, text, strlen(text), 0644, false);
        if (r < 0)
                return r;
        return enable_unit(root, path, wants);
}

/* The guest user's Pulse server (docs/sound.md): only in a tree whose packages brought all of
 * pipewire, wireplumber and pipewire-pulse. */
static int install_sound_server(const char *root) {
        int r;

        for (size_t i = 0; i < ROOTFS_SOUND_SERVER_UNITS; i++) {
                _cleanup_(freep) char *path = NULL;

                if (asprintf(&path, "%s%s", root, rootfs_sound_server_units[i].program) < 0)
                        return log_oom();
                if (access(path, X_OK) < 0) {
                        if (i > 0)
                                progress("No %s in the image: no Pulse server for the guest user "
                                         "(add it to guestPrograms).",
                                                rootfs_sound_server_units[i].program);
                        return 0;
                }
        }
        r = make_dirs(root, "/etc/systemd/system/sockets.target.wants", 0755);
        if (r >= 0)
                r = make_dirs(root, "/etc/pipewire/pipewire.conf.d", 0755);
        if (r >= 0)
                r = make_dirs(root, "/etc/wireplumber/main.lua.d", 0755);
        if (r >= 0)
                r = write_file(root, ROOTFS_PIPEWIRE_CONF_PATH, rootfs_pipewire_conf,
                                strlen(rootfs_pipewire_conf), 0644, false);
        if (r >= 0)
                r = write_file(root, ROOTFS_WIREPLUMBER_CONF_PATH, rootfs_wireplumber_conf,
                                strlen(rootfs_wireplumber_conf), 0644, false);
        for (size_t i = 0; r >= 0 && i < ROOTFS_SOUND_SERVER_UNITS; i++)
                r = install_unit(root, rootfs_sound_server_units[i].path,
                                rootfs_sound_server_units[i].wants,
                                rootfs_sound_server_units[i].text);
        return r;
}

static int install_agent(const RootfsBuildOptions *o, const char *root) {
        int r;

        r = make_dirs(root, "/usr/libexec/vmsilo", 0755);
        if (r >= 0)
                r = make_dirs(root, "/etc/systemd/system/multi-user.target.wants", 0755);
        if (r >= 0)
                r = make_dirs(root, "/etc/vmsilo", 0755);
        if (r >= 0)
                r = make_dirs(root, "/etc/tmpfiles.d", 0755);
        if (r >= 0)
                r = make_dirs(root, "/etc/sysctl.d", 0755);
        if (r >= 0)
                r = make_dirs(root, ROOTFS_GETTY_DROPIN_DIR, 0755);
        if (r >= 0)
                r = make_dirs(root, ROOTFS_GETTY_WANTS_DIR, 0755);
        if (r >= 0)
                r = copy_file(o->agent_path, root, ROOTFS_AGENT_PATH, 0755);
        if (r >= 0)
                r = copy_file(o->agent_unit_path, root, ROOTFS_AGENT_UNIT_PATH, 0644);
        if (r >= 0)
                r = write_file(root, ROOTFS_SESSION_ENV_PATH, rootfs_session_env,
                                strlen(rootfs_session_env), 0644, false);
        if (r >= 0)
                r = write_file(root, ROOTFS_TMPFILES_PATH, rootfs_tmpfiles, strlen(rootfs_tmpfiles),
                                0644, false);
        if (r >= 0)
                r = write_file(root, ROOTFS_TMP_TMPFILES_PATH, rootfs_tmp_tmpfiles,
                                strlen(rootfs_tmp_tmpfiles), 0644, false);
        if (r >= 0)
                r = write_file(root, ROOTFS_SYSCTL_PATH, rootfs_sysctl, strlen(rootfs_sysctl), 0644,
                                false);
        if (r >= 0)
                r = write_file(root, ROOTFS_GETTY_DROPIN_PATH, rootfs_getty_autologin,
                                strlen(rootfs_getty_autologin), 0644, false);
        if (r < 0)
                return r;
        r = enable_unit(root, ROOTFS_AGENT_UNIT_PATH, ROOTFS_AGENT_UNIT_WANTS);
        if (r >= 0)
                r = enable_unit(root, ROOTFS_GETTY_UNIT, ROOTFS_GETTY_WANTS);
        if (r >= 0) /* masked: a link to /dev/null */
                r = enable_unit(root, "/dev/null", ROOTFS_SERIAL_GETTY_MASK);
        if (r >= 0)
                r = install_unit(root, ROOTFS_SESSION_BUS_UNIT_PATH, ROOTFS_SESSION_BUS_UNIT_WANTS,
                                rootfs_session_bus_unit);
        if (r >= 0 && o->wayland) /* the guest user's waypipe server */
                r = install_unit(root, ROOTFS_WAYPIPE_UNIT_PATH, ROOTFS_WAYPIPE_UNIT_WANTS,
                                rootfs_waypipe_unit);
        if (r >= 0 && o->tray)
                r = copy_file(o->tray_path, root, ROOTFS_TRAY_PATH, 0755);
        if (r >= 0 && o->tray)
                r = install_unit(root, ROOTFS_TRAY_UNIT_PATH, ROOTFS_TRAY_UNIT_WANTS,
                                rootfs_tray_unit);
        if (r >= 0)
                r = install_sound_server(root);
        return r;
}

/* Removes the regular files directly in root/path whose names end in suffix ("" = all). */
static void remove_files(const char *root, const char *path, const char *suffix) {
        _cleanup_(freep) char *full = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        if (asprintf(&full, "%s%s", root, path) < 0)
                return;
        d = opendir(full);
        if (!d)
                return;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name), k = strlen(suffix);
                struct stat st;

                if (n < k || !streq(de->d_name + n - k, suffix) ||
                                fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                                !S_ISREG(st.st_mode))
                        continue;
                (void) unlinkat(dirfd(d), de->d_name, 0);
        }
}

/* What the image must not carry: the package lists and caches (size), and the build host's
 * name and resolver (/init writes the guest's at every boot). */
static int clean_tree(const char *root) {
        static const char hostname[] = "vmsilo\n";

        remove_files(root, "/var/lib/apt/lists", "");
        remove_files(root, "/var/cache/apt", ".bin");
        remove_files(root, "/var/cache/apt/archives", ".deb");
        remove_files(root, "/etc", "resolv.conf");
        return write_file(root, "/etc/hostname", hostname, strlen(hostname), 0644, false);
}

static int apply_config(const RootfsBuildOptions *o, const char *root) {
        static char *const script_env[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                (char *) "HOME=/root", (char *) "LC_ALL=C",
                (char *) "DEBIAN_FRONTEND=noninteractive", NULL };
        size_t i = 0;
        int r;

        STRV_FOREACH(p, o->guest_config) {
                _cleanup_(freep) char *src = NULL, *inside = NULL, *full = NULL;
                struct stat st;

                i++;
                if (stat(*p, &st) < 0)
                        return log_error_errno(errno, "guestConfig: cannot stat '%s': %m", *p);
                if (S_ISDIR(st.st_mode)) {
                        progress("Copying guestConfig tree %s…", *p);
                        if (asprintf(&src, "%s/.", *p) < 0)
                                return log_oom();
                        /* The tree's files belong to root in the image; modes are kept. */
                        r = run_helper((char *const[]){ (char *) "cp", (char *) "-a",
                                                       (char *) "--no-preserve=ownership", src,
                                                       (char *) root, NULL },
                                        NULL);
                        if (r < 0)
                                return log_error_errno(r,
                                                "guestConfig: copying '%s' into the "
                                                "image failed (see above).",
                                                *p);
                        continue;
                }
                progress("Running guestConfig script %s…", *p);
                if (asprintf(&inside, "/tmp/vmsilo-guest-config-%zu", i) < 0 ||
                                asprintf(&full, "%s%s", root, inside) < 0)
                        return log_oom();
                r = copy_file(*p, root, inside, 0755);
                if (r < 0)
                        return r;
                r = run_helper((char *const[]){ (char *) "chroot", (char *) root, inside, NULL },
                                script_env);
                (void) unlink(full);
                if (r < 0)
                        return log_error_errno(r,
                                        "guestConfig: the script '%s' failed (see "
                                        "above); the image was not changed.",
                                        *p);
        }
        return 0;
}

/* Bytes (allocated blocks) and inodes below dir_fd, on its file system only. */
static int tree_usage(int dir_fd, dev_t dev, unsigned depth, uint64_t *bytes, uint64_t *inodes) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        if (depth > 4 * ROOTFS_TREE_DEPTH_MAX)
                return -ELOOP;
        r = opendir_dup(dir_fd, &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (st.st_dev != dev)
                        continue;
                *bytes += (uint64_t) st.st_blocks * 512;
                *inodes += 1;
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_(closep) int sub = openat(dirfd(d), de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (sub < 0)
                                return -errno;
                        r = tree_usage(sub, dev, depth + 1, bytes, inodes);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int make_ext4(const char *tree, const char *image) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *size_arg = NULL, *inodes_arg = NULL;
        uint64_t bytes = 0, inodes = 0, size, n_inodes;
        struct stat st;
        int r;

        fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return log_error_errno(errno, "Cannot open '%s': %m", tree);
        r = tree_usage(fd, st.st_dev, 0, &bytes, &inodes);
        if (r < 0)
                return log_error_errno(r, "Cannot measure '%s': %m", tree);
        r = rootfs_plan_image_size(bytes, inodes, &size, &n_inodes);
        if (r < 0)
                return log_error_errno(r, "The tree '%s' is too large: %m", tree);
        progress("Writing %s (%" PRIu64 " MiB)…", ROOTFS_IMAGE_NAME, size >> 20);
        if (asprintf(&size_arg, "%" PRIu64 "k", size >> 10) < 0 ||
                        asprintf(&inodes_arg, "%" PRIu64, n_inodes) < 0)
                return log_oom();
        r = run_helper((char *const[]){ (char *) "mkfs.ext4", (char *) "-q", (char *) "-F",
                                       (char *) "-L", (char *) "vmsilo-root", (char *) "-N",
                                       inodes_arg, (char *) "-E", (char *) "root_owner=0:0",
                                       (char *) "-d", (char *) tree, (char *) image, size_arg,
                                       NULL },
                        NULL);
        if (r < 0)
                return log_error_errno(r, "mkfs.ext4 failed to make '%s' (see above).", image);
        /* The VMM runs as the configured user and opens the image read-only. */
        if (chmod(image, 0644) < 0)
                return log_error_errno(errno, "Cannot chmod '%s': %m", image);
        return 0;
}

static int build_tree(const RootfsBuildOptions *o, const RootfsInputs *in, const char *tmp) {
        _cleanup_(strv_freep) char **argv = NULL;
        _cleanup_(freep) char *root = NULL, *image = NULL;
        int r;

        if (asprintf(&root, "%s/rootfs", tmp) < 0 ||
                        asprintf(&image, "%s/%s", tmp, ROOTFS_IMAGE_NAME) < 0)
                return log_oom();
        r = rootfs_plan_mmdebstrap_argv(in->suite, in->mirror, in->packages, root, &argv);
        if (r < 0)
                return log_error_errno(r, "Cannot form the mmdebstrap command: %m");
        /* The image is named by its inputs, so nothing in it may depend on when it was built. */
        if (setenv("SOURCE_DATE_EPOCH", ROOTFS_SOURCE_DATE_EPOCH, 1) < 0)
                return log_oom();
        progress("Running mmdebstrap %s from %s (this takes a minute or more)…", in->suite,
                        in->mirror);
        r = run_helper(argv, NULL);
        if (r < 0)
                return log_error_errno(r,
                                "mmdebstrap failed (see its messages above; is '%s' "
                                "reachable, and are the guestPrograms names right?).",
                                in->mirror);
        progress("Installing the agent and the guest user…");
        r = add_guest_user(root);
        if (r >= 0)
                r = install_agent(o, root);
        if (r >= 0)
                r = apply_config(o, root);
        if (r >= 0)
                r = clean_tree(root);
        /* The finished tree exists here and only here: the menu entries of the VM's programs
         * are taken from it now, into <tmp>/desktop, renamed with the image. Missing entries
         * cost a menu item, not the image: a failure is logged and the build goes on. */
        if (r >= 0) {
                _cleanup_(freep) char *desktop = NULL;

                if (asprintf(&desktop, "%s/" DESKTOP_IMAGE_SUBDIR, tmp) < 0)
                        return log_oom();
                progress("Taking the programs' menu entries…");
                if (image_desktop_extract(root, o->programs, desktop) < 0)
                        log_warning("No menu entries for VM '%s' (see above); the image is "
                                    "built without them.",
                                        o->vm_name);
        }
        if (r >= 0)
                r = make_ext4(root, image);
        if (r < 0)
                return r;
        r = remove_tree(root);
        if (r < 0)
                return log_error_errno(r, "Cannot remove the build tree '%s': %m", root);
        return 0;
}

static int write_manifest(const char *dir, const char *text) {
        _cleanup_(closep) int dir_fd = -EBADF, fd = -EBADF;
        size_t size = strlen(text);

        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return log_error_errno(errno, "Cannot open '%s': %m", dir);
        fd = openat(dir_fd, ROOTFS_MANIFEST_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, size) != (ssize_t) size || fsync(fd) < 0)
                return log_error_errno(errno ?: EIO, "Cannot write the manifest in '%s': %m", dir);
        if (fchmod(dir_fd, 0755) < 0 || fsync(dir_fd) < 0)
                return log_error_errno(errno, "Cannot finish '%s': %m", dir);
        return 0;
}

/* An image directory is complete once it has its manifest (written last, then renamed in). */
static bool image_is_complete(const char *dir, const char *manifest) {
        _cleanup_(freep) char *path = NULL, *image = NULL, *stored = NULL;
        size_t size;

        if (asprintf(&path, "%s/%s", dir, ROOTFS_MANIFEST_NAME) < 0 ||
                        asprintf(&image, "%s/%s", dir, ROOTFS_IMAGE_NAME) < 0)
                return false;
        if (access(image, R_OK) < 0 ||
                        read_full_file(path, ROOTFS_INPUT_SIZE_MAX, &stored, &size) < 0)
                return false;
        return streq(stored, manifest);
}

static int build_image(const RootfsBuildOptions *o, const RootfsInputs *in, const char *images,
                const char *id, const char *manifest) {
        _cleanup_(tmp_tree_removep) char *tmp = NULL;
        _cleanup_(freep) char *dest = NULL;
        int r;

        if (asprintf(&dest, "%s/%s", images, id) < 0)
                return log_oom();
        r = mkdtemp_beside(dest, &tmp);
        if (r < 0)
                return log_error_errno(r, "Cannot create a directory in '%s': %m", images);
        /* apt downloads as its sandbox user _apt, who must reach the tree (the finished image
         * directory is world-readable too); otherwise apt fetches as root. */
        if (chmod(tmp, 0755) < 0)
                return log_error_errno(errno, "Cannot chmod '%s': %m", tmp);
        r = build_tree(o, in, tmp);
        if (r < 0)
                return r;
        r = write_manifest(tmp, manifest);
        if (r < 0)
                return r;
        /* --force over an existing image: swapped, and the old one goes with tmp. */
        r = rename_into_place(tmp, dest);
        if (r < 0)
                return log_error_errno(r, "Cannot move '%s' to '%s': %m", tmp, dest);
        return 0;
}

/* Under the lock no other build runs: a temp directory left here is from an interrupted one. */
static void remove_stale_builds(const char *images) {
        _cleanup_(closedirp) DIR *d = opendir(images);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                _cleanup_(freep) char *path = NULL;
                int r;

                if (de->d_name[0] != '.' || !strstr(de->d_name, ".tmp-"))
                        continue;
                if (asprintf(&path, "%s/%s", images, de->d_name) < 0)
                        return;
                r = remove_tree(path);
                if (r < 0)
                        log_warning_errno(r,
                                        "Cannot remove the interrupted build '%s', "
                                        "ignoring: %m",
                                        path);
                else
                        progress("Removed the interrupted build %s.", path);
        }
}

/* images/vms/NAME -> ../rootfs/ID, replaced by a rename so readers see the old or the new. */
static int point_vm(const char *state_dir, const char *vm, const char *id) {
        _cleanup_(freep) char *vms = NULL, *link = NULL, *tmp = NULL, *target = NULL;
        int r;

        if (asprintf(&vms, "%s/%s", state_dir, ROOTFS_VMS_DIR) < 0 ||
                        asprintf(&link, "%s/%s", vms, vm) < 0 ||
                        asprintf(&tmp, "%s/.%s.tmp", vms, vm) < 0 ||
                        asprintf(&target, "../rootfs/%s", id) < 0)
                return log_oom();
        r = make_dirs("", vms, 0755);
        if (r < 0)
                return r;
        (void) unlink(tmp);
        if (symlink(target, tmp) < 0)
                return log_error_errno(errno, "Cannot create '%s': %m", tmp);
        if (rename(tmp, link) < 0) {
                r = -errno;
                (void) unlink(tmp);
                return log_error_errno(r, "Cannot replace '%s': %m", link);
        }
        return 0;
}

int rootfs_build(const RootfsBuildOptions *o) {
        _cleanup_(rootfs_inputs_finish) RootfsInputs in = {};
        _cleanup_(freep) char *manifest = NULL, *images = NULL, *dest = NULL;
        _cleanup_(closep) int lock_fd = -EBADF;
        char id[SHA256_HEX_SIZE];
        bool built = false;
        int r;

        r = read_inputs(o, &in);
        if (r < 0)
                return r;
        r = rootfs_manifest_format(&in, &manifest);
        if (r < 0)
                return log_error_errno(r, "Cannot format the manifest: %m");
        rootfs_manifest_id(manifest, id);

        if (asprintf(&images, "%s/%s", o->state_dir, ROOTFS_IMAGES_DIR) < 0 ||
                        asprintf(&dest, "%s/%s", images, id) < 0)
                return log_oom();
        r = make_dirs("", images, 0755);
        if (r < 0)
                return r;
        lock_fd = open(images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (lock_fd < 0)
                return log_error_errno(errno, "Cannot open '%s': %m", images);
        if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
                progress("Waiting for another image build to finish…");
                if (flock(lock_fd, LOCK_EX) < 0)
                        return log_error_errno(errno, "Cannot lock '%s': %m", images);
        }

        remove_stale_builds(images);
        if (o->force || !image_is_complete(dest, manifest)) {
                r = build_image(o, &in, images, id, manifest);
                if (r < 0)
                        return r;
                built = true;
        }
        r = point_vm(o->state_dir, o->vm_name, id);
        if (r < 0)
                return r;
        printf("%s root image for VM '%s': %s/%s\n", built ? "Built" : "Up to date:", o->vm_name,
                        dest, ROOTFS_IMAGE_NAME);
        return built ? 1 : 0;
}

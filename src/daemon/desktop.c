/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop.c: the host menu entries of every configured VM's applications. vmsilod (root) reads
 * what the image builder extracted, checks it again as if it came from the guest, and writes the
 * entries into <state>/exports/share, which only root writes: no user-owned path is involved, so
 * no child as the user is needed and nothing the user does can stall or redirect the writes.
 * Sessions find the directory through XDG_DATA_DIRS (data/vmsilo-xdg.sh, as Flatpak does). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config.h"
#include "desktop-entry.h"
#include "desktop-icon.h"
#include "desktop-layout.h"
#include "desktop.h"
#include "fileio.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "vmsilo-config.h"

/* Icon bytes held in memory for one sync; more icons are left out. */
#define DESKTOP_ICON_BYTES_TOTAL_MAX (64u * 1024u * 1024u)
#define DESKTOP_ENTRY_PREFIX "vmsilo-"
#define DESKTOP_TMP_PREFIX ".vmsilo-tmp-"

typedef struct DesktopFile {
        char *entry_name; /* vmsilo-<vm>.<id>.desktop (desktop_host_file_name()) */
        char *entry_text;
        char *icon_name; /* <vm>.<id>.<ext>, NULL: no icon */
        char *icon_data;
        size_t icon_size;
} DesktopFile;

typedef struct DesktopSet {
        DesktopFile *files;
        size_t n_files;
        size_t icon_bytes;
        char *icons_dir; /* <state>/exports/share/icons/vmsilo */
} DesktopSet;

static void desktop_set_finish(DesktopSet *s) {
        for (size_t i = 0; i < s->n_files; i++) {
                free(s->files[i].entry_name);
                free(s->files[i].entry_text);
                free(s->files[i].icon_name);
                free(s->files[i].icon_data);
        }
        s->files = mfree(s->files);
        s->n_files = 0;
        s->icons_dir = mfree(s->icons_dir);
}

static bool desktop_set_has_entry(const DesktopSet *s, const char *name) {
        for (size_t i = 0; i < s->n_files; i++)
                if (streq(s->files[i].entry_name, name))
                        return true;
        return false;
}

static bool desktop_set_has_icon(const DesktopSet *s, const char *name) {
        for (size_t i = 0; i < s->n_files; i++)
                if (streq_ptr(s->files[i].icon_name, name))
                        return true;
        return false;
}

/* A regular file in dir_fd, at most max bytes; never a symlink, FIFO or device. */
static int read_at(int dir_fd, const char *name, size_t max, char **ret, size_t *ret_size) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;

        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD; /* said as "not a regular file" by refusal() */
        return read_full_fd(fd, max, ret, ret_size);
}

/* Why a file was refused: the checker's reason, or what reading it said. */
static const char *refusal(int r, const char *reason) {
        if (reason)
                return reason;
        return r == -EBADFD ? "not a regular file" : strerror(-r);
}

/* Puts the extracted icon of id in f if one passes desktop_icon_check(); f->icon_name stays NULL
 * if none does. */
static int read_icon(DesktopSet *s, int icons_fd, const char *vm, const char *id, DesktopFile *f) {
        for (DesktopIconFormat fmt = 0; icons_fd >= 0 && fmt < _DESKTOP_ICON_FORMAT_MAX; fmt++) {
                _cleanup_(freep) char *name = NULL, *data = NULL;
                const char *ext = desktop_icon_format_to_string(fmt), *reason = NULL;
                size_t size;
                int r;

                if (asprintf(&name, "%s.%s", id, ext) < 0)
                        return -ENOMEM;
                r = read_at(icons_fd, name, DESKTOP_ICON_SIZE_MAX, &data, &size);
                if (r == -ENOENT)
                        continue;
                if (r >= 0)
                        r = desktop_icon_check((const uint8_t *) data, size, fmt, &reason);
                if (r < 0) {
                        log_warning_errno(r, "VM '%s': icon '%s' refused, ignoring: %s", vm, name,
                                        refusal(r, reason));
                        continue;
                }
                if (s->icon_bytes + size > DESKTOP_ICON_BYTES_TOTAL_MAX) {
                        log_warning("VM '%s': icons over 64 MiB in all, '%s' left out.", vm, name);
                        return 0;
                }
                /* name + strlen(id) is ".<ext>". */
                r = desktop_host_file_name("", vm, id, name + strlen(id), &f->icon_name);
                if (r < 0)
                        return r;
                s->icon_bytes += size;
                f->icon_data = TAKE_PTR(data);
                f->icon_size = size;
                return 0;
        }
        return 0;
}

static int add_entry(DesktopSet *s, int apps_fd, int icons_fd, const char *vm, const char *name) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e = NULL;
        _cleanup_(freep) char *id = strndup(name, strlen(name) - strlen(".desktop"));
        _cleanup_(freep) char *data = NULL, *icon_path = NULL;
        const char *reason = NULL;
        DesktopFile f = {};
        DesktopFile *files;
        size_t size;
        int r;

        if (!id)
                return -ENOMEM;
        if (!desktop_id_is_valid(id))
                return 0;
        r = read_at(apps_fd, name, DESKTOP_ENTRY_FILE_MAX, &data, &size);
        if (r >= 0)
                r = desktop_entry_parse(data, size, &e, &reason);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_warning_errno(r, "VM '%s': menu entry '%s' refused, ignoring: %s", vm, name,
                                refusal(r, reason));
                return 0;
        }
        r = desktop_host_file_name(DESKTOP_ENTRY_PREFIX, vm, id, ".desktop", &f.entry_name);
        if (r < 0)
                return r;
        r = read_icon(s, icons_fd, vm, id, &f);
        if (r >= 0 && f.icon_name && asprintf(&icon_path, "%s/%s", s->icons_dir, f.icon_name) < 0)
                r = -ENOMEM;
        if (r >= 0)
                r = desktop_entry_format_host(
                                e, vm, VMSILO_BINDIR "/vm-run", icon_path, &f.entry_text);
        files = r >= 0 ? reallocarray(s->files, s->n_files + 1, sizeof(DesktopFile)) : NULL;
        if (!files) {
                free(f.entry_name);
                free(f.icon_name);
                free(f.icon_data);
                free(f.entry_text);
                return r < 0 ? r : -ENOMEM;
        }
        files[s->n_files++] = f;
        s->files = files;
        return 0;
}

static int collect_vm(DesktopSet *s, const char *state_dir, const char *vm) {
        _cleanup_(closep) int dir_fd = -EBADF, apps_fd = -EBADF, icons_fd = -EBADF;
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_(freep) char *path = NULL;
        size_t n = 0;
        DIR *d;
        int r;

        if (asprintf(&path, "%s/" DESKTOP_IMAGE_POINTERS_DIR "/%s/" DESKTOP_IMAGE_SUBDIR, state_dir,
                            vm) < 0)
                return -ENOMEM;
        dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return IN_SET(errno, ENOENT, ENOTDIR) ? 0 : -errno;
        apps_fd = openat(dir_fd, DESKTOP_APPLICATIONS_SUBDIR,
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (apps_fd < 0)
                return -errno;
        icons_fd = openat(dir_fd, DESKTOP_ICONS_SUBDIR,
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        d = fdopendir(apps_fd);
        if (!d)
                return -errno;
        apps_fd = -EBADF; /* d owns it now */
        r = 0;
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                size_t len = strlen(de->d_name);

                if (len > 8 && streq(de->d_name + len - 8, ".desktop"))
                        r = strv_extend(&names, de->d_name);
        }
        if (r >= 0) {
                STRV_FOREACH(name, strv_sort(names)) {
                        if (++n > DESKTOP_IMAGE_ENTRIES_MAX) {
                                log_warning("VM '%s': more than %u menu entries, leaving the rest "
                                            "out.",
                                                vm, DESKTOP_IMAGE_ENTRIES_MAX);
                                break;
                        }
                        r = add_entry(s, dirfd(d), icons_fd, vm, *name);
                        if (r < 0)
                                break;
                }
        }
        (void) closedir(d);
        return r;
}

/* mkdir -p of rel (no "..") below dir_fd, never through a symlink; the last directory's fd. */
static int open_dir_chain(int dir_fd, const char *rel) {
        _cleanup_(freep) char *copy = strdup(rel);
        _cleanup_(closep) int fd = -EBADF;
        char *saveptr = NULL;

        if (!copy)
                return -ENOMEM;
        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        for (char *c = strtok_r(copy, "/", &saveptr); c; c = strtok_r(NULL, "/", &saveptr)) {
                int next;

                if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST)
                        return -errno;
                /* O_NOFOLLOW: the state dir is root's, but a link left there by an older
                 * version or by hand is still not followed. */
                next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (next < 0)
                        return -errno;
                safe_close(fd);
                fd = next;
        }
        return TAKE_FD(fd);
}

/* Whether dir_fd/name is a regular file (not a symlink) holding exactly data. */
static bool file_has(int dir_fd, const char *name, const char *data, size_t size) {
        _cleanup_(freep) char *old = NULL;
        size_t old_size;

        if (read_at(dir_fd, name, size, &old, &old_size) < 0)
                return false;
        return old_size == size && memcmp(old, data, size) == 0;
}

/* Writes name in dir_fd through a temp file and a rename: readers see the old or the new file.
 * An identical file is left alone, so a restart does not make every menu reload. */
static int write_atomic(int dir_fd, const char *name, const char *data, size_t size) {
        _cleanup_(closep) int fd = -EBADF;
        char tmp[64];
        int r;

        if (file_has(dir_fd, name, data, size))
                return 0;

        (void) snprintf(tmp, sizeof(tmp), DESKTOP_TMP_PREFIX "%d-%lx", (int) getpid(),
                        (unsigned long) random());
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        r = write_full_fd(fd, data, size);
        if (r >= 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
                                      renameat(dir_fd, tmp, dir_fd, name) < 0))
                r = -errno;
        if (r < 0)
                (void) unlinkat(dir_fd, tmp, 0);
        return r;
}

static bool has_prefix_suffix(const char *s, const char *prefix, const char *suffix) {
        size_t len = strlen(s), p = strlen(prefix), x = strlen(suffix);

        return len > p + x && strncmp(s, prefix, p) == 0 && streq(s + len - x, suffix);
}

/* Whether apps_fd/name is an entry vmsilod wrote (a file someone else put there stays). */
static bool entry_is_ours(int apps_fd, const char *name) {
        _cleanup_(freep) char *data = NULL;
        size_t size;

        if (read_at(apps_fd, name, DESKTOP_ENTRY_FILE_MAX, &data, &size) < 0)
                return false;
        return desktop_entry_is_ours(data, size);
}

/* Unlinks what is ours in dir_fd and not in s: in the icons dir (all ours) every file not in s,
 * among entries only the vmsilo-*.desktop files we wrote. Returns the count of entries removed. */
static int remove_stale(int dir_fd, const DesktopSet *s, bool icons) {
        DIR *d;
        int fd, n = 0;

        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        for (struct dirent *de; (de = readdir(d));) {
                const char *name = de->d_name;
                bool stale;

                if (streq(name, ".") || streq(name, ".."))
                        continue;
                if (strncmp(name, DESKTOP_TMP_PREFIX, strlen(DESKTOP_TMP_PREFIX)) == 0)
                        stale = true; /* left by a sync that died */
                else if (icons)
                        stale = !desktop_set_has_icon(s, name);
                else
                        stale = has_prefix_suffix(name, DESKTOP_ENTRY_PREFIX, ".desktop") &&
                                !desktop_set_has_entry(s, name) && entry_is_ours(dirfd(d), name);
                if (stale && unlinkat(dirfd(d), name, 0) >= 0)
                        n++;
        }
        (void) closedir(d);
        return n;
}

/* Writes the set into <state>/exports/share, creating it (root's, 0755) if needed. */
static int apply(const char *state_dir, const DesktopSet *s) {
        _cleanup_(closep) int state_fd = -EBADF, apps_fd = -EBADF, icons_fd = -EBADF;
        int r, removed;

        state_fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (state_fd < 0)
                return log_warning_errno(errno, "Cannot open the state dir '%s': %m", state_dir);
        apps_fd = open_dir_chain(state_fd, DESKTOP_EXPORTS_APPLICATIONS_DIR);
        if (apps_fd < 0)
                return log_warning_errno(apps_fd,
                                "Cannot open '%s/" DESKTOP_EXPORTS_APPLICATIONS_DIR "': %m",
                                state_dir);
        icons_fd = open_dir_chain(state_fd, DESKTOP_EXPORTS_ICONS_DIR);
        if (icons_fd < 0)
                return log_warning_errno(icons_fd, "Cannot open '%s': %m", s->icons_dir);

        /* Icons first, so an entry never names an icon that is not there yet. */
        for (size_t i = 0; i < s->n_files; i++) {
                const DesktopFile *f = &s->files[i];

                r = f->icon_name ? write_atomic(icons_fd, f->icon_name, f->icon_data, f->icon_size)
                                 : 0;
                if (r < 0)
                        return log_warning_errno(
                                        r, "Cannot write '%s/%s': %m", s->icons_dir, f->icon_name);
        }
        for (size_t i = 0; i < s->n_files; i++) {
                const DesktopFile *f = &s->files[i];

                r = write_atomic(apps_fd, f->entry_name, f->entry_text, strlen(f->entry_text));
                if (r < 0)
                        return log_warning_errno(r,
                                        "Cannot write '%s/" DESKTOP_EXPORTS_APPLICATIONS_DIR
                                        "/%s': %m",
                                        state_dir, f->entry_name);
        }
        removed = remove_stale(apps_fd, s, false);
        (void) remove_stale(icons_fd, s, true);
        if (removed < 0)
                return log_warning_errno(removed, "Cannot clean up old menu entries: %m");
        log_info("Menu: %zu entries installed, %d removed, in '%s/" DESKTOP_EXPORTS_APPLICATIONS_DIR
                 "'.",
                        s->n_files, removed, state_dir);
        return 0;
}

int desktop_sync(Manager *m) {
        _cleanup_(desktop_set_finish) DesktopSet s = {};
        const char *state_dir = m->options.state_dir;
        int r;

        if (asprintf(&s.icons_dir, "%s/" DESKTOP_EXPORTS_ICONS_DIR, state_dir) < 0)
                return log_oom();
        for (size_t i = 0; i < m->config->n_vms; i++) {
                const char *vm = m->config->vms[i].name;

                r = collect_vm(&s, state_dir, vm);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0)
                        log_warning_errno(r, "VM '%s': cannot read its menu entries, ignoring: %m",
                                        vm);
        }
        r = apply(state_dir, &s);
        if (r < 0)
                return log_warning_errno(r, "Menu entries were not updated, ignoring: %m");
        return 0;
}

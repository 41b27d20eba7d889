/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-desktop.c: desktop entries and icons taken from a guest root filesystem at image build
 * time. The rootfs is the guest's: packages put what they like in it, so every path is resolved
 * inside it (openat2 RESOLVE_IN_ROOT), every file is size-capped, entries go through
 * desktop-entry.c and every icon leaves as a PNG we encoded (desktop-icon.c, image-svg.c). */
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>

#include "desktop-entry.h"
#include "desktop-icon.h"
#include "desktop-layout.h"
#include "fileio.h"
#include "fs-util.h"
#include "image-desktop.h"
#include "image-svg.h"
#include "log.h"
#include "safe-open.h"
#include "strv.h"

#define DPKG_INFO_DIR "var/lib/dpkg/info"
#define DPKG_LIST_MAX (16u * 1024u * 1024u)
#define APPLICATIONS_PREFIX "/usr/share/applications/"
#define PACKAGE_NAME_MAX 128u

/* Icon theme lookup order: the largest hicolor size first, then pixmaps. */
static const char *const icon_theme_dirs[] = {
        "usr/share/icons/hicolor/scalable/apps",
        "usr/share/icons/hicolor/256x256/apps",
        "usr/share/icons/hicolor/128x128/apps",
        "usr/share/icons/hicolor/64x64/apps",
        "usr/share/icons/hicolor/48x48/apps",
        "usr/share/pixmaps",
};

/* A PNG we encoded. */
typedef struct Icon {
        uint8_t *data;
        size_t size;
} Icon;

static void icon_finish(Icon *i) {
        i->data = mfree(i->data);
}

/* Opens path (relative or absolute: both mean inside the root) below root_fd; symlinks, absolute
 * ones included, resolve against the root, ".." stops at it, and no mount point is crossed. */
static int root_open(int root_fd, const char *path, int flags) {
        return safe_openat2(root_fd, path, flags,
                        RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
}

/* Reads a regular file inside the root, at most max bytes (-EFBIG beyond). Device nodes and
 * FIFOs are never opened for reading: the path is opened O_PATH and checked first. */
static int root_read(int root_fd, const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_(closep) int path_fd = -EBADF, fd = -EBADF;
        char proc[64];
        struct stat st;

        path_fd = root_open(root_fd, path, O_PATH);
        if (path_fd < 0)
                return path_fd;
        if (fstat(path_fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD; /* said as "not a regular file" by the callers */
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        (void) snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
        fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max, ret, ret_size);
}

/* Debian Policy 5.6.7: [a-z0-9][a-z0-9+.-]+. */
static bool package_name_is_valid(const char *p) {
        size_t len = strlen(p);

        if (len < 2 || len > PACKAGE_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                bool alnum = (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9');

                if (!alnum && (i == 0 || !strchr("+.-", p[i])))
                        return false;
        }
        return true;
}

/* The dpkg file list of package: <pkg>.list, or <pkg>:<arch>.list for Multi-Arch packages. */
static int read_package_list(int root_fd, const char *package, char **ret) {
        _cleanup_(freep) char *path = NULL, *prefix = NULL;
        _cleanup_(closep) int dir_fd = -EBADF;
        DIR *d;
        int r;

        if (asprintf(&path, DPKG_INFO_DIR "/%s.list", package) < 0)
                return -ENOMEM;
        r = root_read(root_fd, path, DPKG_LIST_MAX, ret, NULL);
        if (r != -ENOENT)
                return r;
        if (asprintf(&prefix, "%s:", package) < 0)
                return -ENOMEM;
        dir_fd = root_open(root_fd, DPKG_INFO_DIR, O_RDONLY | O_DIRECTORY);
        if (dir_fd < 0)
                return dir_fd;
        d = fdopendir(dir_fd);
        if (!d)
                return -errno;
        TAKE_FD(dir_fd);
        r = -ENOENT;
        for (struct dirent *de; (de = readdir(d));) {
                size_t len = strlen(de->d_name);

                if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 || len < 5 ||
                                !streq(de->d_name + len - 5, ".list"))
                        continue;
                path = mfree(path);
                if (asprintf(&path, DPKG_INFO_DIR "/%s", de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = root_read(root_fd, path, DPKG_LIST_MAX, ret, NULL);
                break;
        }
        (void) closedir(d);
        return r;
}

/* The ids of the top-level .desktop files in a dpkg list, in list order. */
static int list_desktop_ids(const char *list, char ***ret) {
        _cleanup_(strv_freep) char **ids = strv_new_empty();
        const size_t prefix_len = strlen(APPLICATIONS_PREFIX);

        if (!ids)
                return -ENOMEM;
        for (const char *line = list; *line;) {
                size_t len = strcspn(line, "\n");
                const char *base = line + prefix_len;

                if (len > prefix_len + strlen(".desktop") &&
                                strncmp(line, APPLICATIONS_PREFIX, prefix_len) == 0 &&
                                strncmp(line + len - 8, ".desktop", 8) == 0 &&
                                !memchr(base, '/', (size_t) (line + len - base))) {
                        char *id = strndup(base, (size_t) (line + len - base) - 8);

                        if (!id || strv_consume(&ids, id) < 0)
                                return -ENOMEM;
                }
                line += len;
                if (*line == '\n')
                        line++;
        }
        *ret = TAKE_PTR(ids);
        return 0;
}

/* Reads path as an icon of format f and makes a PNG of our own of it: an SVG is rasterised in a
 * sandbox first, then every PNG is decoded and encoded again. 0 if usable, < 0 (logged at debug
 * or as a warning) if not. */
static int try_icon(int root_fd, const char *path, DesktopIconFormat f, Icon *ret) {
        _cleanup_(freep) char *data = NULL;
        _cleanup_(freep) uint8_t *png = NULL;
        const char *reason = NULL;
        size_t size, png_size;
        int r;

        r = root_read(root_fd, path, DESKTOP_ICON_SIZE_MAX, &data, &size);
        if (r == -EFBIG)
                return log_warning_errno(r, "Icon '/%s' is larger than 1 MiB, skipping it.", path);
        if (r < 0)
                return r == -ENOENT ? r : log_debug_errno(r, "Icon '/%s' unreadable: %m", path);
        if (f == DESKTOP_ICON_SVG) {
                _cleanup_(freep) char *svg = TAKE_PTR(data);

                r = image_svg_rasterize(svg, size, &data, &size);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return log_warning_errno(r,
                                        "Icon '/%s' was not rasterised in the sandbox (%s), "
                                        "skipping it.",
                                        path,
                                        r == -ETIME ? "timed out"
                                        : r == -EIO ? "rsvg-convert or bwrap failed"
                                                    : strerror(-r));
        }
        r = desktop_icon_png_recode((const uint8_t *) data, size, &png, &png_size, &reason);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return log_warning_errno(r, "Icon '/%s' refused: %s.", path, reason);
        *ret = (Icon){ .data = TAKE_PTR(png), .size = png_size };
        return 0;
}

/* "name.png" → format PNG, or -EINVAL. */
static DesktopIconFormat format_of(const char *name) {
        const char *dot = strrchr(name, '.');

        return dot ? desktop_icon_format_from_string(dot + 1) : _DESKTOP_ICON_FORMAT_INVALID;
}

static int find_icon(int root_fd, const char *icon, Icon *ret) {
        _cleanup_(freep) char *name = NULL;
        DesktopIconFormat f = format_of(icon);

        if (icon[0] == '/')
                return f < 0 ? -ENOENT : try_icon(root_fd, icon, f, ret);
        /* Icon=foo.png is not what the spec asks for, but common: look up "foo". */
        name = strndup(icon, f >= 0 || (strlen(icon) > 4 && streq(icon + strlen(icon) - 4, ".xpm"))
                                             ? (size_t) (strrchr(icon, '.') - icon)
                                             : strlen(icon));
        if (!name)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(icon_theme_dirs); i++)
                for (DesktopIconFormat g = 0; g < _DESKTOP_ICON_FORMAT_MAX; g++) {
                        _cleanup_(freep) char *path = NULL;
                        int r;

                        if (asprintf(&path, "%s/%s.%s", icon_theme_dirs[i], name,
                                            desktop_icon_format_to_string(g)) < 0)
                                return -ENOMEM;
                        r = try_icon(root_fd, path, g, ret);
                        if (r >= 0 || r == -ENOMEM)
                                return r;
                }
        return -ENOENT;
}

typedef struct Extraction {
        int root_fd;
        int apps_fd;  /* <tmp>/applications */
        int icons_fd; /* <tmp>/icons */
        char **ids;   /* written so far: the first package to ship an id wins */
} Extraction;

/* One .desktop file of package; 1 if written, 0 if left out (logged), < 0 on a hard error. */
static int extract_entry(Extraction *x, const char *package, const char *id) {
        _cleanup_(desktop_entry_freep) DesktopEntry *e = NULL;
        _cleanup_(freep) char *path = NULL, *data = NULL, *text = NULL, *icon_name = NULL;
        _cleanup_(icon_finish) Icon icon = {};
        const char *reason = "unreadable";
        size_t size;
        int r;

        if (!desktop_id_is_valid(id)) {
                log_warning("Package '%s': '%s.desktop' has a name outside [A-Za-z0-9._-], "
                            "leaving it out.",
                                package, id);
                return 0;
        }
        if (strv_contains(x->ids, id))
                return 0;
        if (asprintf(&path, APPLICATIONS_PREFIX "%s.desktop", id) < 0)
                return -ENOMEM;
        r = root_read(x->root_fd, path, DESKTOP_ENTRY_FILE_MAX, &data, &size);
        if (r >= 0)
                r = desktop_entry_parse(data, size, &e, &reason);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOEXEC) {
                log_debug("Package '%s': '%s' is not for the menu (%s).", package, path, reason);
                return 0;
        }
        if (r < 0) {
                log_warning_errno(r, "Package '%s': '%s' left out of the menu: %s.", package, path,
                                r == -EFBIG || r == -EBADMSG ? reason
                                : r == -EBADFD               ? "not a regular file"
                                                             : strerror(-r));
                return 0;
        }
        if (e->icon) {
                r = find_icon(x->root_fd, e->icon, &icon);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        log_info("Package '%s': no usable icon '%s' for '%s'.", package, e->icon,
                                        path);
        }
        r = desktop_entry_format(e, &text);
        if (r < 0)
                return r;
        if (icon.data) {
                if (asprintf(&icon_name, "%s.png", id) < 0)
                        return -ENOMEM;
                r = write_new_file_at(x->icons_fd, icon_name, icon.data, icon.size, 0644);
                if (r < 0)
                        return r;
        }
        free(path);
        if (asprintf(&path, "%s.desktop", id) < 0)
                return -ENOMEM;
        r = write_new_file_at(x->apps_fd, path, text, strlen(text), 0644);
        if (r < 0)
                return r;
        return strv_extend(&x->ids, id) < 0 ? -ENOMEM : 1;
}

static int extract_package(Extraction *x, const char *package) {
        _cleanup_(freep) char *list = NULL;
        _cleanup_(strv_freep) char **ids = NULL;
        int r;

        if (!package_name_is_valid(package)) {
                log_warning("'%s' is not a Debian package name, no menu entries from it.", package);
                return 0;
        }
        r = read_package_list(x->root_fd, package, &list);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_warning_errno(r,
                                "Package '%s': no dpkg file list in the image (%m), no menu "
                                "entries from it.",
                                package);
                return 0;
        }
        r = list_desktop_ids(list, &ids);
        if (r < 0)
                return r;
        STRV_FOREACH(id, ids) {
                if (strv_length(x->ids) >= DESKTOP_IMAGE_ENTRIES_MAX) {
                        log_warning("More than %u menu entries, leaving the rest out.",
                                        DESKTOP_IMAGE_ENTRIES_MAX);
                        return 0;
                }
                r = extract_entry(x, package, *id);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void tmp_outputp(char **p) {
        if (*p)
                (void) rm_rf(*p);
        *p = mfree(*p);
}

static int open_subdir(const char *dir, const char *name) {
        _cleanup_(freep) char *path = NULL;
        int fd;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        if (mkdir(path, 0755) < 0)
                return -errno;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

/* tmp becomes out_dir; an old out_dir ends up at tmp, and goes with it. */
int image_desktop_extract(const char *rootfs_dir, char *const *packages, const char *out_dir) {
        _cleanup_(tmp_outputp) char *tmp = NULL;
        _cleanup_(closep) int root_fd = -EBADF, apps_fd = -EBADF, icons_fd = -EBADF;
        _cleanup_(strv_freep) char **ids = NULL;
        Extraction x;
        size_t n;
        int r = 0;

        root_fd = open(rootfs_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return log_error_errno(
                                errno, "Cannot open the root filesystem '%s': %m", rootfs_dir);
        r = mkdtemp_beside(out_dir, &tmp);
        if (r < 0)
                return log_error_errno(r, "Cannot create a directory next to '%s': %m", out_dir);
        if (chmod(tmp, 0755) < 0)
                return log_error_errno(errno, "Cannot chmod '%s': %m", tmp);
        apps_fd = open_subdir(tmp, DESKTOP_APPLICATIONS_SUBDIR);
        icons_fd = apps_fd < 0 ? apps_fd : open_subdir(tmp, DESKTOP_ICONS_SUBDIR);
        if (apps_fd < 0 || icons_fd < 0)
                return log_error_errno(MIN(apps_fd, icons_fd), "Cannot create '%s/…': %m", tmp);

        x = (Extraction){ .root_fd = root_fd, .apps_fd = apps_fd, .icons_fd = icons_fd };
        STRV_FOREACH(p, packages) {
                r = extract_package(&x, *p);
                if (r < 0)
                        break;
        }
        ids = x.ids;
        if (r < 0)
                return log_error_errno(r, "Cannot write menu entries to '%s': %m", tmp);
        if (fsync(apps_fd) < 0 || fsync(icons_fd) < 0)
                return log_error_errno(errno, "Cannot sync '%s': %m", tmp);
        r = rename_into_place(tmp, out_dir);
        if (r < 0)
                return log_error_errno(r, "Cannot move '%s' to '%s': %m", tmp, out_dir);
        n = strv_length(ids);
        log_info("%zu menu entries from %zu packages in '%s'.", n, strv_length(packages), out_dir);
        return (int) n;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shares.c: a VM's shared home and shared directories on the host, before its VMM starts. */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "fileio.h"
#include "fs-util.h"
#include "log.h"
#include "plan.h"
#include "safe-open.h"
#include "shares.h"
#include "spawn-util.h"

#define SHARES_COPY_BUFFER_BYTES (128 * 1024)

typedef struct CopyState {
        const ShareOwner *owner;
        bool qemu_symlinks;
        SharesCopyStats *stats;
        char *buffer;        /* SHARES_COPY_BUFFER_BYTES */
        char path[PATH_MAX]; /* of the entry being copied, relative to the template, for errors */
} CopyState;

int shares_split_path(const char *path, char **ret_parent, char **ret_name) {
        _cleanup_(freep) char *parent = NULL, *name = NULL;
        const char *slash;

        if (!path || path[0] != '/')
                return -EINVAL;
        slash = strrchr(path, '/');
        if (streq(slash + 1, "") || streq(slash + 1, ".") || streq(slash + 1, ".."))
                return -EINVAL;
        parent = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
        name = strdup(slash + 1);
        if (!parent || !name)
                return -ENOMEM;
        *ret_parent = TAKE_PTR(parent);
        *ret_name = TAKE_PTR(name);
        return 0;
}

int shares_temp_name(const char *name, char **ret) {
        char *s;

        if (asprintf(&s, ".%s.tmp-XXXXXX", name) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int set_xattr_id(int fd, const char *name, uint32_t id) {
        uint8_t le[4] = { id & 0xff, (id >> 8) & 0xff, (id >> 16) & 0xff, id >> 24 };

        return fsetxattr(fd, name, le, sizeof(le), 0) < 0 ? -errno : 0;
}

int shares_set_guest_owner(int fd, const ShareOwner *owner) {
        int r;

        if (owner->has_uid) {
                r = set_xattr_id(fd, SHARES_XATTR_UID, owner->uid);
                if (r < 0)
                        return r;
        }
        if (owner->has_gid) {
                r = set_xattr_id(fd, SHARES_XATTR_GID, owner->gid);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A file system without user xattrs still gets its copy: only QEMU needs the owner. */
static int copy_guest_owner(CopyState *s, int fd) {
        int r = shares_set_guest_owner(fd, s->owner);

        if (r < 0 && r != -EOPNOTSUPP)
                return log_error_errno(r, "Cannot record the guest owner of '%s': %m", s->path);
        return 0;
}

static int copy_file_data(CopyState *s, int src, int dst) {
        for (;;) {
                ssize_t n = read_retry(src, s->buffer, SHARES_COPY_BUFFER_BYTES);
                int r;

                if (n < 0)
                        return log_error_errno((int) n, "Cannot read '%s' in the home template: %m",
                                        s->path);
                if (n == 0)
                        return 0;
                r = write_full_fd(dst, s->buffer, (size_t) n);
                if (r < 0)
                        return log_error_errno(r, "Cannot write '%s' of the new home: %m", s->path);
        }
}

/* Decides on the opened fd, not on the earlier fstatat(): the template belongs to the user,
 * who may swap an entry in between. O_NONBLOCK keeps a FIFO swapped in from blocking the open. */
static int copy_file(CopyState *s, int src_dir, int dst_dir, const char *name) {
        _cleanup_(closep) int src = -EBADF, dst = -EBADF;
        struct stat st;
        int r;

        src = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (src < 0)
                return log_error_errno(errno, "Cannot open '%s' in the home template: %m", s->path);
        if (fstat(src, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                s->stats->skipped++;
                return 0;
        }
        dst = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (dst < 0)
                return log_error_errno(errno, "Cannot create '%s' in the new home: %m", s->path);
        r = copy_file_data(s, src, dst);
        if (r < 0)
                return r;
        r = copy_guest_owner(s, dst);
        if (r < 0)
                return r;
        if (fchmod(dst, st.st_mode & 0777) < 0 ||
                        futimens(dst, (struct timespec[]){ st.st_atim, st.st_mtim }) < 0)
                return log_error_errno(errno, "Cannot set the mode of '%s': %m", s->path);
        s->stats->files++;
        return 0;
}

/* QEMU's 9p server with security_model=mapped-xattr reads a link as a regular file holding the
 * target, marked S_IFLNK in user.virtfs.mode (what it writes when the guest makes a link); it
 * cannot read a real host symlink. */
static int write_qemu_symlink(CopyState *s, int dst_dir, const char *name, const char *target) {
        _cleanup_(closep) int fd = -EBADF;
        uint32_t mode = S_IFLNK | 0777;
        uint8_t le[4] = { mode & 0xff, (mode >> 8) & 0xff, (mode >> 16) & 0xff, mode >> 24 };
        size_t n = strlen(target);
        int r;

        fd = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, target, n) != (ssize_t) n)
                return log_error_errno(
                                errno, "Cannot create the link '%s' in the new home: %m", s->path);
        r = copy_guest_owner(s, fd);
        if (r < 0)
                return r;
        if (fsetxattr(fd, SHARES_XATTR_MODE, le, sizeof(le), 0) < 0)
                return log_error_errno(errno, "Cannot mark '%s' as a link for qemu: %m", s->path);
        return 0;
}

static int copy_symlink(
                CopyState *s, int src_dir, int dst_dir, const char *name, const struct stat *st) {
        char target[PATH_MAX];
        ssize_t n;
        int r;

        n = readlinkat(src_dir, name, target, sizeof(target));
        if (n < 0)
                return log_error_errno(errno, "Cannot read the link '%s' in the home template: %m",
                                s->path);
        if ((size_t) n >= sizeof(target))
                return log_error_errno(ENAMETOOLONG,
                                "The link '%s' in the home template is too "
                                "long.",
                                s->path);
        target[n] = '\0';
        if (s->qemu_symlinks) {
                r = write_qemu_symlink(s, dst_dir, name, target);
                if (r < 0)
                        return r;
        } else {
                if (symlinkat(target, dst_dir, name) < 0)
                        return log_error_errno(errno,
                                        "Cannot create the link '%s' in the new home: %m", s->path);
                /* Times of a link are cosmetic; user xattrs do not exist on links. */
                (void) utimensat(dst_dir, name, (struct timespec[]){ st->st_atim, st->st_mtim },
                                AT_SYMLINK_NOFOLLOW);
        }
        s->stats->symlinks++;
        return 0;
}

static int copy_dir_contents(CopyState *s, int src, int dst, unsigned depth);

static int copy_dir(CopyState *s, int src_dir, int dst_dir, const char *name, unsigned depth) {
        _cleanup_(closep) int src = -EBADF, dst = -EBADF;
        struct stat st;
        int r;

        src = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (src < 0)
                return log_error_errno(errno, "Cannot open '%s' in the home template: %m", s->path);
        if (fstat(src, &st) < 0)
                return -errno;
        /* Private until complete, so the copy can write into directories the template made
         * read-only. */
        if (mkdirat(dst_dir, name, 0700) < 0)
                return log_error_errno(errno, "Cannot create '%s' in the new home: %m", s->path);
        dst = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return -errno;
        r = copy_dir_contents(s, src, dst, depth + 1);
        if (r < 0)
                return r;
        r = copy_guest_owner(s, dst);
        if (r < 0)
                return r;
        if (fchmod(dst, st.st_mode & 07777) < 0 ||
                        futimens(dst, (struct timespec[]){ st.st_atim, st.st_mtim }) < 0)
                return log_error_errno(errno, "Cannot set the mode of '%s': %m", s->path);
        s->stats->directories++;
        return 0;
}

static int copy_entry(CopyState *s, int src_dir, int dst_dir, const char *name, unsigned depth) {
        struct stat st;

        if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return log_error_errno(errno, "Cannot stat '%s' in the home template: %m", s->path);
        if (S_ISREG(st.st_mode))
                return copy_file(s, src_dir, dst_dir, name);
        if (S_ISDIR(st.st_mode))
                return copy_dir(s, src_dir, dst_dir, name, depth);
        if (S_ISLNK(st.st_mode))
                return copy_symlink(s, src_dir, dst_dir, name, &st);
        log_warning("Not copying '%s' from the home template: only files, directories and "
                    "symbolic links are copied.",
                        s->path);
        s->stats->skipped++;
        return 0;
}

static int copy_dir_contents(CopyState *s, int src, int dst, unsigned depth) {
        _cleanup_(closedirp) DIR *d = NULL;
        size_t base = strlen(s->path);
        struct dirent *de;
        int r;

        if (depth > SHARES_COPY_DEPTH_MAX)
                return log_error_errno(ELOOP, "The home template is deeper than %d levels at '%s'.",
                                SHARES_COPY_DEPTH_MAX, s->path);
        r = dir_stream(src, &d);
        if (r < 0)
                return r;
        while ((r = dir_next(d, &de)) > 0) {
                if ((size_t) snprintf(s->path + base, sizeof(s->path) - base, "%s%s",
                                    base > 0 ? "/" : "", de->d_name) >= sizeof(s->path) - base)
                        return log_error_errno(ENAMETOOLONG, "A path in the home template is too "
                                                             "long.");
                r = copy_entry(s, src, dst, de->d_name, depth);
                s->path[base] = '\0';
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return log_error_errno(r, "Cannot list '%s' in the home template: %m",
                                base > 0 ? s->path : ".");
        return 0;
}

int shares_copy_tree(int src_fd, int dst_fd, const ShareOwner *owner, bool qemu_symlinks,
                SharesCopyStats *stats) {
        _cleanup_(freep) char *buffer = malloc(SHARES_COPY_BUFFER_BYTES);
        CopyState s = {
                .owner = owner,
                .qemu_symlinks = qemu_symlinks,
                .stats = stats,
                .buffer = buffer,
        };

        if (!buffer)
                return -ENOMEM;
        return copy_dir_contents(&s, src_fd, dst_fd, 0);
}

/* Runs as the user who owns what it removes; unlinkat() and O_NOFOLLOW never leave the tree. */
int shares_clear_dir(int fd) {
        return rm_rf_children(fd);
}

/* The child: becomes uid:gid and, with a template_dir, copies it into fd 3 (the new home),
 * removing its partial copy on failure; without one, empties fd 3. Its messages go to the
 * daemon's stderr. The daemon has no threads, so everything is usable after fork(). */
_noreturn_ static void home_child(
                int tmp_fd, const char *template_dir, bool qemu_symlinks, uid_t uid, gid_t gid) {
        ShareOwner guest = {
                .has_uid = true, .uid = PLAN_GUEST_UID, .has_gid = true, .gid = PLAN_GUEST_GID
        };
        SharesCopyStats stats = {};
        int src, r;

        if (dup2(tmp_fd, 3) < 0)
                _exit(EXIT_FAILURE);
        (void) close_range(4, ~0U, 0);
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                _exit(EXIT_FAILURE);
        if (!template_dir)
                _exit(shares_clear_dir(3) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);

        /* The template itself may be a link (an admin's choice); below it nothing is followed. */
        src = open(template_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src < 0 && errno != ENOENT) {
                log_error_errno(errno, "Cannot open the home template '%s': %m", template_dir);
                _exit(EXIT_FAILURE);
        }
        r = src >= 0 ? shares_copy_tree(src, 3, &guest, qemu_symlinks, &stats) : 0;
        if (r >= 0)
                r = copy_guest_owner(&(CopyState){ .owner = &guest, .path = "." }, 3);
        if (r < 0) {
                (void) shares_clear_dir(3);
                _exit(EXIT_FAILURE);
        }
        log_debug("Copied %u files, %u directories and %u links from '%s' (%u skipped).",
                        stats.files, stats.directories, stats.symlinks, template_dir,
                        stats.skipped);
        _exit(EXIT_SUCCESS);
}

/* Synchronous: vmsilod calls this in a helper child (helper.h), which has a deadline of its
 * own. This deadline bounds the wait of that child (and of the unit tests): the user could SIGSTOP
 * the copy, or mount a FUSE file system that never answers inside the template. */
static int run_home_child(
                int tmp_fd, const char *template_dir, bool qemu_symlinks, uid_t uid, gid_t gid) {
        _cleanup_(closep) int pidfd = -EBADF;
        int status, r;
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                home_child(tmp_fd, template_dir, qemu_symlinks, uid, gid);
        pidfd = pidfd_open(pid, 0);
        r = pidfd >= 0 ? wait_child_deadline(pid, pidfd, SHARES_COPY_TIMEOUT_USEC, &status)
                       : wait_child(pid, &status);
        if (r == -ETIME) {
                log_error("Copying the home template '%s' took more than %d s; stopped.",
                                template_dir ?: "(cleanup)",
                                (int) (SHARES_COPY_TIMEOUT_USEC / 1000000));
                return -EIO;
        }
        return r < 0 ? r : wait_status_to_errno(status);
}

/* Only a directory we just made as root and nobody has touched: in a parent the user owns, the
 * user could rename something else in under the temp name. */
static int open_fresh_dir(int parent_fd, const char *name) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;

        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_uid != 0 || st.st_nlink != 2 || (st.st_mode & 07777) != 0700)
                return -EPERM;
        return TAKE_FD(fd);
}

/* Removes the temp dir after a failure; what the child left behind is removed as the user. */
static void remove_temp(int parent_fd, const char *parent, const char *tmp_name) {
        if (unlinkat(parent_fd, tmp_name, AT_REMOVEDIR) < 0)
                log_warning_errno(errno, "Cannot remove '%s/%s', remove it by hand: %m", parent,
                                tmp_name);
}

/* mkdtemp() relative to a checked fd: name ends in XXXXXX, replaced in place. */
static int mkdtemp_at(int dir_fd, char *name) {
        static const char chars[] =
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        char *x = name + strlen(name) - 6;

        for (unsigned attempt = 0; attempt < 100; attempt++) {
                for (unsigned i = 0; i < 6; i++)
                        x[i] = chars[(unsigned) random() % (sizeof(chars) - 1)];
                if (mkdirat(dir_fd, name, 0700) >= 0)
                        return 0;
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

/* Logs why a share root or a home's parent is refused. */
static int refuse_dir(int r, const char *path, const char *what, uid_t owner) {
        if (r == -ELOOP)
                return log_error_errno(r,
                                "%s '%s' has a symbolic link in its path; root follows none "
                                "there, configure the real path.",
                                what, path);
        if (r == -EPERM)
                return log_error_errno(r,
                                "%s '%s' belongs to uid %u or is writable by others; it must "
                                "be root's or the vmsilo user's, and not group- or "
                                "world-writable.",
                                what, path, (unsigned) owner);
        return log_error_errno(r, "%s '%s' cannot be opened: %m", what, path);
}

/* The parent of a shared home, made (one level, root's, 0755) if missing: /shared is made on
 * first use. No link is followed anywhere in the path, and the parent must be root's or uid's. */
static int open_home_parent(const char *parent, uid_t uid) {
        _cleanup_(freep) char *grandparent = NULL, *name = NULL;
        _cleanup_(closep) int gp_fd = -EBADF, fd = -EBADF;
        bool created = false;
        uid_t owner = 0;
        int r;

        if (streq(parent, "/"))
                fd = safe_open_dir(parent);
        else {
                r = shares_split_path(parent, &grandparent, &name);
                if (r < 0)
                        return r;
                gp_fd = safe_open_dir(grandparent);
                if (gp_fd < 0)
                        return refuse_dir(gp_fd, grandparent, "The directory", 0);
                created = mkdirat(gp_fd, name, 0755) >= 0;
                if (!created && errno != EEXIST)
                        return log_error_errno(errno, "Cannot create '%s' for the shared home: %m",
                                        parent);
                fd = safe_openat2(gp_fd, name, O_RDONLY | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
        }
        if (fd < 0)
                return refuse_dir(fd, parent, "The directory", 0);
        if (created && fchmod(fd, 0755) < 0)
                return log_error_errno(errno, "Cannot set the mode of '%s': %m", parent);
        r = safe_check_dir_owner(fd, uid, &owner);
        if (r < 0)
                return refuse_dir(r, parent, "The parent of a shared home", owner);
        return TAKE_FD(fd);
}

int shares_create_home(const char *path, const char *template_dir, bool qemu_symlinks, uid_t uid,
                gid_t gid) {
        _cleanup_(freep) char *parent = NULL, *name = NULL, *tmp_name = NULL, *tmp_path = NULL;
        _cleanup_(closep) int parent_fd = -EBADF, tmp_fd = -EBADF;
        struct stat st;
        int r;

        r = shares_split_path(path, &parent, &name);
        if (r < 0)
                return log_error_errno(r,
                                "The shared home '%s' is not an absolute path to a "
                                "directory.",
                                path);
        r = shares_temp_name(name, &tmp_name);
        if (r < 0)
                return log_oom();

        /* Everything below happens relative to this fd: the user may own the parent's parents
         * and swap one for a link, but the path is resolved once, without links. */
        parent_fd = open_home_parent(parent, uid);
        if (parent_fd < 0)
                return parent_fd;
        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0)
                return 0;
        if (errno != ENOENT)
                return log_error_errno(errno, "Cannot look at the shared home '%s': %m", path);
        r = mkdtemp_at(parent_fd, tmp_name);
        if (r < 0)
                return log_error_errno(r, "Cannot create a directory in '%s': %m", parent);
        if (asprintf(&tmp_path, "%s/%s", streq(parent, "/") ? "" : parent, tmp_name) < 0)
                return log_oom();
        tmp_fd = open_fresh_dir(parent_fd, tmp_name);
        if (tmp_fd < 0)
                return log_error_errno(tmp_fd, "'%s' changed under us: %m", tmp_path);
        if (fchown(tmp_fd, uid, gid) < 0) {
                r = log_error_errno(errno, "Cannot give '%s' to the vmsilo user: %m", tmp_path);
                remove_temp(parent_fd, parent, tmp_name);
                return r;
        }
        r = run_home_child(tmp_fd, template_dir, qemu_symlinks, uid, gid);
        if (r < 0) {
                log_error("Copying the home template '%s' into '%s' failed (see the messages "
                          "above).",
                                template_dir, tmp_path);
                remove_temp(parent_fd, parent, tmp_name);
                return r;
        }
        if (renameat2(parent_fd, tmp_name, parent_fd, name, RENAME_NOREPLACE) < 0) {
                r = -errno;
                if (r != -EEXIST)
                        log_error_errno(r, "Cannot rename '%s' to '%s': %m", tmp_path, path);
                /* EEXIST: someone made the home meanwhile; it wins, ours goes. */
                (void) run_home_child(tmp_fd, NULL, false, uid, gid);
                remove_temp(parent_fd, parent, tmp_name);
                return r == -EEXIST ? 0 : r;
        }
        (void) fsync(parent_fd);
        return 1;
}

/* A share root (a shared directory or home), checked: the path is resolved without links, and a
 * root not owned by root or the vmsilo user is refused (its owner did not offer it). An owner,
 * if any, is recorded in its xattrs for qemu's 9p server. */
static int check_share_root(const char *path, const ShareOwner *owner, uid_t uid) {
        _cleanup_(closep) int fd = -EBADF;
        uid_t dir_owner = 0;
        int r;

        fd = safe_open_dir(path);
        if (fd < 0)
                return refuse_dir(fd, path, "The shared directory", 0);
        r = safe_check_dir_owner(fd, uid, &dir_owner);
        if (r < 0)
                return refuse_dir(r, path, "The shared directory", dir_owner);
        if (!owner || (!owner->has_uid && !owner->has_gid))
                return 0;
        r = shares_set_guest_owner(fd, owner);
        /* A read-only file system: the guest could not write there anyway. */
        if (r == -EROFS) {
                log_warning_errno(r, "Cannot record the guest owner of '%s', ignoring: %m", path);
                return 0;
        }
        if (r == -EOPNOTSUPP)
                return log_error_errno(r,
                                "The file system of '%s' has no user extended "
                                "attributes, which qemu's 9p server needs "
                                "(security_model=mapped-xattr).",
                                path);
        if (r < 0)
                return log_error_errno(r, "Cannot record the guest owner of '%s': %m", path);
        return 0;
}

int shares_prepare(const VmConfig *vm, bool mapped_xattr, const char *state_dir, uid_t uid,
                gid_t gid) {
        static const ShareOwner guest = {
                .has_uid = true, .uid = PLAN_GUEST_UID, .has_gid = true, .gid = PLAN_GUEST_GID
        };
        _cleanup_(freep) char *template_dir = NULL;
        ShareOwner owner;
        int r;

        if (vm->shared_home_path) {
                if (asprintf(&template_dir, "%s/" SHARES_HOME_TEMPLATE_NAME, state_dir) < 0)
                        return log_oom();
                r = shares_create_home(vm->shared_home_path, template_dir, mapped_xattr, uid, gid);
                if (r < 0)
                        return r;
                if (r > 0)
                        log_info("VM '%s': created the shared home %s from %s.", vm->name,
                                        vm->shared_home_path, template_dir);
                /* Also heals a home made elsewhere: its root must be the guest user's. */
                r = check_share_root(vm->shared_home_path, mapped_xattr ? &guest : NULL, uid);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < vm->n_shared_directories; i++) {
                const SharedDirectory *d = &vm->shared_directories[i];

                r = share_ids_owner(&d->options, &owner);
                if (r < 0) /* plan_validate_vm() rejected it already */
                        return log_error_errno(
                                        r, "Bad uid, gid, uidmap or gidmap for '%s'.", d->path);
                r = check_share_root(d->path, mapped_xattr ? &owner : NULL, uid);
                if (r < 0)
                        return r;
        }
        return 0;
}

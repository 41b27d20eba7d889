/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-root.c: the root disk side of a VM start: built image lookup, per-start qcow2 overlay. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "layout.h"
#include "log.h"
#include "spawn-util.h"
#include "string-util.h"
#include "vm-root.h"

/* *ret = the formatted reason, or NULL if out of memory (the caller then reports the errno). */
static void set_reason(char **ret, const char *format, ...) _printf_(2, 3);
static void set_reason(char **ret, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        *ret = vstrprintf(format, ap);
        va_end(ap);
}

void vm_root_finish(VmRoot *r) {
        r->built_root_disk = mfree(r->built_root_disk);
        r->overlay_disk = mfree(r->overlay_disk);
}

/* <state>/images/vms/NAME/root.ext4, canonical so that a rebuild moving the pointer while the
 * VM runs changes nothing for it. */
static int built_image_path(const char *state_dir, const char *name, char **ret) {
        _cleanup_(freep) char *link = NULL, *dir = NULL;
        char *image;

        if (asprintf(&link, "%s/" ROOTFS_VMS_DIR "/%s", state_dir, name) < 0)
                return -ENOMEM;
        dir = realpath(link, NULL);
        if (!dir)
                return -errno;
        if (asprintf(&image, "%s/" ROOTFS_IMAGE_NAME, dir) < 0)
                return -ENOMEM;
        if (access(image, R_OK) < 0) {
                int r = -errno;
                free(image);
                return r;
        }
        *ret = image;
        return 0;
}

/* A blank ext4 of `size` bytes as qcow2. Formatting on the host takes ~0.1 s and writes ~5 MB;
 * busybox mke2fs in a TCG guest writes every inode table (160 MB for 10G) at every boot. The
 * file system has no journal (it dies with the VM) and lazily initialised inode tables (the
 * guest mounts it with noinit_itable). */
int vm_root_make_overlay(const VmConfig *vm, const char *state_dir, const VmRootTools *tools,
                uid_t uid, gid_t gid, char **ret_reason) {
        /* Root's helpers get no environment of ours: a fixed PATH and nothing else. */
        static char *const clean_env[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        _cleanup_(freep) char *dir = NULL, *raw = NULL, *tmp = NULL, *path = NULL;
        _cleanup_(closep) int fd = -EBADF;
        int r;

        if (asprintf(&dir, "%s/" ROOTFS_OVERLAYS_DIR, state_dir) < 0)
                return -ENOMEM;
        raw = layout_overlay_file(state_dir, vm->name, ".raw");
        tmp = layout_overlay_file(state_dir, vm->name, ".qcow2.tmp");
        path = layout_overlay_file(state_dir, vm->name, ".qcow2");
        if (!raw || !tmp || !path)
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                r = -errno;
                set_reason(ret_reason, "cannot create '%s': %s", dir, strerror(-r));
                return r;
        }
        fd = open(raw, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || ftruncate(fd, (off_t) vm->root_overlay_size_bytes) < 0) {
                r = -errno;
                (void) unlink(raw);
                set_reason(ret_reason, "cannot create the overlay disk '%s' of %s: %s", raw,
                                vm->root_overlay_size, strerror(-r));
                return r;
        }
        fd = safe_close(fd);
        r = spawn_wait((char *const[]){ (char *) tools->mkfs_ext4, (char *) "-q", (char *) "-F",
                                       (char *) "-m", (char *) "0", (char *) "-O",
                                       (char *) "^has_journal", (char *) "-E",
                                       (char *) "lazy_itable_init=1,nodiscard", (char *) "-L",
                                       (char *) "vmsilo-overlay", raw, NULL },
                        clean_env, -1);
        if (r >= 0)
                r = spawn_wait((char *const[]){ (char *) tools->qemu_img, (char *) "convert",
                                               (char *) "-q", (char *) "-f", (char *) "raw",
                                               (char *) "-O", (char *) "qcow2", raw, tmp, NULL },
                                clean_env, -1);
        (void) unlink(raw);
        if (r < 0) {
                (void) unlink(tmp);
                set_reason(ret_reason,
                                "cannot make the %s overlay disk with %s and %s "
                                "(are e2fsprogs and qemu-utils installed, and is rootOverlay.size "
                                "at least a few MiB?)",
                                vm->root_overlay_size, tools->mkfs_ext4, tools->qemu_img);
                return r;
        }
        if (chown(tmp, uid, gid) < 0 || chmod(tmp, 0600) < 0 || rename(tmp, path) < 0) {
                r = -errno;
                (void) unlink(tmp);
                set_reason(ret_reason, "cannot install the overlay disk '%s': %s", path,
                                strerror(-r));
                return r;
        }
        return 0;
}

int vm_root_prepare(const VmConfig *vm, const char *state_dir, VmRoot *ret, char **ret_reason) {
        _cleanup_(vm_root_finish) VmRoot root = {};
        int r;

        if (rootfs_vm_needs_image(vm)) {
                /* A built image is shared by every VM with the same inputs: never write to it. */
                if (!vm->root_disk_readonly) {
                        set_reason(ret_reason,
                                        "rootDiskReadonly = false needs a rootDisk of its own: "
                                        "the image built for guestPrograms is shared and stays "
                                        "read-only (copy it and set rootDisk to the copy)");
                        return -EROFS;
                }
                r = built_image_path(state_dir, vm->name, &root.built_root_disk);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        set_reason(ret_reason,
                                        "it has no root image for its guestPrograms (%s); run "
                                        "'vmsilo image build %s'",
                                        strerror(-r), vm->name);
                        return r;
                }
        }
        if (rootfs_vm_needs_overlay_disk(vm)) {
                root.overlay_disk = layout_overlay_file(state_dir, vm->name, ".qcow2");
                if (!root.overlay_disk)
                        return -ENOMEM;
        }
        *ret = root;
        root = (VmRoot){};
        return 0;
}

void vm_root_release(const VmConfig *vm, const char *state_dir) {
        /* The temp files too: a preparation killed at its deadline leaves them. */
        static const char *const suffixes[] = { ".qcow2", ".qcow2.tmp", ".raw" };

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                _cleanup_(freep) char *path = layout_overlay_file(state_dir, vm->name, suffixes[i]);

                if (path && unlink(path) < 0 && errno != ENOENT)
                        log_warning_errno(errno,
                                        "VM '%s': cannot delete the overlay disk '%s', "
                                        "ignoring: %m",
                                        vm->name, path);
        }
}

static void remove_stale_overlays(const char *state_dir) {
        _cleanup_(freep) char *dir = NULL;
        struct dirent *de;
        DIR *d;

        if (asprintf(&dir, "%s/" ROOTFS_OVERLAYS_DIR, state_dir) < 0)
                return;
        d = opendir(dir);
        if (!d)
                return;
        /* No VM runs yet: everything here is a leftover of a previous run. */
        while ((de = readdir(d)))
                if (de->d_type == DT_REG && unlinkat(dirfd(d), de->d_name, 0) >= 0)
                        log_info("Deleted the stale overlay disk %s/%s.", dir, de->d_name);
        (void) closedir(d);
}

void vm_root_check_all(const Config *c, const char *state_dir) {
        remove_stale_overlays(state_dir);
        for (size_t i = 0; i < c->n_vms; i++) {
                _cleanup_(freep) char *image = NULL;
                const VmConfig *vm = &c->vms[i];

                if (!rootfs_vm_needs_image(vm))
                        continue;
                if (built_image_path(state_dir, vm->name, &image) < 0)
                        log_warning("VM '%s' has no root image for its guestPrograms yet; it "
                                    "will not start until 'vmsilo image build %s' has run.",
                                        vm->name, vm->name);
        }
}

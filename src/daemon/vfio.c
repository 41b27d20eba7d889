/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfio.c: PCI passthrough I/O (see vfio.h); every decision is vfio-plan.c's. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "kmod-util.h"
#include "log.h"
#include "string-util.h"
#include "strv.h"
#include "vfio.h"

/* A real sysfs write takes effect before write() returns; the poll covers a root whose kernel
 * is a test's fake, and bounds how long a stuck device can hold up the daemon. */
#define VFIO_SETTLE_USEC (2 * 1000 * 1000)
#define VFIO_SETTLE_STEP_USEC (10 * 1000)
#define VFIO_ATTR_MAX 4096

static void set_reason(char **ret_reason, const char *format, ...) _printf_(2, 3);
static void set_reason(char **ret_reason, const char *format, ...) {
        va_list ap;

        if (!ret_reason)
                return;
        free(*ret_reason);
        va_start(ap, format);
        *ret_reason = vstrprintf(format, ap);
        va_end(ap);
}

static int root_path(const char *root, const char *rel, char ret[static PATH_MAX]) {
        int n = snprintf(ret, PATH_MAX, "%s/%s", streq(root, "/") ? "" : root, rel);

        return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* The last component of the symlink at path ("" if there is no link), as for `driver`. */
static int read_link_name(const char *path, char *ret, size_t size) {
        char target[PATH_MAX];
        const char *slash;
        ssize_t n = readlink(path, target, sizeof(target) - 1);

        if (n < 0) {
                if (errno != ENOENT)
                        return -errno;
                ret[0] = '\0';
                return 0;
        }
        target[n] = '\0';
        slash = strrchr(target, '/');
        if (snprintf(ret, size, "%s", slash ? slash + 1 : target) >= (int) size)
                return -ENAMETOOLONG;
        return 0;
}

/* One line of a sysfs attribute, without its newline. */
static int read_attr(const char *path, char *ret, size_t size) {
        _cleanup_(freep) char *s = NULL;
        int r = read_full_file(path, VFIO_ATTR_MAX, &s, NULL);

        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = '\0';
        if (snprintf(ret, size, "%s", s) >= (int) size)
                return -ERANGE;
        return 0;
}

int vfio_read_device(const char *root, const char *address, VfioDevice *ret) {
        char dir[PATH_MAX], path[PATH_MAX + 32], class[32];
        VfioDevice d = {};
        char *end;
        int r;

        r = root_path(root, "sys/bus/pci/devices/", dir);
        if (r < 0)
                return r;
        if (strlen(dir) + strlen(address) >= sizeof(dir))
                return -ENAMETOOLONG;
        strcat(dir, address);
        if (access(dir, F_OK) < 0)
                return -errno;
        (void) snprintf(d.address, sizeof(d.address), "%s", address);
        (void) snprintf(path, sizeof(path), "%s/driver", dir);
        r = read_link_name(path, d.driver, sizeof(d.driver));
        if (r < 0)
                return r;
        /* "(null)" is what the kernel shows for no override. */
        (void) snprintf(path, sizeof(path), "%s/driver_override", dir);
        r = read_attr(path, d.override, sizeof(d.override));
        if (r < 0 && r != -ENOENT)
                return r;
        if (r < 0 || streq(d.override, "(null)"))
                d.override[0] = '\0';
        (void) snprintf(path, sizeof(path), "%s/class", dir);
        r = read_attr(path, class, sizeof(class));
        if (r < 0)
                return r;
        errno = 0;
        d.class_code = (uint32_t) strtoul(class, &end, 16);
        if (errno != 0 || end == class || *end)
                return -EBADMSG;
        *ret = d;
        return 0;
}

static int write_attr(const char *root, const char *rel, const char *value) {
        char path[PATH_MAX];
        _cleanup_(closep) int fd = -EBADF;
        int r = root_path(root, rel, path);

        if (r < 0)
                return r;
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return write_full_fd(fd, value, strlen(value));
}

static bool expectation_met(const VfioDevice *d, VfioExpect expect) {
        switch (expect) {
        case VFIO_EXPECT_UNBOUND:
                return !d->driver[0];
        case VFIO_EXPECT_VFIO:
                return vfio_device_is_isolated(d);
        default:
                return true;
        }
}

/* Waits until the step's effect shows in sysfs; the device as it is then goes to *ret. */
static int settle(const char *root, const char *address, VfioExpect expect, VfioDevice *ret) {
        for (uint64_t waited = 0;; waited += VFIO_SETTLE_STEP_USEC) {
                int r = vfio_read_device(root, address, ret);

                if (r < 0)
                        return r;
                if (expectation_met(ret, expect))
                        return 0;
                if (waited >= VFIO_SETTLE_USEC)
                        return -ETIMEDOUT;
                (void) nanosleep(&(struct timespec){ .tv_nsec = VFIO_SETTLE_STEP_USEC * 1000 },
                                NULL);
        }
}

static int apply_steps(const char *root, const VfioDevice *d, const VfioStep *steps, size_t n,
                char **ret_reason) {
        for (size_t i = 0; i < n; i++) {
                VfioDevice now = {};
                int r = write_attr(root, steps[i].path, steps[i].value);

                if (r < 0) {
                        set_reason(ret_reason, "PCI device %s: writing /%s failed: %s", d->address,
                                        steps[i].path, strerror(-r));
                        return r;
                }
                r = settle(root, d->address, steps[i].expect, &now);
                if (r < 0) {
                        set_reason(ret_reason,
                                        "PCI device %s: after writing /%s it is bound to %s (%s)",
                                        d->address, steps[i].path,
                                        now.driver[0] ? now.driver : "no driver", strerror(-r));
                        return r;
                }
        }
        return 0;
}

/* vfio-pci loaded in this process through libkmod (softdeps included), like `modprobe vfio-pci`
 * but with no child to wait for; install commands of modprobe.d are not run. */
static int load_vfio_driver(void) {
        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        _cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
        int r;

        if (!ctx)
                return -ENOMEM;
        (void) kmod_load_resources(ctx);
        r = kmod_module_new_from_name(ctx, VFIO_PCI_DRIVER, &mod);
        if (r < 0)
                return r;
        return kmod_module_probe_insert_module(mod,
                        KMOD_PROBE_APPLY_BLACKLIST | KMOD_PROBE_IGNORE_COMMAND, NULL, NULL, NULL,
                        NULL);
}

/* The module is loaded only on the real kernel, never under a test's fake sysfs root. */
static int ensure_vfio_driver(const char *root, char **ret_reason) {
        char path[PATH_MAX];
        int r = root_path(root, "sys/bus/pci/drivers/" VFIO_PCI_DRIVER, path);

        if (r < 0 || access(path, F_OK) >= 0)
                return r;
        if (streq(root, "/")) {
                r = load_vfio_driver();
                if (r >= 0 && access(path, F_OK) >= 0)
                        return 0;
        }
        set_reason(ret_reason, "the vfio-pci driver is not available (%s does not exist%s)", path,
                        streq(root, "/") ? " after loading the vfio-pci module" : "");
        return -ENOENT;
}

int vfio_isolate(const char *root, const char *address, char **ret_reason) {
        VfioStep steps[VFIO_STEPS_MAX];
        VfioDevice d;
        int r;

        r = vfio_read_device(root, address, &d);
        if (r < 0) {
                set_reason(ret_reason, "PCI device %s: %s", address,
                                r == -ENOENT ? "no such device ('lspci -D' lists them)"
                                             : strerror(-r));
                return r;
        }
        if (!vfio_device_is_isolated(&d)) {
                r = ensure_vfio_driver(root, ret_reason);
                if (r < 0)
                        return r;
        }
        return apply_steps(root, &d, steps, vfio_bind_steps(&d, steps), ret_reason);
}

int vfio_release(const char *root, const char *address) {
        _cleanup_(freep) char *reason = NULL;
        VfioStep steps[VFIO_STEPS_MAX];
        VfioDevice d;
        size_t n = 0;
        int r;

        r = vfio_read_device(root, address, &d);
        if (r == -ENOENT)
                return 0;
        if (r >= 0) {
                n = vfio_release_steps(&d, steps);
                r = apply_steps(root, &d, steps, n, &reason);
        }
        if (r < 0)
                return log_warning_errno(r, "Cannot give PCI device %s back to the host: %s",
                                address, reason ?: strerror(-r));
        return n > 0;
}

static int device_group(const char *root, const char *address, unsigned *ret) {
        char path[PATH_MAX], rel[96], name[32];
        char *end;
        int r;

        (void) snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/iommu_group", address);
        r = root_path(root, rel, path);
        if (r >= 0)
                r = read_link_name(path, name, sizeof(name));
        if (r < 0)
                return r;
        if (!name[0])
                return -ENOENT;
        errno = 0;
        *ret = (unsigned) strtoul(name, &end, 10);
        return errno != 0 || end == name || *end ? -EBADMSG : 0;
}

/* Every member of the group as sysfs shows it. */
static int read_group(const char *root, unsigned group, VfioDevice **ret, size_t *ret_n) {
        _cleanup_(freep) VfioDevice *members = NULL;
        char path[PATH_MAX], rel[64];
        struct dirent *de;
        size_t n = 0;
        DIR *dir;
        int r;

        (void) snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%u/devices", group);
        r = root_path(root, rel, path);
        if (r < 0)
                return r;
        dir = opendir(path);
        if (!dir)
                return -errno;
        while ((de = readdir(dir))) {
                VfioDevice *l;

                if (de->d_name[0] == '.')
                        continue;
                l = reallocarray(members, n + 1, sizeof(VfioDevice));
                if (!l) {
                        r = -ENOMEM;
                        break;
                }
                members = l;
                r = vfio_read_device(root, de->d_name, &members[n]);
                if (r < 0)
                        break;
                n++;
        }
        closedir(dir);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(members);
        *ret_n = n;
        return 0;
}

static const char *isolation_failure(char *const *failures, const char *address) {
        size_t len = strlen(address);

        for (char *const *f = failures; f && *f; f++)
                if (strncmp(*f, address, len) == 0 && (*f)[len] == ':')
                        return *f + len + 1;
        return NULL;
}

static int check_device(const char *root, const char *address, char *const *failures,
                unsigned *ret_group, char **ret_reason) {
        _cleanup_(freep) VfioDevice *members = NULL;
        const VfioDevice *offender = NULL;
        const char *failure;
        VfioDevice d;
        size_t n = 0;
        int r;

        r = vfio_read_device(root, address, &d);
        if (r < 0) {
                set_reason(ret_reason, "PCI device %s: %s", address,
                                r == -ENOENT ? "no such device" : strerror(-r));
                return r;
        }
        if (!vfio_device_is_isolated(&d)) {
                failure = isolation_failure(failures, address);
                if (failure)
                        set_reason(ret_reason, "PCI device %s is not isolated:%s", address,
                                        failure);
                else
                        set_reason(ret_reason,
                                        "PCI device %s is bound to %s, not vfio-pci (list it in "
                                        "isolatedPciDevices)",
                                        address, d.driver[0] ? d.driver : "no driver");
                return -EBUSY;
        }
        r = device_group(root, address, ret_group);
        if (r < 0) {
                set_reason(ret_reason,
                                "PCI device %s has no IOMMU group (%s): is the IOMMU on "
                                "(intel_iommu=on or amd_iommu=on)?",
                                address, strerror(-r));
                return r;
        }
        r = read_group(root, *ret_group, &members, &n);
        if (r < 0) {
                set_reason(ret_reason, "IOMMU group %u of PCI device %s cannot be read: %s",
                                *ret_group, address, strerror(-r));
                return r;
        }
        r = vfio_group_check(members, n, &offender);
        if (r < 0)
                set_reason(ret_reason,
                                "IOMMU group %u (of PCI device %s) is not viable: its member %s "
                                "is bound to the host driver %s; isolate it too "
                                "(isolatedPciDevices) or unbind it",
                                *ret_group, address, offender->address, offender->driver);
        return r;
}

int vfio_check_vm(const char *root, const VmConfig *vm, char *const *failures,
                unsigned **ret_groups, size_t *ret_n, char **ret_reason) {
        _cleanup_(freep) unsigned *groups = calloc(vm->n_pci_devices ?: 1, sizeof(unsigned));
        size_t n = 0;

        if (!groups)
                return -ENOMEM;
        for (size_t i = 0; i < vm->n_pci_devices; i++) {
                unsigned g;
                bool seen = false;
                int r = check_device(root, vm->pci_devices[i].address, failures, &g, ret_reason);

                if (r < 0)
                        return r;
                for (size_t j = 0; j < n; j++)
                        seen = seen || groups[j] == g;
                if (!seen)
                        groups[n++] = g;
        }
        *ret_groups = TAKE_PTR(groups);
        *ret_n = n;
        return 0;
}

int vfio_grant(const char *root, const char *node, uid_t uid, gid_t gid, VfioGrant *ret) {
        _cleanup_(freep) char *copy = NULL;
        char rel[64], path[PATH_MAX];
        struct stat st;
        int r;

        (void) snprintf(rel, sizeof(rel), "dev/vfio/%s", node);
        r = root_path(root, rel, path);
        if (r < 0)
                return r;
        if (stat(path, &st) < 0)
                return -errno;
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        if (chown(path, uid, gid) < 0)
                return -errno;
        *ret = (VfioGrant){ .path = TAKE_PTR(copy), .uid = st.st_uid, .gid = st.st_gid };
        (void) snprintf(ret->node, sizeof(ret->node), "%s", node);
        return 0;
}

void vfio_revoke(VfioGrant *g) {
        if (!g->path)
                return;
        if (chown(g->path, g->uid, g->gid) < 0)
                log_warning_errno(errno, "Cannot give %s back to uid %u: %m", g->path,
                                (unsigned) g->uid);
        g->path = mfree(g->path);
}

/* Shows the host's source, once every link in it is followed, read-only at the path the VMM
 * resolves it to. */
static int sandbox_add_resolved(const char *root_real, const char *source, LaunchPlan *plan) {
        _cleanup_(freep) char *resolved = NULL, *target = NULL;
        int r;

        resolved = realpath(source, NULL);
        if (!resolved)
                return -errno;
        r = vfio_sandbox_target(root_real, resolved, &target);
        if (r < 0)
                return r;
        return plan_add_path_from(plan, target, resolved, false);
}

/* The device's directory as the VMM names it (a link on a real sysfs) and as it resolves, then
 * its IOMMU group's: the `iommu_group` link inside the device's directory leads there. */
static int sandbox_add_device(
                const char *root, const char *root_real, const char *address, LaunchPlan *plan) {
        char path[96], source[PATH_MAX], group[PATH_MAX + 16];
        int r;

        (void) snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", address);
        r = root_path(root, path + 1, source);
        if (r >= 0)
                r = plan_add_path_from(plan, path, source, false);
        if (r >= 0)
                r = sandbox_add_resolved(root_real, source, plan);
        if (r < 0)
                return r;
        (void) snprintf(group, sizeof(group), "%s/iommu_group", source);
        return sandbox_add_resolved(root_real, group, plan);
}

int vfio_sandbox_paths(const char *root, const VmConfig *vm, const VfioGrant *grants, size_t n,
                LaunchPlan *plan) {
        _cleanup_(freep) char *root_real = NULL;
        char source[PATH_MAX], path[96];
        int r;

        if (vm->n_pci_devices == 0)
                return 0;
        root_real = realpath(root, NULL);
        if (!root_real)
                return -errno;
        for (size_t i = 0; i <= n; i++) {
                (void) snprintf(path, sizeof(path), "/dev/vfio/%s",
                                i < n ? grants[i].node : "vfio");
                r = root_path(root, path + 1, source);
                if (r >= 0)
                        r = plan_add_device(plan, path, source);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < vm->n_pci_devices; i++) {
                r = sandbox_add_device(root, root_real, vm->pci_devices[i].address, plan);
                if (r < 0)
                        return r;
        }
        return 0;
}

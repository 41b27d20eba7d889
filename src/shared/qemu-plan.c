/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qemu-plan.c: one VM → the qemu-system-x86_64 argv and inherited fds. Pure.
 *
 * Machine: microvm (no PCI, no firmware, virtio over MMIO: the `virtio-*-device` forms), or q35
 * with the `virtio-*-pci` forms when a device needs PCI. Guest console on the ISA serial port
 * (ttyS0): the 8250 driver is built into distribution kernels while virtio_console is usually a
 * module, so ttyS0 shows the earliest boot messages and initramfs failures. Everything else the
 * VM gets is a virtio device. docs/launch-plans.md has the full table. */
#include <inttypes.h>
#include <stdio.h>

#include "host-services.h"
#include "qemu-plan.h"
#include "share-ids.h"
#include "strv.h"

typedef struct QemuBuild {
        LaunchPlan *plan;
        const VmConfig *vm;
        const LaunchContext *ctx;
        bool pci;
        QemuSound sound;
} QemuBuild;

static const char *const qemu_disk_keys[] = {
        "ro",
        "sparse",
        "block-size",
        "block_size",
        "id",
        "direct",
        "o_direct",
        "lock",
        NULL,
};

static const char *const qemu_shared_dir_keys[] = {
        "type",
        "readonly",
        "uid",
        "gid",
        "uidmap",
        "gidmap",
        NULL,
};

static const char *const qemu_sound_keys[] = {
        "capture",
        "backend",
        NULL,
};

bool qemu_plan_sound_key_is_supported(const char *key) {
        return strv_contains((char *const *) qemu_sound_keys, key);
}

int qemu_plan_sound(const VmConfig *vm, QemuSound *ret) {
        QemuSound s = { .playback = vm->sound.enabled };
        const KeyValueList *o = &vm->sound.options;
        int v;

        for (size_t i = 0; vm->sound.custom && i < o->n_items; i++) {
                const char *k = o->items[i].key, *val = o->items[i].value;

                if (streq(k, "capture")) {
                        v = plan_parse_bool(val);
                        if (v < 0)
                                return v;
                        s.capture = v;
                } else if (!streq(k, "backend") || !streq(val, QEMU_PLAN_SOUND_BACKEND))
                        return -EINVAL;
        }
        *ret = s;
        return 0;
}

bool qemu_plan_disk_key_is_supported(const char *key) {
        return strv_contains((char *const *) qemu_disk_keys, key);
}

bool qemu_plan_shared_dir_key_is_supported(const char *key) {
        return strv_contains((char *const *) qemu_shared_dir_keys, key);
}

bool qemu_plan_needs_pci(const VmConfig *vm) {
        return vm->n_pci_devices > 0;
}

const char *qemu_plan_disk_format(const char *path) {
        size_t n = strlen(path), k = strlen(".qcow2");

        return n > k && streq(path + n - k, ".qcow2") ? "qcow2" : "raw";
}

/* "virtio-net-device" on microvm, "virtio-net-pci" on q35. */
static const char *qemu_bus_suffix(const QemuBuild *b) {
        return b->pci ? "pci" : "device";
}

/* Appends ",key=value" (or "key=value" to an empty *s) with QEMU's escaping: a comma inside a
 * value is written twice. value NULL appends the bare key. */
static int qemu_opt(char **s, const char *key, const char *value) {
        _cleanup_(freep) char *v = NULL;
        size_t n = 0;

        if (!value)
                return plan_extendf(s, ",", "%s", key);
        for (const char *c = value; *c; c++)
                n += *c == ',' ? 2 : 1;
        v = malloc(n + 1);
        if (!v)
                return -ENOMEM;
        n = 0;
        for (const char *c = value; *c; c++) {
                v[n++] = *c;
                if (*c == ',')
                        v[n++] = ',';
        }
        v[n] = '\0';
        return plan_extendf(s, ",", "%s=%s", key, v);
}

static int qemu_append_pair(LaunchPlan *p, const char *option, const char *value) {
        int r;

        r = plan_append(p, option);
        if (r < 0)
                return r;
        return plan_append(p, value);
}

static int qemu_append_basics(QemuBuild *b) {
        LaunchPlan *p = b->plan;
        bool kvm = b->ctx->accel == ACCEL_KVM;
        int r;

        r = plan_append(p, b->ctx->binary ?: QEMU_PLAN_BINARY_DEFAULT);
        if (r < 0)
                return r;
        /* VM names are [a-z0-9_-] (config-parse-vm.c): nothing to escape. */
        r = qemu_append_pair(p, "-name", b->vm->name);
        if (r < 0)
                return r;
        /* microvm's pcie=on adds a PCIe host bridge for the sound controller only: virtio stays
         * on MMIO, so the guest sees the same devices with and without sound. */
        r = qemu_append_pair(p, "-M",
                        b->pci              ? "q35"
                        : b->sound.playback ? "microvm,x-option-roms=off,rtc=on,pcie=on"
                                            : "microvm,x-option-roms=off,rtc=on");
        if (r < 0)
                return r;
        r = qemu_append_pair(p, "-accel", kvm ? "kvm" : "tcg");
        if (r < 0)
                return r;
        r = qemu_append_pair(p, "-cpu", kvm ? "host" : "max");
        if (r < 0)
                return r;
        r = plan_append(p, "-m");
        if (r < 0)
                return r;
        r = plan_appendf(p, "%" PRIu64, b->vm->memory_mib);
        if (r < 0)
                return r;
        r = plan_append(p, "-smp");
        if (r < 0)
                return r;
        r = plan_appendf(p, "%u", b->vm->cpus);
        if (r < 0)
                return r;
        r = plan_append_strv(
                        p, (char *const[]){ "-nodefaults", "-no-user-config", "-nographic", NULL });
        if (r < 0)
                return r;
        /* No -runas: the daemon execs QEMU already as the unprivileged user, and
         * elevateprivileges=deny together with -runas kills QEMU with SIGSYS. */
        return qemu_append_pair(p, "-sandbox",
                        "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
}

static int qemu_append_boot(QemuBuild *b) {
        _cleanup_(freep) char *cmdline = NULL, *guest = NULL, *services = NULL;
        LaunchPlan *p = b->plan;
        bool root = b->vm->root_disk || b->ctx->built_root_disk;
        int r;

        r = qemu_append_pair(p, "-kernel", b->ctx->kernel);
        if (r >= 0)
                r = plan_add_path(p, b->ctx->kernel, false);
        if (r < 0)
                return r;
        if (b->ctx->initramfs) {
                r = qemu_append_pair(p, "-initrd", b->ctx->initramfs);
                if (r >= 0)
                        r = plan_add_path(p, b->ctx->initramfs, false);
                if (r < 0)
                        return r;
        }
        r = plan_extendf(&cmdline, " ", "console=ttyS0");
        if (r < 0)
                return r;
        /* See LaunchContext.tsc_khz: microvm has no clock to calibrate the TSC against. */
        if (b->ctx->accel == ACCEL_TCG && !b->pci && b->ctx->tsc_khz > 0) {
                r = plan_extendf(&cmdline, " ", "tsc_early_khz=%" PRIu32, b->ctx->tsc_khz);
                if (r < 0)
                        return r;
        }
        /* The root disk is always the first virtio-blk device (see qemu_append_disks()). */
        if (root) {
                r = plan_extendf(&cmdline, " ", "root=/dev/vda %s",
                                b->vm->root_disk_readonly ? "ro" : "rw");
                if (r < 0)
                        return r;
        }
        r = plan_guest_params(b->vm, b->ctx, "virtio-serial:" PLAN_AGENT_PORT_NAME, "9p", &guest);
        if (r < 0)
                return r;
        r = plan_extendf(&cmdline, " ", "%s", guest);
        if (r < 0)
                return r;
        /* The host services the guest may reach over GUEST_FORWARD streams: the agent listens
         * for them and root images start their guest ends (docs/guest-image.md). Not a secret:
         * vmsilod decides every stream again. */
        r = host_services_format(b->vm, &services);
        if (r < 0)
                return r;
        if (services) {
                r = plan_extendf(&cmdline, " ", "vmsilo.forward=%s", services);
                if (r < 0)
                        return r;
        }
        return qemu_append_pair(p, "-append", cmdline);
}

/* A chardev that is either the inherited fd of role or a socket/stdio QEMU makes itself. */
static int qemu_append_chardev(QemuBuild *b, const char *id, PlanFdRole role, bool use_fd) {
        _cleanup_(freep) char *s = NULL, *path = NULL;
        int r, fd;

        if (use_fd) {
                fd = plan_add_fd(b->plan, role, 0);
                if (fd < 0)
                        return fd;
                r = plan_extendf(&s, ",", "socket,id=%s,fd=%i", id, fd);
        } else if (role == PLAN_FD_ROLE_CONSOLE)
                r = plan_extendf(&s, ",", "stdio,id=%s,signal=off", id);
        else {
                if (asprintf(&path, "%s/%s-%s.socket", b->ctx->runtime_dir, b->vm->name, id) < 0)
                        return -ENOMEM;
                r = plan_extendf(&s, ",", "socket,id=%s", id);
                if (r >= 0)
                        r = qemu_opt(&s, "path", path);
                if (r >= 0)
                        r = plan_extendf(&s, ",", "server=on,wait=off");
                /* The VMM creates the socket there, so it needs the directory writable. */
                if (r >= 0)
                        r = plan_add_path(b->plan, b->ctx->runtime_dir, true);
        }
        if (r < 0)
                return r;
        return qemu_append_pair(b->plan, "-chardev", s);
}

static int qemu_append_channels(QemuBuild *b) {
        LaunchPlan *p = b->plan;
        int r;

        r = qemu_append_chardev(b, "qmp", PLAN_FD_ROLE_QMP, b->ctx->qmp_fd);
        if (r < 0)
                return r;
        r = qemu_append_pair(p, "-mon", "chardev=qmp,mode=control");
        if (r < 0)
                return r;
        if (b->ctx->balloon_qmp_fd && plan_vm_has_balloon(b->vm)) {
                int fd = plan_add_fd(p, PLAN_FD_ROLE_BALLOON_QMP, 0);
                if (fd < 0)
                        return fd;
                r = plan_append(p, "-chardev");
                if (r >= 0)
                        r = plan_appendf(p, "socket,id=balloon,fd=%i,server=on,wait=off", fd);
                if (r >= 0)
                        r = qemu_append_pair(p, "-mon", "chardev=balloon,mode=control");
                if (r < 0)
                        return r;
        }
        r = qemu_append_chardev(b, "console", PLAN_FD_ROLE_CONSOLE, b->ctx->console_fd);
        if (r < 0)
                return r;
        r = qemu_append_pair(p, "-serial", "chardev:console");
        if (r < 0)
                return r;
        r = plan_append(p, "-device");
        if (r < 0)
                return r;
        r = plan_appendf(p, "virtio-serial-%s", qemu_bus_suffix(b));
        if (r < 0)
                return r;
        r = qemu_append_chardev(b, "agent", PLAN_FD_ROLE_AGENT, b->ctx->agent_fd);
        if (r < 0)
                return r;
        r = qemu_append_pair(
                        p, "-device", "virtserialport,chardev=agent,name=" PLAN_AGENT_PORT_NAME);
        if (r < 0)
                return r;
        if (!plan_vm_has_balloon(b->vm))
                return 0;
        r = plan_append(p, "-device");
        if (r < 0)
                return r;
        return plan_appendf(p, "virtio-balloon-%s,deflate-on-oom=on,free-page-reporting=on",
                        qemu_bus_suffix(b));
}

typedef struct QemuDisk {
        const char *drive_id;
        const char *path;
        const KeyValueList *options; /* may be NULL */
        bool readonly;               /* default when options carry no "ro" */
        const char *serial;          /* default when options carry no "id" */
} QemuDisk;

typedef struct QemuDiskSettings {
        bool readonly, sparse, direct;
        const char *serial, *block_size, *lock;
} QemuDiskSettings;

/* crosvm's --block options mapped to their meaning; crosvm's defaults where a key is absent. */
static int qemu_disk_settings(const QemuDisk *d, QemuDiskSettings *ret) {
        QemuDiskSettings s = { .readonly = d->readonly, .sparse = true, .serial = d->serial };
        int v;

        for (size_t i = 0; d->options && i < d->options->n_items; i++) {
                const char *k = d->options->items[i].key, *val = d->options->items[i].value;

                if (streq(k, "id"))
                        s.serial = val;
                else if (streq(k, "block-size") || streq(k, "block_size"))
                        s.block_size = val;
                else {
                        if (!qemu_plan_disk_key_is_supported(k))
                                return -EINVAL;
                        v = plan_parse_bool(val);
                        if (v < 0)
                                return v;
                        if (streq(k, "ro"))
                                s.readonly = v;
                        else if (streq(k, "sparse"))
                                s.sparse = v;
                        else if (streq(k, "lock"))
                                s.lock = v ? "on" : "off";
                        else /* direct, o_direct */
                                s.direct = v;
                }
        }
        *ret = s;
        return 0;
}

static int qemu_append_disk(QemuBuild *b, const QemuDisk *d) {
        _cleanup_(freep) char *drive = NULL, *dev = NULL;
        QemuDiskSettings s;
        int r;

        r = qemu_disk_settings(d, &s);
        if (r < 0)
                return r;
        r = qemu_opt(&drive, "file", d->path);
        if (r >= 0)
                r = plan_extendf(&drive, ",",
                                "if=none,id=%s,format=%s,readonly=%s,discard=%s,cache=%s",
                                d->drive_id, qemu_plan_disk_format(d->path),
                                s.readonly ? "on" : "off", s.sparse ? "unmap" : "ignore",
                                s.direct ? "none" : "writeback");
        if (r >= 0 && s.lock)
                r = qemu_opt(&drive, "file.locking", s.lock);
        if (r < 0)
                return r;
        r = qemu_append_pair(b->plan, "-drive", drive);
        if (r >= 0)
                r = plan_add_path(b->plan, d->path, !s.readonly);
        if (r < 0)
                return r;
        r = plan_extendf(&dev, ",", "virtio-blk-%s,drive=%s", qemu_bus_suffix(b), d->drive_id);
        if (r >= 0 && s.serial)
                r = qemu_opt(&dev, "serial", s.serial);
        if (r >= 0 && s.block_size)
                r = plan_extendf(&dev, ",", "logical_block_size=%s,physical_block_size=%s",
                                s.block_size, s.block_size);
        if (r < 0)
                return r;
        return qemu_append_pair(b->plan, "-device", dev);
}

/* Order fixes the guest names: root disk (vda), overlay, then additionalDisks in order. */
static int qemu_append_disks(QemuBuild *b) {
        const VmConfig *vm = b->vm;
        char id[32];
        int r;

        if (vm->root_disk || b->ctx->built_root_disk) {
                QemuDisk root = {
                        .drive_id = "root",
                        .path = vm->root_disk ? vm->root_disk->path : b->ctx->built_root_disk,
                        .options = vm->root_disk ? &vm->root_disk->options : NULL,
                        .readonly = vm->root_disk_readonly,
                        .serial = "root",
                };

                r = qemu_append_disk(b, &root);
                if (r < 0)
                        return r;
                /* A writable root is the root itself: no upper layer. */
                if (b->ctx->overlay_disk && vm->root_disk_readonly) {
                        QemuDisk overlay = {
                                .drive_id = "overlay",
                                .path = b->ctx->overlay_disk,
                                .serial = "overlay",
                        };

                        r = qemu_append_disk(b, &overlay);
                        if (r < 0)
                                return r;
                }
        }
        for (size_t i = 0; i < vm->n_additional_disks; i++) {
                QemuDisk d = {
                        .drive_id = id,
                        .path = vm->additional_disks[i].path,
                        .options = &vm->additional_disks[i].options,
                };

                (void) snprintf(id, sizeof(id), "disk%zu", i);
                r = qemu_append_disk(b, &d);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int qemu_append_9p(QemuBuild *b, const char *id, const char *path, const char *tag,
                const KeyValueList *options) {
        _cleanup_(freep) char *fsdev = NULL, *dev = NULL;
        bool readonly = false;
        int r, v;

        for (size_t i = 0; options && i < options->n_items; i++) {
                const char *k = options->items[i].key, *val = options->items[i].value;

                if (!qemu_plan_shared_dir_key_is_supported(k))
                        return -EINVAL;
                /* uid, gid, uidmap, gidmap (share-ids.h) change nothing on the command line:
                 * vmsilod records the guest owner on the share's root before the start. */
                if (share_ids_is_key(k))
                        continue;
                if (streq(k, "readonly")) {
                        v = plan_parse_bool(val);
                        if (v < 0)
                                return v;
                        readonly = v;
                } else if (plan_shared_dir_type_from_string(val) != PLAN_SHARED_DIR_9P)
                        return -EINVAL; /* type=fs: refused by plan-validate.c */
        }
        r = plan_extendf(&fsdev, ",", "local,id=%s", id);
        if (r >= 0)
                r = qemu_opt(&fsdev, "path", path);
        if (r >= 0)
                r = plan_extendf(&fsdev, ",", "security_model=" QEMU_PLAN_9P_SECURITY_MODEL);
        if (r >= 0 && readonly)
                r = plan_extendf(&fsdev, ",", "readonly=on");
        if (r < 0)
                return r;
        r = qemu_append_pair(b->plan, "-fsdev", fsdev);
        if (r >= 0)
                r = plan_add_path(b->plan, path, !readonly);
        if (r < 0)
                return r;
        r = plan_extendf(&dev, ",", "virtio-9p-%s,fsdev=%s", qemu_bus_suffix(b), id);
        if (r >= 0)
                r = qemu_opt(&dev, "mount_tag", tag);
        if (r < 0)
                return r;
        return qemu_append_pair(b->plan, "-device", dev);
}

static int qemu_append_shares(QemuBuild *b) {
        const VmConfig *vm = b->vm;
        char id[32];
        int r;

        if (vm->shared_home_path) {
                r = qemu_append_9p(b, "fshome", vm->shared_home_path, PLAN_SHARED_HOME_TAG, NULL);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < vm->n_shared_directories; i++) {
                const SharedDirectory *d = &vm->shared_directories[i];

                (void) snprintf(id, sizeof(id), "fs%zu", i);
                r = qemu_append_9p(b, id, d->path, d->tag, &d->options);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int qemu_append_interface(QemuBuild *b, const NetInterface *iface) {
        _cleanup_(freep) char *netdev = NULL;
        char mac[PLAN_MAC_STRING_MAX];
        int r, fd;

        if (b->ctx->tap_fds) {
                fd = plan_add_fd(b->plan, PLAN_FD_ROLE_TAP, iface->index);
                if (fd < 0)
                        return fd;
                r = plan_extendf(&netdev, ",", "tap,id=net%u,fd=%i", iface->index, fd);
        } else {
                r = plan_extendf(&netdev, ",", "tap,id=net%u", iface->index);
                if (r >= 0)
                        r = qemu_opt(&netdev, "ifname", iface->tap_name);
                if (r >= 0)
                        r = plan_extendf(&netdev, ",", "script=no,downscript=no");
        }
        if (r < 0)
                return r;
        r = qemu_append_pair(b->plan, "-netdev", netdev);
        if (r < 0)
                return r;
        r = plan_append(b->plan, "-device");
        if (r < 0)
                return r;
        return plan_appendf(b->plan, "virtio-net-%s,netdev=net%u,mac=%s", qemu_bus_suffix(b),
                        iface->index, plan_format_mac(iface->mac, mac));
}

/* QEMU's D-Bus display joins the VM's private bus (QEMU is org.qemu there) and exports only
 * what QEMU has here: org.qemu.Display1.Audio. The audiodev hands PCM to the listeners that
 * vmsilo-sound registers on it and plays silence while none is. Not p2p mode: QEMU 7.2 crashes
 * when a p2p peer registers an audio listener (no sender name; fixed in QEMU 8.0). The codec
 * decides what the guest can do: hda-output has no input pin, so without capture the guest has
 * no capture PCM at all. */
static int qemu_append_sound(QemuBuild *b) {
        _cleanup_(freep) char *display = NULL, *address = NULL;
        LaunchPlan *p = b->plan;
        int r;

        if (!b->sound.playback)
                return 0;
        /* The sandbox binds the bus socket in: connecting needs write permission on it. */
        r = plan_add_path(p, b->ctx->sound_bus, true);
        if (r >= 0)
                r = qemu_append_pair(p, "-audiodev", "dbus,id=" QEMU_PLAN_AUDIODEV_ID);
        if (r < 0)
                return r;
        if (asprintf(&address, "unix:path=%s", b->ctx->sound_bus) < 0) {
                address = NULL;
                return -ENOMEM;
        }
        r = plan_extendf(&display, ",", "dbus");
        if (r >= 0)
                r = qemu_opt(&display, "addr", address);
        if (r >= 0)
                r = plan_extendf(&display, ",", "audiodev=" QEMU_PLAN_AUDIODEV_ID);
        if (r >= 0)
                r = qemu_append_pair(p, "-display", display);
        if (r >= 0)
                r = qemu_append_pair(p, "-device", "intel-hda,id=hda");
        if (r < 0)
                return r;
        return qemu_append_pair(p, "-device",
                        b->sound.capture ? "hda-duplex,audiodev=" QEMU_PLAN_AUDIODEV_ID
                                         : "hda-output,audiodev=" QEMU_PLAN_AUDIODEV_ID);
}

/* crosvm's per-device `iommu=on` (or `viommu`) puts the device behind a paravirtual IOMMU; QEMU's
 * equivalent is one virtio-iommu-pci for the machine, which then translates for every device on
 * the root bus. `iommu=off` is the default either way. Any other key, or value, has no QEMU
 * equivalent and plan_validate() refuses it (docs/pci.md). */
static int qemu_append_vfio(QemuBuild *b) {
        const VmConfig *vm = b->vm;
        bool viommu = false;
        int r;

        for (size_t i = 0; i < vm->n_pci_devices; i++) {
                const KeyValueList *o = &vm->pci_devices[i].options;
                const char *iommu = key_value_list_get(o, "iommu");

                if (o->n_items > (iommu ? 1u : 0u) || (iommu && !qemu_plan_iommu_known(iommu)))
                        return -EINVAL;
                viommu = viommu || (iommu && !streq(iommu, "off"));
        }
        if (viommu) {
                r = qemu_append_pair(b->plan, "-device", "virtio-iommu-pci");
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < vm->n_pci_devices; i++) {
                r = plan_append(b->plan, "-device");
                if (r < 0)
                        return r;
                r = plan_appendf(b->plan, "vfio-pci,host=%s", vm->pci_devices[i].address);
                if (r < 0)
                        return r;
        }
        return 0;
}

bool qemu_plan_iommu_known(const char *value) {
        return streq(value, "on") || streq(value, "viommu") || streq(value, "off");
}

static int qemu_append_devices(QemuBuild *b) {
        const VmConfig *vm = b->vm;
        int r;

        for (size_t i = 0; i < vm->n_interfaces; i++) {
                r = qemu_append_interface(b, &vm->interfaces[i]);
                if (r < 0)
                        return r;
        }
        r = qemu_append_vfio(b);
        if (r < 0)
                return r;
        plan_set_memlock(b->plan, vm);
        return qemu_append_sound(b);
}

int qemu_plan_build(
                const Config *c, const VmConfig *vm, const LaunchContext *ctx, LaunchPlan **ret) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        QemuBuild b;
        int r;

        if (!IN_SET(ctx->accel, ACCEL_KVM, ACCEL_TCG) || !ctx->kernel || !ctx->runtime_dir)
                return -EINVAL;
        /* gpu attribute sets and vhost-user devices are crosvm's; see plan-validate.c. */
        if (vm->gpu.custom || vm->n_vhost_user > 0)
                return -EINVAL;
        b = (QemuBuild){ .vm = vm, .ctx = ctx, .pci = qemu_plan_needs_pci(vm) };
        r = qemu_plan_sound(vm, &b.sound);
        if (r < 0)
                return r;
        b.sound.playback = b.sound.playback && ctx->sound_bus;
        b.sound.capture = b.sound.capture && b.sound.playback;
        r = plan_new(&p);
        if (r < 0)
                return r;
        b.plan = p;
        r = qemu_append_basics(&b);
        if (r < 0)
                return r;
        r = qemu_append_boot(&b);
        if (r < 0)
                return r;
        r = qemu_append_channels(&b);
        if (r < 0)
                return r;
        r = qemu_append_disks(&b);
        if (r < 0)
                return r;
        r = qemu_append_shares(&b);
        if (r < 0)
                return r;
        r = qemu_append_devices(&b);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* crosvm-plan.c: one VM → the crosvm argv and inherited fds. Pure.
 *
 * Shape: crosvm --log-level L [global extraArgs] [per-VM extraArgs] run --disable-sandbox --mem N
 * --cpus N --name NAME --socket S <devices…> --params P [--initrd I] [global extraRunArgs]
 * [per-VM extraRunArgs] KERNEL.
 *
 * --disable-sandbox: crosvm runs inside vmsilo's own sandbox (sandbox.h) like QEMU, whose
 * namespaces, minimal root and seccomp deny list replace minijail's per-device jails; minijail's
 * own mount and user namespaces, pivot_root and seccomp would be refused there (docs/sandbox.md).
 * Every file crosvm opens by name is therefore declared as a plan path.
 *
 * Free-form attribute sets (disks, shared dirs, PCI, vhost-user, gpu, sound) are written as
 * key=value in JSON order, values as written, exactly as the original design documents. Agent
 * channel: vsock (one CID per VM); console: the 8250 serial port on an inherited fd. */
#include <inttypes.h>
#include <stdio.h>

#include "crosvm-plan.h"
#include "layout.h"
#include "strv.h"

typedef struct CrosvmBuild {
        LaunchPlan *plan;
        const Config *config;
        const VmConfig *vm;
        const LaunchContext *ctx;
        size_t vm_index;
} CrosvmBuild;

uint32_t crosvm_plan_guest_cid(size_t vm_index) {
        return CROSVM_PLAN_CID_BASE + (uint32_t) vm_index;
}

static int crosvm_append_pair(LaunchPlan *p, const char *option, const char *value) {
        int r;

        r = plan_append(p, option);
        if (r < 0)
                return r;
        return plan_append(p, value);
}

/* Appends separator + "k=v" for every option, in order. */
static int crosvm_extend_options(char **s, const char *separator, const KeyValueList *l) {
        int r;

        for (size_t i = 0; l && i < l->n_items; i++) {
                r = plan_extendf(s, separator, "%s=%s", l->items[i].key, l->items[i].value);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "--option first[,k=v…]" */
static int crosvm_append_kv(
                LaunchPlan *p, const char *option, const char *first, const KeyValueList *l) {
        _cleanup_(freep) char *s = NULL;
        int r;

        r = plan_extendf(&s, ",", "%s", first ?: "");
        if (r < 0)
                return r;
        r = crosvm_extend_options(&s, ",", l);
        if (r < 0)
                return r;
        return crosvm_append_pair(p, option, s);
}

static int crosvm_append_globals(CrosvmBuild *b) {
        LaunchPlan *p = b->plan;
        int r;

        r = plan_append(p, b->ctx->binary ?: CROSVM_PLAN_BINARY_DEFAULT);
        if (r < 0)
                return r;
        r = crosvm_append_pair(p, "--log-level", config_vm_crosvm_log_level(b->config, b->vm));
        if (r < 0)
                return r;
        r = plan_append_strv(p, b->config->crosvm.extra_args);
        if (r < 0)
                return r;
        r = plan_append_strv(p, b->vm->crosvm.extra_args);
        if (r < 0)
                return r;
        r = plan_append(p, "run");
        if (r < 0)
                return r;
        r = plan_append(p, "--disable-sandbox");
        if (r < 0)
                return r;
        r = plan_append(p, "--mem");
        if (r < 0)
                return r;
        r = plan_appendf(p, "%" PRIu64, b->vm->memory_mib);
        if (r < 0)
                return r;
        r = plan_append(p, "--cpus");
        if (r < 0)
                return r;
        r = plan_appendf(p, "%u", b->vm->cpus);
        if (r < 0)
                return r;
        r = crosvm_append_pair(p, "--name", b->vm->name);
        if (r < 0)
                return r;
        r = plan_append(p, "--socket");
        if (r < 0)
                return r;
        r = plan_appendf(p, "%s/%s" LAYOUT_CROSVM_SOCKET_SUFFIX, b->ctx->runtime_dir, b->vm->name);
        if (r < 0)
                return r;
        /* crosvm creates its control socket there: vmsilod gives it a directory of its own. */
        return plan_add_path(p, b->ctx->runtime_dir, true);
}

static int crosvm_append_channels(CrosvmBuild *b) {
        LaunchPlan *p = b->plan;
        int r, fd;

        r = plan_append(p, "--serial");
        if (r < 0)
                return r;
        if (b->ctx->console_fd) {
                /* crosvm dups a "/proc/self/fd/N" path instead of opening it; one stream socket
                 * carries both directions. */
                fd = plan_add_fd(p, PLAN_FD_ROLE_CONSOLE, 0);
                if (fd < 0)
                        return fd;
                r = plan_appendf(p,
                                "type=file,hardware=serial,num=1,path=/proc/self/fd/%i,"
                                "input=/proc/self/fd/%i,console=true,earlycon=true",
                                fd, fd);
        } else
                r = plan_append(p, "type=stdout,hardware=serial,num=1,console=true,stdin=true");
        if (r < 0)
                return r;
        r = plan_append(p, "--vsock");
        if (r < 0)
                return r;
        r = plan_appendf(p, "cid=%" PRIu32, crosvm_plan_guest_cid(b->vm_index));
        if (r < 0)
                return r;
        return plan_add_device(p, "/dev/vhost-vsock", NULL);
}

/* A disk is writable unless its `ro` option says true (crosvm's default: false). */
static int crosvm_add_disk_path(CrosvmBuild *b, const char *path, const KeyValueList *options) {
        const char *ro = key_value_list_get(options, "ro");

        return plan_add_path(b->plan, path, !ro || plan_parse_bool(ro) <= 0);
}

static int crosvm_append_disks(CrosvmBuild *b) {
        _cleanup_(freep) char *root = NULL, *overlay = NULL;
        const VmConfig *vm = b->vm;
        int r;

        if (vm->root_disk || b->ctx->built_root_disk) {
                /* root=true makes crosvm add "root=/dev/vdX ro|rw" to the kernel command line. */
                r = plan_extendf(&root, ",", "%s,root=true,ro=%s",
                                vm->root_disk ? vm->root_disk->path : b->ctx->built_root_disk,
                                vm->root_disk_readonly ? "true" : "false");
                if (r < 0)
                        return r;
                r = crosvm_append_kv(b->plan, "--block", root,
                                vm->root_disk ? &vm->root_disk->options : NULL);
                if (r >= 0)
                        r = plan_add_path(b->plan,
                                        vm->root_disk ? vm->root_disk->path
                                                      : b->ctx->built_root_disk,
                                        !vm->root_disk_readonly);
                if (r < 0)
                        return r;
                /* A writable root is the root itself: no upper layer. */
                if (b->ctx->overlay_disk && vm->root_disk_readonly) {
                        r = plan_extendf(&overlay, ",", "%s,ro=false,id=overlay",
                                        b->ctx->overlay_disk);
                        if (r < 0)
                                return r;
                        r = crosvm_append_pair(b->plan, "--block", overlay);
                        if (r >= 0)
                                r = plan_add_path(b->plan, b->ctx->overlay_disk, true);
                        if (r < 0)
                                return r;
                }
        }
        for (size_t i = 0; i < vm->n_additional_disks; i++) {
                r = crosvm_append_kv(b->plan, "--block", vm->additional_disks[i].path,
                                &vm->additional_disks[i].options);
                if (r >= 0)
                        r = crosvm_add_disk_path(b, vm->additional_disks[i].path,
                                        &vm->additional_disks[i].options);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Every share is 9p, served by crosvm in-process with the directory as its root. crosvm's
 * virtio-fs device runs in a minijail of its own (pivot_root into the directory) even with
 * --disable-sandbox, which vmsilo's sandbox cannot allow; plan-validate.c refuses type=fs and the
 * id keys, which only that jail would apply. The 9p server shows host owners unchanged. */
static int crosvm_append_share(
                CrosvmBuild *b, const char *path, const char *tag, const KeyValueList *options) {
        const char *type = options ? key_value_list_get(options, "type") : NULL;
        _cleanup_(freep) char *s = NULL;
        int r;

        if (type && plan_shared_dir_type_from_string(type) != PLAN_SHARED_DIR_9P)
                return -EINVAL;
        r = plan_extendf(&s, ":", "%s:%s%s", path, tag, type ? "" : ":type=p9");
        if (r < 0)
                return r;
        r = crosvm_extend_options(&s, ":", options);
        if (r < 0)
                return r;
        r = crosvm_append_pair(b->plan, "--shared-dir", s);
        if (r < 0)
                return r;
        return plan_add_path(b->plan, path, true);
}

static int crosvm_append_shares(CrosvmBuild *b) {
        const VmConfig *vm = b->vm;
        int r;

        if (vm->shared_home_path) {
                r = crosvm_append_share(b, vm->shared_home_path, PLAN_SHARED_HOME_TAG, NULL);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < vm->n_shared_directories; i++) {
                const SharedDirectory *d = &vm->shared_directories[i];

                r = crosvm_append_share(b, d->path, d->tag, &d->options);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int crosvm_append_interface(CrosvmBuild *b, const NetInterface *iface) {
        char mac[PLAN_MAC_STRING_MAX];
        int r, fd;

        r = plan_append(b->plan, "--net");
        if (r < 0)
                return r;
        plan_format_mac(iface->mac, mac);
        if (!b->ctx->tap_fds)
                return plan_appendf(b->plan, "tap-name=%s,mac=%s", iface->tap_name, mac);
        fd = plan_add_fd(b->plan, PLAN_FD_ROLE_TAP, iface->index);
        if (fd < 0)
                return fd;
        return plan_appendf(b->plan, "tap-fd=%i,mac=%s", fd, mac);
}

static int crosvm_append_devices(CrosvmBuild *b) {
        const VmConfig *vm = b->vm;
        int r;

        for (size_t i = 0; i < vm->n_interfaces; i++) {
                r = crosvm_append_interface(b, &vm->interfaces[i]);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < vm->n_pci_devices; i++) {
                r = crosvm_append_kv(b->plan, "--vfio", vm->pci_devices[i].sysfs_path,
                                &vm->pci_devices[i].options);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < vm->n_vhost_user; i++) {
                const char *socket = key_value_list_get(&vm->vhost_user[i], "socket");

                r = crosvm_append_kv(b->plan, "--vhost-user", NULL, &vm->vhost_user[i]);
                /* The backend's socket: connect() needs no writable mount. */
                if (r >= 0 && socket)
                        r = plan_add_path(b->plan, socket, false);
                if (r < 0)
                        return r;
        }
        if (vm->gpu.enabled) {
                if (vm->gpu.custom)
                        r = crosvm_append_kv(b->plan, "--gpu", NULL, &vm->gpu.options);
                else
                        r = crosvm_append_pair(b->plan, "--gpu", CROSVM_PLAN_GPU_DEFAULT);
                if (r < 0)
                        return r;
                if (b->ctx->wayland_socket) {
                        r = crosvm_append_pair(b->plan, "--wayland-sock", b->ctx->wayland_socket);
                        if (r >= 0)
                                r = plan_add_path(b->plan, b->ctx->wayland_socket, false);
                        if (r < 0)
                                return r;
                }
        }
        if (vm->sound.enabled) {
                if (vm->sound.custom)
                        r = crosvm_append_kv(b->plan, "--virtio-snd", NULL, &vm->sound.options);
                else
                        r = crosvm_append_pair(b->plan, "--virtio-snd", CROSVM_PLAN_SOUND_DEFAULT);
                if (r < 0)
                        return r;
        }
        plan_set_memlock(b->plan, vm);
        /* The balloon device is on by default; free pages go back to the host as the guest frees
         * them (QEMU: free-page-reporting=on). VFIO pins every guest page: no balloon at all. */
        return plan_append(b->plan,
                        plan_vm_has_balloon(vm) ? "--balloon-page-reporting" : "--no-balloon");
}

static int crosvm_append_boot(CrosvmBuild *b) {
        _cleanup_(freep) char *params = NULL;
        LaunchPlan *p = b->plan;
        char agent[64];
        int r;

        (void) snprintf(agent, sizeof(agent), "vsock:%u", PLAN_AGENT_VSOCK_PORT);
        r = plan_guest_params(b->vm, b->ctx, agent, "9p", &params);
        if (r < 0)
                return r;
        r = crosvm_append_pair(p, "--params", params);
        if (r < 0)
                return r;
        if (b->ctx->initramfs) {
                r = crosvm_append_pair(p, "--initrd", b->ctx->initramfs);
                if (r >= 0)
                        r = plan_add_path(p, b->ctx->initramfs, false);
                if (r < 0)
                        return r;
        }
        r = plan_append_strv(p, b->config->crosvm.extra_run_args);
        if (r < 0)
                return r;
        r = plan_append_strv(p, b->vm->crosvm.extra_run_args);
        if (r < 0)
                return r;
        r = plan_append(p, b->ctx->kernel);
        if (r < 0)
                return r;
        return plan_add_path(p, b->ctx->kernel, false);
}

int crosvm_plan_build(
                const Config *c, const VmConfig *vm, const LaunchContext *ctx, LaunchPlan **ret) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        CrosvmBuild b;
        int r;

        if (!ctx->kernel || !ctx->runtime_dir)
                return -EINVAL;
        if (c->n_vms == 0 || vm < c->vms || vm >= c->vms + c->n_vms)
                return -EINVAL;
        r = plan_new(&p);
        if (r < 0)
                return r;
        b = (CrosvmBuild){
                .plan = p,
                .config = c,
                .vm = vm,
                .ctx = ctx,
                .vm_index = (size_t) (vm - c->vms),
        };
        r = crosvm_append_globals(&b);
        if (r < 0)
                return r;
        r = crosvm_append_channels(&b);
        if (r < 0)
                return r;
        r = crosvm_append_disks(&b);
        if (r < 0)
                return r;
        r = crosvm_append_shares(&b);
        if (r < 0)
                return r;
        r = crosvm_append_devices(&b);
        if (r < 0)
                return r;
        r = crosvm_append_boot(&b);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

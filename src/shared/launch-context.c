/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch-context.c: a VM's LaunchContext from its configuration and the launch's setup. */
#include <stdlib.h>
#include <string.h>

#include "launch-context.h"
#include "layout.h"
#include "macro.h"

void launch_paths_finish(LaunchPaths *p) {
        p->kernel = mfree(p->kernel);
        p->initramfs = mfree(p->initramfs);
        p->built_root_disk = mfree(p->built_root_disk);
        p->overlay_disk = mfree(p->overlay_disk);
        p->vmm_dir = mfree(p->vmm_dir);
        p->wayland_socket = mfree(p->wayland_socket);
}

static int boot_files(const VmConfig *vm, const char *state_dir, LaunchPaths *p) {
        p->kernel = vm->kernel ? strdup(vm->kernel)
                               : layout_default_image_file(state_dir, IMAGE_KERNEL_NAME);
        if (!p->kernel)
                return -ENOMEM;
        /* A kernel of the VM's own boots without the default image's initramfs. */
        if (vm->initramfs)
                p->initramfs = strdup(vm->initramfs);
        else if (!vm->kernel)
                p->initramfs = layout_default_image_file(state_dir, IMAGE_INITRD_NAME);
        else
                return 0;
        return p->initramfs ? 0 : -ENOMEM;
}

static int root_files(const VmConfig *vm, const LaunchSetup *s, LaunchPaths *p) {
        if (rootfs_vm_needs_image(vm)) {
                p->built_root_disk = layout_vm_root_image(s->state_dir, vm->name);
                if (!p->built_root_disk)
                        return -ENOMEM;
        }
        if (!s->debug && rootfs_vm_needs_overlay_disk(vm)) {
                p->overlay_disk = layout_overlay_file(s->state_dir, vm->name, ".qcow2");
                if (!p->overlay_disk)
                        return -ENOMEM;
        }
        return 0;
}

static int crosvm_files(const VmConfig *vm, const LaunchSetup *s, LaunchPaths *p) {
        if (s->vmm != VMM_CROSVM)
                return 0;
        if (s->debug) {
                if (s->host_wayland && vm->gpu.enabled) {
                        p->wayland_socket = strdup(s->host_wayland);
                        if (!p->wayland_socket)
                                return -ENOMEM;
                }
                return 0;
        }
        /* The VM user's directory: crosvm creates its control socket itself. */
        p->vmm_dir = layout_runtime_file(s->runtime_dir, vm->name, LAYOUT_VMM_DIR_SUFFIX);
        if (!p->vmm_dir)
                return -ENOMEM;
        /* crosvm's cross-domain Wayland goes through the same fence as waypipe. */
        if (vm->gpu.enabled) {
                p->wayland_socket = layout_wayland_fence(s->runtime_dir, vm->name);
                if (!p->wayland_socket)
                        return -ENOMEM;
        }
        return 0;
}

int launch_context_build(
                const VmConfig *vm, const LaunchSetup *s, LaunchPaths *paths, LaunchContext *ret) {
        int r;

        r = boot_files(vm, s->state_dir, paths);
        if (r >= 0)
                r = root_files(vm, s, paths);
        if (r >= 0)
                r = crosvm_files(vm, s, paths);
        if (r < 0) {
                launch_paths_finish(paths);
                return r;
        }
        *ret = (LaunchContext){
                .runtime_dir = paths->vmm_dir ?: s->runtime_dir,
                .binary = s->binary,
                .kernel = paths->kernel,
                .initramfs = paths->initramfs,
                .built_root_disk = paths->built_root_disk,
                .overlay_disk = paths->overlay_disk,
                .wayland_socket = paths->wayland_socket,
                .accel = s->accel,
                .tsc_khz = s->tsc_khz,
                .qmp_fd = !s->debug,
                .agent_fd = !s->debug,
                .console_fd = !s->debug,
                .balloon_qmp_fd = !s->debug && s->vmm == VMM_QEMU && plan_vm_has_balloon(vm),
                .tap_fds = true,
                .sound_bus = s->sound_bus,
        };
        return 0;
}

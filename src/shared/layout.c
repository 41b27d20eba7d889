/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* layout.c: the path functions of layout.h. */
#include "layout.h"
#include "string-util.h"

char *layout_default_image_file(const char *state_dir, const char *file) {
        return strprintf("%s/" IMAGE_DEFAULT_DIR "/%s", state_dir, file);
}

char *layout_vm_root_image(const char *state_dir, const char *vm) {
        return strprintf("%s/" ROOTFS_VMS_DIR "/%s/" ROOTFS_IMAGE_NAME, state_dir, vm);
}

char *layout_overlay_file(const char *state_dir, const char *vm, const char *suffix) {
        return strprintf("%s/" ROOTFS_OVERLAYS_DIR "/%s%s", state_dir, vm, suffix);
}

char *layout_runtime_file(const char *runtime_dir, const char *vm, const char *suffix) {
        return strprintf("%s/%s%s", runtime_dir, vm, suffix);
}

char *layout_wayland_fence(const char *runtime_dir, const char *vm) {
        return strprintf(WAYLAND_FENCE_SOCKET_FORMAT, runtime_dir, vm);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* layout.c: the path functions of layout.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "layout.h"

static char *path_format(const char *format, ...) __attribute__((format(printf, 1, 2)));
static char *path_format(const char *format, ...) {
        va_list ap;
        char *p;
        int n;

        va_start(ap, format);
        n = vasprintf(&p, format, ap);
        va_end(ap);
        return n < 0 ? NULL : p;
}

char *layout_default_image_file(const char *state_dir, const char *file) {
        return path_format("%s/" IMAGE_DEFAULT_DIR "/%s", state_dir, file);
}

char *layout_vm_root_image(const char *state_dir, const char *vm) {
        return path_format("%s/" ROOTFS_VMS_DIR "/%s/" ROOTFS_IMAGE_NAME, state_dir, vm);
}

char *layout_overlay_file(const char *state_dir, const char *vm, const char *suffix) {
        return path_format("%s/" ROOTFS_OVERLAYS_DIR "/%s%s", state_dir, vm, suffix);
}

char *layout_runtime_file(const char *runtime_dir, const char *vm, const char *suffix) {
        return path_format("%s/%s%s", runtime_dir, vm, suffix);
}

char *layout_wayland_fence(const char *runtime_dir, const char *vm) {
        return path_format(WAYLAND_FENCE_SOCKET_FORMAT, runtime_dir, vm);
}

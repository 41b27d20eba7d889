/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-build.h: builds the default guest image (kernel copy + initramfs) into a cache directory,
 * atomically and only when an input changed. The decisions are image-plan.c's; this does the I/O
 * and logs. */
#pragma once

#include <stdbool.h>

typedef struct ImageBuildOptions {
        const char *kernel_path;     /* NULL: the newest /boot/vmlinuz-* */
        const char *modules_dir;     /* NULL: /lib/modules/<kernel version> */
        const char *agent_path;      /* static vmsilo-agent binary */
        const char *busybox_path;    /* static busybox binary */
        const char *init_path;       /* the guest /init script (guest/init) */
        const char *init_stages_dir; /* what /init sources (guest/init.d) */
        const char *agent_unit_path; /* the agent's systemd unit (guest/vmsilo-agent.service) */
        const char *output_dir;      /* the image directory; its parent must be writable */
        bool force;                  /* rebuild even when the manifest matches */
        bool progress;               /* print progress lines to stderr */
} ImageBuildOptions;

/* Returns 1 if it built an image, 0 if the existing one was up to date, or a logged -errno; on
 * failure the previous image is left as it was. */
int image_build(const ImageBuildOptions *o);

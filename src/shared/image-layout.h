/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-layout.h: where the default guest image lives in the state dir. Shared by the builder
 * (vmsilo image build) and its user (vmsilod). */
#pragma once

#include "vmsilo-config.h"

/* <localstatedir>/lib/vmsilo and <runstatedir>/vmsilo (meson.build). */
#define VMSILO_STATE_DIR_DEFAULT VMSILO_STATE_DIR
#define VMSILO_RUNTIME_DIR_DEFAULT VMSILO_RUNTIME_DIR
/* Relative to the state dir. */
#define IMAGE_DEFAULT_DIR "images/default"
#define IMAGE_KERNEL_NAME "vmlinuz"
#define IMAGE_INITRD_NAME "initramfs.cpio"
#define IMAGE_MANIFEST_NAME "manifest"

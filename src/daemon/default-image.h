/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* default-image.h: the default guest image (kernel + initramfs) is built by the image builder
 * (libexec/vmsilo/vmsilo-image) as a helper child of vmsilod, at start and on each reload that
 * needs it, never waited for: vmsilod serves meanwhile, and VMs booting that image stay
 * "starting" until it is done (vm_default_image_done()). */
#pragma once

#include <stdint.h>

#include "manager.h"

/* The builder's deadline: a cold build reads and compresses the kernel's modules. */
#define DEFAULT_IMAGE_TIMEOUT_USEC ((uint64_t) 15 * 60 * 1000000)

/* Starts `BUILDER build --state-dir STATE` unless it runs already (it rebuilds only when an input
 * changed, so a reload's build is quick when nothing did). 0 or -errno (logged). */
int default_image_build(Manager *m);

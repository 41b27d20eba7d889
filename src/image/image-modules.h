/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-modules.h: the kernel modules of the default initramfs, with their dependencies and
 * softdeps in load order, resolved by libkmod against the guest kernel's modules directory (not
 * the host's: the configuration of the host's modprobe.d does not apply to the guest). */
#pragma once

/* Load order of image_modules_required and image_modules_optional (image-plan.h): each module
 * after its softdeps' "pre" modules and its dependencies, before its "post" softdeps; every path
 * relative to modules_dir, once. Softdeps leave out CPU-specific modules (kernel/arch/), which
 * the guest's CPU may not run. Modules built into the kernel have no file and are left out.
 * Names the kernel has neither as a module nor built in go to ret_missing_required and
 * ret_missing_optional. -errno from libkmod (-ENOENT: no modules.dep.bin, depmod never ran),
 * -EBADMSG for a module file outside modules_dir or with an unknown suffix. */
int image_modules_resolve(const char *modules_dir, char ***ret_order, char ***ret_missing_required,
                char ***ret_missing_optional);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmod-util.h: _cleanup_ helpers for libkmod's objects, for the programs that link libkmod
 * (vmsilod loads vfio-pci, vmsilo-image lists the initramfs's modules). */
#pragma once

#include <libkmod.h>

static inline void kmod_unrefp(struct kmod_ctx **p) {
        if (*p)
                (void) kmod_unref(*p);
}

static inline void kmod_module_unrefp(struct kmod_module **p) {
        if (*p)
                (void) kmod_module_unref(*p);
}

static inline void kmod_module_unref_listp(struct kmod_list **p) {
        if (*p)
                (void) kmod_module_unref_list(*p);
}

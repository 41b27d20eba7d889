/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-derive.c: values computed once from the parsed options: interface MACs, default TAP
 * names, shared-home paths, window text colours and frame widths. Pure. */
#include <stdio.h>
#include <string.h>

#include "config-internal.h"
#include "parse-util.h"

#define FNV1A64_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV1A64_PRIME UINT64_C(0x100000001b3)
/* Relative luminance above which black text contrasts more than white: where
 * (L + 0.05) / 0.05 == 1.05 / (L + 0.05), i.e. L = sqrt(1.05 * 0.05) - 0.05 ≈ 0.1791. */
#define TEXT_BLACK_LUMINANCE_MIN 0.1791

static uint64_t fnv1a64(const char *s, uint64_t h) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                h ^= *p;
                h *= FNV1A64_PRIME;
        }
        return h;
}

void config_derive_mac(const char *vm_name, const char *ifname, uint8_t ret[6]) {
        uint64_t h;

        h = fnv1a64(vm_name, FNV1A64_OFFSET);
        h = fnv1a64("-", h);
        h = fnv1a64(ifname, h);
        for (size_t i = 0; i < 6; i++)
                ret[i] = (uint8_t) (h >> (8 * i));
        /* Locally administered (bit 1 set), unicast (bit 0 clear). */
        ret[0] = (uint8_t) ((ret[0] & 0xfc) | 0x02);
}

/* sRGB channel 0..255 -> linear light 0..1 (WCAG 2.x definition). */
/* a^(1/5) for a in (0, 1], by Newton's method from 1: it decreases to the root and stops where
 * double precision does. Not pow(): that is this project's only use of libm, and libm's start-up
 * (its IFUNC resolvers) costs each program that loads it ~300 KiB of RSS; libunistring's frexp
 * alone, which libc also has, pulls libm in whenever it is on the link line. */
static double fifth_root(double a) {
        double y = 1.0;

        for (;;) {
                double y2 = y * y, next = (4.0 * y + a / (y2 * y2)) / 5.0;

                if (next >= y)
                        return y;
                y = next;
        }
}

static double srgb_linear(unsigned c) {
        double v = c / 255.0, x;

        if (v <= 0.03928)
                return v / 12.92;
        x = (v + 0.055) / 1.055; /* x^2.4 = x^2 * (x^2)^(1/5) */
        return x * x * fifth_root(x * x);
}

uint32_t config_derive_text_rgb(uint32_t rgb) {
        double l = 0.2126 * srgb_linear((rgb >> 16) & 0xff) +
                   0.7152 * srgb_linear((rgb >> 8) & 0xff) + 0.0722 * srgb_linear(rgb & 0xff);

        return l > TEXT_BLACK_LUMINANCE_MIN ? 0x000000 : 0xffffff;
}

static int derive_tap_name(
                const VmConfig *vm, size_t vm_index, NetInterface *iface, ConfigErrors *e) {
        _cleanup_(freep) char *name = NULL, *base = NULL, *p = NULL;

        if (asprintf(&name, "%s-%u", vm->name, iface->index) < 0)
                return -ENOMEM;
        if (strlen(name) <= CONFIG_IFNAME_MAX) {
                iface->tap_name = TAKE_PTR(name);
                return 0;
        }
        if (asprintf(&base, "nixosVms[%zu].network.interfaces", vm_index) < 0)
                return -ENOMEM;
        p = config_path_key(base, iface->name);
        if (!p)
                return -ENOMEM;
        return config_error_add(e, 0, 0, p,
                        "VM '%s': default TAP name '%s' is longer than %d characters; set "
                        "tap.name or shorten the VM name",
                        vm->name, name, CONFIG_IFNAME_MAX);
}

static int derive_vm(const Config *c, VmConfig *vm, size_t vm_index, ConfigErrors *e) {
        int r;

        vm->text_rgb = config_derive_text_rgb(vm->color_rgb);
        if (!vm->frame_width_set)
                vm->frame_width = c->frame_width;
        if (!vm->name)
                return 0;
        for (size_t i = 0; i < vm->n_interfaces; i++) {
                NetInterface *iface = &vm->interfaces[i];

                if (iface->mac_derived)
                        config_derive_mac(vm->name, iface->name, iface->mac);
                if (!iface->tap_name) {
                        r = derive_tap_name(vm, vm_index, iface, e);
                        if (r < 0)
                                return r;
                }
        }
        if (vm->shared_home_mode == SHARED_HOME_DEFAULT &&
                        asprintf(&vm->shared_home_path, "/shared/%s", vm->name) < 0) {
                vm->shared_home_path = NULL;
                return -ENOMEM;
        }
        return 0;
}

int config_derive(Config *c, ConfigErrors *e) {
        int r;

        for (size_t i = 0; i < c->n_vms; i++) {
                r = derive_vm(c, &c->vms[i], i, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-services.c: the table of host services a guest may reach (see host-services.h). */
#include <stdlib.h>
#include <string.h>

#include "host-services.h"
#include "macro.h"
#include "strv.h"

typedef struct HostService {
        const char *name;
        bool (*is_enabled)(const VmConfig *vm);
} HostService;

/* gpu not false: the guest's Wayland clients reach the VM's waypipe client
 * (docs/guest-image.md, "Wayland display"). */
static bool wayland_is_enabled(const VmConfig *vm) {
        return vm->gpu.enabled;
}

/* tray not false: the guest's vmsilo-tray reaches the VM's host half (docs/tray.md). */
static bool tray_is_enabled(const VmConfig *vm) {
        return vm->tray;
}

static const HostService host_services[] = {
        { "wayland", wayland_is_enabled },
        { "tray", tray_is_enabled },
};

bool host_service_is_enabled(const VmConfig *vm, const char *untrusted_service) {
        if (!untrusted_service)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(host_services); i++)
                if (streq(host_services[i].name, untrusted_service))
                        return host_services[i].is_enabled(vm);
        return false;
}

int host_service_check_open(const VmConfig *vm, const char *untrusted_service, size_t n_open,
                const char **ret_reason) {
        if (!host_service_is_enabled(vm, untrusted_service)) {
                *ret_reason = "service not enabled for this VM";
                return -EACCES;
        }
        if (n_open >= HOST_SERVICE_STREAMS_MAX) {
                *ret_reason = "too many guest-opened streams";
                return -EMFILE;
        }
        *ret_reason = NULL;
        return 0;
}

int host_services_format(const VmConfig *vm, char **ret) {
        _cleanup_(strv_freep) char **l = NULL;
        char *s = NULL;

        for (size_t i = 0; i < ELEMENTSOF(host_services); i++)
                if (host_services[i].is_enabled(vm) && strv_extend(&l, host_services[i].name) < 0)
                        return -ENOMEM;
        if (l) {
                s = strv_join(l, ",");
                if (!s)
                        return -ENOMEM;
        }
        *ret = s;
        return 0;
}

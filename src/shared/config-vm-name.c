/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-vm-name.c: what a VM name may be. Its own object, apart from the rest of the configuration
 * rules: the fence and the tray check --vm with it and link neither the JSON parser (libjansson)
 * nor config-derive.c's pow() (libm), pages their RSS would carry for nothing. Pure. */
#include <string.h>

#include "config-internal.h"
#include "log.h"

bool config_vm_name_is_valid(const char *name) {
        size_t len = strlen(name);

        if (len == 0 || len > CONFIG_VM_NAME_MAX)
                return false;
        if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                                    *p == '-'))
                        return false;
        return true;
}

int config_check_vm_name_arg(const char *arg) {
        if (!config_vm_name_is_valid(arg))
                return log_error_errno(EINVAL, "--vm: '%s' is not a VM name.", arg);
        return 0;
}

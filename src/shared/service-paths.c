/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-paths.c: see service-paths.h. Keep the table in step with data/vmsilod.service.in
 * (tests/integration/test_service_unit.py compares them). */
#include <stdio.h>
#include <string.h>

#include "image-layout.h"
#include "macro.h"
#include "plan.h"
#include "service-paths.h"
#include "strv.h"

static const struct {
        const char *prefix;
        ServicePathAccess access;
        const char *setting;
} rules[] = {
        /* Most specific first: the first prefix that matches wins. */
        { VMSILO_RUNTIME_DIR_DEFAULT, SERVICE_PATH_WRITABLE, NULL },
        { VMSILO_STATE_DIR_DEFAULT, SERVICE_PATH_WRITABLE, NULL },
        { "/shared", SERVICE_PATH_WRITABLE, NULL },
        { "/tmp", SERVICE_PATH_HIDDEN, "PrivateTmp=yes" },
        { "/var/tmp", SERVICE_PATH_HIDDEN, "PrivateTmp=yes" },
        { "/home", SERVICE_PATH_READ_ONLY, "ProtectHome=read-only" },
        { "/root", SERVICE_PATH_READ_ONLY, "ProtectHome=read-only" },
        { "/run/user", SERVICE_PATH_READ_ONLY, "ProtectHome=read-only" },
        { "/dev", SERVICE_PATH_DEVICE, "DevicePolicy=closed" },
        { "/", SERVICE_PATH_READ_ONLY, "ProtectSystem=strict" },
};

/* Whether path is prefix or below it, on component boundaries. */
static bool path_is_under(const char *path, const char *prefix) {
        size_t n = strlen(prefix);

        if (streq(prefix, "/"))
                return path[0] == '/';
        return strncmp(path, prefix, n) == 0 && IN_SET(path[n], '\0', '/');
}

ServicePathAccess service_path_access(const char *path, const char **ret_setting) {
        for (size_t i = 0; i < ELEMENTSOF(rules); i++)
                if (path_is_under(path, rules[i].prefix)) {
                        *ret_setting = rules[i].setting;
                        return rules[i].access;
                }
        *ret_setting = NULL; /* a relative path: config validation refuses it */
        return SERVICE_PATH_WRITABLE;
}

/* Appends a warning if the unit does not give the access needed. */
static int check_one(char ***warnings, size_t vm, const char *key, const char *path, bool write) {
        const char *setting, *what, *fix;
        char *line;
        ServicePathAccess a;

        if (!path)
                return 0;
        a = service_path_access(path, &setting);
        if (a == SERVICE_PATH_WRITABLE || (a == SERVICE_PATH_READ_ONLY && !write))
                return 0;
        switch (a) {
        case SERVICE_PATH_HIDDEN:
                what = "is invisible to vmsilod.service";
                fix = "move it out of /tmp";
                break;
        case SERVICE_PATH_DEVICE:
                what = "is a device that vmsilod.service does not allow";
                fix = "add DeviceAllow= for it in a drop-in (systemctl edit vmsilod)";
                break;
        default:
                what = "is read-only under vmsilod.service";
                fix = "add ReadWritePaths= for it in a drop-in (systemctl edit vmsilod)";
                break;
        }
        if (asprintf(&line, "nixosVms[%zu].%s: '%s' %s (%s); %s.", vm, key, path, what, setting,
                            fix) < 0)
                return -ENOMEM;
        return strv_consume(warnings, line);
}

/* Whether a disk or share is read-only by its options (key "ro" or "readonly"). */
static bool options_readonly(const KeyValueList *options, const char *key) {
        const char *v = key_value_list_get(options, key);

        return v && plan_parse_bool(v) > 0;
}

int service_paths_check(const Config *c, char ***ret) {
        _cleanup_(strv_freep) char **w = strv_new_empty();
        int r = 0;

        if (!w)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < c->n_vms; i++) {
                const VmConfig *vm = &c->vms[i];

                r = check_one(&w, i, "kernel", vm->kernel, false);
                if (r >= 0)
                        r = check_one(&w, i, "initramfs", vm->initramfs, false);
                if (r >= 0 && vm->root_disk)
                        r = check_one(&w, i, "rootDisk.path", vm->root_disk->path,
                                        !vm->root_disk_readonly);
                for (size_t j = 0; r >= 0 && j < vm->n_additional_disks; j++)
                        r = check_one(&w, i, "additionalDisks.path", vm->additional_disks[j].path,
                                        !options_readonly(&vm->additional_disks[j].options, "ro"));
                if (r >= 0)
                        r = check_one(&w, i, "sharedHome", vm->shared_home_path, true);
                for (size_t j = 0; r >= 0 && j < vm->n_shared_directories; j++)
                        r = check_one(&w, i, "sharedDirectories.path",
                                        vm->shared_directories[j].path,
                                        !options_readonly(&vm->shared_directories[j].options,
                                                        "readonly"));
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(w);
        return 0;
}

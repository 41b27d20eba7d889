/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan.c: the LaunchPlan type and the builders both VMM plans share. Pure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net-plan.h"
#include "plan.h"
#include "strv.h"
#include "vfio-plan.h"

static const char *const plan_fd_role_table[_PLAN_FD_ROLE_MAX] = {
        [PLAN_FD_ROLE_QMP] = "qmp",
        [PLAN_FD_ROLE_AGENT] = "agent",
        [PLAN_FD_ROLE_CONSOLE] = "console",
        [PLAN_FD_ROLE_BALLOON_QMP] = "balloon-qmp",
        [PLAN_FD_ROLE_TAP] = "tap",
};

const char *plan_fd_role_to_string(PlanFdRole r) {
        return r >= 0 && r < _PLAN_FD_ROLE_MAX ? plan_fd_role_table[r] : NULL;
}

int plan_fd_target(PlanFdRole role, unsigned index) {
        switch (role) {
        case PLAN_FD_ROLE_QMP:
                return PLAN_FD_QMP;
        case PLAN_FD_ROLE_AGENT:
                return PLAN_FD_AGENT;
        case PLAN_FD_ROLE_CONSOLE:
                return PLAN_FD_CONSOLE;
        case PLAN_FD_ROLE_BALLOON_QMP:
                return PLAN_FD_BALLOON_QMP;
        case PLAN_FD_ROLE_TAP:
                return PLAN_FD_TAP_BASE + (int) index;
        default:
                return -EINVAL;
        }
}

LaunchPlan *plan_free(LaunchPlan *p) {
        if (!p)
                return NULL;
        strv_free(p->argv);
        free(p->fds);
        for (size_t i = 0; i < p->n_paths; i++) {
                free(p->paths[i].path);
                free(p->paths[i].source);
        }
        free(p->paths);
        free(p);
        return NULL;
}

int plan_new(LaunchPlan **ret) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->argv = strv_new_empty();
        if (!p->argv)
                return -ENOMEM;
        p->contained = true;
        *ret = TAKE_PTR(p);
        return 0;
}

static int plan_consume(LaunchPlan *p, char *arg) {
        int r;

        r = strv_consume(&p->argv, arg);
        if (r < 0)
                return r;
        p->n_argv++;
        return 0;
}

int plan_append(LaunchPlan *p, const char *arg) {
        char *s;
        int r;

        s = strdup(arg);
        if (!s)
                return -ENOMEM;
        r = plan_consume(p, s);
        if (r < 0)
                free(s);
        return r;
}

int plan_appendf(LaunchPlan *p, const char *format, ...) {
        char *s;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        r = plan_consume(p, s);
        if (r < 0)
                free(s);
        return r;
}

int plan_append_strv(LaunchPlan *p, char *const *args) {
        int r;

        STRV_FOREACH(a, args) {
                r = plan_append(p, *a);
                if (r < 0)
                        return r;
        }
        return 0;
}

bool plan_vm_has_balloon(const VmConfig *vm) {
        return vm->n_pci_devices == 0;
}

void plan_set_memlock(LaunchPlan *p, const VmConfig *vm) {
        p->memlock_bytes = vm->n_pci_devices > 0 ? vfio_memlock_bytes(vm->memory_mib) : 0;
}

int plan_add_fd(LaunchPlan *p, PlanFdRole role, unsigned index) {
        PlanFd *fds;
        int target;
        size_t i;

        target = plan_fd_target(role, index);
        if (target < 0)
                return target;
        fds = reallocarray(p->fds, p->n_fds + 1, sizeof(PlanFd));
        if (!fds)
                return -ENOMEM;
        p->fds = fds;
        /* Keep ascending target order whatever order the plan adds them in. */
        for (i = p->n_fds; i > 0 && p->fds[i - 1].target_fd > target; i--)
                p->fds[i] = p->fds[i - 1];
        p->fds[i] = (PlanFd){ .role = role, .index = index, .target_fd = target };
        p->n_fds++;
        return target;
}

static PlanPath *plan_find_path(LaunchPlan *p, const char *path) {
        for (size_t i = 0; i < p->n_paths; i++)
                if (streq(p->paths[i].path, path))
                        return &p->paths[i];
        return NULL;
}

static int plan_push_path(
                LaunchPlan *p, const char *path, const char *source, bool writable, bool device) {
        _cleanup_(freep) char *copy = NULL, *source_copy = NULL;
        PlanPath *paths;

        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        if (source && !streq(source, path)) {
                source_copy = strdup(source);
                if (!source_copy)
                        return -ENOMEM;
        }
        paths = reallocarray(p->paths, p->n_paths + 1, sizeof(PlanPath));
        if (!paths)
                return -ENOMEM;
        p->paths = paths;
        p->paths[p->n_paths++] = (PlanPath){ .path = TAKE_PTR(copy),
                .source = TAKE_PTR(source_copy),
                .writable = writable,
                .device = device };
        return 0;
}

int plan_add_path_from(LaunchPlan *p, const char *path, const char *source, bool writable) {
        PlanPath *found = plan_find_path(p, path);

        if (found) {
                found->writable |= writable;
                return 0;
        }
        return plan_push_path(p, path, source, writable, /* device= */ false);
}

int plan_add_path(LaunchPlan *p, const char *path, bool writable) {
        return plan_add_path_from(p, path, NULL, writable);
}

static bool is_decimal(const char *s) {
        return *s && strspn(s, "0123456789") == strlen(s);
}

#define PLAN_VFIO_DIR "/dev/vfio/"

bool plan_device_is_allowed(const char *path) {
        if (strncmp(path, PLAN_VFIO_DIR, strlen(PLAN_VFIO_DIR)) == 0) {
                const char *node = path + strlen(PLAN_VFIO_DIR);
                return streq(node, "vfio") || is_decimal(node);
        }
        return streq(path, "/dev/vhost-vsock");
}

int plan_add_device(LaunchPlan *p, const char *path, const char *source) {
        PlanPath *found;

        if (!plan_device_is_allowed(path))
                return -EPERM;
        found = plan_find_path(p, path);
        if (found)
                return found->device ? 0 : -EEXIST;
        return plan_push_path(p, path, source, /* writable= */ true, /* device= */ true);
}

int plan_extendf(char **s, const char *separator, const char *format, ...) {
        _cleanup_(freep) char *add = NULL;
        char *n;
        size_t old, sep, len;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&add, format, ap);
        va_end(ap);
        if (r < 0) {
                add = NULL;
                return -ENOMEM;
        }
        old = *s ? strlen(*s) : 0;
        sep = old > 0 && separator ? strlen(separator) : 0;
        len = (size_t) r;
        n = realloc(*s, old + sep + len + 1);
        if (!n)
                return -ENOMEM;
        if (sep > 0)
                memcpy(n + old, separator, sep);
        memcpy(n + old + sep, add, len + 1);
        *s = n;
        return 0;
}

char *plan_format_mac(const uint8_t mac[6], char ret[static PLAN_MAC_STRING_MAX]) {
        (void) snprintf(ret, PLAN_MAC_STRING_MAX, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
                        mac[2], mac[3], mac[4], mac[5]);
        return ret;
}

static bool plan_has_root_disk(const VmConfig *vm, const LaunchContext *ctx) {
        return vm->root_disk || ctx->built_root_disk;
}

int plan_guest_params(const VmConfig *vm, const LaunchContext *ctx, const char *agent_transport,
                const char *home_fs, char **ret) {
        _cleanup_(freep) char *s = NULL;
        char mac[PLAN_MAC_STRING_MAX];
        int r;

        r = plan_extendf(&s, " ", "vmsilo.agent=%s vmsilo.hostname=%s", agent_transport, vm->name);
        if (r < 0)
                return r;
        if (plan_has_root_disk(vm, ctx)) {
                /* A writable root disk is the root itself; a read-only one is the lower layer
                 * of an overlay whose upper layer is the qcow2 disk or, without one, tmpfs. */
                r = plan_extendf(&s, " ", "vmsilo.root=%s",
                                !vm->root_disk_readonly ? "rw"
                                : ctx->overlay_disk     ? "overlay-disk"
                                                        : "overlay-tmpfs");
                if (r < 0)
                        return r;
        }
        if (vm->shared_home_path) {
                r = plan_extendf(&s, " ", "vmsilo.home=%s", home_fs);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < vm->n_interfaces; i++) {
                r = plan_extendf(&s, " ", "vmsilo.ifname=%s,%s", vm->interfaces[i].name,
                                plan_format_mac(vm->interfaces[i].mac, mac));
                if (r < 0)
                        return r;
        }
        r = net_plan_guest_params(vm, &s);
        if (r < 0)
                return r;
        STRV_FOREACH(k, vm->kernel_params) {
                r = plan_extendf(&s, " ", "%s", *k);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int plan_parse_bool(const char *s) {
        if (streq_ptr(s, "true"))
                return 1;
        if (streq_ptr(s, "false"))
                return 0;
        return -EINVAL;
}

PlanSharedDirType plan_shared_dir_type_from_string(const char *s) {
        if (!s)
                return _PLAN_SHARED_DIR_TYPE_INVALID;
        if (streq(s, "fs") || streq(s, "FS"))
                return PLAN_SHARED_DIR_FS;
        if (streq(s, "p9") || streq(s, "9p") || streq(s, "9P") || streq(s, "P9"))
                return PLAN_SHARED_DIR_9P;
        return _PLAN_SHARED_DIR_TYPE_INVALID;
}

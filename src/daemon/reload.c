/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reload.c: configuration reload (SIGHUP or the control socket's "reload"). The new file passes
 * every check the daemon's start makes before anything changes; then VMs are matched by name:
 * new ones get sockets, departed ones are retired (stopped, then freed), the rest are re-pointed
 * at their new settings, which a running VMM picks up at its next start. Desktop entries
 * follow. */
#include <stdarg.h>
#include <stdio.h>

#include "default-image.h"
#include "desktop.h"
#include "host-check.h"
#include "log.h"
#include "manager.h"
#include "net.h"
#include "string-util.h"
#include "vm-listen.h"
#include "vm.h"

static int reload_fail(char **reterr, int r, const char *format, ...) _printf_(3, 4);
static int reload_fail(char **reterr, int r, const char *format, ...) {
        _cleanup_(freep) char *message = NULL;
        va_list ap;

        va_start(ap, format);
        message = vstrprintf(format, ap);
        va_end(ap);
        log_error("Reload refused, the running configuration stays: %s", strna(message));
        if (reterr)
                *reterr = TAKE_PTR(message);
        return r;
}

/* The VMs of c, in its order: the existing Vm of each name, or a new one with its sockets
 * (*ret_created[i] = true). On failure the new ones are freed and the existing ones untouched. */
static int match_vms(Manager *m, const Config *c, Vm ***ret, bool **ret_created, char **reterr) {
        Vm **vms = calloc(c->n_vms ?: 1, sizeof(Vm *));
        bool *created = calloc(c->n_vms ?: 1, sizeof(bool));
        int r = 0;

        if (!vms || !created) {
                free(vms);
                free(created);
                return reload_fail(reterr, -ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < c->n_vms; i++) {
                vms[i] = manager_find_vm(m, c->vms[i].name);
                if (vms[i])
                        continue;
                r = vm_new(m, c, i, &vms[i]);
                if (r >= 0) {
                        created[i] = true;
                        r = vm_listen(vms[i]);
                }
                if (r < 0) {
                        r = reload_fail(reterr, r, "cannot create the sockets of new VM '%s': %s",
                                        c->vms[i].name, strerror(-r));
                        break;
                }
        }
        if (r < 0) {
                for (size_t i = 0; i < c->n_vms; i++)
                        if (created[i])
                                vm_free(vms[i]);
                free(vms);
                free(created);
                return r;
        }
        *ret = vms;
        *ret_created = created;
        return 0;
}

static int retire(Manager *m, Vm *vm) {
        Vm **l = reallocarray(m->retired, m->n_retired + 1, sizeof(Vm *));

        if (!l)
                return -ENOMEM;
        m->retired = l;
        m->retired[m->n_retired++] = vm;
        vm_retire(vm);
        return 0;
}

/* Keeps the replaced configuration while retired VMs still point into it. */
static int keep_old_config(Manager *m, Config *old) {
        Config **l = reallocarray(m->old_configs, m->n_old_configs + 1, sizeof(Config *));

        if (!l)
                return -ENOMEM;
        m->old_configs = l;
        m->old_configs[m->n_old_configs++] = old;
        return 0;
}

int manager_reload(Manager *m, char **reterr) {
        _cleanup_(config_freep) Config *new = NULL;
        _cleanup_(freep) char *problem = NULL;
        _cleanup_(freep) bool *created = NULL;
        Vm **vms = NULL;
        Config *old = m->config;
        size_t n_old_vms = m->n_vms;
        Vm **old_vms = m->vms;
        uid_t uid;
        gid_t gid;
        int r;

        if (m->exiting)
                return reload_fail(reterr, -ESHUTDOWN, "vmsilod is shutting down");
        r = host_load_config(m->options.config_path, m->crosvm_available, &new, &problem);
        if (r < 0)
                return reload_fail(reterr, r, "'%s' is not usable:\n%s", m->options.config_path,
                                problem ?: strerror(-r));
        r = host_check_user(new, &uid, &gid);
        if (r < 0)
                return reload_fail(reterr, r, "user '%s' does not exist", new->user);
        problem = mfree(problem);
        r = host_check_share_hosts(
                        m->options.config_path, new, m->crosvm_available, uid, gid, &problem);
        if (r < 0)
                return reload_fail(reterr, r, "'%s' is not usable:\n%s", m->options.config_path,
                                problem ?: strerror(-r));
        if (uid != m->user_uid || gid != m->user_gid)
                return reload_fail(reterr, -EPERM,
                                "\"user\" changed to '%s'; running VMMs belong to the old user, "
                                "so restart vmsilod to change it",
                                new->user);
        r = match_vms(m, new, &vms, &created, reterr);
        if (r < 0)
                return r;

        /* From here on the new configuration is taken. */
        r = net_reload(old, new, uid, gid);
        if (r < 0 && reterr)
                *reterr = strdup("the configuration is loaded, but the network could not be "
                                 "brought in line with it; see vmsilod's log");

        m->vms = vms;
        m->n_vms = new->n_vms;
        m->config = TAKE_PTR(new);
        /* In the background: VMs booting the default image wait for it (default-image.h). */
        if (host_needs_default_image(m->config))
                (void) default_image_build(m);
        for (size_t i = 0; i < m->n_vms; i++)
                vm_set_config(m->vms[i], m->config, i);
        for (size_t i = 0; i < n_old_vms; i++) {
                if (manager_find_vm(m, old_vms[i]->config->name) == old_vms[i])
                        continue;
                if (retire(m, old_vms[i]) < 0) {
                        log_oom();
                        vm_free(old_vms[i]); /* kills its VMM at once */
                }
        }
        free(old_vms);
        manager_isolate_pci(m, old->isolated_pci_devices);
        /* Freed from the loop once no retired VM points into it; on OOM, leaked rather than
         * freed under a stopping VM. */
        if (keep_old_config(m, old) < 0)
                log_oom();
        manager_check_exit(m);

        /* Menu entries of VMs that left the file go; those of new VMs come. */
        (void) desktop_sync(m);

        /* autoStart is for VMs that just appeared; one the user stopped stays stopped. */
        for (size_t i = 0; i < m->n_vms; i++)
                if (created[i] && m->vms[i]->config->auto_start && vm_start(m->vms[i]) < 0)
                        log_warning("autoStart of VM '%s' failed, ignoring: %s",
                                        m->vms[i]->config->name, strna(m->vms[i]->failure_reason));
        log_info("Reloaded '%s': %zu VMs.", m->options.config_path, m->n_vms);
        return r < 0 ? r : 0;
}

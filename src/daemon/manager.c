/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* manager.c: the daemon's root object: VMs, control socket, signals, orderly exit. */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include "clipboard-service.h"
#include "control.h"
#include "log.h"
#include "manager.h"
#include "safe-open.h"
#include "sandbox.h"
#include "strv.h"
#include "vm.h"

int manager_new(sd_event *e, Config *config, const ManagerOptions *options, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        m->event = sd_event_ref(e);
        m->options = *options;
        m->vms = calloc(config->n_vms ?: 1, sizeof(Vm *));
        if (!m->vms)
                return -ENOMEM;
        m->config = config;
        for (size_t i = 0; i < config->n_vms; i++) {
                r = vm_new(m, config, i, &m->vms[i]);
                if (r < 0) {
                        m->config = NULL; /* the caller still owns it */
                        return r;
                }
                m->n_vms++;
        }

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        /* Waiters told "stopped" below must not start anything again. */
        m->exiting = true;
        control_server_free(m->control);
        for (size_t i = 0; i < m->n_vms; i++)
                vm_free(m->vms[i]);
        free(m->vms);
        m->clipboard = clipboard_service_free(m->clipboard);
        for (size_t i = 0; i < m->n_retired; i++)
                vm_free(m->retired[i]);
        free(m->retired);
        for (size_t i = 0; i < m->n_old_configs; i++)
                config_free(m->old_configs[i]);
        free(m->old_configs);
        sd_event_source_disable_unref(m->collect);
        strv_free(m->pci_failures);
        config_free(m->config);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

Vm *manager_find_vm(Manager *m, const char *name) {
        for (size_t i = 0; i < m->n_vms; i++)
                if (streq(m->vms[i]->config->name, name))
                        return m->vms[i];
        return NULL;
}

const char *manager_peer_refusal(const Manager *m, const struct ucred *peer) {
        if (peer->uid != 0 && peer->uid != m->user_uid)
                return "is neither root nor the vmsilo user";
        if (!sandbox_pid_is_ours(peer->pid))
                return "runs in another PID namespace (a sandboxed VMM?)";
        return NULL;
}

static bool config_is_used(const Config *c, Vm *const *vms, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (vms[i]->config >= c->vms && vms[i]->config < c->vms + c->n_vms)
                        return true;
        return false;
}

static int on_collect(sd_event_source *s, void *userdata) {
        Manager *m = userdata;
        size_t kept = 0;

        for (size_t i = 0; i < m->n_retired; i++)
                if (vm_state_has_vmm(m->retired[i]->state))
                        m->retired[kept++] = m->retired[i];
                else
                        vm_free(m->retired[i]);
        m->n_retired = kept;
        kept = 0;
        for (size_t i = 0; i < m->n_old_configs; i++)
                if (config_is_used(m->old_configs[i], m->retired, m->n_retired))
                        m->old_configs[kept++] = m->old_configs[i];
                else
                        config_free(m->old_configs[i]);
        m->n_old_configs = kept;
        m->collect = sd_event_source_disable_unref(m->collect);
        manager_check_exit(m);
        return 0;
}

void manager_check_exit(Manager *m) {
        if ((m->n_retired > 0 || m->n_old_configs > 0) && !m->collect &&
                        sd_event_add_defer(m->event, &m->collect, on_collect, m) < 0)
                log_warning("Cannot schedule freeing retired VMs; they stay until exit.");
        if (!m->exiting)
                return;
        for (size_t i = 0; i < m->n_vms; i++)
                if (vm_state_has_vmm(m->vms[i]->state))
                        return;
        for (size_t i = 0; i < m->n_retired; i++)
                if (vm_state_has_vmm(m->retired[i]->state))
                        return;
        log_info("Every VM has stopped, exiting.");
        (void) sd_event_exit(m->event, 0);
}

/* Unbinding vfio-pci from a device a VMM holds would block until the VMM lets go. */
static bool manager_pci_in_use(const Manager *m, const char *address) {
        for (size_t i = 0; i < m->n_vms; i++)
                if (vm_uses_pci_device(m->vms[i], address))
                        return true;
        for (size_t i = 0; i < m->n_retired; i++)
                if (vm_uses_pci_device(m->retired[i], address))
                        return true;
        return false;
}

void manager_isolate_pci(Manager *m, char *const *previous) {
        _cleanup_(strv_freep) char **removed = NULL;
        const char *root = m->options.sys_root;

        m->pci_failures = strv_free(m->pci_failures);
        if (vfio_removed_devices(previous, m->config->isolated_pci_devices, &removed) < 0) {
                log_oom();
                return;
        }
        for (char *const *a = removed; a && *a; a++) {
                if (manager_pci_in_use(m, *a))
                        log_warning("PCI device %s left isolatedPciDevices but a running VM "
                                    "uses it: it stays with vfio-pci.",
                                        *a);
                else if (vfio_release(root, *a) > 0)
                        log_info("PCI device %s was given back to the host.", *a);
        }
        for (char *const *a = m->config->isolated_pci_devices; a && *a; a++) {
                _cleanup_(freep) char *reason = NULL, *line = NULL;
                int r = vfio_isolate(root, *a, &reason);

                if (r >= 0) {
                        log_info("PCI device %s is isolated (vfio-pci).", *a);
                        continue;
                }
                log_error("Cannot isolate PCI device %s; VMs that use it will not start: %s", *a,
                                reason ?: strerror(-r));
                if (asprintf(&line, "%s: %s", *a, reason ?: strerror(-r)) < 0 ||
                                strv_consume(&m->pci_failures, TAKE_PTR(line)) < 0)
                        log_oom();
        }
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        if (m->exiting) {
                log_warning("Second %s: leaving now; VMMs die with vmsilod.",
                                strsignal((int) si->ssi_signo));
                (void) sd_event_exit(m->event, 0);
                return 0;
        }
        log_info("Received %s, stopping every VM.", strsignal((int) si->ssi_signo));
        m->exiting = true;
        for (size_t i = 0; i < m->n_vms; i++)
                vm_stop(m->vms[i]);
        manager_check_exit(m);
        return 0;
}

static int on_reload_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        log_info("Received SIGHUP, reloading '%s'.", m->options.config_path);
        (void) manager_reload(m, NULL);
        return 0;
}

static int manager_listen(Manager *m) {
        _cleanup_(freep) char *path = NULL;
        int r;

        r = safe_prepare_root_dir(m->options.runtime_dir, "runtime dir");
        if (r < 0)
                return r;
        if (asprintf(&path, "%s/control.socket", m->options.runtime_dir) < 0)
                return log_oom();
        r = control_server_new(m, path, &m->control);
        if (r < 0)
                return log_error_errno(r, "Cannot listen on '%s': %m", path);
        for (size_t i = 0; i < m->n_vms; i++) {
                r = vm_listen(m->vms[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int manager_start(Manager *m) {
        int r;

        /* Signals first: once the control socket exists, a client may SIGTERM us. */
        r = sd_event_add_signal(
                        m->event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(
                                m->event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGHUP | SD_EVENT_SIGNAL_PROCMASK,
                                on_reload_signal, m);
        if (r < 0)
                return log_error_errno(r, "Cannot install signal handlers: %m");
        r = manager_listen(m);
        if (r < 0)
                return r;
        manager_isolate_pci(m, /* previous= */ NULL);

        for (size_t i = 0; i < m->n_vms; i++)
                if (m->vms[i]->config->auto_start && vm_start(m->vms[i]) < 0)
                        log_warning("autoStart of VM '%s' failed, ignoring: %s",
                                        m->vms[i]->config->name, strna(m->vms[i]->failure_reason));
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* manager.c: the daemon's root object: VMs, control socket, signals, orderly exit. */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include "control.h"
#include "log.h"
#include "manager.h"
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
                r = vm_new(m, i, &m->vms[i]);
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

bool manager_uid_is_authorised(const Manager *m, uid_t uid) {
        return uid == 0 || uid == m->user_uid;
}

void manager_check_exit(Manager *m) {
        if (!m->exiting)
                return;
        for (size_t i = 0; i < m->n_vms; i++)
                if (vm_state_has_vmm(m->vms[i]->state))
                        return;
        log_info("Every VM has stopped, exiting.");
        (void) sd_event_exit(m->event, 0);
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

static int manager_listen(Manager *m) {
        _cleanup_(freep) char *path = NULL;
        int r;

        if (mkdir(m->options.runtime_dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Cannot create runtime dir '%s': %m",
                                m->options.runtime_dir);
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

        r = manager_listen(m);
        if (r < 0)
                return r;
        r = sd_event_add_signal(
                        m->event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(
                                m->event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, on_terminate, m);
        if (r < 0)
                return log_error_errno(r, "Cannot install signal handlers: %m");

        for (size_t i = 0; i < m->n_vms; i++)
                if (m->vms[i]->config->auto_start && vm_start(m->vms[i]) < 0)
                        log_warning("autoStart of VM '%s' failed, ignoring: %s",
                                        m->vms[i]->config->name, strna(m->vms[i]->failure_reason));
        return 0;
}

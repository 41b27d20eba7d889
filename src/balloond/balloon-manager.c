/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* balloon-manager.c: vmsilo-balloond's rounds: gather stats, run the policy, apply, publish. */
#include <inttypes.h>
#include <libgen.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <time.h>

#include "balloon-manager.h"
#include "balloon-status.h"
#include "log.h"
#include "time-util.h"

#define MIB(b) ((b) / BALLOON_MIB)

static const char *vm_state(const BalloonManager *m, const BalloonVm *vm) {
        if (vm->passthrough)
                return "passthrough";
        if (vm->memory_bytes == 0)
                return "unknown-vm";
        if (vm->no_balloon)
                return "no-balloon";
        if (vm->answered_round != m->round || vm->answered_round == 0)
                return "not-answering";
        return "ballooning";
}

static void publish(BalloonManager *m) {
        _cleanup_(freep) char *text = NULL;
        BalloonStatusVm list[BALLOON_VMS_MAX];
        BalloonStatusHost host = {
                .mem_total_bytes = m->host.total_bytes,
                .mem_available_bytes = m->host.available_bytes,
                .critical_bytes = m->host_critical_bytes,
                .under_pressure = m->host_under_pressure,
                .policy = balloon_policy_kind_to_string(m->policy.kind),
        };
        int r;

        for (size_t i = 0; i < m->n_vms; i++) {
                const BalloonVm *vm = m->vms[i];
                list[i] = (BalloonStatusVm){
                        .name = vm->name,
                        .vmm = vmm_kind_to_string(vm->vmm),
                        .state = vm_state(m, vm),
                        .memory_bytes = vm->memory_bytes,
                        .balloon_bytes = vm->balloon_bytes,
                        .guest_available_bytes = vm->stats.free_bytes + vm->stats.cache_bytes,
                        .guest_critical_bytes = vm->memory.critical_bytes,
                        .last_action = balloon_action_to_string(vm->last_action),
                        .target_bytes = vm->last_target_bytes,
                };
        }
        r = balloon_status_format(&host, list, m->n_vms, &text);
        if (r < 0) {
                log_warning_errno(r, "Cannot format the status, ignoring: %m");
                return;
        }
        if (streq_ptr(text, m->last_status))
                return;
        r = balloon_status_write_atomic(m->options.runtime_dir, text);
        if (r < 0) {
                log_warning_errno(r, "Cannot write %s/%s, ignoring: %m", m->options.runtime_dir,
                                BALLOON_STATUS_FILE_NAME);
                return;
        }
        free(m->last_status);
        m->last_status = TAKE_PTR(text);
}

static void kick(BalloonManager *m, bool under_pressure) {
        m->kick_under_pressure = m->kick_under_pressure || under_pressure;
        (void) sd_event_source_set_enabled(m->kick, SD_EVENT_ONESHOT);
}

static void apply(BalloonManager *m, BalloonVm *vm, const BalloonVmPlan *p) {
        int r;

        vm->last_action = p->action;
        vm->last_target_bytes = p->target_bytes;
        if (!IN_SET(p->action, BALLOON_ACTION_INFLATE, BALLOON_ACTION_DEFLATE))
                return;
        r = balloon_vm_set_balloon(vm, p->target_bytes);
        if (r < 0) {
                log_warning_errno(r, "VM '%s': cannot resize the balloon, ignoring: %m", vm->name);
                return;
        }
        log_info("VM '%s': %s balloon %" PRIu64 " -> %" PRIu64 " MiB (guest available %" PRIu64
                 " MiB, host available %" PRIu64 " MiB, critical %" PRIu64 " MiB)%s",
                        vm->name, balloon_action_to_string(p->action), MIB(vm->balloon_bytes),
                        MIB(p->target_bytes), MIB(p->guest_available_bytes),
                        MIB(m->host.available_bytes), MIB(m->host_critical_bytes),
                        m->round_under_pressure ? " [pressure]" : "");
}

/* --once: exit after the evaluated round's resizes have reached the VMMs. */
static void once_maybe_exit(BalloonManager *m) {
        if (!m->once_done)
                return;
        for (size_t i = 0; i < m->n_vms; i++)
                if (m->vms[i]->resizes_pending > 0)
                        return;
        (void) sd_event_exit(m->event, 0);
}

static void round_finish(BalloonManager *m) {
        BalloonVmInput inputs[BALLOON_VMS_MAX];
        BalloonPlan plan = {};
        BalloonHostInput host = {
                .mem_total_bytes = m->host.total_bytes,
                .mem_available_bytes = m->host.available_bytes,
                .under_pressure = m->round_under_pressure,
        };
        bool evaluated = false;
        int r;

        m->in_round = false;
        (void) sd_event_source_set_enabled(m->deadline, SD_EVENT_OFF);
        for (size_t i = 0; i < m->n_vms; i++) {
                const BalloonVm *vm = m->vms[i];
                bool fresh = vm->answered_round == m->round;

                evaluated = evaluated || fresh;
                inputs[i] = (BalloonVmInput){
                        .name = vm->name,
                        .passthrough = vm->passthrough,
                        .stats_valid = fresh,
                        .memory_bytes = vm->memory_bytes,
                        .balloon_bytes = vm->balloon_bytes,
                        .guest_free_bytes = vm->stats.free_bytes,
                        .guest_cache_bytes = vm->stats.cache_bytes,
                        .memory = vm->memory,
                };
        }
        r = balloon_policy_compute(&host, inputs, m->n_vms, &m->policy, &plan);
        if (r < 0) {
                log_error_errno(r, "Balloon policy failed, ignoring: %m");
                return;
        }
        m->host_critical_bytes = plan.host_critical_bytes;
        for (size_t i = 0; i < plan.n_vms; i++) {
                BalloonVm *vm = m->vms[plan.vms[i].index];
                vm->memory = plan.vms[i].memory;
                apply(m, vm, &plan.vms[i]);
                if (m->round_under_pressure && m->pressure_at_usec > 0 &&
                                plan.vms[i].action == BALLOON_ACTION_INFLATE)
                        log_info("Reacted to host memory pressure in %" PRIu64 " ms.",
                                        (now_usec() - m->pressure_at_usec) / 1000);
        }
        if (m->round_under_pressure)
                m->pressure_at_usec = 0;
        balloon_plan_finish(&plan);
        publish(m);

        if (m->options.once && !m->once_done) {
                if (evaluated || ++m->once_rounds >= BALLOON_MANAGER_ONCE_ROUNDS_MAX) {
                        m->exit_code = evaluated ? 0 : -ETIMEDOUT;
                        m->once_done = true;
                        once_maybe_exit(m);
                } else
                        (void) sd_event_source_set_time_relative(
                                        m->tick, BALLOON_MANAGER_ONCE_RETRY_USEC);
                return;
        }
        if (m->pressure_pending) {
                m->pressure_pending = false;
                kick(m, true);
        }
}

static void round_start(BalloonManager *m, bool under_pressure) {
        HostPressure psi;
        int r;

        if (m->in_round) {
                m->pressure_pending = m->pressure_pending || under_pressure;
                return;
        }
        r = host_memory_acquire(m->options.meminfo_path, &m->host);
        if (r < 0) {
                log_warning_errno(r, "Cannot read '%s', skipping this round: %m",
                                m->options.meminfo_path);
                return;
        }
        if (m->options.psi_path && host_pressure_acquire(m->options.psi_path, &psi) >= 0 &&
                        psi.some_avg10_centi >= BALLOON_MANAGER_PSI_AVG10_CENTI_MIN)
                under_pressure = true;
        m->host_under_pressure = under_pressure;

        m->round++;
        m->in_round = true;
        m->round_under_pressure = under_pressure;
        m->waiting = 0;
        for (size_t i = 0; i < m->n_vms; i++) {
                BalloonVm *vm = m->vms[i];

                r = balloon_vm_request_stats(vm, m->round);
                if (r >= 0)
                        m->waiting++;
                else if (r == -EBUSY && !vm->warned_unanswered) {
                        log_warning("VM '%s': the VMM does not answer; skipping it.", vm->name);
                        vm->warned_unanswered = true;
                } else if (!IN_SET(r, -EBUSY, -EPERM, -EAGAIN))
                        log_debug_errno(r, "VM '%s': cannot ask for stats: %m", vm->name);
        }
        if (m->waiting == 0) {
                round_finish(m);
                return;
        }
        (void) sd_event_source_set_time_relative(m->deadline, BALLOON_MANAGER_STATS_TIMEOUT_USEC);
        (void) sd_event_source_set_enabled(m->deadline, SD_EVENT_ONESHOT);
}

static void on_vm_answered(BalloonVm *vm, void *userdata) {
        BalloonManager *m = userdata;

        if (!m->in_round || vm->answered_round != m->round || m->waiting == 0)
                return;
        if (--m->waiting == 0)
                round_finish(m);
}

static void on_vm_resized(BalloonVm *vm, void *userdata) {
        once_maybe_exit(userdata);
}

static int on_round_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        BalloonManager *m = userdata;

        if (m->in_round)
                round_finish(m);
        return 0;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        BalloonManager *m = userdata;

        round_start(m, false);
        (void) sd_event_source_set_time_relative(
                        s, m->options.once ? BALLOON_MANAGER_ONCE_RETRY_USEC
                                           : m->options.poll_interval_usec);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        return 0;
}

static int on_kick(sd_event_source *s, void *userdata) {
        BalloonManager *m = userdata;
        bool under_pressure = m->kick_under_pressure;

        m->kick_under_pressure = false;
        round_start(m, under_pressure);
        return 0;
}

static void pressure_seen(BalloonManager *m, const char *why) {
        log_debug("Host memory pressure (%s): evaluating now.", why);
        if (m->pressure_at_usec == 0)
                m->pressure_at_usec = now_usec();
        round_start(m, true);
}

static int on_psi(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        BalloonManager *m = userdata;

        if (revents & EPOLLERR) {
                log_warning("The PSI trigger went away; relying on the poll interval.");
                m->psi = sd_event_source_disable_unref(m->psi);
                m->psi_fd = safe_close(m->psi_fd);
                return 0;
        }
        pressure_seen(m, "PSI trigger");
        return 0;
}

static int on_meminfo_changed(
                sd_event_source *s, const struct inotify_event *event, void *userdata) {
        BalloonManager *m = userdata;
        _cleanup_(freep) char *copy = strdup(m->options.meminfo_path);

        if (!copy || event->len == 0 || !streq(event->name, basename(copy)))
                return 0;
        pressure_seen(m, "meminfo file changed");
        return 0;
}

static ssize_t find_vm(BalloonManager *m, const char *name) {
        for (size_t i = 0; i < m->n_vms; i++)
                if (streq(m->vms[i]->name, name))
                        return (ssize_t) i;
        return -1;
}

static void vm_gone(BalloonManager *m, const char *name) {
        ssize_t i = find_vm(m, name);
        BalloonVm *vm;

        if (i < 0)
                return;
        vm = m->vms[i];
        log_info("VM '%s' stopped.", name);
        if (m->in_round && vm->round == m->round && vm->answered_round != m->round &&
                        vm->outstanding > 0 && m->waiting > 0)
                m->waiting--;
        balloon_vm_free(vm);
        memmove(m->vms + i, m->vms + i + 1, (m->n_vms - (size_t) i - 1) * sizeof(BalloonVm *));
        m->n_vms--;
        if (m->in_round && m->waiting == 0)
                round_finish(m);
        publish(m);
}

static void vm_appeared(BalloonManager *m, const char *name, VmmKind vmm, const char *path) {
        const VmConfig *c = config_find_vm(m->config, name);
        BalloonVmSettings settings = {
                .crosvm_binary = m->options.crosvm_binary,
                /* Fresh guest stats for rounds between ticks (pressure) too. */
                .stats_interval_usec = MIN(m->options.poll_interval_usec, 1000000ULL),
                .crosvm_timeout_usec = BALLOON_MANAGER_STATS_TIMEOUT_USEC,
                .cb = on_vm_answered,
                .resized_cb = on_vm_resized,
                .userdata = m,
        };
        BalloonVm *vm;
        int r;

        if (find_vm(m, name) >= 0)
                return;
        if (m->n_vms >= BALLOON_VMS_MAX) {
                log_warning("VM '%s': more than %d VMs, not ballooning it.", name, BALLOON_VMS_MAX);
                return;
        }
        r = balloon_vm_new(m->event, name, vmm, path, c, &settings, &vm);
        if (r < 0) {
                log_error_errno(r, "VM '%s': cannot track it, ignoring: %m", name);
                return;
        }
        m->vms[m->n_vms++] = vm;
        if (!c)
                log_warning("VM '%s' is not in the configuration; not ballooning it.", name);
        else if (vm->passthrough)
                log_info("VM '%s' has PCI passthrough: its RAM is pinned and cannot be "
                         "ballooned; skipping it.",
                                name);
        else
                log_info("VM '%s' (%s, %" PRIu64 " MiB) found.", name, vmm_kind_to_string(vmm),
                                MIB(vm->memory_bytes));
        publish(m);
}

static void on_vm_socket(VmWatch *w, const char *name, VmmKind vmm, const char *path, int appeared,
                void *userdata) {
        if (appeared)
                vm_appeared(userdata, name, vmm, path);
        else
                vm_gone(userdata, name);
}

int balloon_manager_new(sd_event *e, Config *config, const BalloonManagerOptions *options,
                BalloonManager **ret) {
        BalloonManager *m = calloc(1, sizeof(BalloonManager));

        if (!m)
                return -ENOMEM;
        m->event = e;
        m->config = config;
        m->options = *options;
        m->psi_fd = -EBADF;
        m->policy = (BalloonConfig){
                .kind = options->policy,
                .critical_host_percent = config->balloond.critical_host_percent,
                .guest_available_bias_bytes = config->balloond.guest_available_bias_bytes,
        };
        *ret = m;
        return 0;
}

static int setup_pressure(BalloonManager *m) {
        _cleanup_(freep) char *dir = NULL;
        int r;

        if (m->options.psi_path) {
                r = host_pressure_trigger_open(m->options.psi_path, BALLOON_MANAGER_PSI_STALL_USEC,
                                BALLOON_MANAGER_PSI_WINDOW_USEC, &m->psi_fd);
                if (r < 0)
                        log_info_errno(r,
                                        "No PSI trigger on '%s' (%m); pressure is read each "
                                        "tick.",
                                        m->options.psi_path);
                else {
                        r = sd_event_add_io(m->event, &m->psi, m->psi_fd, EPOLLPRI, on_psi, m);
                        if (r < 0)
                                return r;
                        (void) sd_event_source_set_description(m->psi, "psi-trigger");
                }
        }
        if (!m->options.meminfo_watch)
                return 0;
        dir = strdup(m->options.meminfo_path);
        if (!dir)
                return -ENOMEM;
        r = sd_event_add_inotify(m->event, &m->meminfo_changed, dirname(dir),
                        IN_CLOSE_WRITE | IN_MOVED_TO, on_meminfo_changed, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->meminfo_changed, "meminfo-watch");
        return 0;
}

int balloon_manager_start(BalloonManager *m) {
        int r;

        r = sd_event_add_time_relative(m->event, &m->tick, CLOCK_MONOTONIC, 0, 0, on_tick, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(m->tick, "tick");
        r = sd_event_add_time_relative(m->event, &m->deadline, CLOCK_MONOTONIC,
                        BALLOON_MANAGER_STATS_TIMEOUT_USEC, 0, on_round_deadline, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_enabled(m->deadline, SD_EVENT_OFF);
        (void) sd_event_source_set_description(m->deadline, "stats-deadline");
        r = sd_event_add_defer(m->event, &m->kick, on_kick, m);
        if (r < 0)
                return r;
        (void) sd_event_source_set_enabled(m->kick, SD_EVENT_OFF);
        (void) sd_event_source_set_description(m->kick, "round-kick");
        r = setup_pressure(m);
        if (r < 0)
                return r;
        return vm_watch_new(m->event, m->options.runtime_dir, on_vm_socket, m, &m->watch);
}

BalloonManager *balloon_manager_free(BalloonManager *m) {
        if (!m)
                return NULL;
        m->watch = vm_watch_free(m->watch);
        for (size_t i = 0; i < m->n_vms; i++)
                balloon_vm_free(m->vms[i]);
        sd_event_source_disable_unref(m->tick);
        sd_event_source_disable_unref(m->deadline);
        sd_event_source_disable_unref(m->kick);
        sd_event_source_disable_unref(m->psi);
        sd_event_source_disable_unref(m->meminfo_changed);
        safe_close(m->psi_fd);
        config_free(m->config);
        free(m->last_status);
        free(m);
        return NULL;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm.c: one VM's life: start (dependencies, launch context and plan, sandboxed VMM), the agent
 * channel, graceful stop with escalation, crash detection, idle shutdown, waiters. The only
 * writer of vm->state. What differs between QEMU and crosvm is behind vm->ops (vmm.h); the
 * sockets are vm-listen.c, the status object vm-json.c. */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "client.h"
#include "companion.h"
#include "conn-limit.h"
#include "host-forward.h"
#include "launch-context.h"
#include "layout.h"
#include "log.h"
#include "net.h"
#include "relay.h"
#include "sandbox.h"
#include "shares.h"
#include "socket-util.h"
#include "string-util.h"
#include "strv.h"
#include "tap.h"
#include "time-util.h"
#include "tray-companion.h"
#include "vfio.h"
#include "vm-deps.h"
#include "vm-listen.h"
#include "vm-root.h"
#include "vm.h"
#include "vmm-log.h"
#include "vmm.h"

static const char *vm_name(const Vm *vm) {
        return vm->config->name;
}

void vm_set_failure(Vm *vm, const char *format, ...) {
        va_list ap;

        free(vm->failure_reason);
        va_start(ap, format);
        vm->failure_reason = vstrprintf(format, ap);
        va_end(ap);
}

static void vm_update_idle(Vm *vm);

static void vm_notify_waiters(Vm *vm) {
        VmWaiter *w = vm->waiters;

        /* A waiter may unlink or free itself (and only itself) from its callback. */
        while (w) {
                VmWaiter *next = w->next;
                w->on_state(w, vm);
                w = next;
        }
}

/* A running VM with its GPU on has its Wayland companions; any other state has none. Their
 * failure is logged and shown in status, never the VM's. */
static void vm_update_companions(Vm *vm) {
        bool wanted = vm->state == VM_RUNNING && vm->config->gpu.enabled;
        int r;

        if (!wanted) {
                vm->companions = companions_free(vm->companions);
                return;
        }
        if (vm->companions)
                return;
        r = companions_new(vm->manager, vm->manager->config, vm->config, &vm->companions);
        if (r < 0)
                log_error_errno(r, "VM '%s': no windows: cannot set up its Wayland companions: %m",
                                vm_name(vm));
}

/* Likewise the tray host half of a running VM with tray on (docs/tray.md). */
static void vm_update_tray(Vm *vm) {
        int r;

        if (vm->state != VM_RUNNING || !vm->config->tray) {
                vm->tray = tray_companion_free(vm->tray);
                return;
        }
        if (vm->tray)
                return;
        r = tray_companion_new(vm, &vm->tray);
        if (r < 0)
                log_error_errno(r, "VM '%s': no tray items: cannot set up its tray host half: %m",
                                vm_name(vm));
}

static void vm_set_state(Vm *vm, VmState s) {
        if (vm->state == s)
                return;
        if (!IN_SET(s, VM_STARTING, VM_STOPPING))
                vm->timer = sd_event_source_disable_unref(vm->timer);
        if (s == VM_RUNNING)
                vm->running_since_usec = now_usec();
        if (s == VM_STARTING)
                vm->failure_reason = mfree(vm->failure_reason);

        log_debug("VM '%s': %s -> %s", vm_name(vm), vm_state_to_string(vm->state),
                        vm_state_to_string(s));
        if (s == VM_RUNNING)
                log_info("VM '%s' is running.", vm_name(vm));
        else if (s == VM_STOPPED)
                log_info("VM '%s' stopped.", vm_name(vm));
        else if (s == VM_FAILED)
                log_warning("VM '%s' failed: %s", vm_name(vm), strna(vm->failure_reason));

        vm->state = s;
        vm_update_companions(vm);
        vm_update_tray(vm);
        vm_update_idle(vm);
        vm_notify_waiters(vm);
        if (!vm_state_has_vmm(s))
                manager_check_exit(vm->manager);
}

static void vm_handle_event(Vm *vm, VmEvent e) {
        VmState next = vm_state_next(vm->state, e);

        if (next >= 0)
                vm_set_state(vm, next);
}

/* ---- agent channel (host side of the guest protocol) ---- */

static void on_agent_hello(Mux *m, const FrameHello *peer, void *userdata) {
        Vm *vm = userdata;

        log_debug("VM '%s': agent HELLO, version %u.%u", vm_name(vm), peer->version_major,
                        peer->version_minor);
        vm_handle_event(vm, VM_EVENT_AGENT_READY);
}

static void on_agent_status(Mux *m, const FrameStatus *status, void *userdata) {
        Vm *vm = userdata;

        vm->live_sessions = status->live_sessions;
        vm_update_idle(vm);
}

/* Guest-opened ids (bit 31) are host-forward.c streams; the others are vm-run relays we opened. */
static bool id_is_guest_opened(uint32_t id) {
        return id & STREAM_ID_GUEST_BIT;
}

static void on_agent_open(Mux *m, uint32_t id, const FrameOpen *req, void *userdata) {
        /* The mux let through only FORWARD streams with GUEST_FORWARD in use. */
        host_forward_on_open(userdata, id, req);
}

static void on_agent_accept(Mux *m, uint32_t id, void *stream_userdata) {
        relay_on_guest_accept(stream_userdata);
}

static void on_agent_data(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd,
                const uint8_t *data, size_t len) {
        if (id_is_guest_opened(id))
                host_forward_on_data(stream_userdata, data, len);
        else
                relay_on_guest_data(stream_userdata, fd, data, len);
}

static void on_agent_eof(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd) {
        if (id_is_guest_opened(id))
                host_forward_on_eof(stream_userdata);
        else
                relay_on_guest_eof(stream_userdata, fd);
}

static void on_agent_writable(Mux *m, uint32_t id, void *stream_userdata, size_t window) {
        if (id_is_guest_opened(id))
                host_forward_on_writable(stream_userdata);
        else
                relay_on_guest_writable(stream_userdata, window);
}

static void on_agent_exit(Mux *m, uint32_t id, void *stream_userdata, const FrameExit *exit) {
        relay_on_guest_exit(stream_userdata, exit);
}

static void on_agent_close(
                Mux *m, uint32_t id, void *stream_userdata, int error, const char *reason) {
        if (id_is_guest_opened(id))
                host_forward_on_close(stream_userdata);
        else
                relay_on_guest_close(stream_userdata, error, reason);
}

static void on_agent_channel_error(Mux *m, int error, const char *reason, void *userdata) {
        Vm *vm = userdata;

        log_warning_errno(error, "VM '%s': guest channel broken: %s", vm_name(vm), reason);
        /* Frames carry no resynchronisation marker and the port cannot be reopened, so the VM
         * is unusable until it restarts; and a guest that breaks framing is broken or hostile.
         * Either way it gets no graceful power-off: the VMM is killed and the VM fails with
         * this reason (a later vm-run boots it again, within the restart limit). */
        if (!IN_SET(vm->state, VM_STARTING, VM_RUNNING) || !vm->child)
                return;
        vm_set_failure(vm, "the guest broke the channel protocol (%s); its VMM was killed", reason);
        (void) sd_event_source_send_child_signal(vm->child, SIGKILL, NULL, 0);
}

static void on_agent_disconnect(Channel *ch, int error, const char *reason, void *userdata) {
        Vm *vm = userdata;

        /* The VMM closed its end: it is exiting. Sessions end now; the exit itself is handled
         * when the child event arrives. */
        log_debug("VM '%s': guest channel closed: %s", vm_name(vm), reason);
        vm->agent_lost = true;
        (void) mux_reset(channel_get_mux(ch));
}

int vm_open_agent(Vm *vm, int fd) {
        MuxConfig config = {
                .role = MUX_ROLE_HOST,
                .capabilities = PROTOCOL_CAPABILITIES | PROTOCOL_CAP_GUEST_FORWARD,
                .userdata = vm,
                .callbacks = {
                        .on_hello = on_agent_hello,
                        .on_status = on_agent_status,
                        .on_open = on_agent_open,
                        .on_accept = on_agent_accept,
                        .on_data = on_agent_data,
                        .on_eof = on_agent_eof,
                        .on_writable = on_agent_writable,
                        .on_exit = on_agent_exit,
                        .on_close = on_agent_close,
                        .on_channel_error = on_agent_channel_error,
                },
        };
        int r;

        r = channel_new(vm->manager->event, fd, &config, "agent", &vm->agent);
        if (r < 0)
                return r;
        vm->agent_lost = false;
        channel_set_disconnect_handler(vm->agent, on_agent_disconnect, vm);
        return 0;
}

/* ---- idle shutdown ---- */

static int on_idle_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Vm *vm = userdata;

        log_info("VM '%s' has been idle for %" PRIu64 " s, shutting it down.", vm_name(vm),
                        vm->config->auto_shutdown_after_sec);
        vm->idle_timer = sd_event_source_disable_unref(vm->idle_timer);
        vm_stop(vm);
        return 0;
}

static void vm_update_idle(Vm *vm) {
        bool idle = vm->state == VM_RUNNING && vm->config->auto_shutdown &&
                    vm->live_sessions == 0 && vm->n_relays == 0 && !vm->manager->exiting;
        int r;

        if (!idle) {
                vm->idle_timer = sd_event_source_disable_unref(vm->idle_timer);
                return;
        }
        if (vm->idle_timer)
                return;
        r = sd_event_add_time_relative(vm->manager->event, &vm->idle_timer, CLOCK_MONOTONIC,
                        vm->config->auto_shutdown_after_sec * 1000000ULL, 0, on_idle_timer, vm);
        if (r < 0)
                log_warning_errno(
                                r, "VM '%s': cannot arm the idle timer, ignoring: %m", vm_name(vm));
        else
                (void) sd_event_source_set_description(vm->idle_timer, "idle");
}

void vm_relay_added(Vm *vm, Relay *relay) {
        relay->vm_next = vm->relays;
        vm->relays = relay;
        vm->n_relays++;
        vm_update_idle(vm);
}

void vm_relay_removed(Vm *vm, Relay *relay) {
        Relay **p;

        for (p = &vm->relays; *p && *p != relay; p = &(*p)->vm_next)
                ;
        if (!*p)
                return;
        *p = relay->vm_next;
        vm->n_relays--;
        vm_update_idle(vm);
}

/* ---- the VMM process ---- */

/* ---- PCI passthrough (vfio.h) ---- */

bool vm_uses_pci_device(const Vm *vm, const char *address) {
        return strv_contains(vm->vfio_devices, address);
}

static void vm_release_vfio(Vm *vm) {
        Manager *m = vm->manager;

        for (size_t i = 0; i < vm->n_vfio_grants; i++)
                vfio_revoke(&vm->vfio_grants[i]);
        vm->vfio_grants = mfree(vm->vfio_grants);
        vm->n_vfio_grants = 0;
        vm->vfio_devices = strv_free(vm->vfio_devices);
        if (vm->vfio_container && --m->vfio_container_users == 0)
                vfio_revoke(&m->vfio_container);
        vm->vfio_container = false;
}

/* The VM whose VMM holds /dev/vfio/<node>, if any: a group goes to one container only. */
static const Vm *vfio_node_holder_in(Vm *const *vms, size_t n, const char *node) {
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < vms[i]->n_vfio_grants; j++)
                        if (streq(vms[i]->vfio_grants[j].node, node))
                                return vms[i];
        return NULL;
}

static const Vm *vfio_node_holder(const Manager *m, const char *node) {
        return vfio_node_holder_in(m->vms, m->n_vms, node)
                               ?: vfio_node_holder_in(m->retired, m->n_retired, node);
}

static int vm_grant_group(Vm *vm, unsigned group) {
        Manager *m = vm->manager;
        const Vm *holder;
        char node[16];
        int r;

        (void) snprintf(node, sizeof(node), "%u", group);
        holder = vfio_node_holder(m, node);
        if (holder) {
                vm_set_failure(vm, "IOMMU group %s is in use by VM '%s'", node, vm_name(holder));
                return -EBUSY;
        }
        r = vfio_grant(m->options.sys_root, node, m->user_uid, m->user_gid,
                        &vm->vfio_grants[vm->n_vfio_grants]);
        if (r < 0) {
                vm_set_failure(vm, "cannot give /dev/vfio/%s to the VM user: %s", node,
                                strerror(-r));
                return r;
        }
        vm->n_vfio_grants++;
        return 0;
}

/* Checks that every device is isolated and every IOMMU group viable, then gives the VM user the
 * container and each group's node until vm_release_vfio() (the VMM opens them by name). */
static int vm_acquire_vfio(Vm *vm) {
        _cleanup_(freep) unsigned *groups = NULL;
        _cleanup_(freep) char *why = NULL;
        Manager *m = vm->manager;
        size_t n = 0;
        int r;

        if (vm->config->n_pci_devices == 0)
                return 0;
        r = vfio_check_vm(m->options.sys_root, vm->config, m->pci_failures, &groups, &n, &why);
        if (r < 0) {
                vm_set_failure(vm, "%s", why ?: strerror(-r));
                return r;
        }
        if (m->vfio_container_users == 0) {
                r = vfio_grant(m->options.sys_root, "vfio", m->user_uid, m->user_gid,
                                &m->vfio_container);
                if (r < 0) {
                        vm_set_failure(vm, "cannot give /dev/vfio/vfio to the VM user: %s",
                                        strerror(-r));
                        return r;
                }
        }
        m->vfio_container_users++;
        vm->vfio_container = true;
        for (size_t i = 0; r >= 0 && i < vm->config->n_pci_devices; i++)
                r = strv_extend(&vm->vfio_devices, vm->config->pci_devices[i].address);
        vm->vfio_grants = calloc(n, sizeof(VfioGrant));
        if (r >= 0 && !vm->vfio_grants)
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = vm_grant_group(vm, groups[i]);
        if (r < 0) {
                if (r == -ENOMEM)
                        vm_set_failure(vm, "out of memory");
                vm_release_vfio(vm);
        }
        return r;
}

static void vm_release_vmm(Vm *vm) {
        vm->child = sd_event_source_disable_unref(vm->child);
        vm->pid = 0;
        if (vm->agent) {
                /* Every open session hears that the VM is gone before the channel goes. */
                (void) mux_reset(channel_get_mux(vm->agent));
                vm->agent = channel_free(vm->agent);
        }
        if (vm->ops)
                vm->ops->release(vm);
        vm->log = vmm_log_free(vm->log);
        vm_release_vfio(vm);
        vm_root_release(vm->config, vm->manager->options.state_dir);
        console_detach_vmm(vm->console);
        vm->live_sessions = 0;
        vm->stop_step = 0;
}

static int on_vmm_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Vm *vm = userdata;

        /* A VMM killed after a failed start, or for breaking the protocol, keeps that reason
         * (entering VM_STARTING cleared any older one). */
        if (IN_SET(vm->state, VM_STARTING, VM_RUNNING) && !vm->failure_reason) {
                if (si->si_code == CLD_EXITED)
                        vm_set_failure(vm, "the VMM exited with status %d (see %s)", si->si_status,
                                        vm->log ? vmm_log_where(vm->log) : "its log");
                else
                        vm_set_failure(vm, "the VMM was killed by signal %s",
                                        strsignal(si->si_status));
        }
        vm_release_vmm(vm);
        vm_handle_event(vm, VM_EVENT_VMM_EXITED);
        return 0;
}

/* The launch context (launch-context.h) with the root disks of this start (vm-root.h: the built
 * image pinned to its canonical path), after checking the boot files exist. */
static int vm_build_plan(Vm *vm, LaunchPlan **ret) {
        _cleanup_(launch_paths_finish) LaunchPaths paths = {};
        _cleanup_(vm_root_finish) VmRoot root = {};
        _cleanup_(freep) char *why = NULL;
        Manager *m = vm->manager;
        LaunchSetup setup = {
                .vmm = vm->ops->kind,
                .state_dir = m->options.state_dir,
                .runtime_dir = m->options.runtime_dir,
        };
        LaunchContext ctx;
        int r;

        r = vm->ops->prepare(vm, &setup);
        if (r < 0)
                return r;
        r = launch_context_build(vm->config, &setup, &paths, &ctx);
        if (r < 0) {
                vm_set_failure(vm, "out of memory");
                return r;
        }
        if (access(ctx.kernel, R_OK) < 0 || (ctx.initramfs && access(ctx.initramfs, R_OK) < 0)) {
                r = -errno;
                vm_set_failure(vm,
                                "guest kernel or initramfs missing (%s); run 'vmsilo image "
                                "build' or set nixosVms.kernel",
                                strerror(-r));
                return r;
        }
        r = vm_root_prepare(vm->config, m->options.state_dir, &root, &why);
        if (r < 0) {
                vm_set_failure(vm, "%s", why ?: strerror(-r));
                return r;
        }
        ctx.built_root_disk = root.built_root_disk;
        ctx.overlay_disk = root.overlay_disk;
        r = vm->ops->plan(m->config, vm->config, &ctx, ret);
        if (r < 0)
                vm_set_failure(vm, "cannot build the launch plan: %s", strerror(-r));
        return r;
}

/* The VMM's output (vmm-log.h): a journal stream, or <runtime>/<name>.log; *ret_fd is its end. */
static int vm_open_log(Vm *vm, int *ret_fd) {
        _cleanup_(freep) char *path = NULL, *identifier = NULL;

        path = layout_runtime_file(
                        vm->manager->options.runtime_dir, vm_name(vm), LAYOUT_VMM_LOG_SUFFIX);
        if (!path)
                return -ENOMEM;
        /* Where vmsilod logs to the journal, so does its VMM, under an identifier of its own. */
        if (log_stderr_is_journal() && asprintf(&identifier, "vmsilo-vmm-%s", vm_name(vm)) < 0)
                return -ENOMEM;
        vm->log = vmm_log_free(vm->log); /* from a start that failed before the VMM ran */
        return vmm_log_new(
                        vm->manager->event, path, identifier, VMM_LOG_MAX_BYTES, &vm->log, ret_fd);
}

/* The daemon's ends go to ret_ours, the VMM's to ret_theirs. */
static int socketpairs(int n, int *ret_ours, int *ret_theirs) {
        for (int i = 0; i < n; i++) {
                int pair[2];

                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                        for (int j = 0; j < i; j++) {
                                safe_close(ret_ours[j]);
                                safe_close(ret_theirs[j]);
                        }
                        return -errno;
                }
                ret_ours[i] = pair[0];
                ret_theirs[i] = pair[1];
        }
        return 0;
}

static void close_all(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                fds[i] = safe_close(fds[i]);
}

static int vm_attach_ends(Vm *vm, int *ours) {
        int r;

        r = vm->ops->attach(vm, ours);
        if (r < 0)
                return r;
        r = console_attach_vmm(vm->console, ours[VMM_PAIR_CONSOLE]);
        if (r < 0)
                return r;
        ours[VMM_PAIR_CONSOLE] = -EBADF;
        return 0;
}

static int on_start_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Vm *vm = userdata;

        vm_set_failure(vm, "the guest agent did not answer within %" PRIu64 " s",
                        vm->manager->options.start_timeout_usec / 1000000);
        vm->timer = sd_event_source_disable_unref(vm->timer);
        if (vm->child)
                (void) sd_event_source_send_child_signal(vm->child, SIGKILL, NULL, 0);
        vm_handle_event(vm, VM_EVENT_START_FAILED);
        return 0;
}

static int vm_spawn(Vm *vm) {
        _cleanup_(plan_freep) LaunchPlan *plan = NULL;
        _cleanup_(closep) int output = -EBADF, extra = -EBADF;
        int *taps = NULL;
        size_t n_taps = 0;
        int ours[_VMM_PAIR_MAX] = { -EBADF, -EBADF, -EBADF };
        int theirs[_VMM_PAIR_MAX] = { -EBADF, -EBADF, -EBADF };
        Manager *m = vm->manager;
        SandboxFds fds = { .balloon_qmp = -EBADF, .input = -EBADF };
        pid_t pid;
        int r;

        r = vm_acquire_vfio(vm);
        if (r < 0)
                return r;
        /* Where the VM's host companions listen; a failure costs only guest-opened streams. */
        r = host_forward_prepare_dir(vm);
        if (r < 0)
                log_warning_errno(r, "VM '%s': cannot make its host service directory: %m",
                                vm_name(vm));
        r = vm_build_plan(vm, &plan);
        if (r < 0)
                return r;
        r = vfio_sandbox_paths(
                        m->options.sys_root, vm->config, vm->vfio_grants, vm->n_vfio_grants, plan);
        if (r < 0) {
                vm_set_failure(vm, "cannot show the VMM its PCI devices: %s", strerror(-r));
                return r;
        }
        r = vm_open_log(vm, &output);
        if (r < 0) {
                vm_set_failure(vm, "cannot create the VMM log: %s", strerror(-r));
                return r;
        }
        if (vm->ops->open_fds) {
                r = vm->ops->open_fds(vm, &fds);
                if (r < 0)
                        return r;
                extra = fds.balloon_qmp; /* closed on return: the VMM has its copy */
        }
        /* net.c: the persistent TAPs exist since daemon start; each VMM gets fresh queues. */
        r = tap_open_vm(vm->config, &taps, &n_taps);
        if (r < 0) {
                vm_set_failure(vm, "cannot open its TAP interfaces: %s", strerror(-r));
                return r;
        }
        r = socketpairs(_VMM_PAIR_MAX, ours, theirs);
        if (r < 0) {
                tap_close_all(taps, n_taps);
                vm_set_failure(vm, "cannot create sockets: %s", strerror(-r));
                return r;
        }

        fds.qmp = theirs[VMM_PAIR_QMP];
        fds.agent = theirs[VMM_PAIR_AGENT];
        fds.console = theirs[VMM_PAIR_CONSOLE];
        fds.taps = taps;
        fds.n_taps = n_taps;
        fds.output = output;
        r = sandbox_spawn(plan, &fds, m->user_uid, m->user_gid, &pid);
        close_all(theirs, _VMM_PAIR_MAX);
        tap_close_all(taps, n_taps);
        if (r < 0) {
                close_all(ours, _VMM_PAIR_MAX);
                vm_set_failure(vm, "cannot start the VMM: %s", strerror(-r));
                return r;
        }
        vm->pid = pid;
        log_info("VM '%s': started %s as pid %d.", vm_name(vm), plan->argv[0], (int) pid);

        r = sd_event_add_child(m->event, &vm->child, pid, WEXITED, on_vmm_exit, vm);
        if (r >= 0)
                r = vm_attach_ends(vm, ours);
        if (r >= 0)
                r = sd_event_add_time_relative(m->event, &vm->timer, CLOCK_MONOTONIC,
                                m->options.start_timeout_usec, 0, on_start_timeout, vm);
        if (r < 0) {
                close_all(ours, _VMM_PAIR_MAX);
                (void) kill(pid, SIGKILL);
                if (!vm->child)
                        (void) waitpid(pid, NULL, 0);
                vm_release_vmm(vm);
                vm_set_failure(vm, "cannot watch the VMM: %s", strerror(-r));
                return r;
        }
        return 0;
}

static bool vm_start_allowed(Vm *vm, uint64_t now) {
        size_t kept = 0;

        for (size_t i = 0; i < vm->n_start_times; i++)
                if (now - vm->start_times_usec[i] < VM_RESTART_WINDOW_USEC)
                        vm->start_times_usec[kept++] = vm->start_times_usec[i];
        vm->n_start_times = kept;
        if (kept >= VM_RESTARTS_MAX)
                return false;
        vm->start_times_usec[vm->n_start_times++] = now;
        return true;
}

static void vm_start_dependencies(Vm *vm) {
        _cleanup_(strv_freep) char **order = NULL;
        int r;

        r = vm_deps_start_order(vm->manager->config, vm_name(vm), &order);
        if (r < 0) {
                log_warning_errno(
                                r, "VM '%s': cannot order dependencies, ignoring: %m", vm_name(vm));
                return;
        }
        STRV_FOREACH(name, order) {
                Vm *dep = manager_find_vm(vm->manager, *name);
                if (!dep || dep == vm || IN_SET(dep->state, VM_STARTING, VM_RUNNING))
                        continue;
                log_info("VM '%s': starting dependency '%s'.", vm_name(vm), *name);
                if (vm_start(dep) < 0)
                        log_warning("VM '%s': dependency '%s' failed to start, ignoring: %s",
                                        vm_name(vm), *name, strna(dep->failure_reason));
        }
}

static void vm_fail_start(Vm *vm) {
        vm->ops->release(vm);
        vm_release_vfio(vm);
        vm_root_release(vm->config, vm->manager->options.state_dir);
        log_error("VM '%s' cannot start: %s", vm_name(vm), strna(vm->failure_reason));
        vm_handle_event(vm, VM_EVENT_START_FAILED);
}

/* Runs in the prepare helper, as root: the shared home (its template copied by a grandchild
 * as the user), the guest owner of shared directories, the overlay disk. */
static int vm_prepare_child(void *userdata) {
        _cleanup_(freep) char *why = NULL;
        Vm *vm = userdata;
        Manager *m = vm->manager;
        VmRootTools tools = { .mkfs_ext4 = m->options.mkfs_ext4, .qemu_img = m->options.qemu_img };
        int r;

        r = shares_prepare(vm->config, vm->ops->shares_mapped_xattr, m->options.state_dir,
                        m->user_uid, m->user_gid);
        if (r < 0 || !rootfs_vm_needs_overlay_disk(vm->config))
                return r;
        r = vm_root_make_overlay(
                        vm->config, m->options.state_dir, &tools, m->user_uid, m->user_gid, &why);
        if (r < 0)
                log_error("VM '%s': %s", vm_name(vm), why ?: strerror(-r));
        return r;
}

static void on_prepare_done(Helper *h, int result, void *userdata) {
        Vm *vm = userdata;

        vm->prepare = helper_free(vm->prepare);
        if (vm->state != VM_STARTING)
                return;
        if (result == -ETIME)
                vm_set_failure(vm,
                                "preparing its shared home and disks took more than %" PRIu64
                                " s; stopped",
                                vm->manager->options.helper_timeout_usec / 1000000);
        else if (result < 0)
                vm_set_failure(vm, "cannot prepare its shared home, shared directories or "
                                   "overlay disk (the daemon log says why)");
        if (result < 0 || vm_spawn(vm) < 0)
                vm_fail_start(vm);
}

/* What must exist before the VMM starts is made by a helper child, so that nothing the user
 * does to the copy (a SIGSTOP, a FUSE mount that never answers) and no stuck tool can stall
 * vmsilod: the VM stays "starting" meanwhile, and the start goes on in on_prepare_done(). */
static bool vm_needs_prepare(const Vm *vm) {
        const VmConfig *c = vm->config;

        return c->shared_home_path || c->n_shared_directories > 0 ||
               rootfs_vm_needs_overlay_disk(c);
}

/* The start after the checks: the preparation, else the VMM. */
static int vm_start_continue(Vm *vm) {
        Manager *m = vm->manager;
        char what[128];
        int r;

        if (vm_needs_prepare(vm)) {
                (void) snprintf(what, sizeof(what), "VM '%s': the start's preparation",
                                vm_name(vm));
                r = helper_fork(m->event, what, vm_prepare_child, m->options.helper_timeout_usec,
                                on_prepare_done, vm, &vm->prepare);
                if (r < 0)
                        vm_set_failure(vm, "cannot fork: %s", strerror(-r));
        } else
                r = vm_spawn(vm);
        if (r < 0) {
                vm_fail_start(vm);
                return r;
        }
        return 0;
}

void vm_default_image_done(Vm *vm, int result) {
        if (!vm->awaits_image)
                return;
        vm->awaits_image = false;
        if (vm->state != VM_STARTING)
                return;
        if (result < 0) {
                vm_set_failure(vm, "the default guest image could not be built (vmsilod's log "
                                   "says why)");
                vm_fail_start(vm);
                return;
        }
        (void) vm_start_continue(vm);
}

int vm_start(Vm *vm) {
        Manager *m = vm->manager;

        if (IN_SET(vm->state, VM_STARTING, VM_RUNNING))
                return 0;
        if (vm->state == VM_STOPPING) {
                vm_set_failure(vm, "it is stopping; try again when it has stopped");
                return -EBUSY;
        }
        /* A VMM killed at the start timeout or for breaking the protocol is not reaped yet: its
         * exit would release the resources of the next start. */
        if (vm->child) {
                vm_set_failure(vm, "its last VMM is still exiting; try again in a moment");
                return -EBUSY;
        }
        if (vm->manager->exiting) {
                vm_set_failure(vm, "vmsilod is shutting down");
                return -ESHUTDOWN;
        }
        if (!vm_start_allowed(vm, now_usec())) {
                vm_set_failure(vm,
                                "started %d times within %" PRIu64 " s; refusing to restart it so "
                                "soon (see 'vm-start-debug %s')",
                                VM_RESTARTS_MAX, VM_RESTART_WINDOW_USEC / 1000000, vm_name(vm));
                return -EAGAIN;
        }
        if (!vm->config->kernel && m->image_build_failed) {
                vm_set_failure(vm, "the default guest image could not be built; fix what "
                                   "vmsilod's log says, then run 'vmsilo reload'");
                return -EIO;
        }

        vm_start_dependencies(vm);
        vm_handle_event(vm, VM_EVENT_START);
        /* A VMM killed after a failed start may not be reaped yet: each start begins without
         * the backend state of the one before (and it is the old ops' to free). */
        if (vm->ops)
                vm->ops->release(vm);
        vm->ops = vmm_ops(config_vm_vmm(m->config, vm->config, m->crosvm_available));
        if (!vm->config->kernel && m->image_build) {
                log_info("VM '%s' starts once the default guest image is built.", vm_name(vm));
                vm->awaits_image = true;
                return 0;
        }
        return vm_start_continue(vm);
}

/* ---- stopping ---- */

static int on_stop_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void vm_stop_step(Vm *vm) {
        Manager *m = vm->manager;
        int r;

        switch (vm->stop_step) {
        case 0:
                if (vm->agent && mux_is_ready(channel_get_mux(vm->agent)) &&
                                mux_send_power(channel_get_mux(vm->agent), POWER_POWEROFF) >= 0) {
                        log_debug("VM '%s': asked the agent to power off.", vm_name(vm));
                        break;
                }
                vm->stop_step++;
                _fallthrough_;
        case 1:
                if (vm->ops->request_stop(vm) >= 0) {
                        log_debug("VM '%s': asked the VMM to quit.", vm_name(vm));
                        break;
                }
                vm->stop_step++;
                _fallthrough_;
        default:
                log_warning("VM '%s' did not stop in time, killing it.", vm_name(vm));
                if (vm->child)
                        (void) sd_event_source_send_child_signal(vm->child, SIGKILL, NULL, 0);
                break;
        }

        vm->timer = sd_event_source_disable_unref(vm->timer);
        r = sd_event_add_time_relative(m->event, &vm->timer, CLOCK_MONOTONIC,
                        m->options.stop_timeout_usec / 2, 0, on_stop_timer, vm);
        if (r < 0)
                log_warning_errno(
                                r, "VM '%s': cannot arm the stop timer, ignoring: %m", vm_name(vm));
}

static int on_stop_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Vm *vm = userdata;

        vm->stop_step++;
        vm_stop_step(vm);
        return 0;
}

void vm_stop(Vm *vm) {
        if (!IN_SET(vm->state, VM_STARTING, VM_RUNNING)) {
                vm_handle_event(vm, VM_EVENT_STOP);
                return;
        }
        if (vm->prepare || vm->awaits_image) {
                /* No VMM yet: stopping is killing the preparation, or no longer waiting. */
                log_info("Stopping VM '%s' before its VMM started.", vm_name(vm));
                vm->prepare = helper_free(vm->prepare);
                vm->awaits_image = false;
                vm_root_release(vm->config, vm->manager->options.state_dir);
                vm_handle_event(vm, VM_EVENT_STOP);
                vm_handle_event(vm, VM_EVENT_VMM_EXITED);
                return;
        }
        log_info("Stopping VM '%s'.", vm_name(vm));
        vm->stop_step = 0;
        vm_handle_event(vm, VM_EVENT_STOP);
        vm_stop_step(vm);
}

/* ---- reload ---- */

void vm_retire(Vm *vm) {
        log_info("VM '%s' is no longer configured; stopping it.", vm_name(vm));
        vm_unlisten(vm);
        /* Their sessions end with the VM; none may start it again. */
        while (vm->clients)
                client_free(vm->clients);
        vm_stop(vm);
}

void vm_set_config(Vm *vm, const Config *c, size_t index) {
        vm->index = index;
        vm->config = &c->vms[index];
        vm_update_idle(vm);
}

/* ---- waiters, lifetime ---- */

void vm_add_waiter(Vm *vm, VmWaiter *w) {
        w->vm = vm;
        w->next = vm->waiters;
        vm->waiters = w;
}

void vm_remove_waiter(VmWaiter *w) {
        VmWaiter **p;

        if (!w->vm)
                return;
        for (p = &w->vm->waiters; *p && *p != w; p = &(*p)->next)
                ;
        if (*p)
                *p = w->next;
        w->vm = NULL;
        w->next = NULL;
}

int vm_new(Manager *m, const Config *c, size_t index, Vm **ret) {
        _cleanup_(vm_freep) Vm *vm = NULL;
        int r;

        vm = calloc(1, sizeof(Vm));
        if (!vm)
                return -ENOMEM;
        vm->manager = m;
        vm->index = index;
        vm->config = &c->vms[index];
        vm->state = VM_STOPPED;
        conn_limit_init(&vm->clients_limit, VM_CLIENTS_MAX, VM_CLIENTS_PER_UID_MAX);
        conn_limit_init(&vm->refused_limit, VM_REFUSED_CLIENTS_MAX, VM_REFUSED_CLIENTS_MAX);
        r = console_new(m->event, vm->config->name, &vm->console);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(vm);
        return 0;
}

Vm *vm_free(Vm *vm) {
        if (!vm)
                return NULL;
        while (vm->clients)
                client_free(vm->clients);
        while (vm->waiters) {
                /* Tell each waiter the VM is going away, as a final "stopped". */
                VmWaiter *w = vm->waiters;
                vm->state = VM_STOPPED;
                w->on_state(w, vm);
                if (vm->waiters == w)
                        vm_remove_waiter(w);
        }
        vm->prepare = helper_free(vm->prepare);
        if (vm->pid > 0)
                (void) kill(vm->pid, SIGKILL);
        vm_release_vmm(vm);
        vm->timer = sd_event_source_disable_unref(vm->timer);
        vm->idle_timer = sd_event_source_disable_unref(vm->idle_timer);
        vm->companions = companions_free(vm->companions);
        vm->tray = tray_companion_free(vm->tray);
        vm_unlisten(vm);
        conn_limit_finish(&vm->clients_limit);
        conn_limit_finish(&vm->refused_limit);
        console_free(vm->console);
        free(vm->failure_reason);
        free(vm);
        return NULL;
}

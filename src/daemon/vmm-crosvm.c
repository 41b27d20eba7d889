/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmm-crosvm.c: the crosvm backend. Its files live in a per-VM directory the VM user owns
 * (crosvm creates its control socket itself), the agent is reached over vsock (CID per VM)
 * instead of an inherited virtio-serial socket, and a stop is `crosvm stop`, crosvm's documented
 * control command (its socket protocol is internal to crosvm). */
#include <linux/vm_sockets.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crosvm-plan.h"
#include "helper.h"
#include "layout.h"
#include "log.h"
#include "socket-util.h"
#include "time-util.h"
#include "vm.h"
#include "vmm.h"

/* The agent link's host end binds a vsock port in this range: Linux lets only a process with
 * CAP_NET_BIND_SERVICE bind a port up to 1023, so the agent knows the link comes from root on
 * the host (docs/protocol.md, "Who may connect"). One port per live link, so at most 512 crosvm
 * VMs at once. */
#define CROSVM_AGENT_SOURCE_PORT_MAX 1023u
#define CROSVM_AGENT_SOURCE_PORT_MIN 512u
/* Connect attempts while the guest boots; the start timeout bounds them. */
#define CROSVM_AGENT_RETRY_USEC (200 * USEC_PER_MSEC)

/* vm->backend, from prepare to release. */
typedef struct CrosvmVm {
        char *dir;                    /* <runtime_dir>/<name>.vmm: the control socket's */
        uint32_t guest_cid;           /* the vsock CID of the running guest */
        sd_event_source *agent_retry; /* vsock connect attempts while the guest boots */
        Helper *stop_helper;          /* the `crosvm stop` child */
} CrosvmVm;

/* "<runtime_dir>/<name>.vmm": created 0700 and owned by the VM user if missing. */
static int crosvm_prepare(Vm *vm, LaunchSetup *setup) {
        Manager *m = vm->manager;
        _cleanup_(freep) char *dir = NULL;
        CrosvmVm *c;
        int r = 0;

        c = vm->backend = calloc(1, sizeof(CrosvmVm));
        if (!c) {
                vm_set_failure(vm, "out of memory");
                return -ENOMEM;
        }
        dir = layout_runtime_file(m->options.runtime_dir, vm->config->name, LAYOUT_VMM_DIR_SUFFIX);
        if (!dir)
                r = -ENOMEM;
        else if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                r = -errno;
        else if (chown(dir, m->user_uid, m->user_gid) < 0)
                r = -errno;
        if (r < 0) {
                vm_set_failure(vm, "cannot create crosvm's directory: %s", strerror(-r));
                return r;
        }
        c->dir = TAKE_PTR(dir);
        /* Fixed for this run, as the plan's --vsock cid: a reload may move the VM later. */
        c->guest_cid = crosvm_plan_guest_cid(vm->index);
        /* Root starts it: from the build's absolute path, never through $PATH. */
        setup->binary = m->options.crosvm;
        return 0;
}

/* One non-blocking connect attempt to the agent: 0 with a connected fd, -errno otherwise
 * (-ECONNREFUSED/-ECONNRESET/-ENODEV while the guest boots: try again). */
static int crosvm_connect_agent(unsigned cid, unsigned port, int *ret_fd) {
        struct sockaddr_vm sa = {
                .svm_family = AF_VSOCK,
                .svm_cid = cid,
                .svm_port = port,
        };
        _cleanup_(closep) int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int r;

        if (fd < 0)
                return -errno;
        /* The agent serves only a privileged source port: proof that we are root on the host. */
        r = socket_bind_vsock_port(fd, CROSVM_AGENT_SOURCE_PORT_MAX, CROSVM_AGENT_SOURCE_PORT_MIN);
        if (r < 0)
                return r;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int on_agent_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Vm *vm = userdata;
        CrosvmVm *c = vm->backend;
        int fd = -EBADF, r;

        r = crosvm_connect_agent(c->guest_cid, PLAN_AGENT_VSOCK_PORT, &fd);
        if (r >= 0) {
                c->agent_retry = sd_event_source_disable_unref(c->agent_retry);
                r = vm_open_agent(vm, fd);
                if (r < 0) {
                        safe_close(fd);
                        log_warning_errno(r, "VM '%s': cannot use the agent connection: %m",
                                        vm->config->name);
                }
                return 0;
        }
        /* The guest is still booting: the start timeout bounds the attempts. */
        (void) sd_event_source_set_time_relative(s, CROSVM_AGENT_RETRY_USEC);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        return 0;
}

/* The agent listens on vsock; we connect once the guest is up. */
static int crosvm_attach(Vm *vm, int *ours) {
        CrosvmVm *c = vm->backend;

        ours[VMM_PAIR_AGENT] = safe_close(ours[VMM_PAIR_AGENT]);
        ours[VMM_PAIR_QMP] = safe_close(ours[VMM_PAIR_QMP]);
        return sd_event_add_time_relative(vm->manager->event, &c->agent_retry, CLOCK_MONOTONIC,
                        CROSVM_AGENT_RETRY_USEC, 0, on_agent_retry, vm);
}

static void on_stop_done(Helper *h, int result, void *userdata) {
        Vm *vm = userdata;
        CrosvmVm *c = vm->backend;

        if (result < 0)
                log_warning("VM '%s': 'crosvm stop' failed.", vm->config->name);
        c->stop_helper = helper_free(c->stop_helper);
}

/* In the helper child: `<crosvm> stop <dir>/<name>-crosvm.socket` with a clean environment. */
static int crosvm_stop_child(void *userdata) {
        static char *const clean_env[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        Vm *vm = userdata;
        const CrosvmVm *c = vm->backend;
        _cleanup_(freep) char *socket_path =
                        layout_runtime_file(c->dir, vm->config->name, LAYOUT_CROSVM_SOCKET_SUFFIX);
        char *argv[] = { (char *) vm->manager->options.crosvm, (char *) "stop", socket_path, NULL };

        if (!socket_path)
                return -ENOMEM;
        execve(argv[0], argv, clean_env);
        return -errno;
}

/* In the background, within the stop step's time: the step after it kills the VMM anyway. */
static int crosvm_request_stop(Vm *vm) {
        CrosvmVm *c = vm->backend;
        char what[128];

        if (!c || !c->dir || c->stop_helper)
                return -EALREADY;
        (void) snprintf(what, sizeof(what), "VM '%s': 'crosvm stop'", vm->config->name);
        return helper_fork(vm->manager->event, what, crosvm_stop_child,
                        vm->manager->options.stop_timeout_usec / 2, on_stop_done, vm,
                        &c->stop_helper);
}

/* A `crosvm stop` still running is killed: the VMM it would stop is gone. */
static void crosvm_release(Vm *vm) {
        CrosvmVm *c = vm->backend;

        if (!c)
                return;
        sd_event_source_disable_unref(c->agent_retry);
        helper_free(c->stop_helper);
        free(c->dir);
        vm->backend = mfree(c);
}

const VmmOps vmm_crosvm_ops = {
        .kind = VMM_CROSVM,
        .shares_mapped_xattr = false,
        .prepare = crosvm_prepare,
        .plan = crosvm_plan_build,
        .attach = crosvm_attach,
        .request_stop = crosvm_request_stop,
        .release = crosvm_release,
};

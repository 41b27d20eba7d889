/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent.c: the host channel (connect, read, write, reconnect), mux callbacks, signals, STATUS.
 *
 * Reconnect policy: when the host end goes away (EOF or HUP on the port, a vsock connection
 * closing) or the host restarts (a new HELLO), every session's processes are killed: their
 * output has nowhere to go and the host has already reported "connection lost" to its clients.
 * The agent then waits for the host again (virtio: reopens the port every 500 ms until it is
 * connected; vsock: accepts the next connection) and starts over with HELLO. With --fd or
 * --stdio there is nothing to reconnect to, so the agent exits. A channel that breaks on bad
 * framing is reset (sessions killed, new HELLO) on virtio/--fd/--stdio and dropped on vsock. */
#include <errno.h>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "cgroup.h"
#include "exec-stream.h"
#include "fd-util.h"
#include "forward-listen.h"
#include "forward.h"
#include "log.h"
#include "session-env.h"
#include "strv.h"
#include "time-util.h"
#include "transport.h"

#define AGENT_READ_BYTES (64U * 1024U)
/* How long agent_free() waits for killed sessions to disappear before removing their cgroups. */
#define AGENT_EXIT_WAIT_USEC (2000ULL * 1000ULL)

void agent_touch(Agent *a) {
        a->status.last_activity_usec = now_usec();
}

bool agent_output_is_full(const Agent *a) {
        return mux_output_size(a->mux) > MUX_OUTPUT_HIGH_WATER;
}

static int timer_arm(int fd, uint64_t usec) {
        struct itimerspec its = {
                .it_value.tv_sec = (time_t) (usec / 1000000ULL),
                .it_value.tv_nsec = (long) (usec % 1000000ULL) * 1000L,
        };

        if (usec == 0)
                its.it_value.tv_nsec = 1; /* 0 would disarm */
        return timerfd_settime(fd, 0, &its, NULL) < 0 ? -errno : 0;
}

static void timer_drain(int fd) {
        uint64_t expirations;

        if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
                log_debug_errno(errno, "Cannot read timerfd, ignoring: %m");
}

/* ---- sessions ---- */

static void agent_kill_sessions(Agent *a) {
        for (ExecStream *s = a->execs; s; s = s->next)
                exec_stream_kill(s);
}

static void agent_reap_children(Agent *a) {
        int status;
        pid_t pid;

        /* As subreaper we also inherit every orphaned descendant: reap them all. */
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                ExecStream *next;
                for (ExecStream *s = a->execs; s; s = next) {
                        next = s->next;
                        if (exec_stream_on_reaped(s, pid, status))
                                break;
                }
        }
}

static void agent_check_sessions(Agent *a) {
        ExecStream *next;

        for (ExecStream *s = a->execs; s; s = next) {
                next = s->next;
                exec_stream_check_live(s);
        }
}

/* ---- channel ---- */

static void agent_channel_detach(Agent *a) {
        a->in_source = event_source_free(a->in_source);
        a->out_source = event_source_free(a->out_source);
        if (a->args->transport == TRANSPORT_STDIO) {
                a->in_fd = -EBADF; /* 0 and 1 stay open: children must never get them as pipes */
                a->out_fd = -EBADF;
                return;
        }
        a->in_fd = safe_close(a->in_fd);
        a->out_fd = safe_close(a->out_fd);
}

static int on_channel_in(EventSource *source, int fd, uint32_t revents, void *userdata);
static int on_channel_out(EventSource *source, int fd, uint32_t revents, void *userdata);

/* Takes in_fd and out_fd (closed on failure too, except for --stdio's 0 and 1). */
static int agent_channel_attach(Agent *a, int in_fd, int out_fd) {
        int r;

        a->in_fd = in_fd;
        a->out_fd = out_fd;
        r = fd_set_nonblock(in_fd);
        if (r >= 0)
                r = fd_set_nonblock(out_fd);
        if (r >= 0)
                r = event_loop_add_io(a->loop, in_fd, EPOLLIN, on_channel_in, a, &a->in_source);
        if (r >= 0)
                r = event_loop_add_io(a->loop, out_fd, 0, on_channel_out, a, &a->out_source);
        if (r < 0) {
                agent_channel_detach(a);
                return r;
        }
        agent_status_reset_connection(&a->status);
        log_info("Connected to the host over %s.", transport_kind_to_string(a->args->transport));
        return 0;
}

static int agent_attach_fd(Agent *a, int fd) {
        int out_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);

        if (out_fd < 0) {
                int r = -errno;
                (void) close(fd);
                return r;
        }
        return agent_channel_attach(a, fd, out_fd);
}

static void agent_virtio_connect(Agent *a) {
        int fd, r;

        r = transport_virtio_open(a->args->virtio_sysfs_dir, a->args->virtio_dev_dir,
                        a->args->virtio_port_name, &fd);
        if (r >= 0)
                r = agent_attach_fd(a, fd);
        if (r >= 0) {
                a->reconnect_logged = false;
                return;
        }
        if (!a->reconnect_logged)
                log_info_errno(r, "Waiting for the host on virtio port '%s': %m",
                                a->args->virtio_port_name);
        a->reconnect_logged = true;
        r = timer_arm(a->reconnect_timer_fd, AGENT_RECONNECT_USEC);
        if (r < 0) {
                log_error_errno(r, "Cannot arm the reconnect timer: %m");
                event_loop_exit(a->loop, EXIT_FAILURE);
        }
}

/* The host end went away: see the reconnect policy at the top of this file. */
static void agent_hangup(Agent *a, const char *why) {
        int r;

        log_info("Host channel closed (%s); ending every session.", why);
        agent_channel_detach(a);
        r = mux_reset(a->mux);
        if (r < 0)
                log_error_errno(r, "Cannot reset the channel state: %m");
        agent_kill_sessions(a);
        switch (a->args->transport) {
        case TRANSPORT_FD:
        case TRANSPORT_STDIO:
                a->exiting = true;
                event_loop_exit(a->loop, EXIT_SUCCESS);
                return;
        case TRANSPORT_VSOCK:
                (void) event_source_set_events(a->listen_source, EPOLLIN);
                return;
        default:
                agent_virtio_connect(a);
                return;
        }
}

static void agent_channel_broken(Agent *a, int error) {
        int r;

        log_warning_errno(error, "Host channel broken, resetting it: %m");
        a->channel_broken = false;
        if (a->args->transport == TRANSPORT_VSOCK) {
                agent_hangup(a, "protocol error");
                return;
        }
        r = mux_reset(a->mux);
        if (r < 0)
                log_error_errno(r, "Cannot reset the channel state: %m");
        agent_kill_sessions(a);
        agent_status_reset_connection(&a->status);
}

static int on_channel_in(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Agent *a = userdata;
        uint8_t buf[AGENT_READ_BYTES];
        ssize_t n;
        int r;

        n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
                return 0;
        if (n < 0 && errno == EAGAIN) {
                if (revents & (EPOLLHUP | EPOLLERR))
                        agent_hangup(a, "hangup");
                return 0;
        }
        if (n <= 0) {
                agent_hangup(a, n == 0 ? "end of file" : "read error");
                return 0;
        }
        r = mux_feed(a->mux, buf, (size_t) n);
        if (r < 0 || a->channel_broken)
                agent_channel_broken(a, r < 0 ? r : -EPROTO);
        return 0;
}

/* Writes queued frames until the transport is full; 0 or -errno (the channel is gone). */
static int agent_flush(Agent *a) {
        while (mux_output_size(a->mux) > 0) {
                const uint8_t *data;
                size_t len;
                ssize_t n;

                mux_peek_output(a->mux, &data, &len);
                n = write(a->out_fd, data, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return event_source_set_events(a->out_source, EPOLLOUT);
                if (n < 0)
                        return -errno;
                mux_consume_output(a->mux, (size_t) n);
        }
        return event_source_set_events(a->out_source, 0);
}

static int on_channel_out(EventSource *source, int fd, uint32_t revents, void *userdata) {
        /* The post handler flushes; this wake-up only has to happen. */
        return 0;
}

static void agent_update_status(Agent *a) {
        uint64_t now = now_usec(), wait_usec = 0;
        FrameStatus st;
        int r;

        if (!mux_is_ready(a->mux))
                return;
        a->status.live_sessions = exec_stream_count_live(a);
        switch (agent_status_plan(&a->status, now, &wait_usec)) {
        case AGENT_STATUS_SEND_NOW:
                st = (FrameStatus){
                        .live_sessions = a->status.live_sessions,
                        .last_activity_usec = a->status.last_activity_usec,
                };
                r = mux_send_status(a->mux, &st);
                if (r < 0)
                        log_debug_errno(r, "Cannot send STATUS, ignoring: %m");
                agent_status_mark_sent(&a->status, now);
                return;
        case AGENT_STATUS_SEND_LATER:
                (void) timer_arm(a->status_timer_fd, wait_usec);
                return;
        default:
                return;
        }
}

/* After every batch: STATUS, write out, then pause or resume every reader by the queue size
 * and the windows. */
static int agent_post(EventSource *source, void *userdata) {
        Agent *a = userdata;
        int r;

        if (a->in_fd < 0)
                return 0;
        agent_update_status(a);
        r = agent_flush(a);
        if (r < 0) {
                agent_hangup(a, "write error");
                return 0;
        }
        (void) event_source_set_events(a->in_source, agent_output_is_full(a) ? 0 : EPOLLIN);
        for (ExecStream *s = a->execs; s; s = s->next)
                exec_stream_update(s);
        for (ForwardStream *f = a->forwards; f; f = f->next)
                forward_stream_update(f);
        return 0;
}

/* ---- mux callbacks ---- */

static void on_mux_hello(Mux *m, const FrameHello *peer, void *userdata) {
        Agent *a = userdata;

        log_info("Host speaks protocol %u.%u.", peer->version_major, peer->version_minor);
        agent_status_reset_connection(&a->status);
}

static void on_mux_open(Mux *m, uint32_t id, const FrameOpen *req, void *userdata) {
        Agent *a = userdata;

        if (a->exiting) {
                (void) mux_stream_reject(m, id, -ESHUTDOWN, "agent is shutting down");
                return;
        }
        if (req->kind == STREAM_KIND_EXEC)
                exec_stream_on_open(a, id, req);
        else if (req->kind == STREAM_KIND_FORWARD)
                forward_stream_on_open(a, id, req);
        else
                (void) mux_stream_reject(m, id, -EOPNOTSUPP, "unsupported stream kind");
}

static void on_mux_accept(Mux *m, uint32_t id, void *stream_userdata) {
        AgentStream *h = stream_userdata;

        /* The agent opens FORWARD streams only (forward-listen.c). */
        if (h && h->kind == STREAM_KIND_FORWARD)
                forward_stream_on_accept((ForwardStream *) h);
}

static void on_mux_data(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd, const uint8_t *data,
                size_t len) {
        AgentStream *h = stream_userdata;

        if (!h)
                return;
        if (h->kind == STREAM_KIND_EXEC)
                exec_stream_on_data((ExecStream *) h, fd, data, len);
        else
                forward_stream_on_data((ForwardStream *) h, data, len);
}

static void on_mux_eof(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd) {
        AgentStream *h = stream_userdata;

        if (!h)
                return;
        if (h->kind == STREAM_KIND_EXEC)
                exec_stream_on_eof((ExecStream *) h, fd);
        else
                forward_stream_on_eof((ForwardStream *) h);
}

static void on_mux_signal(Mux *m, uint32_t id, void *stream_userdata, uint32_t signo) {
        AgentStream *h = stream_userdata;

        if (h && h->kind == STREAM_KIND_EXEC)
                exec_stream_on_signal((ExecStream *) h, signo);
}

static void on_mux_resize(
                Mux *m, uint32_t id, void *stream_userdata, uint16_t rows, uint16_t cols) {
        AgentStream *h = stream_userdata;

        if (h && h->kind == STREAM_KIND_EXEC)
                exec_stream_on_resize((ExecStream *) h, rows, cols);
}

static void on_mux_close(
                Mux *m, uint32_t id, void *stream_userdata, int error, const char *reason) {
        AgentStream *h = stream_userdata;

        log_debug("Stream %u closed by the host (%d, %s).", id, error, reason);
        if (!h)
                return;
        if (h->kind == STREAM_KIND_EXEC)
                exec_stream_on_close((ExecStream *) h, error);
        else
                forward_stream_on_close((ForwardStream *) h);
}

static void on_mux_power(Mux *m, PowerAction action, void *userdata) {
        Agent *a = userdata;

        log_info("Host requests %s.", power_action_to_string(action));
        sync();
        if (IN_SET(a->args->transport, TRANSPORT_FD, TRANSPORT_STDIO)) {
                /* Test mode on the host: never reboot the machine we run on. */
                log_info("Not calling reboot() with --fd/--stdio; exiting instead.");
                agent_kill_sessions(a);
                a->exiting = true;
                event_loop_exit(a->loop, EXIT_SUCCESS);
                return;
        }
        agent_kill_sessions(a);
        (void) reboot(action == POWER_REBOOT ? RB_AUTOBOOT : RB_POWER_OFF);
        log_error_errno(errno, "reboot() failed: %m");
}

static void on_mux_channel_error(Mux *m, int error, const char *reason, void *userdata) {
        Agent *a = userdata;

        log_warning("Protocol error on the host channel: %s", reason);
        a->channel_broken = true;
}

/* ---- other sources ---- */

static int on_signal(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Agent *a = userdata;
        struct signalfd_siginfo si;

        while (read(fd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
                if (si.ssi_signo == SIGCHLD)
                        continue;
                log_info("Received signal %u, ending every session and exiting.", si.ssi_signo);
                agent_kill_sessions(a);
                a->exiting = true;
                event_loop_exit(a->loop, EXIT_SUCCESS);
        }
        agent_reap_children(a);
        agent_check_sessions(a);
        return 0;
}

static int on_cgroup_event(EventSource *source, int fd, uint32_t revents, void *userdata) {
        uint8_t buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

        while (read(fd, buf, sizeof(buf)) > 0)
                ;
        agent_check_sessions(userdata);
        return 0;
}

static int on_reconnect_timer(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Agent *a = userdata;

        timer_drain(fd);
        if (a->in_fd < 0)
                agent_virtio_connect(a);
        return 0;
}

static int on_status_timer(EventSource *source, int fd, uint32_t revents, void *userdata) {
        /* agent_post() sends the STATUS that is due. */
        timer_drain(fd);
        return 0;
}

/* Anyone in the guest or another VM may try; the log says who, the agent keeps listening. */
static void agent_log_refused_peer(const struct sockaddr_storage *peer) {
        const struct sockaddr_vm *vm = (const struct sockaddr_vm *) peer;

        if (peer->ss_family == AF_VSOCK)
                log_warning("Refusing a vsock connection from CID %u port %u: only root on the "
                            "host (CID 2, port <= %u) may drive the agent.",
                                (unsigned) vm->svm_cid, (unsigned) vm->svm_port,
                                TRANSPORT_VSOCK_HOST_PORT_MAX);
        else
                log_warning("Refusing a connection of address family %d on the vsock listener.",
                                (int) peer->ss_family);
}

static int on_vsock_connection(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Agent *a = userdata;
        struct sockaddr_storage peer;
        int conn, r;

        r = transport_vsock_accept(fd, &conn, &peer);
        if (r == -EPERM) {
                agent_log_refused_peer(&peer);
                return 0;
        }
        if (r < 0)
                return IN_SET(r, -EAGAIN, -EINTR, -ECONNABORTED) ? 0 : r;
        if (a->in_fd >= 0) {
                /* One host at a time; it reconnects after its old connection is gone. */
                (void) close(conn);
                return 0;
        }
        r = agent_attach_fd(a, conn);
        if (r < 0)
                return log_error_errno(r, "Cannot use the vsock connection: %m");
        (void) event_source_set_events(source, 0);
        return 0;
}

/* ---- setup ---- */

static int agent_setup_signals(Agent *a) {
        sigset_t mask;
        int r;

        (void) signal(SIGPIPE, SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        a->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (a->signal_fd < 0)
                return -errno;
        r = event_loop_add_io(a->loop, a->signal_fd, EPOLLIN, on_signal, a, &a->signal_source);
        if (r < 0)
                return r;
        /* Orphans of our sessions come to us, so "every process has exited" can be observed. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return -errno;
        return 0;
}

static int agent_setup_timers(Agent *a) {
        int r;

        a->reconnect_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        a->status_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (a->reconnect_timer_fd < 0 || a->status_timer_fd < 0)
                return -errno;
        r = event_loop_add_io(a->loop, a->reconnect_timer_fd, EPOLLIN, on_reconnect_timer, a,
                        &a->reconnect_timer_source);
        if (r < 0)
                return r;
        return event_loop_add_io(a->loop, a->status_timer_fd, EPOLLIN, on_status_timer, a,
                        &a->status_timer_source);
}

static void agent_setup_cgroup(Agent *a) {
        int r;

        if (!a->args->cgroup)
                return;
        r = cgroup_base_acquire(&a->cgroup_base);
        if (r < 0) {
                log_info_errno(r, "No cgroup2 hierarchy (%m); tracking sessions by process group.");
                return;
        }
        a->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (a->inotify_fd < 0)
                r = -errno;
        else
                r = event_loop_add_io(a->loop, a->inotify_fd, EPOLLIN, on_cgroup_event, a,
                                &a->inotify_source);
        if (r < 0) {
                log_warning_errno(r, "Cannot watch cgroups, tracking process groups instead: %m");
                free(TAKE_PTR(a->cgroup_base));
                return;
        }
        log_debug("Session cgroups go under '%s'.", a->cgroup_base);
        r = cgroup_cleanup_stale(a->cgroup_base);
        if (r > 0)
                log_warning("Killed the sessions of %d group(s) left by an earlier agent.", r);
}

static const MuxCallbacks agent_mux_callbacks = {
        .on_hello = on_mux_hello,
        .on_open = on_mux_open,
        .on_accept = on_mux_accept,
        .on_data = on_mux_data,
        .on_eof = on_mux_eof,
        .on_signal = on_mux_signal,
        .on_resize = on_mux_resize,
        .on_close = on_mux_close,
        .on_power = on_mux_power,
        .on_channel_error = on_mux_channel_error,
};

int agent_new(const AgentArgs *args, Agent **ret) {
        _cleanup_(agent_freep) Agent *a = NULL;
        MuxConfig mc;
        int r;

        a = calloc(1, sizeof(*a));
        if (!a)
                return log_oom();
        *a = (Agent){
                .args = args,
                .in_fd = -EBADF,
                .out_fd = -EBADF,
                .listen_fd = -EBADF,
                .reconnect_timer_fd = -EBADF,
                .status_timer_fd = -EBADF,
                .signal_fd = -EBADF,
                .inotify_fd = -EBADF,
        };
        r = event_loop_new(&a->loop);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop: %m");
        mc = (MuxConfig){
                .role = MUX_ROLE_AGENT,
                .capabilities = PROTOCOL_CAPABILITIES | PROTOCOL_CAP_GUEST_FORWARD,
                .callbacks = agent_mux_callbacks,
                .userdata = a,
        };
        r = mux_new(&mc, &a->mux);
        if (r < 0)
                return log_error_errno(r, "Cannot create the channel state: %m");
        r = session_env_load(args->env_file, &a->file_env);
        if (r < 0) {
                log_warning_errno(r, "Cannot read '%s', using no session variables: %m",
                                args->env_file);
                a->file_env = strv_new_empty();
                if (!a->file_env)
                        return log_oom();
        }
        r = agent_setup_signals(a);
        if (r < 0)
                return log_error_errno(r, "Cannot set up signal handling: %m");
        r = agent_setup_timers(a);
        if (r < 0)
                return log_error_errno(r, "Cannot set up timers: %m");
        agent_setup_cgroup(a);
        forward_listen_start(a);
        r = event_loop_add_post(a->loop, agent_post, a, &a->post_source);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the event loop: %m");
        *ret = TAKE_PTR(a);
        return 0;
}

static int agent_start_transport(Agent *a) {
        int r;

        switch (a->args->transport) {
        case TRANSPORT_FD:
                r = agent_attach_fd(a, a->args->fd);
                if (r < 0)
                        return log_error_errno(r, "Cannot use fd %d: %m", a->args->fd);
                return 0;
        case TRANSPORT_STDIO:
                r = agent_channel_attach(a, STDIN_FILENO, STDOUT_FILENO);
                if (r < 0)
                        return log_error_errno(r, "Cannot use stdin/stdout: %m");
                return 0;
        case TRANSPORT_VSOCK:
                r = transport_vsock_listen(a->args->vsock_port, &a->listen_fd);
                if (r < 0)
                        return log_error_errno(r, "Cannot listen on vsock port %u: %m",
                                        a->args->vsock_port);
                return event_loop_add_io(a->loop, a->listen_fd, EPOLLIN, on_vsock_connection, a,
                                &a->listen_source);
        default:
                agent_virtio_connect(a);
                return 0;
        }
}

int agent_run(Agent *a) {
        int r;

        r = agent_start_transport(a);
        if (r < 0)
                return r;
        return event_loop_run(a->loop);
}

/* Killed sessions take a moment to die; wait (bounded) so their cgroups can be removed. */
static void agent_wait_sessions(Agent *a) {
        uint64_t deadline_usec = now_usec() + AGENT_EXIT_WAIT_USEC;

        agent_kill_sessions(a);
        while (a->execs && now_usec() < deadline_usec) {
                agent_reap_children(a);
                for (ExecStream *s = a->execs; s; s = s->next)
                        s->id = 0;
                agent_check_sessions(a);
                if (a->execs)
                        (void) usleep(10000);
        }
}

Agent *agent_free(Agent *a) {
        if (!a)
                return NULL;
        agent_wait_sessions(a);
        while (a->execs)
                exec_stream_free(a->execs);
        while (a->forwards)
                forward_stream_free(a->forwards);
        forward_listen_stop(a);
        agent_channel_detach(a);
        a->listen_source = event_source_free(a->listen_source);
        a->reconnect_timer_source = event_source_free(a->reconnect_timer_source);
        a->status_timer_source = event_source_free(a->status_timer_source);
        a->signal_source = event_source_free(a->signal_source);
        a->inotify_source = event_source_free(a->inotify_source);
        a->post_source = event_source_free(a->post_source);
        a->listen_fd = safe_close(a->listen_fd);
        a->reconnect_timer_fd = safe_close(a->reconnect_timer_fd);
        a->status_timer_fd = safe_close(a->status_timer_fd);
        a->signal_fd = safe_close(a->signal_fd);
        a->inotify_fd = safe_close(a->inotify_fd);
        a->mux = mux_free(a->mux);
        a->loop = event_loop_free(a->loop);
        a->file_env = strv_free(a->file_env);
        free(a->cgroup_base);
        free(a);
        return NULL;
}

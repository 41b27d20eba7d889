/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec-stream.c: EXEC streams: stdio relay with credit flow control, signals, exit, liveness. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "exec-stream.h"
#include "exec.h"
#include "log.h"
#include "pty.h"

static int on_stdin_writable(EventSource *source, int fd, uint32_t revents, void *userdata);
static int on_output_readable(EventSource *source, int fd, uint32_t revents, void *userdata);

static void exec_stream_unlink(ExecStream *s) {
        Agent *a = s->agent;

        if (s->prev)
                s->prev->next = s->next;
        else if (a->execs == s)
                a->execs = s->next;
        if (s->next)
                s->next->prev = s->prev;
        s->next = s->prev = NULL;
}

static void exec_stream_close_stdin(ExecStream *s) {
        s->stdin_source = event_source_free(s->stdin_source);
        s->stdin_fd = safe_close(s->stdin_fd);
        buffer_finish(&s->stdin_buffer);
}

static void exec_stream_close_output(ExecStream *s, int i) {
        s->out_sources[i] = event_source_free(s->out_sources[i]);
        s->out_fds[i] = safe_close(s->out_fds[i]);
}

/* The stream is over (EXIT sent, or closed by the peer): drop every fd; the session itself may
 * live on until its processes are gone. */
static void exec_stream_detach(ExecStream *s) {
        s->id = 0;
        exec_stream_close_stdin(s);
        for (int i = 1; i < 3; i++)
                exec_stream_close_output(s, i);
}

ExecStream *exec_stream_free(ExecStream *s) {
        if (!s)
                return NULL;
        exec_stream_unlink(s);
        exec_stream_detach(s);
        if (s->cgroup_path) {
                if (s->cgroup_wd >= 0 && s->agent->inotify_fd >= 0)
                        (void) inotify_rm_watch(s->agent->inotify_fd, s->cgroup_wd);
                if (cgroup_remove(s->cgroup_path) < 0)
                        log_debug("Cannot remove cgroup '%s' yet: %m", s->cgroup_path);
                free(s->cgroup_path);
        }
        free(s);
        return NULL;
}

unsigned exec_stream_count_live(const Agent *a) {
        unsigned n = 0;

        for (const ExecStream *s = a->execs; s; s = s->next)
                n += s->live;
        return n;
}

void exec_stream_kill(ExecStream *s) {
        if (s->pid <= 0)
                return;
        if (!s->reaped)
                (void) kill(s->pid, SIGKILL); /* in case it has not called setsid() yet */
        (void) kill(-s->pid, SIGKILL);
        if (s->cgroup_path)
                (void) cgroup_kill_all(s->cgroup_path);
}

void exec_stream_check_live(ExecStream *s) {
        bool live;

        if (!s->reaped)
                return;
        if (s->cgroup_path)
                live = cgroup_is_populated(s->cgroup_path) > 0;
        else
                live = kill(-s->pid, 0) >= 0 || errno != ESRCH;
        if (live == s->live)
                return;
        s->live = live;
        if (!live)
                log_debug("Session %u: every process has exited.", s->session_id);
        if (!live && s->id == 0)
                exec_stream_free(s);
}

static FrameExit exit_from_wait_status(int status) {
        if (WIFSIGNALED(status))
                return (FrameExit){
                        .how = EXIT_HOW_SIGNALED,
                        .core_dumped = WCOREDUMP(status),
                        .code = WTERMSIG(status),
                };
        return (FrameExit){ .how = EXIT_HOW_EXITED, .code = WEXITSTATUS(status) };
}

/* EXIT goes out once the main process is gone and its output drained; then CLOSE. May free s. */
static void exec_stream_maybe_finish(ExecStream *s) {
        FrameExit e;
        int r;

        if (s->id == 0 || !s->reaped || s->out_fds[1] >= 0 || s->out_fds[2] >= 0)
                return;
        e = exit_from_wait_status(s->wait_status);
        r = mux_stream_send_exit(s->agent->mux, s->id, &e);
        if (r < 0)
                log_warning_errno(r, "Cannot send EXIT for stream %u, ignoring: %m", s->id);
        r = mux_stream_close(s->agent->mux, s->id, 0);
        if (r < 0)
                log_debug_errno(r, "Cannot close stream %u, ignoring: %m", s->id);
        log_debug("Stream %u: %s %d.", s->id,
                        e.how == EXIT_HOW_SIGNALED ? "killed by signal" : "exited", e.code);
        exec_stream_detach(s);
        agent_touch(s->agent);
        exec_stream_check_live(s);
}

bool exec_stream_on_reaped(ExecStream *s, pid_t pid, int status) {
        if (s->reaped || pid != s->pid)
                return false;
        s->reaped = true;
        s->wait_status = status;
        exec_stream_maybe_finish(s);
        return true;
}

static void exec_stream_fail(ExecStream *s, int error) {
        if (s->id != 0)
                (void) mux_stream_close(s->agent->mux, s->id, error);
        exec_stream_kill(s);
        exec_stream_detach(s);
}

/* Returns n bytes of credit, batched (see AGENT_GRANT_BATCH_BYTES). */
static void exec_stream_grant(ExecStream *s, size_t n) {
        s->ungranted += (uint32_t) n;
        if (s->ungranted < AGENT_GRANT_BATCH_BYTES && buffer_size(&s->stdin_buffer) > 0)
                return;
        (void) mux_stream_grant(s->agent->mux, s->id, s->ungranted);
        s->ungranted = 0;
}

/* Host → program: writes what the pipe takes and grants exactly that much credit back, so a
 * program that does not read its stdin holds only its own window. */
static void exec_stream_flush_stdin(ExecStream *s) {
        ssize_t n;

        if (s->stdin_fd < 0)
                return;
        n = buffer_write_to(&s->stdin_buffer, s->stdin_fd);
        if (n < 0) {
                /* The program closed its stdin: what the host sends from now on is dropped, but
                 * its credit returned, as if written. */
                log_debug_errno((int) n, "Stream %u: stdin closed by the program: %m", s->id);
                size_t dropped = buffer_size(&s->stdin_buffer);
                buffer_finish(&s->stdin_buffer);
                exec_stream_grant(s, dropped);
                exec_stream_close_stdin(s);
                return;
        }
        if (n > 0)
                exec_stream_grant(s, (size_t) n);
        if (buffer_size(&s->stdin_buffer) > 0) {
                (void) event_source_set_events(s->stdin_source, EPOLLOUT);
                return;
        }
        (void) event_source_set_events(s->stdin_source, 0);
        if (!s->stdin_eof_received)
                return;
        /* A terminal has no half-close: the line discipline's EOF character is the equivalent. */
        if (s->pty && write(s->stdin_fd, &s->pty_eof_char, 1) < 0)
                log_debug_errno(errno, "Stream %u: cannot write EOF to the terminal: %m", s->id);
        exec_stream_close_stdin(s);
}

void exec_stream_on_data(ExecStream *s, uint8_t fd, const uint8_t *data, size_t len) {
        int r;

        agent_touch(s->agent);
        if (s->stdin_fd < 0) {
                exec_stream_grant(s, len);
                return;
        }
        r = buffer_append(&s->stdin_buffer, data, len);
        if (r < 0) {
                log_error_errno(r, "Stream %u: cannot buffer stdin: %m", s->id);
                exec_stream_fail(s, r);
                return;
        }
        exec_stream_flush_stdin(s);
}

void exec_stream_on_eof(ExecStream *s, uint8_t fd) {
        s->stdin_eof_received = true;
        exec_stream_flush_stdin(s);
}

static int on_stdin_writable(EventSource *source, int fd, uint32_t revents, void *userdata) {
        exec_stream_flush_stdin(userdata);
        return 0;
}

void exec_stream_on_signal(ExecStream *s, uint32_t signo) {
        log_debug("Stream %u: signal %u to process group %d.", s->id, signo, (int) s->pid);
        if (kill(-s->pid, (int) signo) < 0 && !s->reaped)
                (void) kill(s->pid, (int) signo);
}

void exec_stream_on_resize(ExecStream *s, uint16_t rows, uint16_t cols) {
        int fd = s->out_fds[1] >= 0 ? s->out_fds[1] : s->stdin_fd;
        int r;

        if (!s->pty || fd < 0)
                return;
        r = pty_set_size(fd, rows, cols);
        if (r < 0)
                log_debug_errno(r, "Stream %u: cannot resize the terminal, ignoring: %m", s->id);
}

void exec_stream_on_close(ExecStream *s, int error) {
        /* The id is dead for the mux already; nothing may be sent on it. */
        s->id = 0;
        if (!s->reaped && error == 0) {
                /* The host hung up before the program ended: what a terminal hangup does. */
                (void) kill(-s->pid, SIGHUP);
                (void) kill(-s->pid, SIGCONT);
        } else if (!s->reaped || error < 0)
                exec_stream_kill(s);
        exec_stream_detach(s);
        exec_stream_check_live(s);
}

static void exec_stream_output_eof(ExecStream *s, int i) {
        int r;

        exec_stream_close_output(s, i);
        r = mux_stream_send_eof(s->agent->mux, s->id, (uint8_t) i);
        if (r < 0)
                log_debug_errno(r, "Stream %u: cannot send EOF for fd %d, ignoring: %m", s->id, i);
        exec_stream_maybe_finish(s);
}

/* Program → host, never more than the host's window: a full window pauses only this stream. */
static int on_output_readable(EventSource *source, int fd, uint32_t revents, void *userdata) {
        ExecStream *s = userdata;
        uint8_t buf[FRAME_DATA_MAX];
        int i = fd == s->out_fds[1] ? 1 : 2;
        size_t window;
        ssize_t n;
        int r;

        window = mux_stream_get_send_window(s->agent->mux, s->id);
        if (window < s->send_min) {
                (void) event_source_set_events(source, 0);
                return 0;
        }
        n = read(fd, buf, MIN(window, sizeof(buf)));
        if (n < 0 && IN_SET(errno, EAGAIN, EINTR))
                return 0;
        if (n <= 0) {
                /* 0: pipe closed; EIO: every holder of the PTY slave closed it. */
                exec_stream_output_eof(s, i);
                return 0;
        }
        agent_touch(s->agent);
        r = mux_stream_send(s->agent->mux, s->id, (uint8_t) i, buf, (size_t) n);
        if (r < 0 || (size_t) r != (size_t) n) {
                log_error("Stream %u: lost output (%zd bytes), closing.", s->id, n);
                exec_stream_fail(s, r < 0 ? r : -EIO);
        }
        return 0;
}

void exec_stream_update(ExecStream *s) {
        bool readable;

        if (s->id == 0)
                return;
        readable = !agent_output_is_full(s->agent) &&
                   mux_stream_get_send_window(s->agent->mux, s->id) >= s->send_min;
        for (int i = 1; i < 3; i++)
                if (s->out_sources[i])
                        (void) event_source_set_events(s->out_sources[i], readable ? EPOLLIN : 0);
}

static int exec_stream_add_sources(ExecStream *s, ExecChild *c) {
        EventLoop *l = s->agent->loop;
        int r;

        s->stdin_fd = TAKE_FD(c->stdin_fd);
        s->out_fds[1] = TAKE_FD(c->stdout_fd);
        s->out_fds[2] = TAKE_FD(c->stderr_fd);
        r = event_loop_add_io(l, s->stdin_fd, 0, on_stdin_writable, s, &s->stdin_source);
        if (r < 0)
                return r;
        for (int i = 1; i < 3; i++) {
                if (s->out_fds[i] < 0)
                        continue;
                r = event_loop_add_io(l, s->out_fds[i], EPOLLIN, on_output_readable, s,
                                &s->out_sources[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void exec_stream_setup_cgroup(ExecStream *s) {
        Agent *a = s->agent;
        int r;

        if (!a->cgroup_base)
                return;
        r = cgroup_session_create(a->cgroup_base, s->session_id, &s->cgroup_path);
        if (r < 0) {
                log_warning_errno(r,
                                "Cannot create a cgroup for session %u, tracking its process "
                                "group instead: %m",
                                s->session_id);
                return;
        }
        r = cgroup_watch(a->inotify_fd, s->cgroup_path, &s->cgroup_wd);
        if (r < 0) {
                log_warning_errno(r,
                                "Cannot watch cgroup '%s', tracking the process group "
                                "instead: %m",
                                s->cgroup_path);
                (void) cgroup_remove(s->cgroup_path);
                free(TAKE_PTR(s->cgroup_path));
        }
}

static int exec_stream_new(Agent *a, ExecStream **ret) {
        ExecStream *s;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = (ExecStream){
                .header.kind = STREAM_KIND_EXEC,
                .agent = a,
                .session_id = ++a->next_session_id,
                .stdin_fd = -EBADF,
                .out_fds = { -EBADF, -EBADF, -EBADF },
                .cgroup_wd = -1,
        };
        s->next = a->execs;
        if (a->execs)
                a->execs->prev = s;
        a->execs = s;
        *ret = s;
        return 0;
}

static void exec_stream_start(ExecStream *s, uint32_t id, const FrameOpen *req) {
        Agent *a = s->agent;
        ExecContext ctx = {
                .etc_dir = a->args->etc_dir,
                .default_user = a->args->default_user,
                .file_env = a->file_env,
        };
        ExecChild c = { .stdin_fd = -EBADF, .stdout_fd = -EBADF, .stderr_fd = -EBADF };
        const char *reason = NULL;
        int r;

        exec_stream_setup_cgroup(s);
        ctx.cgroup_path = s->cgroup_path;
        r = exec_spawn(req, &ctx, &c, &reason);
        if (r < 0) {
                log_info_errno(r, "Stream %u: cannot run '%s': %s: %m", id, req->argv[0], reason);
                (void) mux_stream_reject(a->mux, id, r, reason);
                exec_stream_free(s);
                return;
        }
        s->pid = c.pid;
        s->pty = req->pty;
        s->send_min = stream_pipe_send_min(req->window);
        s->live = true;
        s->id = id;
        log_debug("Stream %u: started '%s' as pid %d (session %u).", id, req->argv[0], (int) s->pid,
                        s->session_id);
        r = exec_stream_add_sources(s, &c);
        if (r >= 0 && s->pty)
                r = pty_get_eof_char(s->out_fds[1], &s->pty_eof_char);
        if (r >= 0)
                r = mux_stream_accept(a->mux, id, AGENT_STREAM_WINDOW_BYTES, s);
        if (r >= 0 && s->pty)
                r = mux_stream_send_eof(a->mux, id, STREAM_FD_STDERR);
        exec_child_finish(&c);
        if (r < 0) {
                log_error_errno(r, "Stream %u: cannot set up the session: %m", id);
                exec_stream_fail(s, r);
        }
}

void exec_stream_on_open(Agent *a, uint32_t id, const FrameOpen *req) {
        ExecStream *s;
        int r;

        r = exec_stream_new(a, &s);
        if (r < 0) {
                (void) mux_stream_reject(a->mux, id, r, "out of memory");
                return;
        }
        agent_touch(a);
        exec_stream_start(s, id, req);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* session.c: EXEC sessions over one agent connection: HELLO wait, stdio relay with credit,
 * signals, exit. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "buffer.h"
#include "event-loop.h"
#include "fd-util.h"
#include "log.h"
#include "mux-io.h"
#include "mux.h"
#include "session.h"
#include "strv.h"
#include "term-filter.h"

typedef enum SessionState {
        SESSION_WAITING, /* for the agent's HELLO */
        SESSION_OPENING, /* OPEN sent */
        SESSION_RUNNING, /* accepted */
        SESSION_CLOSED,  /* stream over; draining local output before done */
        SESSION_DONE,    /* done handler called or scheduled */
        _SESSION_STATE_MAX,
        _SESSION_STATE_INVALID = -EINVAL,
} SessionState;

typedef struct LocalFd {
        int fd;
        int saved_flags; /* to restore; -1 when untouched */
        bool pollable;   /* false for regular files and /dev/null: always ready */
        EventSource *source;
        uint32_t events; /* an io source's events while enabled; 0: a defer source */
} LocalFd;

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

struct Session {
        SessionChannel *channel; /* NULL once detached (channel freed) */
        Session *next, *prev;
        SessionState state;
        uint32_t id;
        char **argv, **env;
        char *cwd, *user, *term;
        void (*started)(Session *s, void *userdata);
        bool pty;
        uint16_t pty_rows, pty_cols;

        LocalFd in;
        bool stdin_eof_sent;
        LocalFd out[3];    /* [1] stdout, [2] stderr */
        Buffer out_buf[3]; /* received for each local output fd, not yet written; <= our window */
        bool out_eof[3];   /* per guest stream */
        bool stderr_to_stdout;
        bool filtered[3]; /* per local output: through filter[i] */
        TermFilter filter[3];
        uint32_t ungranted; /* written locally, credit not yet returned (batched) */

        bool exit_received;
        SessionResult result;
        SessionDoneHandler done;
        void *userdata;
        EventSource *done_source;
        EventSource *signal_sources[ELEMENTSOF(forwarded_signals)];
        EventSource *winch_source;
        int tty_fd;
};

struct SessionChannel {
        EventLoop *loop;
        int fd;
        Mux *mux;
        EventSource *io;
        /* Runs before every wait: writes what the callbacks queued, then decides what to read. */
        EventSource *post;
        Session *sessions;
        bool ready;
        bool fresh; /* session_channel_new(): OPEN right behind our HELLO */
        bool lost;
        int lost_error;
        char lost_reason[SESSION_REASON_MAX];
        SessionChannelLostHandler lost_handler;
        void *lost_userdata;
};

static void session_fail(Session *s, int error, const char *fmt, ...) _printf_(3, 4);
static void session_maybe_done(Session *s);

int session_result_to_exit_status(const SessionResult *r) {
        if (r->error < 0)
                return 255;
        if (r->how == EXIT_HOW_SIGNALED)
                return 128 + r->code;
        return r->code;
}

/* ---- local fds ---- */

static void local_fd_init(LocalFd *l, int fd) {
        struct stat st;

        *l = (LocalFd){ .fd = fd, .saved_flags = -1 };
        if (fd < 0)
                return;
        /* epoll refuses regular files and some devices; those never block anyway. */
        l->pollable = fstat(fd, &st) >= 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) &&
                      !(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1); /* mem devices */
        if (!l->pollable)
                return;
        l->saved_flags = fcntl(fd, F_GETFL);
        if (l->saved_flags >= 0 && !(l->saved_flags & O_NONBLOCK))
                (void) fcntl(fd, F_SETFL, l->saved_flags | O_NONBLOCK);
}

static void local_fd_close(LocalFd *l) {
        l->source = event_source_free(l->source);
        if (l->fd >= 0 && l->saved_flags >= 0)
                (void) fcntl(l->fd, F_SETFL, l->saved_flags);
        l->fd = safe_close(l->fd);
        l->saved_flags = -1;
}

static void local_fd_enable(LocalFd *l, bool on) {
        if (!l->source)
                return;
        if (l->events != 0)
                (void) event_source_set_events(l->source, on ? l->events : 0);
        else
                event_source_set_enabled(l->source, on);
}

/* Credit goes back in batches of at least this much, or once all received output is written:
 * granting every small write back fragments the window into tiny frames. */
#define SESSION_GRANT_BATCH_BYTES (32U * 1024U)

/* ---- session lifecycle ---- */

static Mux *session_mux(Session *s) {
        return s->channel->mux;
}

/* Whether the output queue is above MUX_OUTPUT_HIGH_WATER: stdin waits. */
static bool session_channel_is_congested(const SessionChannel *c) {
        return mux_output_size(c->mux) > MUX_OUTPUT_HIGH_WATER;
}

static void session_unlink(Session *s) {
        SessionChannel *c = s->channel;

        if (!c)
                return;
        if (s->prev)
                s->prev->next = s->next;
        else if (c->sessions == s)
                c->sessions = s->next;
        if (s->next)
                s->next->prev = s->prev;
        s->next = s->prev = NULL;
}

static void session_close_fds(Session *s) {
        local_fd_close(&s->in);
        for (int i = 1; i < 3; i++) {
                local_fd_close(&s->out[i]);
                buffer_finish(&s->out_buf[i]);
        }
}

Session *session_free(Session *s) {
        if (!s)
                return NULL;
        if (s->channel && !s->channel->lost && IN_SET(s->state, SESSION_OPENING, SESSION_RUNNING))
                (void) mux_stream_close(session_mux(s), s->id, -ECANCELED);
        session_unlink(s);
        session_close_fds(s);
        s->done_source = event_source_free(s->done_source);
        for (size_t i = 0; i < ELEMENTSOF(s->signal_sources); i++)
                s->signal_sources[i] = event_source_free(s->signal_sources[i]);
        s->winch_source = event_source_free(s->winch_source);
        strv_free(s->argv);
        strv_free(s->env);
        free(s->cwd);
        free(s->user);
        free(s->term);
        free(s);
        return NULL;
}

static int on_session_done(EventSource *source, void *userdata) {
        Session *s = userdata;

        s->done_source = event_source_free(s->done_source);
        if (s->done)
                s->done(s, &s->result, s->userdata);
        return 0;
}

/* Schedules the done call for the next loop iteration. */
static void session_set_done(Session *s) {
        SessionChannel *c = s->channel;
        int r;

        if (s->state == SESSION_DONE)
                return;
        s->state = SESSION_DONE;
        session_close_fds(s);
        if (!c)
                return; /* detached from a freed channel: nobody to call back from */
        r = event_loop_add_defer(c->loop, on_session_done, s, &s->done_source);
        if (r < 0) {
                log_debug_errno(r, "Cannot schedule the session's done call, calling it now: %m");
                on_session_done(NULL, s);
        }
}

static void session_fail(Session *s, int error, const char *fmt, ...) {
        va_list ap;

        if (s->state == SESSION_DONE)
                return;
        if (s->channel && !s->channel->lost && IN_SET(s->state, SESSION_OPENING, SESSION_RUNNING))
                (void) mux_stream_close(session_mux(s), s->id, error);
        s->result.error = error < 0 ? error : -EIO;
        va_start(ap, fmt);
        (void) vsnprintf(s->result.reason, sizeof(s->result.reason), fmt, ap);
        va_end(ap);
        session_set_done(s);
}

/* The local output that a guest stream's data goes to. */
static int session_output_of(const Session *s, uint8_t stream_fd) {
        return stream_fd == STREAM_FD_STDERR && s->stderr_to_stdout ? STREAM_FD_STDOUT : stream_fd;
}

/* Whether every guest stream writing local output i has ended. */
static bool session_output_ended(const Session *s, int i) {
        if (i == STREAM_FD_STDOUT && s->stderr_to_stdout)
                return s->out_eof[STREAM_FD_STDOUT] && s->out_eof[STREAM_FD_STDERR];
        return s->out_eof[i];
}

static void session_maybe_done(Session *s) {
        if (s->state != SESSION_CLOSED)
                return;
        for (int i = 1; i < 3; i++)
                if (s->out[i].fd >= 0 && buffer_size(&s->out_buf[i]) > 0)
                        return;
        session_set_done(s);
}

/* ---- output: agent → local fds ---- */

static void session_close_output(Session *s, int i) {
        local_fd_close(&s->out[i]);
        buffer_finish(&s->out_buf[i]);
}

static void session_grant(Session *s, size_t n) {
        s->ungranted += (uint32_t) n;
        if (s->state != SESSION_RUNNING || s->ungranted == 0)
                return;
        if (s->ungranted < SESSION_GRANT_BATCH_BYTES &&
                        buffer_size(&s->out_buf[1]) + buffer_size(&s->out_buf[2]) > 0)
                return;
        (void) mux_stream_grant(session_mux(s), s->id, s->ungranted);
        s->ungranted = 0;
}

/* Writes buffered output; credit goes back for exactly what the local fd took. */
static void session_flush_output(Session *s, int i) {
        Buffer *b = &s->out_buf[i];
        size_t written = 0;

        if (s->out[i].fd >= 0) {
                size_t pending = buffer_size(b);
                ssize_t n = buffer_write_to(b, s->out[i].fd);

                if (n < 0) {
                        /* The local reader is gone: drop this output, keep the session. */
                        log_debug_errno((int) n, "Session stream %u: local fd %d failed: %m", s->id,
                                        i);
                        written = pending;
                        session_close_output(s, i);
                } else {
                        written = (size_t) n;
                }
        }
        session_grant(s, written);
        local_fd_enable(&s->out[i], buffer_size(b) > 0);
        if (buffer_size(b) == 0 && session_output_ended(s, i))
                session_close_output(s, i);
        session_maybe_done(s);
}

static int on_local_output(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Session *s = userdata;

        session_flush_output(s, fd == s->out[1].fd ? 1 : 2);
        return 0;
}

static int session_add_output_source(Session *s, int i) {
        LocalFd *l = &s->out[i];
        int r;

        if (l->fd < 0 || !l->pollable)
                return 0;
        r = event_loop_add_io(s->channel->loop, l->fd, EPOLLOUT, on_local_output, s, &l->source);
        if (r == -EPERM) {
                l->pollable = false;
                return 0;
        }
        if (r < 0)
                return r;
        l->events = EPOLLOUT;
        return event_source_set_events(l->source, 0);
}

/* Filter pieces: the filtered output of one sits on the stack. */
#define SESSION_FILTER_CHUNK_BYTES 4096U

static int session_append_filtered(Session *s, int i, const uint8_t *untrusted_data, size_t len) {
        uint8_t out[SESSION_FILTER_CHUNK_BYTES + TERM_FILTER_PENDING_MAX];
        TermFilter *f = &s->filter[i];

        for (size_t done = 0; done < len;) {
                size_t k = MIN(len - done, SESSION_FILTER_CHUNK_BYTES),
                       held = term_filter_pending(f);
                size_t n = term_filter_feed(f, untrusted_data + done, k, out);
                int r;

                /* What the filter dropped is never written: its credit goes back now. Bytes it
                 * holds count once they are written or dropped. */
                session_grant(s, held + k - term_filter_pending(f) - n);
                r = buffer_append(&s->out_buf[i], out, n);
                if (r < 0)
                        return r;
                done += k;
        }
        return 0;
}

static void session_on_data(Session *s, uint8_t fd, const uint8_t *untrusted_data, size_t len) {
        int i, r;

        if (fd != STREAM_FD_STDOUT && fd != STREAM_FD_STDERR)
                return;
        i = session_output_of(s, fd);
        if (s->out[i].fd < 0) {
                session_grant(s, len);
                return;
        }
        if (s->filtered[i])
                r = session_append_filtered(s, i, untrusted_data, len);
        else
                r = buffer_append(&s->out_buf[i], untrusted_data, len);
        if (r < 0) {
                session_fail(s, r, "out of memory");
                return;
        }
        session_flush_output(s, i);
}

/* ---- input: local stdin → agent ---- */

static void session_send_stdin_eof(Session *s) {
        local_fd_close(&s->in);
        s->stdin_eof_sent = true;
        if (s->state == SESSION_RUNNING)
                (void) mux_stream_send_eof(session_mux(s), s->id, STREAM_FD_STDIN);
}

static void session_read_stdin(Session *s) {
        uint8_t buf[FRAME_DATA_MAX];
        size_t window;
        ssize_t n;
        int r;

        window = mux_stream_get_send_window(session_mux(s), s->id);
        if (window == 0) {
                local_fd_enable(&s->in, false);
                return;
        }
        n = read(s->in.fd, buf, MIN(window, sizeof(buf)));
        if (n < 0 && IN_SET(errno, EAGAIN, EINTR))
                return;
        if (n <= 0) {
                if (n < 0)
                        log_debug_errno(errno, "Session stream %u: stdin read failed: %m", s->id);
                session_send_stdin_eof(s);
                return;
        }
        r = mux_stream_send(session_mux(s), s->id, STREAM_FD_STDIN, buf, (size_t) n);
        if (r < 0 || (size_t) r != (size_t) n)
                session_fail(s, r < 0 ? r : -EIO, "cannot send stdin to the guest");
}

static int on_local_input(EventSource *source, int fd, uint32_t revents, void *userdata) {
        session_read_stdin(userdata);
        return 0;
}

static int on_local_input_defer(EventSource *source, void *userdata) {
        session_read_stdin(userdata);
        return 0;
}

static int session_add_input_source(Session *s) {
        LocalFd *l = &s->in;
        int r;

        if (l->fd < 0)
                return 0;
        if (l->pollable) {
                r = event_loop_add_io(
                                s->channel->loop, l->fd, EPOLLIN, on_local_input, s, &l->source);
                if (r != -EPERM) {
                        if (r < 0)
                                return r;
                        l->events = EPOLLIN;
                        return event_source_set_events(l->source, 0);
                }
                l->pollable = false;
        }
        /* Always readable (a file): a defer source reads while the window is open. */
        r = event_loop_add_defer(s->channel->loop, on_local_input_defer, s, &l->source);
        if (r < 0)
                return r;
        event_source_set_enabled(l->source, false);
        return 0;
}

/* After every dispatch: read stdin only while the window is open and the channel not congested. */
static void session_update(Session *s) {
        bool readable;

        if (s->state != SESSION_RUNNING || !s->in.source)
                return;
        readable = !session_channel_is_congested(s->channel) &&
                   mux_stream_get_send_window(session_mux(s), s->id) > 0;
        local_fd_enable(&s->in, readable);
}

/* ---- opening ---- */

static void session_open_stream(Session *s) {
        FrameOpen req = {
                .kind = STREAM_KIND_EXEC,
                .window = SESSION_WINDOW_BYTES,
                .argv = s->argv,
                .n_argv = strv_length(s->argv),
                .env = s->env,
                .n_env = strv_length(s->env),
                .cwd = s->cwd,
                .user = s->user,
                .pty = s->pty,
                .pty_rows = s->pty_rows,
                .pty_cols = s->pty_cols,
                /* A terminal type means nothing without a terminal. */
                .term = s->pty ? s->term : NULL,
        };
        int r;

        r = mux_stream_open(session_mux(s), &req, s, &s->id);
        if (r < 0) {
                session_fail(s, r, "cannot open a stream to the agent");
                return;
        }
        s->state = SESSION_OPENING;
}

static void session_on_accept(Session *s) {
        int r;

        s->state = SESSION_RUNNING;
        r = session_add_input_source(s);
        for (int i = 1; r >= 0 && i < 3; i++)
                r = session_add_output_source(s, i);
        if (r < 0) {
                session_fail(s, r, "cannot watch local fds");
                return;
        }
        if (s->in.fd < 0)
                session_send_stdin_eof(s);
        if (s->started)
                s->started(s, s->userdata);
}

static void session_on_close(Session *s, int error, const char *reason) {
        if (error == 0 && !s->exit_received) {
                session_fail(s, -EPROTO, "the agent ended the session without an exit status");
                return;
        }
        if (error == -ECONNRESET) {
                session_fail(s, error, "agent restarted");
                return;
        }
        if (error < 0 && s->state == SESSION_OPENING) {
                /* The refusal may be the daemon's (the VM could not start) or the agent's. */
                session_fail(s, error, "cannot run '%s': %s", s->argv[0], reason);
                return;
        }
        if (error < 0) {
                session_fail(s, error, "session failed: %s", reason);
                return;
        }
        s->state = SESSION_CLOSED;
        local_fd_close(&s->in);
        session_maybe_done(s);
}

/* ---- mux callbacks ---- */

static void on_mux_hello(Mux *m, const FrameHello *peer, void *userdata) {
        SessionChannel *c = userdata;
        Session *next;

        c->ready = true;
        for (Session *s = c->sessions; s; s = next) {
                next = s->next;
                if (s->state == SESSION_WAITING)
                        session_open_stream(s);
        }
}

static void on_mux_accept(Mux *m, uint32_t id, void *stream_userdata) {
        session_on_accept(stream_userdata);
}

static void on_mux_data(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd, const uint8_t *data,
                size_t len) {
        session_on_data(stream_userdata, fd, data, len);
}

static void on_mux_eof(Mux *m, uint32_t id, void *stream_userdata, uint8_t fd) {
        Session *s = stream_userdata;

        if (fd != STREAM_FD_STDOUT && fd != STREAM_FD_STDERR)
                return;
        s->out_eof[fd] = true;
        session_flush_output(s, session_output_of(s, fd));
}

static void on_mux_exit(Mux *m, uint32_t id, void *stream_userdata, const FrameExit *e) {
        Session *s = stream_userdata;

        s->exit_received = true;
        s->result.how = e->how;
        s->result.code = e->code;
        s->result.core_dumped = e->core_dumped;
}

static void on_mux_close(
                Mux *m, uint32_t id, void *stream_userdata, int error, const char *reason) {
        if (stream_userdata)
                session_on_close(stream_userdata, error, reason);
}

static void on_mux_open(Mux *m, uint32_t id, const FrameOpen *req, void *userdata) {
        (void) mux_stream_reject(m, id, -EOPNOTSUPP, "the host accepts no streams");
}

static const MuxCallbacks session_mux_callbacks = {
        .on_hello = on_mux_hello,
        .on_open = on_mux_open,
        .on_accept = on_mux_accept,
        .on_data = on_mux_data,
        .on_eof = on_mux_eof,
        .on_exit = on_mux_exit,
        .on_close = on_mux_close,
};

/* ---- channel ---- */

static void session_channel_fail_all(SessionChannel *c, int error, const char *reason) {
        Session *next;

        for (Session *s = c->sessions; s; s = next) {
                next = s->next;
                session_fail(s, error, "%s", reason);
        }
}

/* The connection ended: error is -ECONNRESET when the agent or daemon closed it, the mux's error
 * when the protocol broke, or a read/write errno. Every session fails; the lost handler may free
 * the channel, so callers return at once. */
static void session_channel_disconnect(SessionChannel *c, int error, const char *reason) {
        if (c->lost)
                return;
        c->lost = true;
        c->ready = false;
        (void) event_source_set_events(c->io, 0);
        event_source_set_enabled(c->post, false);
        c->lost_error = error < 0 ? error : -ECONNRESET;
        (void) snprintf(c->lost_reason, sizeof(c->lost_reason), "connection to the VM lost (%s)",
                        reason);
        session_channel_fail_all(c, c->lost_error, c->lost_reason);
        if (c->lost_handler)
                c->lost_handler(c, c->lost_error, c->lost_reason, c->lost_userdata);
}

/* Returns false when the channel disconnected (and may be freed). */
static bool session_channel_write(SessionChannel *c) {
        int r = mux_io_write(c->mux, c->fd);

        if (r < 0) {
                session_channel_disconnect(c, r, "write failed");
                return false;
        }
        return true;
}

static int on_session_channel_io(EventSource *source, int fd, uint32_t revents, void *userdata) {
        SessionChannel *c = userdata;
        const char *reason = NULL;
        int r;

        if ((revents & EPOLLOUT) && !session_channel_write(c))
                return 0;
        if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                return 0;
        r = mux_io_read(c->mux, c->fd, &reason);
        if (r < 0)
                session_channel_disconnect(c, r, reason);
        return 0;
}

/* Writes at once (most frames leave without another loop iteration), then reads stdin only while
 * windows are open and the queue short, and the connection only while it is short, too: a peer
 * that stops reading cannot make us buffer without bound. */
static int on_session_channel_post(EventSource *source, void *userdata) {
        SessionChannel *c = userdata;
        uint32_t events = 0;

        if (c->lost || !session_channel_write(c))
                return 0;
        for (Session *s = c->sessions; s; s = s->next)
                session_update(s);
        if (!session_channel_is_congested(c) && !mux_is_broken(c->mux))
                events |= EPOLLIN;
        if (mux_output_size(c->mux) > 0)
                events |= EPOLLOUT;
        return event_source_set_events(c->io, events);
}

int session_channel_new(EventLoop *l, int fd, bool fresh, SessionChannel **ret) {
        _cleanup_(session_channel_freep) SessionChannel *c = NULL;
        MuxConfig mc = {
                .role = MUX_ROLE_HOST,
                .capabilities = PROTOCOL_CAPABILITIES,
                .callbacks = session_mux_callbacks,
                .open_before_hello = fresh,
        };
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->loop = l;
        c->fd = -EBADF;
        c->fresh = fresh;
        mc.userdata = c;
        r = fd_set_nonblock(fd);
        if (r < 0)
                return r;
        r = mux_new(&mc, &c->mux);
        if (r < 0)
                return r;
        r = event_loop_add_io(l, fd, EPOLLIN | EPOLLOUT, on_session_channel_io, c, &c->io);
        if (r < 0)
                return r;
        r = event_loop_add_post(l, on_session_channel_post, c, &c->post);
        if (r < 0)
                return r;
        c->fd = fd;
        *ret = TAKE_PTR(c);
        return 0;
}

SessionChannel *session_channel_free(SessionChannel *c) {
        if (!c)
                return NULL;
        c->lost = true;
        /* Sessions outlive the channel (their owners free them): detach them, done uncalled. */
        while (c->sessions) {
                Session *s = c->sessions;
                session_unlink(s);
                s->channel = NULL;
                s->done_source = event_source_free(s->done_source);
                session_set_done(s);
        }
        c->post = event_source_free(c->post);
        c->io = event_source_free(c->io);
        c->mux = mux_free(c->mux);
        c->fd = safe_close(c->fd);
        free(c);
        return NULL;
}

void session_channel_set_lost_handler(
                SessionChannel *c, SessionChannelLostHandler handler, void *userdata) {
        c->lost_handler = handler;
        c->lost_userdata = userdata;
}

bool session_channel_is_ready(const SessionChannel *c) {
        return c->ready && !c->lost;
}

bool session_channel_is_lost(const SessionChannel *c) {
        return c->lost;
}

/* ---- public session API ---- */

static int session_copy_params(Session *s, const SessionParams *p) {
        s->argv = strv_copy(p->argv);
        s->env = strv_copy(p->env);
        if (!s->argv || !s->env)
                return -ENOMEM;
        if ((p->cwd && !(s->cwd = strdup(p->cwd))) || (p->user && !(s->user = strdup(p->user))) ||
                        (p->term && p->term[0] && !(s->term = strdup(p->term))))
                return -ENOMEM;
        s->pty = p->pty;
        s->pty_rows = p->pty_rows;
        s->pty_cols = p->pty_cols;
        s->stderr_to_stdout = p->stderr_to_stdout;
        s->filtered[STREAM_FD_STDOUT] = p->filter_stdout;
        s->filtered[STREAM_FD_STDERR] = p->filter_stderr && !p->stderr_to_stdout;
        for (int i = STREAM_FD_STDOUT; i <= STREAM_FD_STDERR; i++)
                term_filter_init(&s->filter[i], p->filter_utf8);
        return 0;
}

int session_start(SessionChannel *c, const SessionParams *p, SessionDoneHandler done,
                void *userdata, Session **ret) {
        _cleanup_(session_freep) Session *s = NULL;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s) {
                (void) safe_close(p->stdin_fd);
                (void) safe_close(p->stdout_fd);
                (void) safe_close(p->stderr_fd);
                return -ENOMEM;
        }
        s->tty_fd = -EBADF;
        local_fd_init(&s->in, p->stdin_fd);
        local_fd_init(&s->out[0], -EBADF);
        local_fd_init(&s->out[1], p->stdout_fd);
        local_fd_init(&s->out[2], p->stderr_fd);
        if (!p->argv || !p->argv[0] || !p->argv[0][0] || (p->stderr_to_stdout && p->stderr_fd >= 0))
                return -EINVAL;
        r = session_copy_params(s, p);
        if (r < 0)
                return r;
        s->done = done;
        s->started = p->started;
        s->userdata = userdata;
        s->channel = c;
        s->next = c->sessions;
        if (c->sessions)
                c->sessions->prev = s;
        c->sessions = s;
        if (c->lost)
                session_fail(s, c->lost_error, "%s", c->lost_reason);
        else if (c->ready || c->fresh)
                session_open_stream(s);
        *ret = TAKE_PTR(s);
        return 0;
}

int session_send_signal(Session *s, int signo) {
        if (!s->channel || s->state != SESSION_RUNNING)
                return -ENOTCONN;
        return mux_stream_send_signal(session_mux(s), s->id, (uint32_t) signo);
}

int session_resize(Session *s, uint16_t rows, uint16_t cols) {
        if (!s->channel || s->state != SESSION_RUNNING)
                return -ENOTCONN;
        return mux_stream_send_resize(session_mux(s), s->id, rows, cols);
}

static int on_forwarded_signal(
                EventSource *source, const struct signalfd_siginfo *si, void *userdata) {
        Session *s = userdata;
        int r;

        if (IN_SET(s->state, SESSION_WAITING, SESSION_OPENING)) {
                session_fail(s, -ECANCELED, "interrupted by %s before '%s' started",
                                strsignal((int) si->ssi_signo), s->argv[0]);
                return 0;
        }
        r = session_send_signal(s, (int) si->ssi_signo);
        if (r < 0)
                log_debug_errno(r, "Cannot forward signal %u, ignoring: %m", si->ssi_signo);
        return 0;
}

static int on_winch(EventSource *source, const struct signalfd_siginfo *si, void *userdata) {
        Session *s = userdata;
        struct winsize ws;

        if (ioctl(s->tty_fd, TIOCGWINSZ, &ws) < 0)
                return 0;
        (void) session_resize(s, ws.ws_row, ws.ws_col);
        return 0;
}

int session_forward_signals(Session *s, int tty_fd) {
        sigset_t mask;
        int r;

        if (!s->channel)
                return -ENOTCONN;
        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
                sigaddset(&mask, forwarded_signals[i]);
        if (tty_fd >= 0)
                sigaddset(&mask, SIGWINCH);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++) {
                r = event_loop_add_signal(s->channel->loop, forwarded_signals[i],
                                on_forwarded_signal, s, &s->signal_sources[i]);
                if (r < 0)
                        return r;
        }
        if (tty_fd < 0)
                return 0;
        s->tty_fd = tty_fd;
        return event_loop_add_signal(s->channel->loop, SIGWINCH, on_winch, s, &s->winch_source);
}

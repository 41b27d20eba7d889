/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* session.h: host side of EXEC sessions on the client's event loop (event-loop.h): run a program
 * in the guest and relay local fds to it. Only vm-run (and the test client vmsilo-exec) use it.
 *
 * A SessionChannel is one connection to an agent (or to the daemon, which relays the same
 * protocol): it does HELLO and carries any number of concurrent Sessions (up to
 * MUX_STREAMS_MAX). A Session opens one EXEC stream and relays its stdin/stdout/stderr to
 * local fds with per-stream flow control: stdin is read only as far as the agent's window
 * allows, and stdout/stderr credit is granted back only as the local fds accept the bytes, so a
 * slow local consumer throttles its own stream and nothing else.
 *
 * Every session ends in exactly one call of its done handler, made from its own event-loop
 * dispatch (never from inside a library call), so the handler may free the session or even the
 * channel. Callers must ignore SIGPIPE: a local reader that goes away is a write error here. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "event-loop.h"
#include "macro.h"
#include "protocol.h"

/* What a client grants the guest per stream. Under TCG credits come back slowly, through
 * vmsilod's relay: 256 KiB left the guest's writer waiting (docs/benchmarks.md). */
#define SESSION_WINDOW_BYTES (1024U * 1024U)
#define SESSION_REASON_MAX 256

typedef struct SessionChannel SessionChannel;
typedef struct Session Session;

typedef struct Session Session;

typedef struct SessionParams {
        char *const *argv; /* required, argv[0] non-empty; copied */
        char *const *env;  /* "KEY=VALUE" entries added in the guest; may be NULL; copied */
        const char *cwd;   /* NULL: the user's home */
        const char *user;  /* NULL: the agent's default user */
        bool pty;
        uint16_t pty_rows, pty_cols; /* 0: agent default */
        const char *term;            /* NULL or "": agent default */
        /* Local ends, owned by the session from session_start() on (also on failure): stdin is
         * read, stdout/stderr written; -EBADF for none (stdin: immediate EOF; output:
         * discarded). Pipes, sockets and terminals are switched to O_NONBLOCK while the session
         * runs and restored when it is freed; regular files are used as they are. */
        int stdin_fd, stdout_fd, stderr_fd;
        /* Guest output bound for a terminal goes through a TermFilter (term-filter.h) first;
         * filter_utf8: that terminal decodes UTF-8. With stderr_to_stdout (stderr_fd must be
         * -EBADF) the program's stderr is written to stdout_fd in arrival order, through
         * stdout's filter: two filters writing one terminal could let halves of sequences from
         * either stream meet there. */
        bool filter_stdout, filter_stderr, filter_utf8;
        bool stderr_to_stdout;
        /* Called once the agent accepted the stream and the program runs (the VM may take a
         * while to boot before that); may be NULL. Gets the done handler's userdata. */
        void (*started)(Session *s, void *userdata);
} SessionParams;

typedef struct SessionResult {
        /* 0: the program ran and ended, how/code/core_dumped are valid. Otherwise a negative
         * errno and reason says why in words: the agent refused (REJECT's error, e.g. -ENOENT
         * unknown user), -ECONNRESET "agent restarted", or the channel's error "connection to
         * the VM lost". */
        int error;
        char reason[SESSION_REASON_MAX];
        ExitHow how;
        int code; /* exit code, or the signal number with EXIT_HOW_SIGNALED */
        bool core_dumped;
} SessionResult;

/* The shell convention: the exit code, 128 + signal when killed, 255 when the session failed. */
int session_result_to_exit_status(const SessionResult *r);

typedef void (*SessionDoneHandler)(Session *s, const SessionResult *result, void *userdata);
/* The connection ended (error as for SessionResult); every session is failed just before. */
typedef void (*SessionChannelLostHandler)(
                SessionChannel *c, int error, const char *reason, void *userdata);

/* Takes fd (a connected stream socket or pipe-like fd) on success. Sends HELLO at once. fresh:
 * the connection is new to both sides (vm-run's to a command socket), so sessions send their
 * OPEN right behind our HELLO instead of waiting a round trip for the peer's (mux.h,
 * open_before_hello); false for a transport that may carry an earlier session (an agent's port). */
int session_channel_new(EventLoop *l, int fd, bool fresh, SessionChannel **ret);
/* Detaches every session still attached (they are over; their done handlers are not called,
 * their owners still free them), then frees. */
SessionChannel *session_channel_free(SessionChannel *c);
DEFINE_FREE_FUNC(SessionChannel *, session_channel_free);
void session_channel_set_lost_handler(
                SessionChannel *c, SessionChannelLostHandler handler, void *userdata);
bool session_channel_is_ready(const SessionChannel *c); /* agent HELLO received, not lost */
bool session_channel_is_lost(const SessionChannel *c);

/* Starts a session; before the agent's HELLO it waits for it, unless the channel is fresh. Fails at
 * once only for invalid params (-EINVAL) or OOM; everything later arrives through done. */
int session_start(SessionChannel *c, const SessionParams *p, SessionDoneHandler done,
                void *userdata, Session **ret);
/* Aborts a running session (CLOSE -ECANCELED; the agent hangs up on the program), closes the
 * local fds and frees. No done call follows. Accepts NULL, returns NULL. */
Session *session_free(Session *s);
DEFINE_FREE_FUNC(Session *, session_free);

/* Delivered to the program's process group; -ENOTCONN before the stream is accepted or after it
 * ended. A signal forwarded by session_forward_signals() before the program runs cancels the
 * session instead (-ECANCELED): the user wants out while the VM is still booting. */
int session_send_signal(Session *s, int signo);
int session_resize(Session *s, uint16_t rows, uint16_t cols);
/* Forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT received by this process to the program, and
 * with tty_fd >= 0 SIGWINCH as the size of that terminal. Blocks those signals for the loop's
 * signalfds; one session per event loop can do this. */
int session_forward_signals(Session *s, int tty_fd);

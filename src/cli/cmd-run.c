/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-run.c: `vm-run NAME CMD [ARG…]` runs CMD in VM NAME through <runtime>/NAME-command.socket
 * (connecting starts the VM) and exits with CMD's status. The relay, signal forwarding and
 * protocol are the session library's (session.h); this file decides the PTY and which
 * outputs are filtered (src/shared/term-filter.h), keeps the terminal raw while a PTY session runs,
 * and maps the end to an exit status. On a terminal it says when the answer is slow in coming, i.e.
 * the VM is booting, and how long that took. Desktop entries with Terminal=true run vm-run in the
 * host's terminal emulator (desktop-entry.c), so their output is filtered here too. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli-util.h"
#include "cli.h"
#include "event-loop.h"
#include "layout.h"
#include "log.h"
#include "run-exit.h"
#include "session.h"
#include "terminal.h"
#include "time-util.h"

/* vmsilod answers the OPEN once the VM runs: a running VM within milliseconds (about 15 ms under
 * TCG), a boot in seconds. A slower answer means a boot, so it is announced. */
#define ANNOUNCE_AFTER_USEC (USEC_PER_SEC / 5)

typedef struct RunState {
        EventLoop *loop;
        Session *session; /* NULL once done */
        SessionResult result;
        bool raw_wanted;   /* a PTY session on our terminal: go raw once the program runs */
        Terminal terminal; /* the saved mode, restored on every way out */
        const char *vm;
        uint64_t connected_usec; /* CLOCK_MONOTONIC */
        EventSource *announce;   /* the timer of the "starting VM" line; NULL: none */
        bool announced;          /* the "starting VM" line was printed */
} RunState;

static void help(const char *program) {
        printf("Usage: %s [OPTIONS] NAME COMMAND [ARG…]\n"
               "\n"
               "Run COMMAND in VM NAME, starting the VM if needed. Standard input, output and\n"
               "error are passed through; the exit status is COMMAND's (128+N if signal N\n"
               "killed it), or 125 if vmsilo could not run it. Options end at NAME.\n"
               "\n"
               "Options:\n"
               "  -h --help             show this help\n"
               "  -t --tty              run COMMAND on a pseudo-terminal (default when stdin is "
               "one)\n"
               "  -T --no-tty           never use a pseudo-terminal\n"
               "     --raw-terminal     pass COMMAND's output to a terminal unfiltered, escape\n"
               "                        sequences that query the terminal, set its title or\n"
               "                        clipboard included (default: only text, colours and\n"
               "                        cursor movement reach a terminal; pipes and files\n"
               "                        always get every byte)\n"
               "  -u --user USER        run as USER in the guest (default: the guest user)\n"
               "  -e --env KEY=VALUE    set an environment variable (repeatable)\n"
               "     --cwd DIR          working directory in the guest (default: the home)\n"
               "     --runtime-dir DIR  vmsilod's sockets (default: $" CLI_RUNTIME_DIR_ENV
               " or " CLI_RUNTIME_DIR_DEFAULT ")\n",
                        program);
}

/* Raw mode only once the program runs: while the VM boots, Ctrl-C stays a real SIGINT that
 * cancels the wait. */
static void on_session_started(Session *s, void *userdata) {
        RunState *state = userdata;
        int r;

        state->announce = event_source_free(state->announce);
        if (state->announced)
                fprintf(stderr, "vmsilo: VM '%s' is up (%.1f s)\n", state->vm,
                                (double) (now_usec() - state->connected_usec) / USEC_PER_SEC);
        if (!state->raw_wanted)
                return;
        r = terminal_make_raw(STDIN_FILENO, &state->terminal);
        if (r < 0)
                log_warning_errno(r, "cannot put the terminal into raw mode, ignoring: %m");
}

static int on_announce(EventSource *source, uint64_t usec, void *userdata) {
        RunState *state = userdata;

        fprintf(stderr, "vmsilo: starting VM '%s'%s\n", state->vm,
                        terminal_is_utf8() ? "\u2026" : "...");
        state->announced = true;
        return 0;
}

/* Only a person watching a terminal is told; scripts' stderr stays clean. */
static int arm_announce(RunState *state) {
        if (!isatty(STDERR_FILENO))
                return 0;
        state->connected_usec = now_usec();
        return event_loop_add_time(state->loop, state->connected_usec + ANNOUNCE_AFTER_USEC,
                        on_announce, state, &state->announce);
}

static void on_session_done(Session *s, const SessionResult *result, void *userdata) {
        RunState *state = userdata;

        state->result = *result;
        state->session = session_free(s);
        event_loop_exit(state->loop, 0);
}

/* The session owns what it is given, so it gets duplicates and our own stdio stays open for
 * messages after it ends. main() made sure 0, 1 and 2 are open (/dev/null if they were not). */
static int dup_stdio(int fd) {
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);

        return copy < 0 ? -errno : copy;
}

static int dup_stdio_all(int *ret_stdin, int *ret_stdout, int *ret_stderr) {
        _cleanup_(closep) int in = dup_stdio(STDIN_FILENO), out = dup_stdio(STDOUT_FILENO),
                              err = dup_stdio(STDERR_FILENO);

        if (in < 0)
                return in;
        if (out < 0)
                return out;
        if (err < 0)
                return err;
        *ret_stdin = TAKE_FD(in);
        *ret_stdout = TAKE_FD(out);
        *ret_stderr = TAKE_FD(err);
        return 0;
}

static bool use_pty(CliPtyMode mode) {
        if (mode == CLI_PTY_ALWAYS)
                return true;
        if (mode == CLI_PTY_NEVER)
                return false;
        return isatty(STDIN_FILENO);
}

static bool same_terminal(int a, int b) {
        struct stat sa, sb;

        return fstat(a, &sa) >= 0 && fstat(b, &sb) >= 0 && S_ISCHR(sa.st_mode) &&
               S_ISCHR(sb.st_mode) && sa.st_rdev == sb.st_rdev;
}

/* Guest output bound for a terminal is filtered unless --raw-terminal; pipes and files get every
 * byte. Both outputs on one terminal become one stream (session.h). p->stderr_fd is still ours. */
static void choose_filters(const RunOptions *o, SessionParams *p) {
        if (o->raw_terminal)
                return;
        p->filter_stdout = isatty(STDOUT_FILENO);
        p->filter_stderr = isatty(STDERR_FILENO);
        p->filter_utf8 = terminal_is_utf8();
        p->stderr_to_stdout = p->filter_stdout && p->filter_stderr &&
                              same_terminal(STDOUT_FILENO, STDERR_FILENO);
}

static int start_session(const RunOptions *o, SessionChannel *channel, RunState *state) {
        SessionParams p = {
                .argv = o->command,
                .env = o->env,
                .cwd = o->cwd,
                .user = o->user,
                .pty = use_pty(o->pty),
                .stdin_fd = -EBADF,
                .stdout_fd = -EBADF,
                .stderr_fd = -EBADF,
                .started = on_session_started,
        };
        int r;

        if (p.pty) {
                const char *term = getenv("TERM");

                p.term = term && term[0] != '\0' ? term : NULL;
                (void) terminal_get_size(STDIN_FILENO, &p.pty_rows, &p.pty_cols);
        }
        r = dup_stdio_all(&p.stdin_fd, &p.stdout_fd, &p.stderr_fd);
        if (r < 0)
                return log_error_errno(r, "cannot duplicate the standard fds: %m");
        choose_filters(o, &p);
        if (p.stderr_to_stdout)
                p.stderr_fd = safe_close(p.stderr_fd);
        r = session_start(channel, &p, on_session_done, state, &state->session);
        if (r < 0)
                return log_error_errno(r, "cannot start the session: %m");
        r = session_forward_signals(
                        state->session, p.pty && isatty(STDIN_FILENO) ? STDIN_FILENO : -EBADF);
        if (r < 0)
                return log_error_errno(r, "cannot forward signals: %m");
        return p.pty;
}

static int run(const RunOptions *o) {
        _cleanup_(event_loop_freep) EventLoop *loop = NULL;
        _cleanup_(session_channel_freep) SessionChannel *channel = NULL;
        _cleanup_(closep) int fd = -EBADF;
        RunState state = {
                .result = { .error = -ECONNABORTED,
                                .reason = "the session ended without a result" },
                .terminal = TERMINAL_NULL,
        };
        int r;

        r = cli_connect_vm_socket(
                        cli_runtime_dir(o->runtime_dir), o->vm, LAYOUT_COMMAND_SOCKET_SUFFIX, &fd);
        if (r < 0)
                return CLI_EXIT_VMSILO;
        r = event_loop_new(&loop);
        if (r < 0) {
                log_error_errno(r, "cannot create the event loop: %m");
                return CLI_EXIT_VMSILO;
        }
        state.loop = loop;
        state.vm = o->vm;
        r = arm_announce(&state);
        if (r < 0)
                log_warning_errno(r, "cannot arm the boot announcement, ignoring: %m");
        /* A connection of our own to vmsilod, which sends its HELLO first and reads ours first:
         * the OPEN need not wait for it. */
        r = session_channel_new(loop, fd, /* fresh= */ true, &channel);
        if (r < 0) {
                log_error_errno(r, "cannot set up the channel: %m");
                return CLI_EXIT_VMSILO;
        }
        fd = -EBADF; /* the channel owns it now */

        r = start_session(o, channel, &state);
        if (r < 0) {
                state.session = session_free(state.session);
                return CLI_EXIT_VMSILO;
        }
        state.raw_wanted = r > 0 && isatty(STDIN_FILENO);
        r = event_loop_run(loop);
        state.session = session_free(state.session);
        state.announce = event_source_free(state.announce);
        terminal_restore(&state.terminal);
        if (r < 0) {
                log_error_errno(r, "event loop failed: %m");
                return CLI_EXIT_VMSILO;
        }
        if (state.result.error != 0)
                log_error("%s: %s", o->vm,
                                state.result.reason[0] != '\0' ? state.result.reason
                                                               : strerror(-state.result.error));
        return run_exit_status(&state.result);
}

int cmd_run(int argc, char **argv) {
        _cleanup_(run_options_finish) RunOptions o = {};
        _cleanup_(freep) char *error = NULL;
        int r;

        r = cli_args_parse_run(argc, argv, &o, &error);
        if (r < 0)
                return cli_usage_error(cli_program_name(argv[0]), TAKE_PTR(error));
        if (o.help) {
                help(cli_program_name(argv[0]));
                return CLI_EXIT_OK;
        }
        /* A reader of our output that goes away is a write error for the session library. */
        (void) signal(SIGPIPE, SIG_IGN);
        return run(&o);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo-exec.c: test-only host client of the agent, built on src/cli/session.c.
 *
 * Runs a command through an agent connected on --fd N, or on an agent it spawns itself over a
 * socketpair (--spawn-agent; no VM needed), with stdin/stdout/stderr passed through and the
 * program's exit status as its own. --many N runs N copies concurrently on ONE channel, each
 * writing to its own files, to check that streams never mix or stall each other. Not installed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "event-loop.h"
#include "log.h"
#include "session.h"
#include "strv.h"

#define EXEC_MANY_MAX 1000U
#define AGENT_EXIT_WAIT_USEC (5000ULL * 1000ULL)

static int arg_fd = -1;
static bool arg_spawn_agent = false;
static const char *arg_agent_path = NULL;
static char **arg_agent_args = NULL;
static const char *arg_agent_pid_file = NULL;
static const char *arg_agent_log = NULL;
static bool arg_pty = false;
static unsigned arg_rows = 0, arg_cols = 0;
static const char *arg_term = NULL;
static const char *arg_user = NULL;
static const char *arg_cwd = NULL;
static char **arg_env = NULL;
static unsigned arg_many = 0;
static const char *arg_output_dir = NULL;
static bool arg_stalled = false;
static char **arg_command = NULL;

typedef struct Runner Runner;

typedef struct ManySlot {
        Runner *runner;
        unsigned index;
        Session *session;
        bool done;
        int status;
        char reason[SESSION_REASON_MAX];
} ManySlot;

struct Runner {
        EventLoop *loop;
        SessionChannel *channel;
        ManySlot *slots;
        unsigned n_slots, n_done;
        Session *stalled[2];
        int stalled_pipe[2];
        int exit_status;
};

static void help(void) {
        printf("Usage: vmsilo-exec (--fd N | --spawn-agent) [OPTIONS] -- CMD [ARGS...]\n"
               "Test client: runs CMD through vmsilo-agent and exits with its status.\n\n"
               "      --fd N               the agent channel is the connected fd N\n"
               "      --spawn-agent        start the agent on a socketpair (no VM)\n"
               "      --agent PATH         agent binary ($VMSILO_AGENT, else vmsilo-agent)\n"
               "      --agent-arg ARG      extra agent argument (repeatable)\n"
               "      --agent-pid-file F   write the spawned agent's pid to F\n"
               "      --agent-log F        append the spawned agent's stderr to F\n"
               "      --pty                run on a pseudo-terminal\n"
               "      --rows R --cols C    terminal size (default: this terminal's)\n"
               "      --term TERM          TERM for the PTY\n"
               "      --user U             run as U in the guest\n"
               "      --cwd D              working directory in the guest\n"
               "      --env K=V            add to the environment (repeatable)\n"
               "      --many N             run N sessions at once on one channel; session i gets\n"
               "                           VMSILO_SESSION_INDEX=i and writes DIR/i.out, DIR/i.err\n"
               "      --output-dir DIR     where --many writes\n"
               "      --stalled            with --many: also run one session that never reads its\n"
               "                           stdin and one whose stdout is never read\n");
}

static int parse_uint(const char *s, unsigned max, unsigned *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end || v > max)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

static int parse_argv(int argc, char **argv) {
        enum {
                ARG_FD = 0x100,
                ARG_SPAWN,
                ARG_AGENT,
                ARG_AGENT_ARG,
                ARG_AGENT_PID_FILE,
                ARG_AGENT_LOG,
                ARG_PTY,
                ARG_ROWS,
                ARG_COLS,
                ARG_TERM,
                ARG_USER,
                ARG_CWD,
                ARG_ENV,
                ARG_MANY,
                ARG_OUTPUT_DIR,
                ARG_STALLED,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "fd", required_argument, NULL, ARG_FD },
                { "spawn-agent", no_argument, NULL, ARG_SPAWN },
                { "agent", required_argument, NULL, ARG_AGENT },
                { "agent-arg", required_argument, NULL, ARG_AGENT_ARG },
                { "agent-pid-file", required_argument, NULL, ARG_AGENT_PID_FILE },
                { "agent-log", required_argument, NULL, ARG_AGENT_LOG },
                { "pty", no_argument, NULL, ARG_PTY },
                { "rows", required_argument, NULL, ARG_ROWS },
                { "cols", required_argument, NULL, ARG_COLS },
                { "term", required_argument, NULL, ARG_TERM },
                { "user", required_argument, NULL, ARG_USER },
                { "cwd", required_argument, NULL, ARG_CWD },
                { "env", required_argument, NULL, ARG_ENV },
                { "many", required_argument, NULL, ARG_MANY },
                { "output-dir", required_argument, NULL, ARG_OUTPUT_DIR },
                { "stalled", no_argument, NULL, ARG_STALLED },
                {},
        };
        unsigned u;
        int c;

        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        exit(EXIT_SUCCESS);
                case ARG_FD:
                        if (parse_uint(optarg, INT_MAX, &u) < 0)
                                return log_error_errno(EINVAL, "Invalid fd '%s'.", optarg);
                        arg_fd = (int) u;
                        break;
                case ARG_SPAWN:
                        arg_spawn_agent = true;
                        break;
                case ARG_AGENT:
                        arg_agent_path = optarg;
                        break;
                case ARG_AGENT_ARG:
                        if (strv_extend(&arg_agent_args, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_AGENT_PID_FILE:
                        arg_agent_pid_file = optarg;
                        break;
                case ARG_AGENT_LOG:
                        arg_agent_log = optarg;
                        break;
                case ARG_PTY:
                        arg_pty = true;
                        break;
                case ARG_ROWS:
                case ARG_COLS:
                        if (parse_uint(optarg, UINT16_MAX, &u) < 0)
                                return log_error_errno(EINVAL, "Invalid size '%s'.", optarg);
                        *(c == ARG_ROWS ? &arg_rows : &arg_cols) = u;
                        break;
                case ARG_TERM:
                        arg_term = optarg;
                        break;
                case ARG_USER:
                        arg_user = optarg;
                        break;
                case ARG_CWD:
                        arg_cwd = optarg;
                        break;
                case ARG_ENV:
                        if (!strchr(optarg, '=') || strv_extend(&arg_env, optarg) < 0)
                                return log_error_errno(EINVAL, "Invalid --env '%s'.", optarg);
                        break;
                case ARG_MANY:
                        if (parse_uint(optarg, EXEC_MANY_MAX, &u) < 0 || u == 0)
                                return log_error_errno(EINVAL, "Invalid --many '%s'.", optarg);
                        arg_many = u;
                        break;
                case ARG_OUTPUT_DIR:
                        arg_output_dir = optarg;
                        break;
                case ARG_STALLED:
                        arg_stalled = true;
                        break;
                default:
                        return -EINVAL;
                }
        if ((arg_fd >= 0) == arg_spawn_agent)
                return log_error_errno(EINVAL, "Exactly one of --fd and --spawn-agent is needed.");
        if (arg_many > 0 && !arg_output_dir)
                return log_error_errno(EINVAL, "--many needs --output-dir.");
        if (optind >= argc)
                return log_error_errno(EINVAL, "No command given.");
        arg_command = argv + optind;
        return 0;
}

static int spawn_agent(pid_t *ret_pid, int *ret_fd) {
        _cleanup_(strv_freep) char **argv = NULL;
        const char *path = arg_agent_path ?: getenv("VMSILO_AGENT") ?: "vmsilo-agent";
        int sv[2];
        pid_t pid;

        if (strv_extend(&argv, path) < 0 || strv_extend(&argv, "--fd") < 0 ||
                        strv_extend(&argv, "3") < 0 || strv_extend_strv(&argv, arg_agent_args) < 0)
                return -ENOMEM;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                (void) close(sv[0]);
                (void) close(sv[1]);
                return r;
        }
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                /* The agent's stdin and stdout are not the user's: only stderr (its log) is. */
                if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
                                dup2(null_fd, STDOUT_FILENO) < 0)
                        _exit(127);
                if (sv[1] == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(sv[1], 3) < 0)
                        _exit(127);
                if (arg_agent_log) {
                        int log_fd = open(arg_agent_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                                        0644);
                        if (log_fd < 0 || dup2(log_fd, STDERR_FILENO) < 0)
                                _exit(127);
                }
                execv(path, argv);
                fprintf(stderr, "vmsilo-exec: cannot execute '%s': %m\n", path);
                _exit(127);
        }
        (void) close(sv[1]);
        if (arg_agent_pid_file) {
                FILE *f = fopen(arg_agent_pid_file, "we");
                if (f) {
                        fprintf(f, "%d\n", (int) pid);
                        (void) fclose(f);
                }
        }
        *ret_pid = pid;
        *ret_fd = sv[0];
        return 0;
}

static void reap_agent(pid_t pid) {
        for (unsigned i = 0; i < AGENT_EXIT_WAIT_USEC / 10000; i++) {
                if (waitpid(pid, NULL, WNOHANG) != 0)
                        return;
                (void) usleep(10000);
        }
        log_warning("The agent did not exit; killing it.");
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

/* ---- one session, stdio passed through ---- */

static struct termios saved_termios;
static bool termios_saved = false;

static void terminal_restore(void) {
        if (termios_saved)
                (void) tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
}

static void terminal_make_raw(void) {
        struct termios raw;

        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) < 0)
                return;
        termios_saved = true;
        raw = saved_termios;
        cfmakeraw(&raw);
        (void) tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
}

static void on_single_done(Session *s, const SessionResult *result, void *userdata) {
        Runner *run = userdata;

        if (result->error < 0)
                fprintf(stderr, "vmsilo-exec: %s\n", result->reason);
        run->exit_status = session_result_to_exit_status(result);
        event_loop_exit(run->loop, 0);
}

static int run_single(Runner *run) {
        _cleanup_(session_freep) Session *s = NULL;
        SessionParams p = {
                .argv = arg_command,
                .env = arg_env,
                .cwd = arg_cwd,
                .user = arg_user,
                .pty = arg_pty,
                .pty_rows = (uint16_t) arg_rows,
                .pty_cols = (uint16_t) arg_cols,
                .term = arg_term ?: (arg_pty ? getenv("TERM") : NULL),
                .stdin_fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3),
                .stdout_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3),
                .stderr_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3),
        };
        bool tty = arg_pty && isatty(STDIN_FILENO);
        int r;

        if (tty && (arg_rows == 0 || arg_cols == 0)) {
                struct winsize ws;
                if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0) {
                        p.pty_rows = ws.ws_row;
                        p.pty_cols = ws.ws_col;
                }
        }
        r = session_start(run->channel, &p, on_single_done, run, &s);
        if (r < 0)
                return log_error_errno(r, "Cannot start the session: %m");
        r = session_forward_signals(s, tty ? STDIN_FILENO : -1);
        if (r < 0)
                return log_error_errno(r, "Cannot forward signals: %m");
        if (tty)
                terminal_make_raw();
        r = event_loop_run(run->loop);
        terminal_restore();
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return 0;
}

/* ---- many sessions on one channel ---- */

static void many_finish(Runner *run) {
        for (size_t i = 0; i < ELEMENTSOF(run->stalled); i++)
                run->stalled[i] = session_free(run->stalled[i]);
        run->exit_status = EXIT_SUCCESS;
        for (unsigned i = 0; i < run->n_slots; i++) {
                ManySlot *slot = &run->slots[i];
                if (slot->reason[0])
                        printf("session %u: %d %s\n", slot->index, slot->status, slot->reason);
                else
                        printf("session %u: %d\n", slot->index, slot->status);
                if (slot->status != 0)
                        run->exit_status = EXIT_FAILURE;
        }
        event_loop_exit(run->loop, 0);
}

static void on_many_done(Session *s, const SessionResult *result, void *userdata) {
        ManySlot *slot = userdata;
        Runner *run = slot->runner;

        slot->done = true;
        slot->status = session_result_to_exit_status(result);
        if (result->error < 0)
                (void) snprintf(slot->reason, sizeof(slot->reason), "%s", result->reason);
        slot->session = session_free(slot->session);
        if (++run->n_done == run->n_slots)
                many_finish(run);
}

static void on_stalled_done(Session *s, const SessionResult *result, void *userdata) {
        /* A stalled session must not end before the others; if it does, say so. */
        fprintf(stderr, "vmsilo-exec: a stalled session ended early: %s\n",
                        result->error < 0 ? result->reason : "exited");
}

static int open_output(unsigned index, const char *suffix) {
        char path[PATH_MAX];
        int fd;

        if ((size_t) snprintf(path, sizeof(path), "%s/%u.%s", arg_output_dir, index, suffix) >=
                        sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        return fd < 0 ? -errno : fd;
}

static int many_start_one(Runner *run, ManySlot *slot) {
        _cleanup_(strv_freep) char **env = NULL;
        char index_env[64];
        SessionParams p = {
                .argv = arg_command,
                .cwd = arg_cwd,
                .user = arg_user,
                .stdin_fd = -EBADF,
        };

        (void) snprintf(index_env, sizeof(index_env), "VMSILO_SESSION_INDEX=%u", slot->index);
        env = strv_copy(arg_env);
        if (!env || strv_extend(&env, index_env) < 0)
                return -ENOMEM;
        p.env = env;
        p.stdout_fd = open_output(slot->index, "out");
        p.stderr_fd = open_output(slot->index, "err");
        if (p.stdout_fd < 0 || p.stderr_fd < 0) {
                int r = p.stdout_fd < 0 ? p.stdout_fd : p.stderr_fd;
                (void) safe_close(p.stdout_fd);
                (void) safe_close(p.stderr_fd);
                return r;
        }
        return session_start(run->channel, &p, on_many_done, slot, &slot->session);
}

/* One session that never reads the endless stdin we feed it, one whose output pipe nobody
 * reads: both must hold only their own windows. */
static int many_start_stalled(Runner *run) {
        char *sleep_argv[] = { (char *) "sleep", (char *) "3600", NULL };
        char *yes_argv[] = { (char *) "yes", NULL };
        SessionParams p = { .argv = sleep_argv, .user = arg_user, .stderr_fd = -EBADF };
        int r;

        p.stdin_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        p.stdout_fd = -EBADF;
        if (p.stdin_fd < 0)
                return -errno;
        r = session_start(run->channel, &p, on_stalled_done, run, &run->stalled[0]);
        if (r < 0)
                return r;
        if (pipe2(run->stalled_pipe, O_CLOEXEC) < 0)
                return -errno;
        p = (SessionParams){
                .argv = yes_argv,
                .user = arg_user,
                .stdin_fd = -EBADF,
                .stdout_fd = fcntl(run->stalled_pipe[1], F_DUPFD_CLOEXEC, 3),
                .stderr_fd = -EBADF,
        };
        return session_start(run->channel, &p, on_stalled_done, run, &run->stalled[1]);
}

static int run_many(Runner *run) {
        int r;

        run->slots = calloc(arg_many, sizeof(ManySlot));
        if (!run->slots)
                return log_oom();
        run->n_slots = arg_many;
        if (arg_stalled) {
                r = many_start_stalled(run);
                if (r < 0)
                        return log_error_errno(r, "Cannot start the stalled sessions: %m");
        }
        for (unsigned i = 0; i < arg_many; i++) {
                run->slots[i] = (ManySlot){ .runner = run, .index = i };
                r = many_start_one(run, &run->slots[i]);
                if (r < 0)
                        return log_error_errno(r, "Cannot start session %u: %m", i);
        }
        r = event_loop_run(run->loop);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return 0;
}

static void runner_finish(Runner *run) {
        for (unsigned i = 0; run->slots && i < run->n_slots; i++)
                run->slots[i].session = session_free(run->slots[i].session);
        free(run->slots);
        for (size_t i = 0; i < ELEMENTSOF(run->stalled); i++)
                run->stalled[i] = session_free(run->stalled[i]);
        run->stalled_pipe[0] = safe_close(run->stalled_pipe[0]);
        run->stalled_pipe[1] = safe_close(run->stalled_pipe[1]);
        run->channel = session_channel_free(run->channel);
        run->loop = event_loop_free(run->loop);
}

int main(int argc, char **argv) {
        Runner run = { .stalled_pipe = { -EBADF, -EBADF }, .exit_status = 255 };
        pid_t agent_pid = 0;
        int fd = -EBADF, r;

        log_set_program_name("vmsilo-exec");
        (void) signal(SIGPIPE, SIG_IGN);
        r = parse_argv(argc, argv);
        if (r < 0)
                return 255;
        if (arg_spawn_agent) {
                r = spawn_agent(&agent_pid, &fd);
                if (r < 0) {
                        log_error_errno(r, "Cannot start the agent: %m");
                        return 255;
                }
        } else
                fd = arg_fd;

        r = event_loop_new(&run.loop);
        if (r >= 0)
                /* --fd may be an agent's port that carried earlier sessions. */
                r = session_channel_new(run.loop, fd, /* fresh= */ false, &run.channel);
        if (r < 0) {
                log_error_errno(r, "Cannot set up the channel: %m");
                runner_finish(&run);
                return 255;
        }
        r = arg_many > 0 ? run_many(&run) : run_single(&run);
        if (r < 0)
                run.exit_status = 255;
        runner_finish(&run);
        if (agent_pid > 0)
                reap_agent(agent_pid);
        strv_free(arg_env);
        strv_free(arg_agent_args);
        return run.exit_status;
}

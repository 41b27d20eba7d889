/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-shell.c: `vm-shell NAME` attaches the terminal to the VM's serial console
 * (<runtime>/NAME-console, bytes both ways; Ctrl+] leaves; console output to a terminal goes
 * through src/shared/term-filter.h unless --raw-terminal); `vm-shell --ssh [--root] NAME` runs ssh
 * to the VM's first static IPv4 address from the configuration. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli-util.h"
#include "cli.h"
#include "fd-util.h"
#include "layout.h"
#include "log.h"
#include "term-filter.h"
#include "terminal.h"

/* Ctrl+], as telnet and virsh console use it. */
#define SHELL_DETACH_BYTE 0x1d
#define SHELL_BUFFER_SIZE 4096
#define SHELL_SSH_USER "user"

/* One direction of the relay: bytes read from `in`, not yet written to `out`. */
typedef struct Pipe {
        int in;
        int out;
        uint8_t buffer[SHELL_BUFFER_SIZE + TERM_FILTER_PENDING_MAX];
        size_t start, end;
        bool eof;      /* `in` reached its end; nothing more will be read */
        bool filtered; /* what is read goes through filter on its way to buffer */
        TermFilter filter;
} Pipe;

typedef enum RelayEnd {
        RELAY_DETACHED,    /* the user pressed Ctrl+] */
        RELAY_CLOSED,      /* the daemon closed the console */
        RELAY_SIGNALED,    /* SIGINT/SIGTERM/SIGHUP */
        RELAY_OUTPUT_GONE, /* our stdout went away */
} RelayEnd;

static void help(const char *program) {
        printf("Usage: %s [OPTIONS] NAME\n"
               "\n"
               "Attach the terminal to the serial console of VM NAME (Ctrl+] leaves), or with\n"
               "--ssh log in over the network with ssh.\n"
               "\n"
               "Options:\n"
               "  -h --help             show this help\n"
               "     --raw-terminal     pass the console's output to a terminal unfiltered\n"
               "                        (default: only text, colours and cursor movement)\n"
               "     --ssh              ssh to the VM's first static IPv4 address as "
               "'" SHELL_SSH_USER "'\n"
               "     --root             with --ssh: log in as root\n"
               "     --config FILE      with --ssh: the configuration "
               "(default: " CONFIG_DEFAULT_PATH ")\n"
               "     --runtime-dir DIR  vmsilod's sockets (default: $" CLI_RUNTIME_DIR_ENV
               " or " CLI_RUNTIME_DIR_DEFAULT ")\n",
                        program);
}

/* The address part of the first IPv4 CIDR of the first interface that has one. */
static char *vm_first_ipv4(const VmConfig *vm) {
        for (size_t i = 0; i < vm->n_interfaces; i++) {
                const char *cidr =
                                vm->interfaces[i].addresses ? vm->interfaces[i].addresses[0] : NULL;

                if (cidr)
                        return strndup(cidr, strcspn(cidr, "/"));
        }
        return NULL;
}

static int shell_ssh(const ShellOptions *o) {
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(freep) char *address = NULL, *target = NULL;
        const char *config_path = cli_config_path(o->config_path);
        const VmConfig *vm;
        int r;

        r = config_load_file_logged(config_path, &config);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        vm = config_find_vm(config, o->vm);
        if (!vm) {
                log_error("no VM named '%s' in '%s'", o->vm, config_path);
                return CLI_EXIT_FAILURE;
        }
        address = vm_first_ipv4(vm);
        if (!address) {
                log_error("VM '%s' has no static IPv4 address (network.interfaces.*.addresses) to "
                          "ssh to; use its console: vm-shell %s",
                                o->vm, o->vm);
                return CLI_EXIT_FAILURE;
        }
        if (asprintf(&target, "%s@%s", o->root ? "root" : SHELL_SSH_USER, address) < 0) {
                (void) log_oom();
                return CLI_EXIT_FAILURE;
        }
        execlp("ssh", "ssh", "--", target, (char *) NULL);
        log_error_errno(errno, "cannot run ssh: %m");
        return CLI_EXIT_FAILURE;
}

static int signalfd_acquire(sigset_t *ret_old) {
        sigset_t mask;
        int fd;

        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, ret_old) < 0)
                return -errno;
        fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (fd < 0)
                return -errno;
        return fd;
}

static bool pipe_has_data(const Pipe *p) {
        return p->end > p->start;
}

/* Reads what `in` has; for the keyboard side, cuts the data at Ctrl+] and reports it. Returns 1
 * on detach, 0 otherwise, -errno on errors. */
static int pipe_fill(Pipe *p, bool detachable) {
        uint8_t untrusted_raw[SHELL_BUFFER_SIZE];
        ssize_t n = read(p->in, p->filtered ? untrusted_raw : p->buffer, SHELL_BUFFER_SIZE);
        uint8_t *detach;

        if (n < 0 && errno == EAGAIN)
                return 0;
        /* EIO: the terminal hung up. */
        if (n == 0 || (n < 0 && errno == EIO)) {
                p->eof = true;
                return 0;
        }
        if (n < 0)
                return -errno;
        p->start = 0;
        if (p->filtered)
                p->end = term_filter_feed(&p->filter, untrusted_raw, (size_t) n, p->buffer);
        else
                p->end = (size_t) n;
        detach = detachable ? memchr(p->buffer, SHELL_DETACH_BYTE, p->end) : NULL;
        if (detach) {
                p->end = (size_t) (detach - p->buffer);
                return 1;
        }
        return 0;
}

static int pipe_drain(Pipe *p) {
        ssize_t n = write(p->out, p->buffer + p->start, p->end - p->start);

        if (n < 0 && IN_SET(errno, EAGAIN, EINTR))
                return 0;
        if (n < 0)
                return -errno;
        p->start += (size_t) n;
        return 0;
}

/* Writes the rest of the buffer, waiting as needed: used once, on the way out. */
static void pipe_flush(Pipe *p) {
        while (pipe_has_data(p)) {
                struct pollfd pfd = { .fd = p->out, .events = POLLOUT };

                if (poll(&pfd, 1, 1000) <= 0 || pipe_drain(p) < 0)
                        return;
        }
}

static RelayEnd relay(Pipe *up, Pipe *down, int signal_fd, int *ret_signo) {
        bool shut = false;
        int r;

        for (;;) {
                struct pollfd p[4] = {
                        { .fd = !up->eof && !pipe_has_data(up) ? up->in : -1, .events = POLLIN },
                        { .fd = up->out, .events = pipe_has_data(up) ? POLLOUT : 0 },
                        { .fd = pipe_has_data(down) ? down->out : -1, .events = POLLOUT },
                        { .fd = signal_fd, .events = POLLIN },
                };
                struct signalfd_siginfo si;

                if (!down->eof && !pipe_has_data(down))
                        p[1].events |= POLLIN;
                if (up->eof && !pipe_has_data(up) && !shut) {
                        (void) shutdown(up->out, SHUT_WR);
                        shut = true;
                }
                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return RELAY_CLOSED;
                }
                if (p[3].revents & POLLIN && read(signal_fd, &si, sizeof(si)) == sizeof(si)) {
                        *ret_signo = (int) si.ssi_signo;
                        return RELAY_SIGNALED;
                }
                if (p[0].revents) {
                        r = pipe_fill(up, /* detachable= */ true);
                        if (r < 0)
                                up->eof = true;
                        if (r > 0) {
                                pipe_flush(up);
                                return RELAY_DETACHED;
                        }
                }
                if (p[1].revents & (POLLIN | POLLHUP | POLLERR) && !pipe_has_data(down)) {
                        if (pipe_fill(down, /* detachable= */ false) < 0)
                                down->eof = true;
                        if (down->eof)
                                return RELAY_CLOSED;
                }
                if (p[1].revents & POLLOUT && pipe_drain(up) < 0)
                        return RELAY_CLOSED;
                if (p[2].revents && pipe_drain(down) < 0)
                        return RELAY_OUTPUT_GONE;
        }
}

static int shell_console(const ShellOptions *o) {
        _cleanup_(terminal_restore) Terminal terminal = TERMINAL_NULL;
        _cleanup_(closep) int socket_fd = -EBADF, signal_fd = -EBADF;
        _cleanup_(freep) Pipe *up = NULL, *down = NULL;
        RelayEnd end;
        sigset_t old;
        int r, signo = 0, out_flags;

        r = cli_connect_vm_socket(cli_runtime_dir(o->runtime_dir), o->vm,
                        LAYOUT_CONSOLE_SOCKET_SUFFIX, &socket_fd);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        up = calloc(1, sizeof(*up));
        down = calloc(1, sizeof(*down));
        if (!up || !down) {
                (void) log_oom();
                return CLI_EXIT_FAILURE;
        }
        /* Ours alone, unlike stdin and stdout, which may be shared with the shell. */
        r = fd_set_nonblock(socket_fd);
        if (r < 0) {
                log_error_errno(r, "cannot make the console socket non-blocking: %m");
                return CLI_EXIT_FAILURE;
        }
        *up = (Pipe){ .in = STDIN_FILENO, .out = socket_fd };
        *down = (Pipe){ .in = socket_fd, .out = STDOUT_FILENO };
        /* The guest's console bytes reach a terminal filtered, a pipe or file as they are. */
        down->filtered = !o->raw_terminal && isatty(STDOUT_FILENO);
        term_filter_init(&down->filter, terminal_is_utf8());
        /* A console or stdout that goes away must be a write error, not death in raw mode. */
        (void) signal(SIGPIPE, SIG_IGN);
        signal_fd = signalfd_acquire(&old);
        if (signal_fd < 0) {
                log_error_errno(signal_fd, "cannot watch signals: %m");
                return CLI_EXIT_FAILURE;
        }

        /* Raw first: the banner tells the user Ctrl+] works, so it must work once it shows. */
        r = terminal_make_raw(STDIN_FILENO, &terminal);
        if (r < 0 && r != -ENOTTY)
                log_warning_errno(r, "cannot put the terminal into raw mode, ignoring: %m");
        fprintf(stderr, "Connected to %s's console. Press Ctrl+] to leave.\r\n", o->vm);

        /* Console output must never block the loop: a terminal that is slow to read would
         * otherwise keep Ctrl+] unread behind a full buffer. The flag is on the open file
         * stdout shares with the shell that started us, so it is put back before we leave. */
        out_flags = fcntl(STDOUT_FILENO, F_GETFL);
        if (out_flags >= 0)
                (void) fcntl(STDOUT_FILENO, F_SETFL, out_flags | O_NONBLOCK);
        end = relay(up, down, signal_fd, &signo);
        pipe_flush(down);
        if (out_flags >= 0)
                (void) fcntl(STDOUT_FILENO, F_SETFL, out_flags);
        terminal_restore(&terminal);
        (void) sigprocmask(SIG_SETMASK, &old, NULL);

        switch (end) {
        case RELAY_DETACHED:
                fprintf(stderr, "\nLeft %s's console.\n", o->vm);
                return CLI_EXIT_OK;
        case RELAY_CLOSED:
                fprintf(stderr, "\nvmsilod closed %s's console.\n", o->vm);
                return CLI_EXIT_OK;
        case RELAY_SIGNALED:
                return 128 + signo;
        default:
                return CLI_EXIT_FAILURE;
        }
}

int cmd_shell(int argc, char **argv) {
        _cleanup_(freep) char *error = NULL;
        ShellOptions o;
        int r;

        r = cli_args_parse_shell(argc, argv, &o, &error);
        if (r < 0)
                return cli_usage_error(cli_program_name(argv[0]), TAKE_PTR(error));
        if (o.help) {
                help(cli_program_name(argv[0]));
                return CLI_EXIT_OK;
        }
        if (o.ssh)
                return shell_ssh(&o);
        return shell_console(&o);
}

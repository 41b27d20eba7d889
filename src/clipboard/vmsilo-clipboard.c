/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo-clipboard: the user's global clipboard, one per user, in memory only (docs/graphics.md
 * "Global clipboard"). Serves clipboard-request.h on a unix socket, by default
 * $XDG_RUNTIME_DIR/vmsilo/clipboard.sock, to processes of its own uid (SO_PEERCRED): the fences
 * (vmsilo-wayland --clipboard) and `vmsilo clipboard`. No VM can reach it: fences only talk to it
 * on the user's keys. Each copy and paste is a desktop notification when the user's session bus
 * has a notification daemon (clipboard-notify.h), naming the VM and the size, never the text. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "buffer.h"
#include "clipboard-client.h"
#include "clipboard-notify.h"
#include "clipboard-request.h"
#include "log.h"
#include "macro.h"
#include "socket-util.h"

#define CONN_MAX 16u
#define CONN_TIMEOUT_USEC (10u * 1000u * 1000u)

static const char *arg_socket = NULL;

typedef struct Server Server;
typedef struct Conn Conn;

struct Conn {
        Server *server;
        Conn *next, *prev;
        int fd;
        sd_event_source *io, *timer;
        uint8_t *in; /* CLIPBOARD_REQUEST_MAX + 1 bytes: one more tells "too large" */
        size_t in_size;
        Buffer out;
        bool answered;
};

struct Server {
        sd_event *event;
        sd_event_source *listener;
        int listen_fd;
        ClipboardState state;
        ClipboardNotifier notifier;
        Conn *conns;
        size_t n_conns;
};

static Conn *conn_free(Conn *c) {
        if (!c)
                return NULL;
        if (c->server) {
                LIST_REMOVE(c->server->conns, c);
                c->server->n_conns--;
        }
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        safe_close(c->fd);
        if (c->in)
                explicit_bzero(c->in, c->in_size);
        free(c->in);
        if (c->out.data)
                explicit_bzero(c->out.data, c->out.cap);
        buffer_finish(&c->out);
        free(c);
        return NULL;
}
DEFINE_FREE_FUNC(Conn *, conn_free);

static void conn_answer(Conn *c) {
        ClipboardRequest req;
        ClipboardNotice notice;
        _cleanup_(freep) char *reply = NULL;
        size_t size;
        int r;

        c->answered = true;
        r = clipboard_request_answer(&c->server->state, c->in, c->in_size, &req, &reply, &size);
        if (r >= 0) {
                /* the reply's first line: sizes and names, never the text */
                if (IN_SET(req.verb, CLIPBOARD_COPY, CLIPBOARD_PASTE) && req.vm[0])
                        log_info("%s %s: %.*s",
                                        req.verb == CLIPBOARD_COPY ? "copy from" : "paste to",
                                        req.vm, (int) strcspn(reply, "\n"), reply);
                if (clipboard_notice_format(&req, reply, size, &notice) >= 0)
                        clipboard_notifier_send(&c->server->notifier, &notice);
                r = buffer_append(&c->out, (const uint8_t *) reply, size);
                explicit_bzero(reply, size);
        }
        if (r < 0) {
                log_error_errno(r, "Cannot answer a request: %m");
                conn_free(c);
                return;
        }
        (void) sd_event_source_set_io_events(c->io, EPOLLOUT);
}

static int on_conn_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Conn *c = userdata;
        ssize_t n;

        if (c->answered) {
                n = buffer_write_to(&c->out, fd);
                if (n < 0 || buffer_size(&c->out) == 0)
                        conn_free(c);
                return 0;
        }
        if (c->in_size <= CLIPBOARD_REQUEST_MAX)
                n = read(fd, c->in + c->in_size, CLIPBOARD_REQUEST_MAX + 1 - c->in_size);
        else {
                /* too large already: the rest is drained, so that the client, still writing,
                 * gets to read the refusal (the connection's timeout bounds this) */
                uint8_t discard[16384];

                n = read(fd, discard, sizeof(discard));
                if (n > 0)
                        return 0;
        }
        if (n < 0 && IN_SET(errno, EAGAIN, EINTR))
                return 0;
        if (n < 0) {
                conn_free(c);
                return 0;
        }
        c->in_size += (size_t) n;
        if (n == 0)
                conn_answer(c);
        return 0;
}

static int on_conn_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        conn_free(userdata);
        return 0;
}

static int conn_new(Server *server, int fd) {
        _cleanup_(conn_freep) Conn *c = NULL;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->fd = -EBADF;
        c->in = malloc(CLIPBOARD_REQUEST_MAX + 1);
        if (!c->in)
                return -ENOMEM;
        r = sd_event_add_io(server->event, &c->io, fd, EPOLLIN, on_conn_io, c);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(server->event, &c->timer, CLOCK_MONOTONIC, CONN_TIMEOUT_USEC,
                        0, on_conn_timeout, c);
        if (r < 0)
                return r;
        c->fd = fd;
        c->server = server;
        LIST_PREPEND(server->conns, c);
        server->n_conns++;
        TAKE_PTR(c);
        return 0;
}

static int on_listener_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Server *server = userdata;
        _cleanup_(closep) int conn = -EBADF;
        struct ucred cred = {};
        int r;

        conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0)
                return 0;
        /* only the user's own processes; the socket's mode says the same, this makes it certain */
        if (socket_peer_cred(conn, &cred) < 0 || cred.uid != getuid()) {
                log_warning("Refused a connection from uid %u.", (unsigned) cred.uid);
                return 0;
        }
        if (server->n_conns >= CONN_MAX)
                return 0;
        r = conn_new(server, conn);
        if (r < 0)
                return log_error_errno(r, "Cannot take a connection: %m"), 0;
        TAKE_FD(conn);
        return 0;
}

static void server_finish(Server *server) {
        while (server->conns)
                conn_free(server->conns);
        sd_event_source_disable_unref(server->listener);
        safe_close(server->listen_fd);
        clipboard_notifier_finish(&server->notifier);
        clipboard_state_finish(&server->state);
        sd_event_unref(server->event);
}

/* The default socket's directory is the user's own: made here if vmsilod has not. */
static int default_socket(char **ret) {
        _cleanup_(freep) char *path = NULL;
        char *slash;
        int r;

        r = clipboard_socket_path(&path);
        if (r < 0)
                return log_error_errno(r, "XDG_RUNTIME_DIR is not set: give --socket.");
        slash = strrchr(path, '/');
        *slash = 0;
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "Cannot create %s: %m", path);
        *slash = '/';
        *ret = TAKE_PTR(path);
        return 0;
}

static int run(void) {
        _cleanup_(freep) char *path = NULL;
        Server server = { .listen_fd = -EBADF };
        int r;

        /* no core dump of what the user copied */
        (void) prctl(PR_SET_DUMPABLE, 0);
        if (!arg_socket) {
                r = default_socket(&path);
                if (r < 0)
                        return r;
        }
        /* SIGTERM and SIGINT end the loop (blocked, so that sd-event gets them), and with it the
         * contents: server_finish() zeroes them */
        r = sd_event_default(&server.event);
        if (r >= 0) {
                clipboard_notifier_init(&server.notifier, server.event);
                r = sd_event_add_signal(
                                server.event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, NULL, NULL);
        }
        if (r >= 0)
                r = sd_event_add_signal(
                                server.event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, NULL, NULL);
        if (r >= 0) {
                r = socket_listen_unix(arg_socket ?: path, 0600, &server.listen_fd);
                if (r < 0)
                        log_error_errno(r, "Cannot listen on %s: %m", arg_socket ?: path);
        }
        if (r >= 0)
                r = sd_event_add_io(server.event, &server.listener, server.listen_fd, EPOLLIN,
                                on_listener_io, &server);
        if (r >= 0) {
                log_info("Listening on %s.", arg_socket ?: path);
                r = sd_event_loop(server.event);
        }
        server_finish(&server);
        if (r < 0)
                return log_error_errno(r, "vmsilo-clipboard failed: %m");
        return 0;
}

static int parse_argv(int argc, char **argv) {
        static const struct option options[] = {
                { "socket", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "s:h", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        arg_socket = optarg;
                        break;
                case 'h':
                        printf("Usage: vmsilo-clipboard [--socket PATH]\n"
                               "The user's global clipboard, in memory; default socket "
                               "$XDG_RUNTIME_DIR/vmsilo/clipboard.sock.\n");
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(-EINVAL, "Unexpected argument: %s", argv[optind]);
        return 1;
}

int main(int argc, char **argv) {
        int r;

        log_set_program_name("vmsilo-clipboard");
        (void) signal(SIGPIPE, SIG_IGN);
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        return run() < 0 ? 1 : 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo-tray.c: main(): the guest or host half of the tray bridge (docs/tray.md). */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "config-internal.h"
#include "log.h"
#include "parse-util.h"
#include "socket-util.h"
#include "tray-guest.h"
#include "tray-host.h"
#include "vmsilo-config.h"

/* Exit statuses, for the supervisor (docs/tray.md). */
enum {
        EXIT_STOPPED = 0, /* the peer closed the stream, or SIGTERM/SIGINT */
        EXIT_FAILED = 1,  /* setup failed, the stream broke, or the event loop failed */
        EXIT_USAGE = 2,   /* bad command line */
};

static bool arg_host = false;
static const char *arg_vm = NULL;
static uint32_t arg_color_rgb = 0;
static bool arg_color_set = false;
static int arg_fd = -1;
static const char *arg_connect = NULL;
static const char *arg_listen = NULL;

static void help(void) {
        printf("Usage: vmsilo-tray host --vm NAME --color COLOUR (--fd N | --connect PATH |\n"
               "                                                 --listen PATH)\n"
               "       vmsilo-tray guest (--fd N | --connect PATH | --listen PATH)\n"
               "\n"
               "Shows a VM's StatusNotifierItems in the host's tray. The guest half is the guest\n"
               "session's StatusNotifierWatcher and sends its items over a byte stream; the host\n"
               "half checks them and exports \"[NAME] …\" items, framed in the VM's colour.\n"
               "\n"
               "Options:\n"
               "     --vm NAME           host: the VM's name, as in the configuration\n"
               "     --color COLOUR      host: the VM's colour (#rrggbb, a CSS name, rgb())\n"
               "     --fd N              the stream to the other half, inherited as fd N\n"
               "     --connect PATH      or a unix stream socket to connect to\n"
               "     --listen PATH       or the first connection to a socket made at PATH\n"
               "                         (removed once a peer connected)\n"
               "     --log-level LEVEL   error, warn, info (default), debug, trace\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "\n"
               "Exit status: 0 stream closed by the other half or SIGTERM/SIGINT, 1 setup\n"
               "failure or broken stream, 2 bad command line.\n");
}

/* Returns 1 to go on, 0 to exit successfully, < 0 for a usage error. */
static int parse_argv(int argc, char **argv) {
        enum {
                ARG_VM = 0x100,
                ARG_COLOR,
                ARG_FD,
                ARG_CONNECT,
                ARG_LISTEN,
                ARG_LOG_LEVEL,
                ARG_VERSION
        };
        static const struct option options[] = {
                { "vm", required_argument, NULL, ARG_VM },
                { "color", required_argument, NULL, ARG_COLOR },
                { "fd", required_argument, NULL, ARG_FD },
                { "connect", required_argument, NULL, ARG_CONNECT },
                { "listen", required_argument, NULL, ARG_LISTEN },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_VM:
                        if (!config_vm_name_is_valid(optarg))
                                return log_error_errno(
                                                EINVAL, "--vm: '%s' is not a VM name.", optarg);
                        arg_vm = optarg;
                        break;
                case ARG_COLOR:
                        if (parse_color(optarg, &arg_color_rgb) < 0)
                                return log_error_errno(
                                                EINVAL, "--color: '%s' is not a colour.", optarg);
                        arg_color_set = true;
                        break;
                case ARG_FD:
                        if (parse_fd(optarg, 0, &arg_fd) < 0)
                                return log_error_errno(
                                                EINVAL, "--fd: '%s' is not an fd number.", optarg);
                        break;
                case ARG_CONNECT:
                        arg_connect = optarg;
                        break;
                case ARG_LISTEN:
                        arg_listen = optarg;
                        break;
                case ARG_LOG_LEVEL:
                        if (log_level_from_string(optarg) < 0)
                                return log_error_errno(EINVAL,
                                                "--log-level: '%s' is not one of "
                                                "error, warn, info, debug, trace",
                                                optarg);
                        log_set_max_level(log_level_from_string(optarg));
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("vmsilo-tray %s\n", VMSILO_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind + 1 != argc || !(streq(argv[optind], "host") || streq(argv[optind], "guest")))
                return log_error_errno(
                                EINVAL, "Expected exactly one mode, host or guest. See --help.");
        arg_host = streq(argv[optind], "host");
        if (arg_host && (!arg_vm || !arg_color_set))
                return log_error_errno(EINVAL, "host needs --vm and --color. See --help.");
        if (!arg_host && (arg_vm || arg_color_set))
                return log_error_errno(EINVAL, "--vm and --color are for host mode. See --help.");
        if ((arg_fd >= 0) + !!arg_connect + !!arg_listen != 1)
                return log_error_errno(
                                EINVAL, "Exactly one of --fd, --connect and --listen. See --help.");
        return 1;
}

static int connect_stream(const char *path, int *ret) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_(closep) int fd = -EBADF;

        if (strlen(path) >= sizeof(sa.sun_path))
                return log_error_errno(ENAMETOOLONG, "--connect: path too long.");
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return log_error_errno(errno, "Cannot connect to '%s': %m", path);
        *ret = TAKE_FD(fd);
        return 0;
}

/* vmsilod's supervisor starts the host half with --listen in the VM's services directory,
 * where vmsilod relays the guest's stream to (docs/tray.md): one peer per run; the socket goes
 * once it has connected, so a second connection finds nobody rather than a queue that is
 * never served. */
static int accept_stream(const char *path, int *ret) {
        _cleanup_(closep) int listen_fd = -EBADF, fd = -EBADF;
        struct pollfd p;
        int r;

        r = socket_listen_unix(path, 0600, &listen_fd);
        if (r < 0)
                return log_error_errno(r, "Cannot listen on '%s': %m", path);
        p = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
        for (;;) {
                if (poll(&p, 1, -1) < 0 && errno != EINTR)
                        return log_error_errno(errno, "Cannot wait on '%s': %m", path);
                fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (fd >= 0)
                        break;
                if (!IN_SET(errno, EAGAIN, EINTR, ECONNABORTED))
                        return log_error_errno(errno, "Cannot accept on '%s': %m", path);
        }
        (void) unlink(path);
        log_debug("The other half connected on '%s'.", path);
        *ret = TAKE_FD(fd);
        return 0;
}

static int run(void) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(tray_host_freep) TrayHost *host = NULL;
        _cleanup_(tray_guest_freep) TrayGuest *guest = NULL;
        _cleanup_(closep) int fd = arg_fd;
        int r;

        if (arg_connect || arg_listen) {
                r = arg_connect ? connect_stream(arg_connect, &fd) : accept_stream(arg_listen, &fd);
                if (r < 0)
                        return r;
        }
        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop: %m");
        r = sd_event_set_signal_exit(event, true);
        if (r < 0)
                return log_error_errno(r, "Cannot handle SIGTERM/SIGINT: %m");
        if (arg_host)
                r = tray_host_new(event, fd, arg_vm, arg_color_rgb, &host);
        else
                r = tray_guest_new(event, fd, &guest);
        if (r < 0)
                return log_error_errno(r, "Cannot start the tray %s half: %m",
                                arg_host ? "host" : "guest");
        TAKE_FD(fd);
        r = sd_event_loop(event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return r == 0 ? 0 : -EPROTO;
}

int main(int argc, char **argv) {
        int r;

        log_set_program_name("vmsilo-tray");
        (void) signal(SIGPIPE, SIG_IGN);
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        return run() < 0 ? EXIT_FAILED : EXIT_STOPPED;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo-wayland.c: main(): arguments, the listening socket and the compositor's address, then
 * the event loop of proxy.c. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "config-internal.h"
#include "fd-util.h"
#include "fence-control.h"
#include "frame.h"
#include "log.h"
#include "parse-util.h"
#include "proxy.h"
#include "socket-util.h"
#include "vmsilo-config.h"

/* Exit statuses, for the supervisor (docs/graphics.md). */
enum {
        EXIT_STOPPED = 0, /* SIGTERM or SIGINT */
        EXIT_FAILED = 1,  /* could not set up, or the event loop failed */
        EXIT_USAGE = 2,   /* bad command line */
};

static const char *arg_vm = NULL;
static const char *arg_listen = NULL;
static int arg_listen_fd = -1;
static const char *arg_upstream = NULL;
static uint32_t arg_color = 0xff0000; /* the configuration's default colour */
static uint32_t arg_frame_width = FRAME_WIDTH_DEFAULT;
static bool arg_viewporter = true;
static const char *arg_entries = NULL;
static const char *arg_clipboard = NULL;
static const char *arg_control = NULL;
static Hotkey arg_copy_key = HOTKEY_COPY_DEFAULT_KEYS;
static Hotkey arg_paste_key = HOTKEY_PASTE_DEFAULT_KEYS;

static void help(void) {
        printf("Usage: vmsilo-wayland --vm NAME (--listen PATH | --listen-fd N)\n"
               "                      [--upstream DISPLAY] [--color COLOUR] [--frame-width N]\n"
               "                      [--entries DIR] [--clipboard PATH] [--control PATH]\n"
               "                      [--copy-key KEYS] [--paste-key KEYS]\n"
               "\n"
               "The fence between one VM's Wayland clients and the desktop's compositor: shows\n"
               "them only allowlisted globals, titles their windows \"[NAME] …\", bounds what\n"
               "they can make it hold, cuts a client that breaks a rule, and draws a frame in\n"
               "the VM's colour around every window.\n"
               "\n"
               "Options:\n"
               "     --vm NAME           the VM's name, as in the configuration\n"
               "     --listen PATH       create the socket clients connect to at PATH (mode 0600)\n"
               "     --listen-fd N       or serve the listening unix socket inherited as fd N\n"
               "     --upstream DISPLAY  the compositor: a socket path, or a display name in\n"
               "                         $XDG_RUNTIME_DIR (default $WAYLAND_DISPLAY,\n"
               "                         else wayland-0)\n"
               "     --color COLOUR      the frame's colour: a name, #RRGGBB or rgb(r,g,b)\n"
               "                         (default red)\n"
               "     --frame-width N     the frame's width in pixels, 0-64 (default 4; 0: none)\n"
               "     --no-viewporter     draw the frame with plain buffers, as where the\n"
               "                         compositor offers no wp_viewporter\n"
               "     --entries DIR       the host's applications dir: an app_id with an entry\n"
               "                         vmsilo-NAME.<app_id>.desktop there keeps its id\n"
               "     --clipboard PATH    vmsilo-clipboard's socket: the copy key copies the VM's\n"
               "                         selection there (without it the keys do nothing)\n"
               "     --control PATH      create a socket at PATH (mode 0600) on which the user's\n"
               "                         `vmsilo clipboard copy-from|paste-to` ask for a copy\n"
               "                         or paste, as the keys do\n"
               "     --copy-key KEYS     the clipboard's copy key, never shown to the VM\n"
               "                         (default " HOTKEY_COPY_DEFAULT ")\n"
               "     --paste-key KEYS    the clipboard's paste key\n"
               "                         (default " HOTKEY_PASTE_DEFAULT ")\n"
               "                         KEYS: modifiers (ctrl, shift, alt, logo) and a key\n"
               "                         name, joined by '+'\n"
               "     --log-level LEVEL   error, warn, info (default), debug, trace\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "\n"
               "Exit status: 0 stopped by SIGTERM/SIGINT, 1 setup or event loop failure,\n"
               "2 bad command line.\n");
}

/* A decimal integer in [min, max], all of s. */
static int parse_long(const char *s, long min, long max, long *ret) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || *end || end == s || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* Returns 1 to go on, 0 to exit successfully, < 0 for a usage error. */
static int parse_argv(int argc, char **argv) {
        enum {
                ARG_VM = 0x100,
                ARG_LISTEN,
                ARG_LISTEN_FD,
                ARG_UPSTREAM,
                ARG_LOG_LEVEL,
                ARG_VERSION,
                ARG_COLOR,
                ARG_FRAME_WIDTH,
                ARG_NO_VIEWPORTER,
                ARG_ENTRIES,
                ARG_CLIPBOARD,
                ARG_CONTROL,
                ARG_COPY_KEY,
                ARG_PASTE_KEY,
        };
        static const struct option options[] = {
                { "vm", required_argument, NULL, ARG_VM },
                { "listen", required_argument, NULL, ARG_LISTEN },
                { "listen-fd", required_argument, NULL, ARG_LISTEN_FD },
                { "upstream", required_argument, NULL, ARG_UPSTREAM },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "color", required_argument, NULL, ARG_COLOR },
                { "frame-width", required_argument, NULL, ARG_FRAME_WIDTH },
                { "no-viewporter", no_argument, NULL, ARG_NO_VIEWPORTER },
                { "entries", required_argument, NULL, ARG_ENTRIES },
                { "clipboard", required_argument, NULL, ARG_CLIPBOARD },
                { "control", required_argument, NULL, ARG_CONTROL },
                { "copy-key", required_argument, NULL, ARG_COPY_KEY },
                { "paste-key", required_argument, NULL, ARG_PASTE_KEY },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        long number;
        LogLevel level;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_VM:
                        if (config_check_vm_name_arg(optarg) < 0)
                                return -EINVAL;
                        arg_vm = optarg;
                        break;
                case ARG_LISTEN:
                        arg_listen = optarg;
                        break;
                case ARG_LISTEN_FD:
                        if (parse_fd(optarg, 3, &arg_listen_fd) < 0)
                                return log_error_errno(EINVAL,
                                                "--listen-fd: '%s' is not an fd "
                                                "number above 2.",
                                                optarg);
                        break;
                case ARG_UPSTREAM:
                        arg_upstream = optarg;
                        break;
                case ARG_COLOR:
                        if (parse_color(optarg, &arg_color) < 0)
                                return log_error_errno(EINVAL,
                                                "--color: '%s' is not a colour name, #RRGGBB "
                                                "or rgb(r,g,b).",
                                                optarg);
                        break;
                case ARG_FRAME_WIDTH:
                        if (parse_long(optarg, 0, FRAME_WIDTH_MAX, &number) < 0)
                                return log_error_errno(EINVAL,
                                                "--frame-width: '%s' is not a width of 0 to "
                                                "%u pixels.",
                                                optarg, FRAME_WIDTH_MAX);
                        arg_frame_width = (uint32_t) number;
                        break;
                case ARG_NO_VIEWPORTER:
                        arg_viewporter = false;
                        break;
                case ARG_ENTRIES:
                        arg_entries = optarg;
                        break;
                case ARG_CONTROL:
                        arg_control = optarg;
                        break;
                case ARG_CLIPBOARD:
                        arg_clipboard = optarg;
                        break;
                case ARG_COPY_KEY:
                case ARG_PASTE_KEY:
                        if (hotkey_parse(optarg,
                                            c == ARG_COPY_KEY ? &arg_copy_key : &arg_paste_key) < 0)
                                return log_error_errno(EINVAL,
                                                "--%s: '%s' is not modifiers and a key, "
                                                "e.g. ctrl+shift+c.",
                                                c == ARG_COPY_KEY ? "copy-key" : "paste-key",
                                                optarg);
                        break;
                case ARG_LOG_LEVEL:
                        if (log_parse_level_arg(optarg, &level) < 0)
                                return -EINVAL;
                        log_set_max_level(level);
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("vmsilo-wayland %s\n", VMSILO_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(
                                EINVAL, "Unexpected argument '%s'. See --help.", argv[optind]);
        if (!arg_vm)
                return log_error_errno(EINVAL, "--vm is required. See --help.");
        if (memcmp(&arg_copy_key, &arg_paste_key, sizeof(Hotkey)) == 0)
                return log_error_errno(EINVAL, "--copy-key and --paste-key are the same keys.");
        if (!arg_listen == (arg_listen_fd < 0))
                return log_error_errno(EINVAL, "Exactly one of --listen and --listen-fd. "
                                               "See --help.");
        return 1;
}

/* The compositor's socket as libwayland's clients find it: an absolute display is the path,
 * otherwise it is a name in $XDG_RUNTIME_DIR. */
static int upstream_path(char **ret) {
        const char *display = arg_upstream ?: getenv("WAYLAND_DISPLAY") ?: "wayland-0";
        const char *runtime_dir = getenv("XDG_RUNTIME_DIR");

        if (display[0] == '/')
                return (*ret = strdup(display)) ? 0 : log_oom();
        if (!runtime_dir || runtime_dir[0] != '/')
                return log_error_errno(EINVAL,
                                "The compositor display '%s' is a name, and "
                                "$XDG_RUNTIME_DIR is not set to a path.",
                                display);
        if (asprintf(ret, "%s/%s", runtime_dir, display) < 0)
                return log_oom();
        return 0;
}

static int listen_socket(int *ret) {
        int accepting = 0, r;
        socklen_t len = sizeof(accepting);

        if (arg_listen) {
                r = socket_listen_unix(arg_listen, 0600, ret);
                if (r < 0)
                        return log_error_errno(r, "Cannot listen on '%s': %m", arg_listen);
                return 0;
        }
        if (getsockopt(arg_listen_fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) < 0 ||
                        !accepting)
                return log_error_errno(
                                EBADF, "--listen-fd %d is not a listening socket.", arg_listen_fd);
        if (fd_set_nonblock(arg_listen_fd) < 0 || fcntl(arg_listen_fd, F_SETFD, FD_CLOEXEC) < 0)
                return log_error_errno(errno, "Cannot set up --listen-fd %d: %m", arg_listen_fd);
        *ret = arg_listen_fd;
        return 0;
}

static int run(int argc, char **argv) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        /* freed after the proxy, which answers the copies under way (cleanups run in reverse) */
        _cleanup_(fence_control_freep) FenceControl *control = NULL;
        _cleanup_(proxy_freep) Proxy *proxy = NULL;
        _cleanup_(freep) char *upstream = NULL;
        _cleanup_(closep) int listen_fd = -EBADF, entries_fd = -EBADF, control_fd = -EBADF;
        sigset_t mask;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_STOPPED;
        if (upstream_path(&upstream) < 0 || listen_socket(&listen_fd) < 0)
                return EXIT_FAILED;
        if (arg_control) {
                r = socket_listen_unix(arg_control, 0600, &control_fd);
                if (r < 0) {
                        log_error_errno(r, "Cannot listen on '%s': %m", arg_control);
                        return EXIT_FAILED;
                }
        }
        if (arg_entries) {
                entries_fd = open(arg_entries, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (entries_fd < 0) /* no entries yet: every app_id is the VM's */
                        log_warning_errno(errno, "Cannot open --entries '%s', ignoring: %m",
                                        arg_entries);
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
        (void) signal(SIGPIPE, SIG_IGN);
        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = proxy_new(event, listen_fd,
                                &(const ProxyOptions){
                                                .vm = arg_vm,
                                                .upstream_path = upstream,
                                                .frame_rgb = arg_color,
                                                .frame_width = arg_frame_width,
                                                .viewporter_allowed = arg_viewporter,
                                                .entries_fd = entries_fd,
                                                .copy_key = arg_copy_key,
                                                .paste_key = arg_paste_key,
                                                .clipboard_path = arg_clipboard,
                                },
                                &proxy);
        if (r < 0) {
                log_error_errno(r, "Cannot set up: %m");
                return EXIT_FAILED;
        }
        TAKE_FD(listen_fd);
        if (control_fd >= 0) {
                r = fence_control_new(event, control_fd, proxy, &control);
                if (r < 0) {
                        log_error_errno(r, "Cannot set up the control socket: %m");
                        return EXIT_FAILED;
                }
                TAKE_FD(control_fd);
        }

        log_info("vmsilo-wayland %s ready: VM '%s', compositor '%s'.", VMSILO_VERSION, arg_vm,
                        upstream);
        r = sd_event_loop(event);
        if (r < 0) {
                log_error_errno(r, "Event loop failed: %m");
                return EXIT_FAILED;
        }
        return EXIT_STOPPED;
}

int main(int argc, char **argv) {
        log_set_program_name("vmsilo-wayland");
        return run(argc, argv);
}

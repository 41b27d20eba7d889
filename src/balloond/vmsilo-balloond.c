/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo-balloond.c: main(): arguments (the command line, after the config's
 * vmsilo-balloond.extraArgs), the configuration, then the event loop of balloon-manager.c. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "balloon-manager.h"
#include "image-layout.h"
#include "log.h"
#include "strv.h"
#include "vmsilo-config.h"

static const char *arg_config = CONFIG_DEFAULT_PATH;
static const char *arg_runtime_dir = NULL;
static const char *arg_meminfo = NULL;
static const char *arg_psi = NULL;
static const char *arg_crosvm = "crosvm";
static LogLevel arg_log_level = _LOG_LEVEL_INVALID; /* none given */
static BalloonPolicyKind arg_policy = BALLOON_POLICY_VMSILO;
static bool arg_once = false;

static void help(void) {
        printf("Usage: vmsilo-balloond [OPTIONS]\n"
               "\n"
               "Moves memory between the host and running vmsilo VMs with virtio-balloon.\n"
               "\n"
               "Options:\n"
               "  -c --config FILE        configuration (default %s)\n"
               "     --runtime-dir DIR    where VM sockets appear and balloond.json goes\n"
               "                          (default $VMSILO_RUNTIME_DIR or %s)\n"
               "     --host-meminfo FILE  read host memory from FILE instead of /proc/meminfo;\n"
               "                          a change to FILE counts as host memory pressure\n"
               "     --psi FILE           memory PSI file (default /proc/pressure/memory)\n"
               "     --crosvm BIN         crosvm binary for crosvm VMs (default crosvm)\n"
               "     --policy NAME        vmsilo (default) or chromeos (for comparison)\n"
               "     --once               run one evaluated round, then exit (tests)\n"
               "     --log-level LEVEL    error, warn, info, debug, trace\n"
               "                          (default vmsilo-balloond.logLevel)\n"
               "  -h --help               show this help\n"
               "     --version            show the version\n",
                        CONFIG_DEFAULT_PATH, VMSILO_RUNTIME_DIR_DEFAULT);
}

/* Returns 1 to go on, 0 to exit successfully, < 0 for a usage error. */
static int parse_argv(int argc, char **argv) {
        enum {
                ARG_RUNTIME_DIR = 0x100,
                ARG_MEMINFO,
                ARG_PSI,
                ARG_CROSVM,
                ARG_POLICY,
                ARG_ONCE,
                ARG_LOG_LEVEL,
                ARG_VERSION,
        };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
                { "host-meminfo", required_argument, NULL, ARG_MEMINFO },
                { "psi", required_argument, NULL, ARG_PSI },
                { "crosvm", required_argument, NULL, ARG_CROSVM },
                { "policy", required_argument, NULL, ARG_POLICY },
                { "once", no_argument, NULL, ARG_ONCE },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        arg_config = optarg;
                        break;
                case ARG_RUNTIME_DIR:
                        arg_runtime_dir = optarg;
                        break;
                case ARG_MEMINFO:
                        arg_meminfo = optarg;
                        break;
                case ARG_PSI:
                        arg_psi = optarg;
                        break;
                case ARG_CROSVM:
                        arg_crosvm = optarg;
                        break;
                case ARG_POLICY:
                        arg_policy = balloon_policy_kind_from_string(optarg);
                        if (arg_policy < 0)
                                return log_error_errno(EINVAL,
                                                "--policy: '%s' is not vmsilo or "
                                                "chromeos",
                                                optarg);
                        break;
                case ARG_ONCE:
                        arg_once = true;
                        break;
                case ARG_LOG_LEVEL:
                        if (log_parse_level_arg(optarg, &arg_log_level) < 0)
                                return -EINVAL;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("vmsilo-balloond %s\n", VMSILO_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(EINVAL,
                                "Unexpected argument '%s'. See 'vmsilo-balloond --help'.",
                                argv[optind]);
        return 1;
}

static int load_config(Config **ret) {
        _cleanup_(config_errors_finish) ConfigErrors errors = {};
        int r;

        r = config_load_file(arg_config, ret, &errors);
        for (size_t i = 0; i < errors.n_items; i++) {
                _cleanup_(freep) char *s = NULL;

                if (config_error_format(&errors.items[i], arg_config, &s) < 0)
                        return log_oom();
                log_error("%s", s);
        }
        if (r < 0)
                return log_error_errno(r, "Configuration '%s' is not usable.", arg_config);
        return 0;
}

/* extraArgs first, then the command line, so the command line wins. The arg_* strings point
 * into *ret_argv afterwards: the caller keeps it until the end. */
static int parse_with_extra_args(const Config *config, int argc, char **argv, char ***ret_argv) {
        _cleanup_(strv_freep) char **all = NULL;
        int r;

        r = strv_extend(&all, argv[0]);
        if (r >= 0)
                r = strv_extend_strv(&all, config->balloond.extra_args);
        for (int i = 1; r >= 0 && i < argc; i++)
                r = strv_extend(&all, argv[i]);
        if (r < 0)
                return log_oom();
        r = parse_argv((int) strv_length(all), all);
        if (r <= 0)
                return -EINVAL;
        *ret_argv = TAKE_PTR(all);
        return 1;
}

static int run(int argc, char **argv) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(balloon_manager_freep) BalloonManager *m = NULL;
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(strv_freep) char **all_args = NULL;
        BalloonManagerOptions options;
        sigset_t mask;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;
        if (arg_log_level >= 0)
                log_set_max_level(arg_log_level);
        r = load_config(&config);
        if (r < 0)
                return r;
        r = parse_with_extra_args(config, argc, argv, &all_args);
        if (r < 0)
                return r;
        if (arg_log_level < 0 && config->balloond.log_level)
                arg_log_level = log_level_from_string(config->balloond.log_level);
        if (arg_log_level >= 0)
                log_set_max_level(arg_log_level);
        if (!arg_runtime_dir)
                arg_runtime_dir = getenv("VMSILO_RUNTIME_DIR") ?: VMSILO_RUNTIME_DIR_DEFAULT;

        (void) sigemptyset(&mask);
        (void) sigaddset(&mask, SIGTERM);
        (void) sigaddset(&mask, SIGINT);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop: %m");
        (void) sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        (void) sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);

        options = (BalloonManagerOptions){
                .runtime_dir = arg_runtime_dir,
                .meminfo_path = arg_meminfo ?: "/proc/meminfo",
                .meminfo_watch = arg_meminfo != NULL,
                .psi_path = arg_psi ?: "/proc/pressure/memory",
                .crosvm_binary = arg_crosvm,
                .poll_interval_usec = config->balloond.poll_interval_usec,
                .policy = arg_policy,
                .once = arg_once,
        };
        r = balloon_manager_new(event, config, &options, &m);
        if (r < 0)
                return log_error_errno(r, "Cannot set up: %m");
        TAKE_PTR(config);
        r = balloon_manager_start(m);
        if (r < 0)
                return log_error_errno(r, "Cannot watch '%s': %m", arg_runtime_dir);

        log_info("vmsilo-balloond %s ready: policy %s, poll %" PRIu64 " ms, watching %s.",
                        VMSILO_VERSION, balloon_policy_kind_to_string(arg_policy),
                        options.poll_interval_usec / 1000, arg_runtime_dir);
        (void) sd_notify(false, "READY=1\nSTATUS=Balancing memory");
        r = sd_event_loop(event);
        (void) sd_notify(false, "STOPPING=1");
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        if (m->exit_code < 0)
                return log_error_errno(m->exit_code, "No VM answered: %m");
        return 0;
}

int main(int argc, char **argv) {
        int r;

        log_set_program_name("vmsilo-balloond");
        r = run(argc, argv);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

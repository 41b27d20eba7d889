/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilod.c: the daemon's main(): arguments, config and host checks, then the event loop. A bad
 * config or host starts nothing. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include "default-image.h"
#include "desktop.h"
#include "host-check.h"
#include "image-layout.h"
#include "log.h"
#include "manager.h"
#include "net.h"
#include "parse-util.h"
#include "safe-open.h"
#include "vm-root.h"
#include "vmsilo-config.h"

#define START_TIMEOUT_USEC_DEFAULT (120 * 1000000ULL)
#define STOP_TIMEOUT_USEC_DEFAULT (20 * 1000000ULL)
/* A start's preparation: a home template copy and formatting an overlay take seconds; longer
 * than the copy's own deadline (SHARES_COPY_TIMEOUT_USEC), whose message is more precise. */
#define HELPER_TIMEOUT_USEC_DEFAULT (150 * 1000000ULL)

static const char *arg_config = CONFIG_DEFAULT_PATH;
static const char *arg_runtime_dir = NULL;
static const char *arg_state_dir = NULL;
static const char *arg_image_builder = NULL;
static const char *arg_sys_root = NULL;
static const char *arg_mkfs_ext4 = VMSILO_MKFS_EXT4;
static const char *arg_qemu_img = VMSILO_QEMU_IMG;
static const char *arg_qemu_system = VMSILO_QEMU_SYSTEM;
static const char *arg_crosvm = VMSILO_CROSVM;
static uint64_t arg_helper_timeout_usec = HELPER_TIMEOUT_USEC_DEFAULT;
static LogLevel arg_log_level = LOG_LEVEL_INFO;

static void help(void) {
        printf("Usage: vmsilod [OPTIONS]\n"
               "\n"
               "Owns every vmsilo VM: sockets, start on demand, supervision, idle shutdown.\n"
               "\n"
               "Options:\n"
               "  -c --config FILE       configuration (default %s)\n"
               "     --runtime-dir DIR   sockets and logs (default $VMSILO_RUNTIME_DIR or %s)\n"
               "     --state-dir DIR     images and overlays (default $VMSILO_STATE_DIR or %s)\n"
               "     --image-builder BIN the image builder that builds the default image\n"
               "                         (default $VMSILO_IMAGE_BUILDER or %s)\n"
               "     --sys-root DIR      where sysfs and /dev/vfio are, for PCI passthrough\n"
               "                         (default $VMSILO_SYSFS_ROOT or /; tests use a fake)\n"
               "     --mkfs-ext4 PATH    mkfs.ext4 for overlay disks (default %s)\n"
               "     --qemu-img PATH     qemu-img for overlay disks (default %s)\n"
               "     --qemu-system PATH  the QEMU that runs VMs (default %s)\n"
               "     --crosvm PATH       the crosvm that runs VMs (default %s)\n"
               "     --helper-timeout DURATION  kill a VM start's preparation (home copy,\n"
               "                         overlay formatting) after DURATION (default %ds)\n"
               "     --log-level LEVEL   error, warn, info (default), debug, trace\n"
               "  -h --help              show this help\n"
               "     --version           show the version\n"
               "\n"
               "Environment: VMSILO_ACCEL=auto|kvm|tcg overrides the configured acceleration;\n"
               "VMSILO_WAYLAND=PATH runs that vmsilo-wayland (absolute) for GPU VMs;\n"
               "VMSILO_CLIPBOARD=PATH runs that vmsilo-clipboard (absolute) for them;\n"
               "VMSILO_USER_RUNTIME_BASE=DIR looks for the compositor in DIR/<uid>\n"
               "(default /run/user).\n",
                        CONFIG_DEFAULT_PATH, VMSILO_RUNTIME_DIR_DEFAULT, VMSILO_STATE_DIR_DEFAULT,
                        VMSILO_LIBEXECDIR "/vmsilo-image", VMSILO_MKFS_EXT4, VMSILO_QEMU_IMG,
                        VMSILO_QEMU_SYSTEM, VMSILO_CROSVM,
                        (int) (HELPER_TIMEOUT_USEC_DEFAULT / 1000000));
}

/* Returns 1 to go on, 0 to exit successfully, < 0 for a usage error. */
static int parse_argv(int argc, char **argv) {
        enum {
                ARG_RUNTIME_DIR = 0x100,
                ARG_STATE_DIR,
                ARG_IMAGE_BUILDER,
                ARG_SYS_ROOT,
                ARG_MKFS_EXT4,
                ARG_QEMU_IMG,
                ARG_QEMU_SYSTEM,
                ARG_CROSVM,
                ARG_HELPER_TIMEOUT,
                ARG_LOG_LEVEL,
                ARG_VERSION
        };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "image-builder", required_argument, NULL, ARG_IMAGE_BUILDER },
                { "sys-root", required_argument, NULL, ARG_SYS_ROOT },
                { "mkfs-ext4", required_argument, NULL, ARG_MKFS_EXT4 },
                { "qemu-img", required_argument, NULL, ARG_QEMU_IMG },
                { "qemu-system", required_argument, NULL, ARG_QEMU_SYSTEM },
                { "crosvm", required_argument, NULL, ARG_CROSVM },
                { "helper-timeout", required_argument, NULL, ARG_HELPER_TIMEOUT },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        /* Root's programs: absolute paths only, never looked up in $PATH. */
        const struct {
                int arg;
                const char *name;
                const char **value;
        } tools[] = {
                { ARG_MKFS_EXT4, "mkfs-ext4", &arg_mkfs_ext4 },
                { ARG_QEMU_IMG, "qemu-img", &arg_qemu_img },
                { ARG_QEMU_SYSTEM, "qemu-system", &arg_qemu_system },
                { ARG_CROSVM, "crosvm", &arg_crosvm },
        };
        int c;

        while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        arg_config = optarg;
                        break;
                case ARG_RUNTIME_DIR:
                        arg_runtime_dir = optarg;
                        break;
                case ARG_STATE_DIR:
                        arg_state_dir = optarg;
                        break;
                case ARG_IMAGE_BUILDER:
                        arg_image_builder = optarg;
                        break;
                case ARG_SYS_ROOT:
                        arg_sys_root = optarg;
                        break;
                case ARG_MKFS_EXT4:
                case ARG_QEMU_IMG:
                case ARG_QEMU_SYSTEM:
                case ARG_CROSVM:
                        for (size_t i = 0; i < ELEMENTSOF(tools); i++) {
                                if (tools[i].arg != c)
                                        continue;
                                if (optarg[0] != '/')
                                        return log_error_errno(EINVAL,
                                                        "--%s: '%s' is not an absolute path; "
                                                        "root's programs are never looked up in "
                                                        "$PATH.",
                                                        tools[i].name, optarg);
                                *tools[i].value = optarg;
                        }
                        break;
                case ARG_HELPER_TIMEOUT:
                        if (parse_duration(optarg, &arg_helper_timeout_usec) < 0 ||
                                        arg_helper_timeout_usec == 0)
                                return log_error_errno(EINVAL,
                                                "--helper-timeout: '%s' is not a duration "
                                                "such as 30s or 2m",
                                                optarg);
                        break;
                case ARG_LOG_LEVEL:
                        if (log_parse_level_arg(optarg, &arg_log_level) < 0)
                                return -EINVAL;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("vmsilod %s\n", VMSILO_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(EINVAL, "Unexpected argument '%s'. See 'vmsilod --help'.",
                                argv[optind]);

        if (!arg_runtime_dir)
                arg_runtime_dir = getenv("VMSILO_RUNTIME_DIR") ?: VMSILO_RUNTIME_DIR_DEFAULT;
        if (!arg_state_dir)
                arg_state_dir = getenv("VMSILO_STATE_DIR") ?: VMSILO_STATE_DIR_DEFAULT;
        if (!arg_image_builder)
                arg_image_builder =
                                getenv("VMSILO_IMAGE_BUILDER") ?: VMSILO_LIBEXECDIR "/vmsilo-image";
        if (!arg_sys_root)
                arg_sys_root = getenv("VMSILO_SYSFS_ROOT") ?: "/";
        if (arg_sys_root[0] != '/')
                return log_error_errno(
                                EINVAL, "--sys-root: '%s' is not an absolute path", arg_sys_root);
        return 1;
}

/* The soft limit is 1024 under systemd by default; every client connection is an fd, so take
 * the hard limit (docs/daemon-sockets.md, "Limits"). */
static void raise_fd_limit(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
                return;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_warning_errno(errno, "Cannot raise the open files limit, ignoring: %m");
}

static int run(int argc, char **argv) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_(config_freep) Config *config = NULL;
        ManagerOptions options;
        uid_t uid;
        gid_t gid;
        sigset_t mask;
        bool crosvm;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;
        log_set_max_level(arg_log_level);
        raise_fd_limit();

        /* Root writes there: never through a link, never in someone else's directory. */
        r = safe_prepare_root_dir(arg_state_dir, "state dir");
        if (r < 0)
                return r;
        crosvm = access(arg_crosvm, X_OK) >= 0;
        r = host_load_config(arg_config, crosvm, &config, NULL);
        if (r < 0)
                return log_error_errno(r, "Configuration '%s' is not usable; nothing was started.",
                                arg_config);
        r = host_check_user(config, &uid, &gid);
        if (r < 0)
                return r;
        r = host_check_share_hosts(arg_config, config, crosvm, uid, gid, NULL);
        if (r < 0)
                return log_error_errno(r, "Configuration '%s' is not usable; nothing was started.",
                                arg_config);
        vm_root_check_all(config, arg_state_dir);

        /* sd-event watches VMM children; SIGCHLD must be blocked before any exists. */
        (void) sigemptyset(&mask);
        (void) sigaddset(&mask, SIGCHLD);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop: %m");
        options = (ManagerOptions){
                .config_path = arg_config,
                .runtime_dir = arg_runtime_dir,
                .state_dir = arg_state_dir,
                .image_builder = arg_image_builder,
                .accel_override = getenv("VMSILO_ACCEL"),
                .sys_root = arg_sys_root,
                .mkfs_ext4 = arg_mkfs_ext4,
                .qemu_img = arg_qemu_img,
                .qemu_system = arg_qemu_system,
                .crosvm = arg_crosvm,
                .helper_timeout_usec = arg_helper_timeout_usec,
                .wayland_binary = getenv("VMSILO_WAYLAND") ?: VMSILO_LIBEXECDIR "/vmsilo-wayland",
                .tray_binary = getenv("VMSILO_TRAY") ?: VMSILO_LIBEXECDIR "/vmsilo-tray",
                .user_runtime_base = getenv("VMSILO_USER_RUNTIME_BASE") ?: "/run/user",
                .clipboard_binary =
                                getenv("VMSILO_CLIPBOARD") ?: VMSILO_LIBEXECDIR "/vmsilo-clipboard",
                .sound_binary = getenv("VMSILO_SOUND") ?: VMSILO_LIBEXECDIR "/vmsilo-sound",
                .start_timeout_usec = START_TIMEOUT_USEC_DEFAULT,
                .stop_timeout_usec = STOP_TIMEOUT_USEC_DEFAULT,
        };
        r = manager_new(event, config, &options, &m);
        if (r < 0)
                return log_error_errno(r, "Cannot set up: %m");
        TAKE_PTR(config);
        m->user_uid = uid;
        m->user_gid = gid;
        m->crosvm_available = crosvm;
        /* Not waited for: vmsilod answers meanwhile, and VMs booting it wait for it. */
        if (host_needs_default_image(m->config))
                (void) default_image_build(m);
        r = net_setup(m->config, uid, gid);
        if (r < 0) {
                net_teardown(m->config);
                return r;
        }
        /* Before the sockets appear: once vmsilod answers, the menu matches its config. */
        (void) desktop_sync(m);
        r = manager_start(m);
        if (r < 0) {
                net_teardown(m->config);
                return r;
        }

        log_info("vmsilod %s ready: %zu VMs, sockets in %s.", VMSILO_VERSION, m->n_vms,
                        arg_runtime_dir);
        (void) sd_notify(false, "READY=1\nSTATUS=Serving VMs");
        r = sd_event_loop(event);
        (void) sd_notify(false, "STOPPING=1");
        net_teardown(m->config);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return 0;
}

int main(int argc, char **argv) {
        int r;

        log_set_program_name("vmsilod");
        r = run(argc, argv);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

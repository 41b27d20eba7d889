/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-image.c: `vmsilo image build [NAME|--all]`: argument parsing and default paths;
 * image-build.c builds the default image, rootfs-build.c a VM's root image. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli-util.h"
#include "cli.h"
#include "fileio.h"
#include "image-build.h"
#include "log.h"
#include "rootfs-build.h"
#include "rootfs-layout.h"
#include "rootfs-plan.h"
#include "vmsilo-config.h"

#define IMAGE_STATE_DIR_DEFAULT VMSILO_STATE_DIR
#define IMAGE_BUSYBOX_DEFAULT "/bin/busybox"
#define IMAGE_DIR_DEFAULT "images/default"
#define IMAGE_AGENT_NAME "vmsilo-agent"
#define IMAGE_INIT_NAME "init"
#define IMAGE_AGENT_UNIT_NAME "vmsilo-agent.service"
#define ROOTFS_MIRROR_DEFAULT "http://deb.debian.org/debian"
#define ROOTFS_OS_RELEASE "/etc/os-release"

static const char *arg_kernel = NULL;
static const char *arg_modules_dir = NULL;
static const char *arg_agent = NULL;
static const char *arg_busybox = NULL;
static const char *arg_init = NULL;
static const char *arg_output = NULL;
static const char *arg_state_dir = NULL;
static bool arg_force = false;
static const char *arg_config = NULL;
static const char *arg_suite = NULL;
static const char *arg_mirror = NULL;
static bool arg_all = false;
static const char *arg_vm = NULL;

static void help(FILE *f) {
        fprintf(f, "Usage: vmsilo image build [OPTIONS…]\n"
                   "       vmsilo image build [OPTIONS…] NAME|--all\n"
                   "\n"
                   "Build the default guest image (kernel + initramfs) into\n"
                   "<state-dir>/" IMAGE_DIR_DEFAULT "/, unless it is up to date. With NAME, build\n"
                   "that VM's Debian root image from its guestPrograms and guestConfig into\n"
                   "<state-dir>/" ROOTFS_IMAGES_DIR "/ (--all: every VM that needs one).\n"
                   "\n"
                   "Options:\n"
                   "  -h --help             show this help\n"
                   "     --kernel PATH      kernel image (default: newest /boot/vmlinuz-*)\n"
                   "     --modules-dir DIR  its modules (default: /lib/modules/<version>)\n"
                   "     --agent PATH       static vmsilo-agent (default: $VMSILO_AGENT, the\n"
                   "                        build tree's src/agent/" IMAGE_AGENT_NAME ", then\n"
                   "                        " VMSILO_LIBEXECDIR "/" IMAGE_AGENT_NAME ")\n"
                   "     --busybox PATH     static busybox (default: " IMAGE_BUSYBOX_DEFAULT ")\n"
                   "     --init PATH        guest /init script (default: $VMSILO_INIT, the\n"
                   "                        build tree's image/init, then\n"
                   "                        " VMSILO_DATADIR "/" IMAGE_INIT_NAME ")\n"
                   "     --output DIR       image directory\n"
                   "                        (default: <state-dir>/" IMAGE_DIR_DEFAULT ")\n"
                   "     --state-dir DIR    state directory (default: $VMSILO_STATE_DIR or\n"
                   "                        " IMAGE_STATE_DIR_DEFAULT ")\n"
                   "     --force            rebuild even when the inputs did not change\n"
                   "\n"
                   "Root images (NAME, --all):\n"
                   "     --all              every VM with guestPrograms and no rootDisk\n"
                   "     --config FILE      configuration (default: " CONFIG_DEFAULT_PATH ")\n"
                   "     --suite SUITE      Debian suite (default: this host's\n"
                   "                        VERSION_CODENAME from " ROOTFS_OS_RELEASE ")\n"
                   "     --mirror URL       Debian mirror (default: $VMSILO_DEBIAN_MIRROR, else\n"
                   "                        " ROOTFS_MIRROR_DEFAULT ")\n");
}

/* "<dir of the running binary>/<relative>" if that exists: the file's place in a build tree,
 * where vmsilo is <build>/src/cli/vmsilo. An installed binary has no such sibling. */
static char *build_tree_sibling(const char *relative) {
        char exe[PATH_MAX], *slash, *path, *resolved;
        ssize_t n;
        struct stat st;

        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n < 0)
                return NULL;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (!slash)
                return NULL;
        *slash = '\0';
        if (asprintf(&path, "%s/%s", exe, relative) < 0)
                return NULL;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
                free(path);
                return NULL;
        }
        /* Canonical, so the manifest names the file and not the way to it. */
        resolved = realpath(path, NULL);
        free(path);
        return resolved;
}

/* The option, else $env, else the build tree's copy, else the installed one. */
static char *resolve_path(
                const char *option, const char *env, const char *relative, const char *installed) {
        const char *e = getenv(env);
        char *p;

        if (option)
                return strdup(option);
        if (e && *e)
                return strdup(e);
        p = build_tree_sibling(relative);
        return p ?: strdup(installed);
}

static int parse_argv(int argc, char **argv) {
        enum {
                ARG_KERNEL = 0x100,
                ARG_MODULES_DIR,
                ARG_AGENT,
                ARG_BUSYBOX,
                ARG_INIT,
                ARG_OUTPUT,
                ARG_STATE_DIR,
                ARG_FORCE,
                ARG_CONFIG,
                ARG_SUITE,
                ARG_MIRROR,
                ARG_ALL,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "kernel", required_argument, NULL, ARG_KERNEL },
                { "modules-dir", required_argument, NULL, ARG_MODULES_DIR },
                { "agent", required_argument, NULL, ARG_AGENT },
                { "busybox", required_argument, NULL, ARG_BUSYBOX },
                { "init", required_argument, NULL, ARG_INIT },
                { "output", required_argument, NULL, ARG_OUTPUT },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "force", no_argument, NULL, ARG_FORCE },
                { "config", required_argument, NULL, ARG_CONFIG },
                { "suite", required_argument, NULL, ARG_SUITE },
                { "mirror", required_argument, NULL, ARG_MIRROR },
                { "all", no_argument, NULL, ARG_ALL },
                {},
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help(stdout);
                        return 0;
                case ARG_KERNEL:
                        arg_kernel = optarg;
                        break;
                case ARG_MODULES_DIR:
                        arg_modules_dir = optarg;
                        break;
                case ARG_AGENT:
                        arg_agent = optarg;
                        break;
                case ARG_BUSYBOX:
                        arg_busybox = optarg;
                        break;
                case ARG_INIT:
                        arg_init = optarg;
                        break;
                case ARG_OUTPUT:
                        arg_output = optarg;
                        break;
                case ARG_STATE_DIR:
                        arg_state_dir = optarg;
                        break;
                case ARG_FORCE:
                        arg_force = true;
                        break;
                case ARG_CONFIG:
                        arg_config = optarg;
                        break;
                case ARG_SUITE:
                        arg_suite = optarg;
                        break;
                case ARG_MIRROR:
                        arg_mirror = optarg;
                        break;
                case ARG_ALL:
                        arg_all = true;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                arg_vm = argv[optind++];
        if (optind < argc) {
                log_error("Unexpected argument '%s'. See 'vmsilo image build --help'.",
                                argv[optind]);
                return -EINVAL;
        }
        if (arg_vm && arg_all) {
                log_error("Give either a VM name or --all, not both.");
                return -EINVAL;
        }
        if (!arg_vm && !arg_all && (arg_config || arg_suite || arg_mirror)) {
                log_error("--config, --suite and --mirror apply to root images: name a VM or "
                          "give --all.");
                return -EINVAL;
        }
        return 1;
}

static char *resolve_agent_unit(void) {
        return resolve_path(NULL, "VMSILO_AGENT_UNIT", "../../image/" IMAGE_AGENT_UNIT_NAME,
                        VMSILO_DATADIR "/" IMAGE_AGENT_UNIT_NAME);
}

/* --suite, else the host's codename: a Debian host builds guests of its own release. */
static int resolve_suite(char **ret) {
        _cleanup_(freep) char *text = NULL;
        size_t size;
        int r;

        if (arg_suite) {
                *ret = strdup(arg_suite);
                return *ret ? 0 : log_oom();
        }
        r = read_full_file(ROOTFS_OS_RELEASE, 65536, &text, &size);
        if (r >= 0)
                r = rootfs_plan_os_codename(text, ret);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r,
                                "Cannot tell the Debian suite from %s (not a Debian "
                                "host?); pass --suite bookworm or similar.",
                                ROOTFS_OS_RELEASE);
        return 0;
}

static int rootfs_build_main(const char *state_dir) {
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(freep) char *agent = NULL, *unit = NULL, *suite = NULL, *tray = NULL;
        const char *mirror = arg_mirror ?: getenv("VMSILO_DEBIAN_MIRROR");
        size_t built = 0;
        int r;

        if (!mirror || !*mirror)
                mirror = ROOTFS_MIRROR_DEFAULT;
        r = cli_config_load(cli_config_path(arg_config), &config);
        if (r < 0)
                return CLI_EXIT_FAILURE;
        if (arg_vm) {
                const VmConfig *vm = config_find_vm(config, arg_vm);

                if (!vm) {
                        log_error("No VM '%s' in %s.", arg_vm, cli_config_path(arg_config));
                        return CLI_EXIT_FAILURE;
                }
                if (!rootfs_vm_needs_image(vm)) {
                        log_error("VM '%s' %s, so it has no root image to build.", arg_vm,
                                        vm->root_disk ? "boots its own rootDisk"
                                                      : "lists no guestPrograms");
                        return CLI_EXIT_FAILURE;
                }
        }
        agent = resolve_path(arg_agent, "VMSILO_AGENT", "../agent/" IMAGE_AGENT_NAME,
                        VMSILO_LIBEXECDIR "/" IMAGE_AGENT_NAME);
        unit = resolve_agent_unit();
        /* The guest half: the plain build's while tests run sanitised (no libasan in guests). */
        tray = resolve_path(NULL, "VMSILO_GUEST_TRAY", "../tray/vmsilo-tray",
                        VMSILO_LIBEXECDIR "/vmsilo-tray");
        if (!agent || !unit || !tray) {
                (void) log_oom();
                return CLI_EXIT_FAILURE;
        }
        r = resolve_suite(&suite);
        if (r < 0)
                return CLI_EXIT_FAILURE;

        for (size_t i = 0; i < config->n_vms; i++) {
                const VmConfig *vm = &config->vms[i];

                if (arg_vm ? !streq(vm->name, arg_vm) : !rootfs_vm_needs_image(vm))
                        continue;
                r = rootfs_build(&(const RootfsBuildOptions){
                                .state_dir = state_dir,
                                .vm_name = vm->name,
                                .programs = vm->guest_programs,
                                .guest_config = vm->guest_config,
                                .suite = suite,
                                .mirror = mirror,
                                .agent_path = agent,
                                .agent_unit_path = unit,
                                .tray_path = tray,
                                .wayland = vm->gpu.enabled,
                                .tray = vm->tray,
                                .force = arg_force,
                });
                if (r < 0)
                        return CLI_EXIT_FAILURE;
                built++;
        }
        if (built == 0)
                printf("No VM in %s needs a root image.\n", cli_config_path(arg_config));
        return CLI_EXIT_OK;
}

static int image_build_main(int argc, char **argv) {
        _cleanup_(freep) char *agent = NULL, *init = NULL, *output = NULL, *unit = NULL;
        const char *state_dir;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;

        state_dir = arg_state_dir ?: getenv("VMSILO_STATE_DIR");
        if (!state_dir || !*state_dir)
                state_dir = IMAGE_STATE_DIR_DEFAULT;
        if (arg_vm || arg_all)
                return rootfs_build_main(state_dir);
        if (arg_output)
                output = strdup(arg_output);
        else if (asprintf(&output, "%s/%s", state_dir, IMAGE_DIR_DEFAULT) < 0)
                output = NULL;
        agent = resolve_path(arg_agent, "VMSILO_AGENT", "../agent/" IMAGE_AGENT_NAME,
                        VMSILO_LIBEXECDIR "/" IMAGE_AGENT_NAME);
        init = resolve_path(arg_init, "VMSILO_INIT", "../../image/" IMAGE_INIT_NAME,
                        VMSILO_DATADIR "/" IMAGE_INIT_NAME);
        unit = resolve_agent_unit();
        if (!output || !agent || !init || !unit) {
                (void) log_oom();
                return CLI_EXIT_FAILURE;
        }

        r = image_build(&(const ImageBuildOptions){
                        .kernel_path = arg_kernel,
                        .modules_dir = arg_modules_dir,
                        .agent_path = agent,
                        .busybox_path = arg_busybox ?: IMAGE_BUSYBOX_DEFAULT,
                        .init_path = init,
                        .agent_unit_path = unit,
                        .output_dir = output,
                        .force = arg_force,
                        .progress = isatty(STDERR_FILENO),
        });
        return r < 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

int cmd_image(int argc, char **argv) {
        if (argc < 2) {
                help(stderr);
                return CLI_EXIT_USAGE;
        }
        if (streq(argv[1], "-h") || streq(argv[1], "--help")) {
                help(stdout);
                return CLI_EXIT_OK;
        }
        if (streq(argv[1], "build"))
                return image_build_main(argc - 1, argv + 1);
        log_error("Unknown image command '%s'. See 'vmsilo image --help'.", argv[1]);
        return CLI_EXIT_USAGE;
}

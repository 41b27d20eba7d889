/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-image.c: `vmsilo image build`: argument parsing and default paths; image-build.c works. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "image-build.h"
#include "log.h"
#include "vmsilo-config.h"

#define IMAGE_STATE_DIR_DEFAULT "/var/lib/vmsilo"
#define IMAGE_BUSYBOX_DEFAULT "/bin/busybox"
#define IMAGE_DIR_DEFAULT "images/default"
#define IMAGE_AGENT_NAME "vmsilo-agent"
#define IMAGE_INIT_NAME "init"

static const char *arg_kernel = NULL;
static const char *arg_modules_dir = NULL;
static const char *arg_agent = NULL;
static const char *arg_busybox = NULL;
static const char *arg_init = NULL;
static const char *arg_output = NULL;
static const char *arg_state_dir = NULL;
static bool arg_force = false;

static void help(FILE *f) {
        fprintf(f, "Usage: vmsilo image build [OPTIONS…]\n"
                   "\n"
                   "Build the default guest image (kernel + initramfs) into\n"
                   "<state-dir>/" IMAGE_DIR_DEFAULT "/, unless it is up to date.\n"
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
                   "     --force            rebuild even when the inputs did not change\n");
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
                {},
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
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
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                log_error("Unexpected argument '%s'. See 'vmsilo image build --help'.",
                                argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static int image_build_main(int argc, char **argv) {
        _cleanup_(freep) char *agent = NULL, *init = NULL, *output = NULL;
        const char *state_dir;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;

        state_dir = arg_state_dir ?: getenv("VMSILO_STATE_DIR");
        if (!state_dir || !*state_dir)
                state_dir = IMAGE_STATE_DIR_DEFAULT;
        if (arg_output)
                output = strdup(arg_output);
        else if (asprintf(&output, "%s/%s", state_dir, IMAGE_DIR_DEFAULT) < 0)
                output = NULL;
        agent = resolve_path(arg_agent, "VMSILO_AGENT", "../agent/" IMAGE_AGENT_NAME,
                        VMSILO_LIBEXECDIR "/" IMAGE_AGENT_NAME);
        init = resolve_path(arg_init, "VMSILO_INIT", "../../image/" IMAGE_INIT_NAME,
                        VMSILO_DATADIR "/" IMAGE_INIT_NAME);
        if (!output || !agent || !init) {
                (void) log_oom();
                return CLI_EXIT_FAILURE;
        }

        r = image_build(&(const ImageBuildOptions){
                        .kernel_path = arg_kernel,
                        .modules_dir = arg_modules_dir,
                        .agent_path = agent,
                        .busybox_path = arg_busybox ?: IMAGE_BUSYBOX_DEFAULT,
                        .init_path = init,
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

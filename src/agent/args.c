/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* args.c: vmsilo-agent option parsing. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "log.h"
#include "session-env.h"

enum {
        ARG_VSOCK = 0x100,
        ARG_FD,
        ARG_STDIO,
        ARG_ENV_FILE,
        ARG_DEFAULT_USER,
        ARG_ETC_DIR,
        ARG_SERVICES_DIR,
        ARG_FORWARD_DIR,
        ARG_KERNEL_CMDLINE,
        ARG_VIRTIO_SYSFS_DIR,
        ARG_VIRTIO_DEV_DIR,
        ARG_VIRTIO_PORT,
        ARG_NO_CGROUP,
        ARG_LOG_LEVEL,
        ARG_VERSION,
};

void args_help(const char *program) {
        printf("Usage: %s [OPTIONS]\n"
               "The guest end of the vmsilo host channel: runs commands for the host.\n\n"
               "Transport (default: the virtio-console port '" TRANSPORT_VIRTIO_PORT_NAME "'):\n"
               "      --vsock PORT          listen on AF_VSOCK PORT, one host at a time\n"
               "      --fd N                use the inherited, connected fd N (tests)\n"
               "      --stdio               use stdin and stdout\n"
               "      --virtio-port NAME    the virtio-console port name to look for\n"
               "      --virtio-dev-dir DIR  where the port devices are (" TRANSPORT_DEV_DIR ")\n"
               "      --virtio-sysfs DIR    where the ports are listed "
               "(" TRANSPORT_SYSFS_VIRTIO_PORTS ")\n\n"
               "Sessions:\n"
               "      --env-file PATH       session variables (" SESSION_ENV_DEFAULT_PATH ")\n"
               "      --default-user NAME   user for requests naming none (" ARGS_DEFAULT_USER ")\n"
               "      --etc-dir DIR         read passwd and group from DIR (" ARGS_DEFAULT_ETC_DIR
               ")\n"
               "      --services-dir DIR    FORWARD service sockets (" ARGS_DEFAULT_SERVICES_DIR
               ")\n"
               "      --forward-dir DIR     sockets for host services (" ARGS_DEFAULT_FORWARD_DIR
               ")\n"
               "      --kernel-cmdline PATH read vmsilo.forward= from PATH "
               "(" ARGS_DEFAULT_KERNEL_CMDLINE ")\n"
               "      --no-cgroup           track sessions by process group, not cgroup2\n\n"
               "  -l, --log-level LEVEL     error, warn, info, debug or trace (default:\n"
               "                            $VMSILO_LOG_LEVEL, else info)\n"
               "  -h, --help                show this help\n"
               "      --version             show the version\n",
                        program);
}

static int parse_uint(const char *s, unsigned max, unsigned *ret) {
        char *end;
        unsigned long v;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != '\0' || v > max)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

static int set_transport(AgentArgs *a, TransportKind k, bool *seen) {
        if (*seen) {
                fprintf(stderr, "Only one of --vsock, --fd and --stdio may be given.\n");
                return -EINVAL;
        }
        *seen = true;
        a->transport = k;
        return 0;
}

static int parse_one(AgentArgs *a, int c, const char *value, bool *transport_seen) {
        unsigned u;

        switch (c) {
        case ARG_VSOCK:
                if (parse_uint(value, UINT_MAX - 1, &u) < 0) {
                        fprintf(stderr, "Invalid vsock port '%s'.\n", value);
                        return -EINVAL;
                }
                a->vsock_port = u;
                return set_transport(a, TRANSPORT_VSOCK, transport_seen);
        case ARG_FD:
                if (parse_uint(value, INT_MAX, &u) < 0) {
                        fprintf(stderr, "Invalid fd '%s'.\n", value);
                        return -EINVAL;
                }
                a->fd = (int) u;
                return set_transport(a, TRANSPORT_FD, transport_seen);
        case ARG_STDIO:
                return set_transport(a, TRANSPORT_STDIO, transport_seen);
        case ARG_ENV_FILE:
                a->env_file = value;
                return 0;
        case ARG_DEFAULT_USER:
                if (!value[0]) {
                        fprintf(stderr, "The default user must not be empty.\n");
                        return -EINVAL;
                }
                a->default_user = value;
                return 0;
        case ARG_ETC_DIR:
                a->etc_dir = value;
                return 0;
        case ARG_SERVICES_DIR:
                a->services_dir = value;
                return 0;
        case ARG_FORWARD_DIR:
                a->forward_dir = value;
                return 0;
        case ARG_KERNEL_CMDLINE:
                a->kernel_cmdline = value;
                return 0;
        case ARG_VIRTIO_SYSFS_DIR:
                a->virtio_sysfs_dir = value;
                return 0;
        case ARG_VIRTIO_DEV_DIR:
                a->virtio_dev_dir = value;
                return 0;
        case ARG_VIRTIO_PORT:
                a->virtio_port_name = value;
                return 0;
        case ARG_NO_CGROUP:
                a->cgroup = false;
                return 0;
        case 'l':
                if (log_parse_level_arg(value, &a->log_level) < 0)
                        return -EINVAL;
                a->log_level_given = true;
                return 0;
        case 'h':
                a->help = true;
                return 0;
        case ARG_VERSION:
                a->version = true;
                return 0;
        default:
                return -EINVAL; /* getopt printed why */
        }
}

int args_parse(int argc, char **argv, AgentArgs *ret) {
        static const struct option options[] = {
                { "vsock", required_argument, NULL, ARG_VSOCK },
                { "fd", required_argument, NULL, ARG_FD },
                { "stdio", no_argument, NULL, ARG_STDIO },
                { "env-file", required_argument, NULL, ARG_ENV_FILE },
                { "default-user", required_argument, NULL, ARG_DEFAULT_USER },
                { "etc-dir", required_argument, NULL, ARG_ETC_DIR },
                { "services-dir", required_argument, NULL, ARG_SERVICES_DIR },
                { "forward-dir", required_argument, NULL, ARG_FORWARD_DIR },
                { "kernel-cmdline", required_argument, NULL, ARG_KERNEL_CMDLINE },
                { "virtio-sysfs", required_argument, NULL, ARG_VIRTIO_SYSFS_DIR },
                { "virtio-port", required_argument, NULL, ARG_VIRTIO_PORT },
                { "virtio-dev-dir", required_argument, NULL, ARG_VIRTIO_DEV_DIR },
                { "no-cgroup", no_argument, NULL, ARG_NO_CGROUP },
                { "log-level", required_argument, NULL, 'l' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        AgentArgs a = {
                .transport = TRANSPORT_VIRTIO,
                .fd = -1,
                .env_file = SESSION_ENV_DEFAULT_PATH,
                .default_user = ARGS_DEFAULT_USER,
                .etc_dir = ARGS_DEFAULT_ETC_DIR,
                .services_dir = ARGS_DEFAULT_SERVICES_DIR,
                .forward_dir = ARGS_DEFAULT_FORWARD_DIR,
                .kernel_cmdline = ARGS_DEFAULT_KERNEL_CMDLINE,
                .virtio_sysfs_dir = TRANSPORT_SYSFS_VIRTIO_PORTS,
                .virtio_dev_dir = TRANSPORT_DEV_DIR,
                .virtio_port_name = TRANSPORT_VIRTIO_PORT_NAME,
                .cgroup = true,
                .log_level = LOG_LEVEL_INFO,
        };
        bool transport_seen = false;
        int c, r;

        optind = 0; /* full re-initialisation, so tests can parse more than once */
        while ((c = getopt_long(argc, argv, "hl:", options, NULL)) >= 0) {
                r = parse_one(&a, c, optarg, &transport_seen);
                if (r < 0)
                        return r;
        }
        if (optind < argc) {
                fprintf(stderr, "Unexpected argument '%s'.\n", argv[optind]);
                return -EINVAL;
        }
        *ret = a;
        return 0;
}

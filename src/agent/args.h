/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* args.h: the agent's command line. Parsing is pure apart from error messages on stderr. */
#pragma once

#include <stdbool.h>

#include "log.h"
#include "transport.h"

#define ARGS_DEFAULT_USER "user"
#define ARGS_DEFAULT_ETC_DIR "/etc"
#define ARGS_DEFAULT_SERVICES_DIR "/run/vmsilo/services"
#define ARGS_DEFAULT_FORWARD_DIR "/run/vmsilo/forward"
#define ARGS_DEFAULT_KERNEL_CMDLINE "/proc/cmdline"

typedef struct AgentArgs {
        TransportKind transport; /* TRANSPORT_VIRTIO unless --vsock/--fd/--stdio */
        unsigned vsock_port;
        int fd;
        const char *env_file;
        const char *default_user;
        const char *etc_dir;
        const char *services_dir;
        const char *forward_dir;    /* sockets for host services (forward-listen.h) */
        const char *kernel_cmdline; /* where vmsilo.forward= is read */
        const char *virtio_sysfs_dir;
        const char *virtio_dev_dir;
        const char *virtio_port_name;
        bool cgroup; /* use cgroup2 when mounted; --no-cgroup forces the process-group fallback */
        LogLevel log_level;
        bool log_level_given; /* by --log-level; else $VMSILO_LOG_LEVEL applies (see main) */
        bool help;
        bool version;
} AgentArgs;

/* Strings in ret point into argv. -EINVAL (after printing why) for bad usage. */
int args_parse(int argc, char **argv, AgentArgs *ret);
void args_help(const char *program);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli-util.c: defaults, usage errors and socket connection messages shared by the subcommands. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "log.h"
#include "path-util.h"
#include "socket-util.h"
#include "vmsilo-config.h"

int cli_exec_helper(const char *env, const char *build_relative, const char *name, bool set_argv0,
                char **argv) {
        _cleanup_(freep) char *sibling = NULL, *installed = NULL;
        const char *path = env ? getenv(env) : NULL;

        if (!path || !*path) {
                sibling = path_exe_sibling(build_relative);
                if (!sibling && asprintf(&installed, "%s/%s", VMSILO_LIBEXECDIR, name) < 0) {
                        log_oom();
                        return CLI_EXIT_FAILURE;
                }
                path = sibling ?: installed;
        }
        if (set_argv0)
                argv[0] = (char *) path;
        (void) execv(path, argv);
        log_error_errno(errno, "Cannot run '%s': %m", path);
        return CLI_EXIT_FAILURE;
}

int cli_stdio_ensure_open(void) {
        for (int fd = 0; fd < 3; fd++) {
                int null_fd;

                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                /* The lowest free number: fd itself, since the ones below it are open by now. */
                null_fd = open("/dev/null", O_RDWR);
                if (null_fd < 0)
                        return -errno;
                if (null_fd != fd) {
                        (void) close(null_fd);
                        return -EBADF;
                }
        }
        return 0;
}

const char *cli_program_name(const char *argv0) {
        static char buffer[64];

        if (strncmp(argv0, "vm-", 3) == 0 || strlen(argv0) > sizeof(buffer) - sizeof("vmsilo "))
                return argv0;
        (void) snprintf(buffer, sizeof(buffer), "vmsilo %s", argv0);
        return buffer;
}

int cli_load_config(const char *path, Config **ret) {
        _cleanup_(config_errors_finish) ConfigErrors errors = {};
        int r = config_load_file(path, ret, &errors);

        if (r == -ENOMEM)
                return log_oom(), CLI_EXIT_FAILURE;
        if (r < 0) {
                config_errors_print(&errors, path, stderr);
                return CLI_EXIT_FAILURE;
        }
        return CLI_EXIT_OK;
}

const char *cli_runtime_dir(const char *option) {
        return cli_dir_choose(option, getenv(CLI_RUNTIME_DIR_ENV), CLI_RUNTIME_DIR_DEFAULT);
}

const char *cli_state_dir(const char *option) {
        return cli_dir_choose(option, getenv(CLI_STATE_DIR_ENV), CLI_STATE_DIR_DEFAULT);
}

int cli_usage_error(const char *program, char *message) {
        if (message)
                log_error("%s", message);
        else
                (void) log_oom();
        log_error("See '%s --help'.", program);
        free(message);
        return CLI_EXIT_USAGE;
}

int cli_usage_errorf(const char *program, const char *format, ...) {
        va_list ap;
        char *message;

        va_start(ap, format);
        if (vasprintf(&message, format, ap) < 0)
                message = NULL;
        va_end(ap);
        return cli_usage_error(program, message);
}

int cli_connect_vm_socket(
                const char *runtime_dir, const char *vm, const char *suffix, int *ret_fd) {
        _cleanup_(freep) char *path = NULL;
        int r;

        if (asprintf(&path, "%s/%s%s", runtime_dir, vm, suffix) < 0)
                return log_oom();
        r = socket_connect_unix(path, ret_fd);
        if (IN_SET(r, -ENOENT, -ECONNREFUSED))
                return log_error_errno(r,
                                "no VM named '%s' (is vmsilod running? see 'vmsilo status')", vm);
        if (IN_SET(r, -EACCES, -EPERM))
                return log_error_errno(r,
                                "permission denied for VM '%s': only root and the vmsilo user may "
                                "use "
                                "'%s'",
                                vm, path);
        if (r < 0)
                return log_error_errno(r, "cannot connect to '%s': %m", path);
        return 0;
}

int cli_control_connect(const char *runtime_dir, ControlClient **ret) {
        int r;

        r = control_client_connect(runtime_dir, ret);
        if (IN_SET(r, -ENOENT, -ECONNREFUSED))
                return log_error_errno(r,
                                "cannot reach vmsilod at '%s/" CONTROL_SOCKET_NAME
                                "': %m (is vmsilod running?)",
                                runtime_dir);
        if (IN_SET(r, -EACCES, -EPERM))
                return log_error_errno(r,
                                "permission denied for '%s/" CONTROL_SOCKET_NAME
                                "': only root and the vmsilo user may control VMs",
                                runtime_dir);
        if (r < 0)
                return log_error_errno(r, "cannot connect to '%s/" CONTROL_SOCKET_NAME "': %m",
                                runtime_dir);
        return 0;
}

int cli_control_call(ControlClient *c, json_t *request, uint64_t timeout_usec, json_t **ret) {
        _cleanup_(freep) char *message = NULL;
        int r;

        r = control_client_call(c, request, timeout_usec, ret, &message);
        if (r == -EREMOTEIO) {
                log_error("%s", message);
                return r;
        }
        if (r == -EBADMSG)
                return log_error_errno(r, "vmsilod sent a bad reply: %s", message);
        if (r == -ETIMEDOUT)
                return log_error_errno(r, "vmsilod did not answer in time");
        if (r == -ECONNRESET)
                return log_error_errno(r, "vmsilod closed the connection");
        if (r == -EMSGSIZE)
                return log_error_errno(r, "vmsilod's reply is too large");
        if (r < 0)
                return log_error_errno(r, "talking to vmsilod failed: %m");
        return 0;
}

const char *cli_config_path(const char *option) {
        return option ?: CONFIG_DEFAULT_PATH;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-clipboard.c: `vmsilo clipboard status|clear|to-host|from-host|copy-from VM|paste-to VM`:
 * the user's global clipboard (vmsilo-clipboard) for scripts, and between it and the host's
 * clipboard or a VM on purpose (docs/graphics.md "Global clipboard"). The host's clipboard is
 * reached as a client of the compositor, through wl-clipboard's wl-copy and wl-paste on the
 * user's WAYLAND_DISPLAY; a VM through its fence's control socket (the keys' copy and paste). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli-util.h"
#include "cli.h"
#include "clipboard-client.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "spawn-util.h"
#include "vmsilo-config.h"
#include "wayland-layout.h"

static void help(const char *program) {
        printf("Usage: %s [--socket PATH] [--control PATH] COMMAND\n"
               "\n"
               "The global clipboard: one text, held in memory by vmsilo-clipboard, filled by\n"
               "Ctrl+Shift+C in a VM window and emptied by the next paste (Ctrl+Shift+V).\n"
               "\n"
               "Commands:\n"
               "  status        what it holds: size and source, never the text\n"
               "  clear         empty it\n"
               "  to-host       paste it into the host's clipboard (wl-copy), emptying it\n"
               "  from-host     copy the host's clipboard text into it (wl-paste)\n"
               "  copy-from VM  copy VM's selection into it, as the copy key does in the\n"
               "                window of VM that had the keyboard focus last\n"
               "  paste-to VM   offer it to VM, as the paste key does, emptying it\n"
               "\n"
               "Options:\n"
               "  -h --help          show this help\n"
               "     --socket PATH   vmsilo-clipboard's socket (default:\n"
               "                     $XDG_RUNTIME_DIR/vmsilo/clipboard.sock)\n"
               "     --control PATH  the VM's fence control socket, for copy-from and paste-to\n"
               "                     (default: $VMSILO_RUNTIME_DIR or " VMSILO_RUNTIME_DIR "\n"
               "                     /" WAYLAND_SERVICES_DIR "/VM/" WAYLAND_CONTROL_SOCKET ")\n",
                        program);
}

/* One request; prints the daemon's refusal. 0 (ok), -ENOENT (empty) or another error. */
static int call(const char *path, const char *line, const void *data, size_t size, char **ret,
                ClipboardReply *ret_reply) {
        _cleanup_(freep) char *reply = NULL;
        const char *error = NULL;
        size_t n;
        int r;

        r = clipboard_client_call(path, line, data, size, &reply, &n);
        if (r < 0)
                return log_error_errno(r, "Cannot reach vmsilo-clipboard at %s: %m", path);
        r = clipboard_reply_parse(reply, n, ret_reply, &error);
        if (r == -EREMOTEIO)
                return log_error_errno(r, "vmsilo-clipboard refused: %s", error), r;
        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "vmsilo-clipboard sent a malformed reply.");
        *ret = TAKE_PTR(reply);
        return r;
}

/* wl-copy with the text on its stdin (a memfd: wl-copy forks and serves it from there on). Its
 * serving child would hold our stdout and stderr open for as long as the text is the host's
 * selection, keeping a caller that reads them waiting: it gets /dev/null. */
static int host_copy(const char *text, size_t size) {
        _cleanup_(closep) int fd = -EBADF;
        int status, r;
        pid_t pid;

        fd = memfd_create("vmsilo-clipboard", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write_full_fd(fd, text, size) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                return -EIO;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

                if (null < 0 || dup2(fd, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
                                dup2(null, STDERR_FILENO) < 0)
                        _exit(127);
                execlp("wl-copy", "wl-copy", (char *) NULL);
                _exit(127);
        }
        r = wait_child(pid, &status);
        return r < 0 ? r : wait_status_to_errno(status);
}

/* wl-paste's text, into a memfd: spawn_wait() waits before we read. */
static int host_paste(char **ret, size_t *ret_size) {
        char *argv[] = { (char *) "wl-paste", (char *) "--no-newline", (char *) "--type",
                (char *) "text", NULL };
        _cleanup_(closep) int fd = -EBADF;
        int r;

        fd = memfd_create("vmsilo-clipboard", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = spawn_wait(argv, NULL, fd);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        return read_full_fd(fd, CLIPBOARD_REPLY_MAX, ret, ret_size);
}

/* copy-from and paste-to: the VM's fence does what its keys do, and says how it went. */
static int run_vm(const char *control, const char *command, const char *vm) {
        _cleanup_(freep) char *reply = NULL;
        bool copy = streq(command, "copy-from");
        size_t n, size;
        int r;

        r = clipboard_client_call(control, copy ? "copy\n" : "paste\n", NULL, 0, &reply, &n);
        if (r < 0)
                return log_error_errno(r,
                                "Cannot reach the fence of VM '%s' at %s (is it running "
                                "with its windows?): %m",
                                vm, control);
        if (streq(reply, "empty\n"))
                return log_error_errno(ENOENT, "The global clipboard is empty.");
        if (strncmp(reply, "error ", 6) == 0)
                return log_error_errno(EREMOTEIO, "VM '%s': %.*s", vm,
                                (int) strcspn(reply + 6, "\n"), reply + 6);
        if (sscanf(reply, "ok %zu\n", &size) != 1)
                return log_error_errno(EBADMSG, "The fence of VM '%s' sent a malformed reply.", vm);
        if (copy)
                printf("%zu bytes from %s\n", size, vm);
        else
                printf("%zu bytes offered to %s\n", size, vm);
        return 0;
}

static int run(const char *path, const char *command) {
        _cleanup_(freep) char *reply = NULL, *text = NULL;
        ClipboardReply c = {};
        size_t size;
        int r;

        if (streq(command, "status") || streq(command, "clear")) {
                r = call(path, streq(command, "status") ? "status\n" : "clear\n", NULL, 0, &reply,
                                &c);
                if (r < 0)
                        return r;
                if (c.size == 0)
                        printf("empty\n");
                else
                        printf("%zu bytes from %s\n", c.size, c.source);
                return 0;
        }
        if (streq(command, "to-host")) {
                r = call(path, "paste host\n", NULL, 0, &reply, &c);
                if (r == -ENOENT)
                        return log_error_errno(r, "The global clipboard is empty.");
                if (r < 0)
                        return r;
                r = host_copy(c.text, c.size);
                explicit_bzero(reply, c.size);
                if (r < 0)
                        return log_error_errno(r, "wl-copy failed: %m");
                printf("%zu bytes from %s to the host's clipboard\n", c.size, c.source);
                return 0;
        }
        if (streq(command, "from-host")) {
                r = host_paste(&text, &size);
                if (r < 0)
                        return log_error_errno(
                                        r, "Cannot read the host's clipboard (wl-paste): %m");
                r = call(path, "copy host\n", text, size, &reply, &c);
                explicit_bzero(text, size);
                if (r < 0)
                        return r;
                printf("%zu bytes from the host's clipboard\n", c.size);
                return 0;
        }
        return -EINVAL; /* cmd_clipboard() checked the command */
}

static bool is_vm_command(const char *command) {
        return streq(command, "copy-from") || streq(command, "paste-to");
}

/* <runtime>/services/VM/control.sock, the runtime dir as `vmsilo config plan` finds it. */
static int control_path(const char *vm, char **ret) {
        const char *runtime_dir = getenv("VMSILO_RUNTIME_DIR");

        if (asprintf(ret, WAYLAND_CONTROL_SOCKET_FORMAT,
                            runtime_dir && *runtime_dir ? runtime_dir : VMSILO_RUNTIME_DIR, vm) < 0)
                return -ENOMEM;
        return 0;
}

int cmd_clipboard(int argc, char **argv) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "socket", required_argument, NULL, 's' },
                { "control", required_argument, NULL, 'c' },
                {},
        };
        const char *program = cli_program_name(argv[0]);
        _cleanup_(freep) char *path = NULL, *control = NULL, *error = NULL;
        const char *socket_path = NULL, *control_arg = NULL, *value;
        int c, r;

        cli_args_begin();
        while ((c = cli_args_next_option(argc, argv, "+:h", options, &value, &error)) > 0)
                switch (c) {
                case 'h':
                        help(program);
                        return CLI_EXIT_OK;
                case 's':
                        socket_path = value;
                        break;
                case 'c':
                        control_arg = value;
                        break;
                }
        if (c < 0)
                return cli_usage_error(program, TAKE_PTR(error));
        if (optind + 2 == argc && is_vm_command(argv[optind])) {
                if (!cli_vm_name_is_valid(argv[optind + 1]))
                        return cli_usage_error(program, strdup("clipboard: not a VM name"));
                if (!control_arg) {
                        if (control_path(argv[optind + 1], &control) < 0)
                                return CLI_EXIT_FAILURE;
                        control_arg = control;
                }
                return run_vm(control_arg, argv[optind], argv[optind + 1]) < 0 ? CLI_EXIT_FAILURE
                                                                               : CLI_EXIT_OK;
        }
        if (optind + 1 != argc || !(streq(argv[optind], "status") || streq(argv[optind], "clear") ||
                                                  streq(argv[optind], "to-host") ||
                                                  streq(argv[optind], "from-host")))
                return cli_usage_error(program,
                                strdup("clipboard wants one of status, clear, to-host, from-host, "
                                       "copy-from VM, paste-to VM"));
        if (!socket_path) {
                r = clipboard_socket_path(&path);
                if (r < 0) {
                        log_error_errno(r, "XDG_RUNTIME_DIR is not set: give --socket.");
                        return CLI_EXIT_FAILURE;
                }
                socket_path = path;
        }
        return run(socket_path, argv[optind]) < 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-listen.c: a VM's sockets in the runtime dir: the command socket (vm-run connections,
 * client.c) and the console socket (console.c). listener.c accepts and authorises; these hand
 * each connection on, or answer the refusal. */
#include <stdio.h>

#include "client.h"
#include "layout.h"
#include "listener.h"
#include "log.h"
#include "vm-listen.h"

static void on_command_connect(int fd, uid_t uid, const char *refusal, void *userdata) {
        Vm *vm = userdata;
        Client *c;
        int r;

        r = client_new(vm, fd, uid, refusal, &c);
        if (r < 0) {
                safe_close(fd);
                log_debug_errno(r, "VM '%s': closing a command connection of uid %u at once: %m",
                                vm->config->name, (unsigned) uid);
        }
}

static void on_console_connect(int fd, uid_t uid, const char *refusal, void *userdata) {
        Vm *vm = userdata;
        int r;

        if (refusal) {
                listener_refuse(fd, "vmsilod: permission denied: uid %u %s\r\n", (unsigned) uid,
                                refusal);
                return;
        }
        r = console_add_client(vm->console, fd, uid);
        if (r < 0)
                listener_refuse(fd, "vmsilod: cannot attach to the console: %s\r\n", strerror(-r));
}

static int vm_listen_one(Vm *vm, const char *suffix, const char *description,
                ListenerHandler handler, Listener **ret) {
        _cleanup_(freep) char *path = NULL;
        _cleanup_(freep) char *what = NULL;
        int r;

        path = layout_runtime_file(vm->manager->options.runtime_dir, vm->config->name, suffix);
        if (!path)
                return log_oom();
        if (asprintf(&what, "the %s of VM '%s'", description, vm->config->name) < 0)
                return log_oom();
        r = listener_new(vm->manager, path, what, handler, vm, ret);
        if (r < 0)
                return log_error_errno(r, "Cannot listen on '%s': %m", path);
        return 0;
}

int vm_listen(Vm *vm) {
        int r;

        r = vm_listen_one(vm, LAYOUT_COMMAND_SOCKET_SUFFIX, "command socket", on_command_connect,
                        &vm->command_listener);
        if (r < 0)
                return r;
        return vm_listen_one(vm, LAYOUT_CONSOLE_SOCKET_SUFFIX, "console socket", on_console_connect,
                        &vm->console_listener);
}

void vm_unlisten(Vm *vm) {
        vm->command_listener = listener_free(vm->command_listener);
        vm->console_listener = listener_free(vm->console_listener);
}

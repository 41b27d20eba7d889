/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-check.c: host-side checks done once before the daemon starts anything. */
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

#include "host-check.h"
#include "log.h"

extern char **environ;

int host_check_user(const Config *c, uid_t *ret_uid, gid_t *ret_gid) {
        struct passwd *pw;

        errno = 0;
        pw = getpwnam(c->user);
        if (!pw)
                return log_error_errno(errno ?: ENOENT,
                                "user: '%s' does not exist on this host; create it or set "
                                "\"user\" to an existing account",
                                c->user);
        *ret_uid = pw->pw_uid;
        *ret_gid = pw->pw_gid;
        return 0;
}

static int check_path(const char *vm, const char *option, const char *path) {
        if (!path || access(path, R_OK) >= 0)
                return 0;
        log_error_errno(errno, "VM '%s': %s '%s' is not readable: %m", vm, option, path);
        return 1;
}

int host_check_paths(const Config *c) {
        int problems = 0;

        for (size_t i = 0; i < c->n_vms; i++) {
                const VmConfig *vm = &c->vms[i];

                problems += check_path(vm->name, "kernel", vm->kernel);
                problems += check_path(vm->name, "initramfs", vm->initramfs);
                if (vm->root_disk)
                        problems += check_path(vm->name, "rootDisk.path", vm->root_disk->path);
                for (size_t j = 0; j < vm->n_additional_disks; j++)
                        problems += check_path(vm->name, "additionalDisks.path",
                                        vm->additional_disks[j].path);
        }
        return problems;
}

bool host_needs_default_image(const Config *c) {
        for (size_t i = 0; i < c->n_vms; i++)
                if (!c->vms[i].kernel)
                        return true;
        return false;
}

int host_build_default_image(const char *builder, const char *state_dir) {
        char *argv[] = { (char *) builder, (char *) "image", (char *) "build",
                (char *) "--state-dir", (char *) state_dir, NULL };
        pid_t pid;
        int r, status;

        r = posix_spawnp(&pid, builder, NULL, NULL, argv, environ);
        if (r != 0)
                return log_error_errno(r, "Cannot run '%s image build': %m", builder);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(errno, "Cannot wait for the image builder: %m");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return log_error_errno(EIO, "Building the default guest image failed; see the "
                                            "messages above.");
        return 0;
}

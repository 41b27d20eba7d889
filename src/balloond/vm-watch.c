/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-watch.c: runtime-dir inotify watch for VM control sockets. */
#include <dirent.h>
#include <stdio.h>
#include <sys/inotify.h>

#include "vm-watch.h"

#define QMP_SUFFIX ".qmp"
#define CROSVM_SUFFIX "-crosvm.socket"

struct VmWatch {
        sd_event_source *inotify;
        char *dir;
        VmWatchCallback cb;
        void *userdata;
};

static bool has_suffix(const char *s, size_t len, const char *suffix, size_t *ret_stem) {
        size_t n = strlen(suffix);

        if (len <= n || strcmp(s + len - n, suffix) != 0)
                return false;
        *ret_stem = len - n;
        return true;
}

int vm_watch_classify(const char *filename, char **ret_name, VmmKind *ret_vmm) {
        size_t len = strlen(filename), stem;
        VmmKind vmm;
        char *name;

        if (has_suffix(filename, len, CROSVM_SUFFIX, &stem))
                vmm = VMM_CROSVM;
        else if (has_suffix(filename, len, QMP_SUFFIX, &stem))
                vmm = VMM_QEMU;
        else
                return -EINVAL;
        if (stem > CONFIG_VM_NAME_MAX || filename[0] == '.' || memchr(filename, '/', stem))
                return -EINVAL;
        name = strndup(filename, stem);
        if (!name)
                return -ENOMEM;
        *ret_name = name;
        *ret_vmm = vmm;
        return 0;
}

static void report(VmWatch *w, const char *filename, int appeared) {
        _cleanup_(freep) char *name = NULL, *path = NULL;
        VmmKind vmm;

        if (vm_watch_classify(filename, &name, &vmm) < 0)
                return;
        if (asprintf(&path, "%s/%s", w->dir, filename) < 0)
                return;
        w->cb(w, name, vmm, path, appeared, w->userdata);
}

static int on_dir_inotify(sd_event_source *s, const struct inotify_event *event, void *userdata) {
        VmWatch *w = userdata;

        if (event->len == 0)
                return 0;
        report(w, event->name, (event->mask & (IN_CREATE | IN_MOVED_TO)) ? 1 : 0);
        return 0;
}

static int scan(VmWatch *w) {
        DIR *d = opendir(w->dir);
        struct dirent *de;

        if (!d)
                return -errno;
        while ((de = readdir(d)))
                report(w, de->d_name, 1);
        closedir(d);
        return 0;
}

int vm_watch_new(sd_event *e, const char *dir, VmWatchCallback cb, void *userdata, VmWatch **ret) {
        _cleanup_(vm_watch_freep) VmWatch *w = NULL;
        int r;

        w = calloc(1, sizeof(VmWatch));
        if (!w)
                return -ENOMEM;
        w->dir = strdup(dir);
        if (!w->dir)
                return -ENOMEM;
        w->cb = cb;
        w->userdata = userdata;
        /* The watch goes first, so nothing created during the scan is missed. */
        r = sd_event_add_inotify(e, &w->inotify, dir,
                        IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR,
                        on_dir_inotify, w);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(w->inotify, "runtime-dir-watch");
        r = scan(w);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(w);
        return 0;
}

VmWatch *vm_watch_free(VmWatch *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->inotify);
        free(w->dir);
        free(w);
        return NULL;
}

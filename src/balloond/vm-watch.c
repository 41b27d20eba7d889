/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-watch.c: runtime-dir inotify watch for VM control sockets, and one watch per crosvm VM
 * directory. */
#include <dirent.h>
#include <stdio.h>
#include <sys/inotify.h>

#include "layout.h"
#include "vm-watch.h"

#define QMP_SUFFIX LAYOUT_BALLOON_QMP_SUFFIX
#define VMM_DIR_SUFFIX LAYOUT_VMM_DIR_SUFFIX
#define CROSVM_SUFFIX LAYOUT_CROSVM_SOCKET_SUFFIX

/* One crosvm VM's directory, watched for its control socket. */
typedef struct VmmDir VmmDir;
struct VmmDir {
        VmWatch *watch;
        char *name; /* the VM's */
        char *path;
        sd_event_source *inotify;
        VmmDir *next, *prev;
};

struct VmWatch {
        sd_event *event;
        sd_event_source *inotify;
        char *dir;
        VmWatchCallback cb;
        void *userdata;
        VmmDir *vmm_dirs;
};

static bool has_suffix(const char *s, size_t len, const char *suffix, size_t *ret_stem) {
        size_t n = strlen(suffix);

        if (len <= n || strcmp(s + len - n, suffix) != 0)
                return false;
        *ret_stem = len - n;
        return true;
}

int vm_watch_classify(const char *filename, char **ret_name, VmWatchEntry *ret_entry) {
        size_t len = strlen(filename), stem;
        VmWatchEntry entry;
        char *name;

        if (has_suffix(filename, len, VMM_DIR_SUFFIX, &stem))
                entry = VM_WATCH_VMM_DIR;
        else if (has_suffix(filename, len, QMP_SUFFIX, &stem))
                entry = VM_WATCH_QMP;
        else
                return -EINVAL;
        if (stem > CONFIG_VM_NAME_MAX || filename[0] == '.' || memchr(filename, '/', stem))
                return -EINVAL;
        name = strndup(filename, stem);
        if (!name)
                return -ENOMEM;
        *ret_name = name;
        *ret_entry = entry;
        return 0;
}

bool vm_watch_is_crosvm_socket(const char *name, const char *filename) {
        size_t n = strlen(name);

        return strncmp(filename, name, n) == 0 && streq(filename + n, CROSVM_SUFFIX);
}

static void report(VmWatch *w, const char *dir, const char *name, VmmKind vmm, const char *filename,
                int appeared) {
        _cleanup_(freep) char *path = NULL;

        if (asprintf(&path, "%s/%s", dir, filename) < 0)
                return;
        w->cb(w, name, vmm, path, appeared, w->userdata);
}

static VmmDir *vmm_dir_free(VmmDir *d) {
        if (!d)
                return NULL;
        if (d->watch)
                LIST_REMOVE(d->watch->vmm_dirs, d);
        sd_event_source_disable_unref(d->inotify);
        free(d->name);
        free(d->path);
        free(d);
        return NULL;
}
DEFINE_FREE_FUNC(VmmDir *, vmm_dir_free);

static void vmm_dir_report(VmmDir *d, const char *filename, int appeared) {
        if (vm_watch_is_crosvm_socket(d->name, filename))
                report(d->watch, d->path, d->name, VMM_CROSVM, filename, appeared);
}

static int on_vmm_dir_inotify(
                sd_event_source *s, const struct inotify_event *event, void *userdata) {
        VmmDir *d = userdata;

        if (event->len == 0)
                return 0;
        vmm_dir_report(d, event->name, (event->mask & (IN_CREATE | IN_MOVED_TO)) ? 1 : 0);
        return 0;
}

static VmmDir *vmm_dir_find(VmWatch *w, const char *name) {
        for (VmmDir *d = w->vmm_dirs; d; d = d->next)
                if (streq(d->name, name))
                        return d;
        return NULL;
}

/* Watch first, then scan, so that a socket created in between is not missed. */
static int vmm_dir_add(VmWatch *w, const char *name) {
        _cleanup_(vmm_dir_freep) VmmDir *d = NULL;
        VmmDir *added;
        DIR *dir;
        struct dirent *de;
        int r;

        if (vmm_dir_find(w, name))
                return 0;
        d = calloc(1, sizeof(VmmDir));
        if (!d)
                return -ENOMEM;
        d->name = strdup(name);
        d->path = layout_runtime_file(w->dir, name, VMM_DIR_SUFFIX);
        if (!d->name || !d->path)
                return -ENOMEM;
        r = sd_event_add_inotify(w->event, &d->inotify, d->path,
                        IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR,
                        on_vmm_dir_inotify, d);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(d->inotify, "vmm-dir-watch");
        d->watch = w;
        added = TAKE_PTR(d);
        LIST_PREPEND(w->vmm_dirs, added);
        dir = opendir(added->path);
        if (!dir)
                return 0; /* gone again: its deletion event frees it */
        while ((de = readdir(dir)))
                vmm_dir_report(added, de->d_name, 1);
        closedir(dir);
        return 0;
}

static void on_entry(VmWatch *w, const char *filename, int appeared) {
        _cleanup_(freep) char *name = NULL;
        VmWatchEntry entry;

        if (vm_watch_classify(filename, &name, &entry) < 0)
                return;
        if (entry == VM_WATCH_QMP) {
                report(w, w->dir, name, VMM_QEMU, filename, appeared);
                return;
        }
        if (!appeared) {
                vmm_dir_free(vmm_dir_find(w, name));
                return;
        }
        /* Fails on anything but a directory (IN_ONLYDIR): then it is nothing of crosvm's. */
        (void) vmm_dir_add(w, name);
}

static int on_dir_inotify(sd_event_source *s, const struct inotify_event *event, void *userdata) {
        VmWatch *w = userdata;

        if (event->len == 0)
                return 0;
        on_entry(w, event->name, (event->mask & (IN_CREATE | IN_MOVED_TO)) ? 1 : 0);
        return 0;
}

static int scan(VmWatch *w) {
        DIR *d = opendir(w->dir);
        struct dirent *de;

        if (!d)
                return -errno;
        while ((de = readdir(d)))
                on_entry(w, de->d_name, 1);
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
        w->event = e;
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
        while (w->vmm_dirs)
                vmm_dir_free(w->vmm_dirs);
        sd_event_source_disable_unref(w->inotify);
        free(w->dir);
        free(w);
        return NULL;
}

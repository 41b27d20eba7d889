/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* balloon-status.c: balloond.json formatting (pure) and its atomic write. */
#include <fcntl.h>
#include <stdio.h>

#include <jansson.h>

#include "balloon-status.h"
#include "fileio.h"
#include "macro.h"

int balloon_status_format(const BalloonStatusHost *host, const BalloonStatusVm *vms, size_t n_vms,
                char **ret) {
        _cleanup_(json_decrefp) json_t *doc = NULL;
        json_t *list;
        char *text;

        doc = json_pack("{s:i, s:s, s:{s:I, s:I, s:I, s:b}, s:[]}", "version",
                        BALLOON_STATUS_VERSION, "policy", host->policy, "host", "mem_total_bytes",
                        (json_int_t) host->mem_total_bytes, "mem_available_bytes",
                        (json_int_t) host->mem_available_bytes, "critical_bytes",
                        (json_int_t) host->critical_bytes, "under_pressure", host->under_pressure,
                        "vms");
        if (!doc)
                return -ENOMEM;
        list = json_object_get(doc, "vms");
        for (size_t i = 0; i < n_vms; i++) {
                const BalloonStatusVm *v = vms + i;
                json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:I}", "name",
                                v->name, "vmm", v->vmm, "state", v->state, "memory_bytes",
                                (json_int_t) v->memory_bytes, "balloon_bytes",
                                (json_int_t) v->balloon_bytes, "guest_available_bytes",
                                (json_int_t) v->guest_available_bytes, "guest_critical_bytes",
                                (json_int_t) v->guest_critical_bytes, "last_action", v->last_action,
                                "target_bytes", (json_int_t) v->target_bytes);
                if (!o || json_array_append_new(list, o) < 0)
                        return -ENOMEM;
        }
        text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text)
                return -ENOMEM;
        *ret = text;
        return 0;
}

int balloon_status_write_atomic(const char *dir, const char *text) {
        _cleanup_(freep) char *path = NULL, *tmp = NULL;
        _cleanup_(closep) int fd = -EBADF;
        int r;

        if (asprintf(&path, "%s/%s", dir, BALLOON_STATUS_FILE_NAME) < 0 ||
                        asprintf(&tmp, "%s/.%s.tmp", dir, BALLOON_STATUS_FILE_NAME) < 0)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        r = write_full_fd(fd, text, strlen(text));
        if (r >= 0)
                r = write_full_fd(fd, "\n", 1);
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

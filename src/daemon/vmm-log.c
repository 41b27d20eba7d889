/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmm-log.c: a VMM's output into the journal, or a capped, root-only log file. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "vmm-log.h"

struct VmmLog {
        char *where; /* the file's path, or how to read the journal */
        int pipe_fd; /* read end, non-blocking */
        int file_fd;
        sd_event_source *io;
        uint64_t max_bytes;
        uint64_t written;
        uint64_t dropped;
};

/* Reads until the pipe is empty (EAGAIN) or closed; writes what fits under the cap. */
static int vmm_log_pump(VmmLog *l) {
        char buf[64 * 1024];

        for (;;) {
                ssize_t n = read_retry(l->pipe_fd, buf, sizeof(buf));
                size_t keep;

                if (n < 0)
                        return n == -EAGAIN ? 0 : (int) n;
                if (n == 0)
                        return -EPIPE;
                keep = (size_t) MIN((uint64_t) n, l->max_bytes - l->written);
                if (keep > 0 && write_full_fd(l->file_fd, buf, keep) >= 0)
                        l->written += keep;
                l->dropped += (uint64_t) n - keep;
        }
}

static int on_vmm_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        VmmLog *l = userdata;

        if (vmm_log_pump(l) < 0)
                l->io = sd_event_source_disable_unref(l->io);
        return 0;
}

/* The VMM writes to a stream of the journal's own: no pipe through vmsilod, journald's rate
 * limits instead of the cap. */
static int vmm_log_open_journal(VmmLog *l, const char *identifier, int *ret_vmm_fd) {
        int fd;

        fd = sd_journal_stream_fd(identifier, LOG_INFO, /* level_prefix= */ 0);
        if (fd < 0)
                return fd;
        if (asprintf(&l->where, "journalctl -t %s", identifier) < 0) {
                safe_close(fd);
                return -ENOMEM;
        }
        *ret_vmm_fd = fd;
        return 0;
}

int vmm_log_new(sd_event *e, const char *path, const char *journal_identifier, uint64_t max_bytes,
                VmmLog **ret, int *ret_vmm_fd) {
        _cleanup_(vmm_log_freep) VmmLog *l = NULL;
        int pipe_fds[2], r;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->pipe_fd = l->file_fd = -EBADF;
        l->max_bytes = max_bytes;
        if (journal_identifier) {
                r = vmm_log_open_journal(l, journal_identifier, ret_vmm_fd);
                if (r >= 0) {
                        *ret = TAKE_PTR(l);
                        return 0;
                }
                log_warning_errno(r, "Cannot open a journal stream for '%s', writing to '%s': %m",
                                journal_identifier, path);
        }
        l->where = strdup(path);
        if (!l->where)
                return -ENOMEM;
        l->file_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (l->file_fd < 0)
                return -errno;
        /* An older vmsilod left it group-readable: the mode of an existing file stays. */
        if (fchown(l->file_fd, 0, 0) < 0 || fchmod(l->file_fd, 0600) < 0)
                return -errno;
        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return -errno;
        l->pipe_fd = pipe_fds[0];
        r = fd_set_nonblock(l->pipe_fd);
        if (r < 0) {
                safe_close(pipe_fds[1]);
                return r;
        }
        r = sd_event_add_io(e, &l->io, l->pipe_fd, EPOLLIN, on_vmm_output, l);
        if (r < 0) {
                safe_close(pipe_fds[1]);
                return r;
        }
        (void) sd_event_source_set_description(l->io, "vmm-log");
        *ret_vmm_fd = pipe_fds[1];
        *ret = TAKE_PTR(l);
        return 0;
}

VmmLog *vmm_log_free(VmmLog *l) {
        if (!l)
                return NULL;
        l->io = sd_event_source_disable_unref(l->io);
        if (l->pipe_fd >= 0 && l->file_fd >= 0)
                (void) vmm_log_pump(l);
        if (l->dropped > 0)
                (void) dprintf(l->file_fd,
                                "\n[vmsilod: the log stops at %" PRIu64 " KiB; %" PRIu64
                                " more bytes of VMM output were dropped]\n",
                                l->max_bytes / 1024, l->dropped);
        safe_close(l->pipe_fd);
        safe_close(l->file_fd);
        free(l->where);
        free(l);
        return NULL;
}

const char *vmm_log_where(const VmmLog *l) {
        return l->where;
}

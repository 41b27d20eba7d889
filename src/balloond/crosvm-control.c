/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* crosvm-control.c: one crosvm CLI invocation with a deadline. */
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>

#include "crosvm-control.h"
#include "fd-util.h"
#include "spawn-util.h"

struct CrosvmCall {
        pid_t pid;
        int out_fd;
        sd_event_source *io;
        sd_event_source *timer;
        char *out;
        size_t out_size, out_max;
        bool finished;
        CrosvmCallback cb;
        void *userdata;
};

static void reap(CrosvmCall *c) {
        if (c->pid <= 0)
                return;
        (void) kill(c->pid, SIGKILL);
        while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        c->pid = 0;
}

/* After stdout closed the command is exiting: give it up to 50 ms, then kill it. */
static int exit_status(CrosvmCall *c) {
        int status = 0;

        for (unsigned i = 0; i < 50; i++) {
                pid_t p = waitpid(c->pid, &status, WNOHANG);
                if (p == c->pid) {
                        c->pid = 0;
                        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
                }
                if (p < 0 && errno != EINTR)
                        return -errno;
                (void) nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
        }
        reap(c);
        return -ETIMEDOUT;
}

static void finish(CrosvmCall *c, int error) {
        if (c->finished)
                return;
        c->finished = true;
        c->io = sd_event_source_disable_unref(c->io);
        c->timer = sd_event_source_disable_unref(c->timer);
        c->out_fd = safe_close(c->out_fd);
        if (error == 0)
                error = exit_status(c);
        else
                reap(c);
        c->cb(c, error, error == 0 ? c->out : NULL, error == 0 ? c->out_size : 0, c->userdata);
}

static int on_crosvm_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        CrosvmCall *c = userdata;
        char buf[4096];
        ssize_t n;

        n = read(fd, buf, sizeof(buf));
        if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        finish(c, -errno);
                return 0;
        }
        if (n == 0) {
                finish(c, 0);
                return 0;
        }
        if (c->out_size + (size_t) n > c->out_max) {
                finish(c, -EMSGSIZE);
                return 0;
        }
        memcpy(c->out + c->out_size, buf, (size_t) n);
        c->out_size += (size_t) n;
        c->out[c->out_size] = 0;
        return 0;
}

static int on_crosvm_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        finish(userdata, -ETIMEDOUT);
        return 0;
}

int crosvm_call_new(sd_event *e, char *const *argv, uint64_t timeout_usec, size_t output_max,
                CrosvmCallback cb, void *userdata, CrosvmCall **ret) {
        _cleanup_(crosvm_call_freep) CrosvmCall *c = NULL;
        int pipefd[2], r;

        c = calloc(1, sizeof(CrosvmCall));
        if (!c)
                return -ENOMEM;
        c->out_fd = -EBADF;
        c->cb = cb;
        c->userdata = userdata;
        c->out_max = output_max;
        c->out = malloc(output_max + 1);
        if (!c->out)
                return -ENOMEM;
        c->out[0] = 0;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        c->out_fd = pipefd[0];
        r = spawn_child(argv, NULL, pipefd[1], &c->pid);
        safe_close(pipefd[1]);
        if (r < 0)
                return r;
        r = fd_set_nonblock(c->out_fd);
        if (r < 0)
                return r;
        r = sd_event_add_io(e, &c->io, c->out_fd, EPOLLIN, on_crosvm_output, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->io, "crosvm-output");
        r = sd_event_add_time_relative(
                        e, &c->timer, CLOCK_MONOTONIC, timeout_usec, 0, on_crosvm_timeout, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->timer, "crosvm-timeout");
        *ret = TAKE_PTR(c);
        return 0;
}

CrosvmCall *crosvm_call_free(CrosvmCall *c) {
        if (!c)
                return NULL;
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        safe_close(c->out_fd);
        reap(c);
        free(c->out);
        free(c);
        return NULL;
}

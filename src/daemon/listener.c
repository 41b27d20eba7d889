/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* listener.c: accepting on vmsilod's unix sockets without letting a local user stall the loop. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "listener.h"
#include "log.h"
#include "ratelimit.h"
#include "socket-util.h"

#define LISTENER_LOG_INTERVAL_USEC (10 * 1000 * 1000)
#define LISTENER_LOG_BURST 5

struct Listener {
        Manager *manager;
        char *path; /* unlinked when the listener goes */
        char *description;
        int fd;
        sd_event_source *io;
        sd_event_source *backoff; /* made up front, as it needs a timerfd; while on, io is off */
        ListenerHandler handler;
        void *userdata;
        Ratelimit refused_log;
        Ratelimit backoff_log;
};

static uint64_t listener_now(const Listener *l) {
        uint64_t now = 0;

        (void) sd_event_now(l->manager->event, CLOCK_MONOTONIC, &now);
        return now;
}

static void listener_log_refused(Listener *l, uid_t uid, const char *refusal) {
        unsigned suppressed;

        if (ratelimit_below(&l->refused_log, listener_now(l), &suppressed))
                log_info("Refusing uid %u on %s: it %s (%u more refusals not logged).",
                                (unsigned) uid, l->description, refusal, suppressed);
}

static int on_listener_backoff(sd_event_source *s, uint64_t usec, void *userdata) {
        Listener *l = userdata;

        if (sd_event_source_set_enabled(l->io, SD_EVENT_ON) < 0)
                log_error("Cannot accept on %s any more.", l->description);
        return 0;
}

/* Level-triggered epoll reports the socket readable for as long as connections wait: without
 * a pause, a full fd table turns into a busy loop that starves every other client. */
static void listener_back_off(Listener *l, int error) {
        unsigned suppressed;

        if (ratelimit_below(&l->backoff_log, listener_now(l), &suppressed))
                log_warning_errno(error, "Cannot accept on %s, pausing it (%u more not logged): %m",
                                l->description, suppressed);
        if (sd_event_source_set_time_relative(l->backoff, LISTENER_BACKOFF_USEC) < 0 ||
                        sd_event_source_set_enabled(l->backoff, SD_EVENT_ONESHOT) < 0)
                return; /* stay on: spinning beats never serving again */
        (void) sd_event_source_set_enabled(l->io, SD_EVENT_OFF);
}

/* Returns false when the socket has nothing more to accept for now. */
static bool listener_accept_one(Listener *l) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        struct ucred peer;
        const char *refusal;

        if (fd < 0) {
                if (IN_SET(errno, EINTR, ECONNABORTED))
                        return true;
                if (errno != EAGAIN)
                        listener_back_off(l, errno);
                return false;
        }
        if (socket_peer_cred(fd, &peer) < 0) {
                safe_close(fd);
                return true;
        }
        refusal = manager_peer_refusal(l->manager, &peer);
        if (refusal)
                listener_log_refused(l, peer.uid, refusal);
        l->handler(fd, peer.uid, refusal, l->userdata);
        return true;
}

static int on_listener_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Listener *l = userdata;

        for (unsigned i = 0; i < LISTENER_ACCEPT_BURST && listener_accept_one(l); i++)
                ;
        return 0;
}

void listener_refuse(int fd, const char *format, ...) {
        char line[512];
        va_list ap;
        int n;

        va_start(ap, format);
        n = vsnprintf(line, sizeof(line), format, ap);
        va_end(ap);
        if (n > 0)
                (void) send(fd, line, MIN((size_t) n, sizeof(line) - 1),
                                MSG_DONTWAIT | MSG_NOSIGNAL);
        safe_close(fd);
}

int listener_new(Manager *m, const char *path, const char *description, ListenerHandler handler,
                void *userdata, Listener **ret) {
        _cleanup_(listener_freep) Listener *l = NULL;
        int r;

        l = calloc(1, sizeof(Listener));
        if (!l)
                return -ENOMEM;
        l->fd = -EBADF;
        l->manager = m;
        l->handler = handler;
        l->userdata = userdata;
        l->refused_log = RATELIMIT_INIT(LISTENER_LOG_INTERVAL_USEC, LISTENER_LOG_BURST);
        l->backoff_log = RATELIMIT_INIT(LISTENER_LOG_INTERVAL_USEC, LISTENER_LOG_BURST);
        l->path = strdup(path);
        l->description = strdup(description);
        if (!l->path || !l->description)
                return -ENOMEM;
        r = socket_listen_unix(path, 0666, &l->fd);
        if (r < 0)
                return r;
        r = sd_event_add_io(m->event, &l->io, l->fd, EPOLLIN, on_listener_io, l);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(l->io, description);
        r = sd_event_add_time_relative(m->event, &l->backoff, CLOCK_MONOTONIC,
                        LISTENER_BACKOFF_USEC, 0, on_listener_backoff, l);
        if (r < 0)
                return r;
        (void) sd_event_source_set_enabled(l->backoff, SD_EVENT_OFF);

        *ret = TAKE_PTR(l);
        return 0;
}

Listener *listener_free(Listener *l) {
        if (!l)
                return NULL;
        l->io = sd_event_source_disable_unref(l->io);
        l->backoff = sd_event_source_disable_unref(l->backoff);
        if (l->fd >= 0)
                (void) unlink(l->path);
        safe_close(l->fd);
        free(l->path);
        free(l->description);
        free(l);
        return NULL;
}

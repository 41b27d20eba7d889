/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* forward-listen.c: listening sockets whose connections become guest-opened FORWARD streams. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "forward-cmdline.h"
#include "forward-listen.h"
#include "forward.h"
#include "log.h"
#include "passwd.h"
#include "socket-util.h"
#include "strv.h"

/* /proc/cmdline is at most a page or two; this bounds a bogus --kernel-cmdline file. */
#define FORWARD_LISTEN_CMDLINE_MAX (64U * 1024U)

struct ForwardListener {
        Agent *agent;
        char *service;
        int fd;
        EventSource *source;
        ForwardListener *next;
};

static ForwardListener *forward_listener_free(ForwardListener *l) {
        if (!l)
                return NULL;
        l->source = event_source_free(l->source);
        l->fd = safe_close(l->fd);
        free(l->service);
        free(l);
        return NULL;
}
DEFINE_FREE_FUNC(ForwardListener *, forward_listener_free);

void forward_listen_stop(Agent *a) {
        while (a->forward_listeners) {
                ForwardListener *l = a->forward_listeners;
                a->forward_listeners = l->next;
                forward_listener_free(l);
        }
}

static size_t count_guest_opened(const Agent *a) {
        size_t n = 0;

        for (const ForwardStream *f = a->forwards; f; f = f->next)
                n += f->guest_opened;
        return n;
}

static int on_forward_connection(EventSource *source, int fd, uint32_t revents, void *userdata) {
        ForwardListener *l = userdata;
        Agent *a = l->agent;
        _cleanup_(closep) int conn = -EBADF;

        conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (conn < 0) {
                if (!IN_SET(errno, EAGAIN, EINTR, ECONNABORTED))
                        log_warning_errno(errno, "Cannot accept a '%s' connection: %m", l->service);
                return 0;
        }
        /* Closing the connection is the whole refusal: the guest program sees its peer hang
         * up, as when its service is not running. */
        if (!mux_is_ready(a->mux) || a->exiting) {
                log_info("No host connected; closing a '%s' connection.", l->service);
                return 0;
        }
        if (count_guest_opened(a) >= FORWARD_LISTEN_STREAMS_MAX) {
                log_warning("%u '%s' streams are open already; closing a new connection.",
                                FORWARD_LISTEN_STREAMS_MAX, l->service);
                return 0;
        }
        (void) forward_stream_open_to_host(a, TAKE_FD(conn), l->service);
        return 0;
}

/* The socket belongs to the default user (who runs the guest end, e.g. waypipe server), so no
 * other unprivileged guest user can reach the host service through it. */
static int forward_listen_one(Agent *a, const char *service, const PasswdEntry *owner) {
        _cleanup_(forward_listener_freep) ForwardListener *l = NULL;
        _cleanup_(freep) char *path = NULL;
        int r;

        if (asprintf(&path, "%s/%s.sock", a->args->forward_dir, service) < 0)
                return -ENOMEM;
        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        *l = (ForwardListener){ .agent = a, .fd = -EBADF, .service = strdup(service) };
        if (!l->service)
                return -ENOMEM;
        r = socket_listen_unix(path, 0600, &l->fd);
        if (r < 0)
                return r;
        if (owner && chown(path, owner->uid, owner->gid) < 0)
                return -errno;
        r = event_loop_add_io(a->loop, l->fd, EPOLLIN, on_forward_connection, l, &l->source);
        if (r < 0)
                return r;
        log_info("Listening on '%s' for the host service '%s'.", path, service);
        l->next = a->forward_listeners;
        a->forward_listeners = TAKE_PTR(l);
        return 0;
}

static bool env_has_key(char *const *env, const char *key) {
        size_t n = strlen(key);

        STRV_FOREACH(e, env)
                if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
                        return true;
        return false;
}

/* dir and its parent (/run/vmsilo on a systemd root, where nothing made it before us). */
static int make_dir_and_parent(const char *dir) {
        _cleanup_(freep) char *parent = strdup(dir);
        char *slash;

        if (!parent)
                return -ENOMEM;
        slash = strrchr(parent, '/');
        if (slash && slash != parent) {
                *slash = '\0';
                if (mkdir(parent, 0755) < 0 && errno != EEXIST)
                        return -errno;
        }
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

void forward_listen_start(Agent *a) {
        _cleanup_(passwd_entry_finish) PasswdEntry owner = {};
        _cleanup_(strv_freep) char **services = NULL;
        _cleanup_(freep) char *cmdline = NULL;
        bool have_owner;
        int r;

        r = read_full_file(a->args->kernel_cmdline, FORWARD_LISTEN_CMDLINE_MAX, &cmdline, NULL);
        if (r < 0) {
                log_debug_errno(r, "Cannot read '%s', no host services: %m",
                                a->args->kernel_cmdline);
                return;
        }
        r = forward_cmdline_parse(cmdline, &services);
        if (r < 0) {
                log_warning_errno(r, "Ignoring a bad vmsilo.forward= in '%s': %m",
                                a->args->kernel_cmdline);
                return;
        }
        if (strv_length(services) == 0)
                return;
        r = make_dir_and_parent(a->args->forward_dir);
        if (r < 0) {
                log_warning_errno(r, "Cannot create '%s', no host services: %m",
                                a->args->forward_dir);
                return;
        }
        r = passwd_lookup(a->args->etc_dir, a->args->default_user, &owner);
        have_owner = r >= 0;
        if (!have_owner)
                log_warning_errno(r, "No user '%s' (%m); host service sockets stay root's.",
                                a->args->default_user);
        STRV_FOREACH(s, services) {
                r = forward_listen_one(a, *s, have_owner ? &owner : NULL);
                if (r < 0) {
                        log_warning_errno(r, "Cannot listen for the host service '%s': %m", *s);
                        continue;
                }
                if (streq(*s, "wayland") && !env_has_key(a->file_env, "WAYLAND_DISPLAY") &&
                                strv_extend(&a->file_env,
                                                "WAYLAND_DISPLAY=" FORWARD_LISTEN_WAYLAND_DISPLAY) <
                                                0)
                        log_oom();
        }
}

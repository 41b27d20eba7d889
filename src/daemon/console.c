/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console.c: console scrollback and fan-out to vm-shell clients. Guest console bytes are passed
 * through unmodified to the user's terminal, as a serial console would; they are never parsed. */
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "conn-limit.h"
#include "console.h"
#include "log.h"
#include "ring.h"

typedef struct ConsoleClient ConsoleClient;

struct ConsoleClient {
        Console *console;
        int fd;
        uid_t uid;
        sd_event_source *io;
        uint8_t *backlog; /* output not yet written to the client */
        size_t backlog_size;
        ConsoleClient *next;
};

struct Console {
        sd_event *event;
        char *vm_name;
        int vmm_fd;
        sd_event_source *vmm_io;
        Ring scrollback;
        ConsoleClient *clients;
        ConnLimit limit; /* counts clients by uid */
};

static ConsoleClient *console_client_free(ConsoleClient *cc) {
        if (!cc)
                return NULL;
        if (cc->console) {
                ConsoleClient **p = &cc->console->clients;
                while (*p && *p != cc)
                        p = &(*p)->next;
                if (*p)
                        *p = cc->next;
                conn_limit_release(&cc->console->limit, cc->uid);
        }
        sd_event_source_disable_unref(cc->io);
        safe_close(cc->fd);
        free(cc->backlog);
        free(cc);
        return NULL;
}

static int console_client_update_events(ConsoleClient *cc) {
        return sd_event_source_set_io_events(
                        cc->io, EPOLLIN | (cc->backlog_size > 0 ? EPOLLOUT : 0));
}

static int console_client_queue(ConsoleClient *cc, const uint8_t *data, size_t len) {
        uint8_t *p;

        if (len == 0)
                return 0;
        if (cc->backlog_size + len > CONSOLE_CLIENT_BACKLOG_MAX)
                return -ENOBUFS;
        p = realloc(cc->backlog, cc->backlog_size + len);
        if (!p)
                return -ENOMEM;
        memcpy(p + cc->backlog_size, data, len);
        cc->backlog = p;
        cc->backlog_size += len;
        return console_client_update_events(cc);
}

static void console_client_flush(ConsoleClient *cc) {
        ssize_t n = send(cc->fd, cc->backlog, cc->backlog_size, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return;
                console_client_free(cc);
                return;
        }
        memmove(cc->backlog, cc->backlog + n, cc->backlog_size - (size_t) n);
        cc->backlog_size -= (size_t) n;
        (void) console_client_update_events(cc);
}

/* Returns false when the client is gone (freed). */
static bool console_client_forward_input(ConsoleClient *cc) {
        uint8_t buf[4096];
        ssize_t n = recv(cc->fd, buf, sizeof(buf), MSG_DONTWAIT);

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return true;
        if (n <= 0) {
                console_client_free(cc);
                return false;
        }
        /* Keystrokes: a short blocking write is fine; a VMM that stopped reading loses them. */
        if (cc->console->vmm_fd >= 0)
                (void) send(cc->console->vmm_fd, buf, (size_t) n, MSG_DONTWAIT | MSG_NOSIGNAL);
        return true;
}

static int on_console_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ConsoleClient *cc = userdata;

        if ((revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !console_client_forward_input(cc))
                return 0;
        if (revents & EPOLLOUT)
                console_client_flush(cc);
        return 0;
}

static void console_broadcast(Console *c, const uint8_t *data, size_t len) {
        ConsoleClient *cc = c->clients;

        while (cc) {
                ConsoleClient *next = cc->next;
                if (console_client_queue(cc, data, len) < 0) {
                        log_info("VM '%s': console client too slow, disconnecting it.", c->vm_name);
                        console_client_free(cc);
                }
                cc = next;
        }
}

static int on_console_vmm_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Console *c = userdata;
        uint8_t buf[16384];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                console_detach_vmm(c);
                return 0;
        }
        ring_append(&c->scrollback, buf, (size_t) n);
        console_broadcast(c, buf, (size_t) n);
        return 0;
}

int console_new(sd_event *e, const char *vm_name, Console **ret) {
        _cleanup_(console_freep) Console *c = NULL;
        int r;

        c = calloc(1, sizeof(Console));
        if (!c)
                return -ENOMEM;
        c->vmm_fd = -EBADF;
        conn_limit_init(&c->limit, CONSOLE_CLIENTS_MAX, CONSOLE_CLIENTS_PER_UID_MAX);
        c->event = sd_event_ref(e);
        c->vm_name = strdup(vm_name);
        if (!c->vm_name)
                return -ENOMEM;
        r = ring_init(&c->scrollback, CONSOLE_SCROLLBACK_BYTES);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}

Console *console_free(Console *c) {
        if (!c)
                return NULL;
        while (c->clients)
                console_client_free(c->clients);
        console_detach_vmm(c);
        conn_limit_finish(&c->limit);
        ring_finish(&c->scrollback);
        sd_event_unref(c->event);
        free(c->vm_name);
        free(c);
        return NULL;
}

int console_attach_vmm(Console *c, int fd) {
        sd_event_source *io = NULL;
        int r;

        r = sd_event_add_io(c->event, &io, fd, EPOLLIN, on_console_vmm_io, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(io, "console-vmm");
        console_detach_vmm(c);
        c->vmm_io = io;
        c->vmm_fd = fd;
        return 0;
}

void console_detach_vmm(Console *c) {
        c->vmm_io = sd_event_source_disable_unref(c->vmm_io);
        c->vmm_fd = safe_close(c->vmm_fd);
}

int console_add_client(Console *c, int fd, uid_t uid) {
        ConsoleClient *cc;
        const uint8_t *a, *b;
        size_t alen, blen;
        int r;

        r = conn_limit_acquire(&c->limit, uid);
        if (r < 0)
                return r;
        cc = calloc(1, sizeof(ConsoleClient));
        if (!cc) {
                conn_limit_release(&c->limit, uid);
                return -ENOMEM;
        }
        /* Linked at once: from here on its destructor undoes everything but fd, the caller's
         * until we succeed. */
        cc->fd = -EBADF;
        cc->uid = uid;
        cc->console = c;
        cc->next = c->clients;
        c->clients = cc;
        r = sd_event_add_io(c->event, &cc->io, fd, EPOLLIN, on_console_client_io, cc);
        if (r >= 0) {
                (void) sd_event_source_set_description(cc->io, "console-client");
                ring_segments(&c->scrollback, &a, &alen, &b, &blen);
                r = console_client_queue(cc, a, alen);
        }
        if (r >= 0)
                r = console_client_queue(cc, b, blen);
        if (r < 0) {
                console_client_free(cc);
                return r;
        }
        cc->fd = fd;
        return 0;
}

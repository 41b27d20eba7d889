/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* proxy.c: vmsilo-wayland's sockets: one listener, and per client a pair of connections (to the
 * client and to the compositor) joined through filter.c. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buffer.h"
#include "clipboard-client.h"
#include "desktop-entry.h"
#include "fd-util.h"
#include "filter.h"
#include "log.h"
#include "macro.h"
#include "paste-serve.h"
#include "proxy.h"
#include "socket-util.h"
#include "wire.h"

typedef struct Connection Connection;

/* One socket of a connection and what is queued on it. */
typedef struct Peer {
        Connection *connection;
        bool is_client;
        int fd;
        sd_event_source *io;
        /* The start of a message not yet whole at the end of a read: usually empty. The read
         * itself goes to the proxy's one buffer (Proxy.in), not 8 KiB kept per peer. */
        Buffer in;
        int in_fds[PROXY_FDS_PENDING_MAX + PROXY_FDS_PER_SEND_MAX]; /* received, not yet taken */
        size_t n_in_fds;
        Buffer out; /* to write to this socket */
        int out_fds[2 * PROXY_FDS_QUEUED_HIGH];
        size_t n_out_fds;
} Peer;

/* A copy key's read of the guest's selection, from a pipe the guest's source writes. */
typedef struct Copy {
        sd_event_source *io, *timer; /* NULL: no copy under way */
        uint8_t *data;
        size_t size;
        ProxyReply reply; /* who asked, when a script did (proxy_clipboard()) */
        void *reply_userdata;
} Copy;

struct Connection {
        Proxy *proxy;
        Connection *prev, *next;
        unsigned number; /* for the logs */
        Filter filter;
        Peer client, compositor;
        Copy copy;
        char name[64];      /* "VM <vm> client <number>", for the logs */
        PasteServe paste;   /* the text of filter.paste_offer, while the guest's selection */
        uint64_t focus_seq; /* when its keyboard last entered a window, in proxy->focus_count */
};

struct Proxy {
        sd_event *event;
        const char *vm;
        const char *upstream_path;
        ProxyOptions options;
        int pixel_fd; /* a memfd of the frame's colour, the shm pool of every connection's frame */
        int listen_fd;
        sd_event_source *listen_io;
        /* The peer being read: its kept start of a message, then what it just sent. One for all
         * peers, as only one is read at a time. */
        uint8_t in[2 * WIRE_MESSAGE_MAX];
        Connection *connections;
        size_t n_connections;
        unsigned next_number;
        uint64_t focus_count; /* keyboard enters seen, on all connections */
};

static Peer *other(Peer *p) {
        return p->is_client ? &p->connection->compositor : &p->connection->client;
}

static const char *side(const Peer *p) {
        return p->is_client ? "client" : "compositor";
}

static void close_fds(int *fds, size_t *n) {
        for (size_t i = 0; i < *n; i++)
                safe_close(fds[i]);
        *n = 0;
}

static void peer_finish(Peer *p) {
        p->io = sd_event_source_disable_unref(p->io);
        p->fd = safe_close(p->fd);
        close_fds(p->in_fds, &p->n_in_fds);
        close_fds(p->out_fds, &p->n_out_fds);
        buffer_finish(&p->out);
        buffer_finish(&p->in);
}

static void copy_finish(Copy *copy) {
        copy->io = sd_event_source_disable_unref(copy->io); /* closes the pipe (io_fd_own) */
        copy->timer = sd_event_source_disable_unref(copy->timer);
        copy->data = mfree(copy->data);
        copy->size = 0;
}

/* Tells whoever asked for the copy or paste (vmsilo clipboard copy-from/paste-to, through
 * fence-control.c; nobody for the keys) how it went: "ok <size>\n", "empty\n" or "error <why>\n".
 */
_printf_(3, 4) static void report(ProxyReply reply, void *userdata, const char *fmt, ...) {
        _cleanup_(freep) char *line = NULL;
        va_list ap;
        int r;

        if (!reply)
                return;
        va_start(ap, fmt);
        r = vasprintf(&line, fmt, ap);
        va_end(ap);
        reply(r < 0 ? "error out of memory\n" : line, userdata);
}

static Connection *connection_free(Connection *c) {
        if (!c)
                return NULL;
        if (c->proxy) {
                if (c->prev)
                        c->prev->next = c->next;
                else
                        c->proxy->connections = c->next;
                if (c->next)
                        c->next->prev = c->prev;
                c->proxy->n_connections--;
        }
        peer_finish(&c->client);
        peer_finish(&c->compositor);
        filter_finish(&c->filter);
        report(c->copy.reply, c->copy.reply_userdata, "error the VM's program went away\n");
        copy_finish(&c->copy);
        paste_serve_finish(&c->paste);
        free(c);
        return NULL;
}
DEFINE_FREE_FUNC(Connection *, connection_free);

/* Ends a connection that broke a rule: the client is told why, if its queue lets a message in
 * whole, and both sockets close. */
static void connection_cut(Connection *c, const char *reason) {
        uint8_t buf[WIRE_MESSAGE_MAX];
        char text[256];
        int n;

        log_warning("VM '%s' client %u: cut: %s.", c->proxy->vm, c->number, reason);
        (void) snprintf(text, sizeof(text), "vmsilo-wayland: %s", reason);
        n = wire_encode_display_error(
                        WIRE_DISPLAY_ID, 1 /* invalid_method */, text, buf, sizeof(buf));
        if (n > 0 && buffer_size(&c->client.out) == 0)
                (void) send(c->client.fd, buf, (size_t) n, MSG_DONTWAIT | MSG_NOSIGNAL);
        connection_free(c);
}

static bool peer_reading(Peer *p) {
        Peer *o = other(p);

        return buffer_size(&o->out) < PROXY_BUFFER_HIGH && o->n_out_fds < PROXY_FDS_QUEUED_HIGH;
}

static int peer_update_events(Peer *p) {
        uint32_t events =
                        (peer_reading(p) ? EPOLLIN : 0) | (buffer_size(&p->out) > 0 ? EPOLLOUT : 0);

        return sd_event_source_set_io_events(p->io, events);
}

/* Writes what the socket takes; all queued fds (at most PROXY_FDS_PER_SEND_MAX at a time) go
 * with the first bytes, never after the message that takes them. */
static int peer_flush(Peer *p) {
        while (buffer_size(&p->out) > 0) {
                union {
                        struct cmsghdr cmsg;
                        uint8_t buf[CMSG_SPACE(sizeof(int) * PROXY_FDS_PER_SEND_MAX)];
                } control = {};
                struct iovec iov = {
                        .iov_base = p->out.data + p->out.start,
                        .iov_len = buffer_size(&p->out),
                };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
                size_t n_fds = MIN(p->n_out_fds, (size_t) PROXY_FDS_PER_SEND_MAX);
                ssize_t n;

                if (n_fds > 0) {
                        mh.msg_control = control.buf;
                        mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                        control.cmsg.cmsg_level = SOL_SOCKET;
                        control.cmsg.cmsg_type = SCM_RIGHTS;
                        control.cmsg.cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                        memcpy(CMSG_DATA(&control.cmsg), p->out_fds, sizeof(int) * n_fds);
                }
                n = sendmsg(p->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n < 0)
                        return -errno;
                buffer_consume(&p->out, (size_t) n);
                for (size_t i = 0; i < n_fds; i++)
                        safe_close(p->out_fds[i]);
                memmove(p->out_fds, p->out_fds + n_fds, (p->n_out_fds - n_fds) * sizeof(int));
                p->n_out_fds -= n_fds;
        }
        return 0;
}

/* Receives at most size bytes into in; fds join p->in_fds. Returns bytes read, 0 at EOF, -EAGAIN,
 * -errno. */
static ssize_t peer_receive(Peer *p, uint8_t *in, size_t size) {
        union {
                struct cmsghdr cmsg;
                uint8_t buf[CMSG_SPACE(sizeof(int) * PROXY_FDS_PER_SEND_MAX)];
        } control;
        struct iovec iov = { .iov_base = in, .iov_len = size };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = control.buf,
                .msg_controllen = sizeof(control.buf),
        };
        ssize_t n;

        n = recvmsg(p->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                size_t k;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        /* peer_forward() keeps room for a whole send; past it is a bug */
                        if (p->n_in_fds < ELEMENTSOF(p->in_fds))
                                p->in_fds[p->n_in_fds++] = fd;
                        else
                                safe_close(fd);
                }
        }
        if (mh.msg_flags & MSG_CTRUNC)
                return -EMSGSIZE; /* fds were lost: the queue no longer matches the messages */
        return n;
}

/* The frame's shm pool (frame.c asks for it once per connection) goes with the bytes just queued
 * to the compositor. */
static int queue_frame_fds(Connection *c) {
        Peer *up = &c->compositor;

        for (; c->filter.frame.fds_wanted > 0; c->filter.frame.fds_wanted--) {
                int fd;

                if (up->n_out_fds >= ELEMENTSOF(up->out_fds))
                        return -ENOBUFS;
                fd = fcntl(c->proxy->pixel_fd, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return -errno;
                up->out_fds[up->n_out_fds++] = fd;
        }
        return 0;
}

/* The compositor's keymap (fd: the keymap event's, still the caller's), for the clipboard keys.
 * A keymap that cannot be read or compiled only means no key is one of them. */
static void read_keymap(Connection *c, int fd, uint32_t size) {
        void *map;
        int r;

        if (size == 0 || size > KEYBOARD_KEYMAP_MAX) {
                log_warning("Connection %u: keymap of %" PRIu32 " bytes ignored, the clipboard "
                            "keys are off.",
                                c->number, size);
                return;
        }
        map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
                log_warning_errno(errno,
                                "Connection %u: cannot map the keymap, the clipboard "
                                "keys are off: %m",
                                c->number);
                return;
        }
        r = keyboard_set_keymap(&c->filter.keyboard, map, size);
        (void) munmap(map, size);
        if (r < 0)
                log_warning_errno(r,
                                "Connection %u: cannot compile the keymap, the clipboard "
                                "keys are off: %m",
                                c->number);
}

/* A copy ends, whichever way: its asker hears failure ("error <failure>"), or ok. */
static void copy_end(Connection *c, const char *failure, size_t size) {
        if (failure)
                report(c->copy.reply, c->copy.reply_userdata, "error %s\n", failure);
        else
                report(c->copy.reply, c->copy.reply_userdata, "ok %zu\n", size);
        c->copy.reply = NULL;
        copy_finish(&c->copy);
}

/* The guest's text is all read (or the read ended): it goes to vmsilo-clipboard. */
static void copy_done(Connection *c, const char *failure) {
        _cleanup_(freep) char *line = NULL, *reply = NULL;
        const char *vm = c->proxy->vm, *error = NULL;
        ClipboardReply parsed;
        size_t n;
        int r;

        if (!failure && c->copy.size >= PROXY_COPY_MAX)
                failure = "it is larger than 1 MiB";
        if (failure) {
                log_warning("Connection %u: the selection of VM %s was not copied: %s.", c->number,
                                vm, failure);
                copy_end(c, failure, 0);
                return;
        }
        /* a short blocking call on a local socket (CLIPBOARD_CLIENT_TIMEOUT_USEC at most) */
        if (asprintf(&line, "copy %s\n", vm) < 0)
                r = -ENOMEM;
        else
                r = clipboard_client_call(c->proxy->options.clipboard_path, line, c->copy.data,
                                c->copy.size, &reply, &n);
        if (r >= 0)
                r = clipboard_reply_parse(reply, n, &parsed, &error);
        if (r >= 0) {
                log_info("Copied %zu bytes from VM %s to the global clipboard.", parsed.size, vm);
                copy_end(c, NULL, parsed.size);
        } else if (r == -EREMOTEIO) {
                log_warning("vmsilo-clipboard refused the selection of VM %s: %s", vm, error);
                copy_end(c, error, 0);
        } else {
                log_warning_errno(r, "Cannot copy the selection of VM %s to vmsilo-clipboard: %m",
                                vm);
                copy_end(c, "vmsilo-clipboard cannot be reached", 0);
        }
}

static int on_copy_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Connection *c = userdata;

        for (;;) {
                ssize_t n = read(fd, c->copy.data + c->copy.size, PROXY_COPY_MAX - c->copy.size);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;
                if (n < 0) {
                        copy_done(c, "cannot read it");
                        return 0;
                }
                c->copy.size += (size_t) n;
                if (n == 0 || c->copy.size == PROXY_COPY_MAX) {
                        copy_done(c, NULL);
                        return 0;
                }
        }
}

static int on_copy_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        copy_done(userdata, "the VM did not send it in time");
        return 0;
}

/* The copy key: asks the guest's selection source for its text through a pipe; the write end goes
 * to the client with the request, the read end is read on the event loop. */
static void copy_start(Connection *c, ProxyReply reply, void *userdata) {
        _cleanup_(closep) int rfd = -EBADF, wfd = -EBADF;
        int fds[2], r;

        if (c->copy.io) {
                log_info("Connection %u: a copy is already under way.", c->number);
                report(reply, userdata, "error a copy is already under way\n");
                return;
        }
        if (c->client.n_out_fds >= ELEMENTSOF(c->client.out_fds))
                r = -ENOBUFS;
        else if (pipe2(fds, O_CLOEXEC) < 0)
                r = -errno;
        else {
                rfd = fds[0];
                wfd = fds[1];
                /* only our end: a guest program may write with blocking writes, and would see
                 * EAGAIN and stop half-way with a non-blocking one */
                r = fd_set_nonblock(rfd);
        }
        if (r >= 0) {
                c->copy.data = malloc(PROXY_COPY_MAX);
                r = c->copy.data ? 0 : -ENOMEM;
        }
        if (r >= 0)
                r = sd_event_add_io(c->proxy->event, &c->copy.io, rfd, EPOLLIN, on_copy_io, c);
        if (r >= 0)
                r = sd_event_source_set_io_fd_own(c->copy.io, true);
        if (r >= 0)
                TAKE_FD(rfd); /* the event source closes it now */
        if (r >= 0)
                r = sd_event_add_time_relative(c->proxy->event, &c->copy.timer, CLOCK_MONOTONIC,
                                PROXY_COPY_TIMEOUT_USEC, 0, on_copy_timeout, c);
        if (r >= 0)
                r = filter_ask_selection(&c->filter, &c->client.out);
        if (r == 0)
                log_info("Connection %u: VM %s has no text selection to copy.", c->number,
                                c->proxy->vm);
        else if (r < 0)
                log_warning_errno(r, "Connection %u: cannot copy: %m", c->number);
        if (r <= 0) {
                copy_finish(&c->copy);
                report(reply, userdata, "error %s\n",
                                r == 0 ? "the VM has no text selection" : "cannot ask the VM");
                return;
        }
        c->client.out_fds[c->client.n_out_fds++] = TAKE_FD(wfd);
        c->copy.reply = reply;
        c->copy.reply_userdata = userdata;
}

/* The paste key: the global clipboard's text (which vmsilo-clipboard empties as it hands it
 * over) becomes the guest's selection, through an offer of the fence's own. */
static void paste_start(Connection *c, ProxyReply reply, void *userdata) {
        _cleanup_(freep) char *line = NULL, *answer = NULL;
        const char *vm = c->proxy->vm, *error = NULL;
        ClipboardReply parsed;
        size_t n;
        int r;

        /* a short blocking call on a local socket (CLIPBOARD_CLIENT_TIMEOUT_USEC at most) */
        if (asprintf(&line, "paste %s\n", vm) < 0)
                r = -ENOMEM;
        else
                r = clipboard_client_call(
                                c->proxy->options.clipboard_path, line, NULL, 0, &answer, &n);
        if (r >= 0)
                r = clipboard_reply_parse(answer, n, &parsed, &error);
        if (r == -ENOENT) {
                log_info("Connection %u: the global clipboard is empty, nothing to paste into VM "
                         "%s.",
                                c->number, vm);
                report(reply, userdata, "empty\n");
                return;
        }
        if (r == -EREMOTEIO)
                log_warning("vmsilo-clipboard refused a paste into VM %s: %s", vm, error);
        else if (r < 0)
                log_warning_errno(r, "Cannot paste from vmsilo-clipboard into VM %s: %m", vm);
        if (r < 0) {
                report(reply, userdata, "error vmsilo-clipboard %s\n",
                                r == -EREMOTEIO ? "refused" : "cannot be reached");
                return;
        }
        /* the text first: the offer's receive may come in the guest's next message */
        r = paste_serve_set(&c->paste, parsed.text, parsed.size);
        if (r >= 0)
                r = filter_offer_paste(&c->filter, &c->client.out);
        explicit_bzero((char *) parsed.text, parsed.size); /* the reply is freed at return */
        if (r <= 0) {
                paste_serve_forget(&c->paste);
                if (r == 0)
                        log_warning("Connection %u: VM %s's program has no clipboard (no "
                                    "wl_data_device): the pasted text is dropped.",
                                        c->number, vm);
                else
                        log_warning_errno(r,
                                        "Connection %u: cannot offer the pasted text to VM "
                                        "%s: %m",
                                        c->number, vm);
                report(reply, userdata, "error %s\n",
                                r == 0 ? "the VM's program has no clipboard: the text is lost"
                                       : "cannot offer the text to the VM");
                return;
        }
        log_info("Pasted %zu bytes from %s into VM %s.", parsed.size, parsed.source, vm);
        report(reply, userdata, "ok %zu\n", parsed.size);
}

/* What the fence does on a clipboard key it swallowed. */
static void on_hotkey(Connection *c) {
        HotkeyAction action = c->filter.hotkey;

        c->filter.hotkey = HOTKEY_NONE;
        log_info("Connection %u: the %s key in a window of VM %s, kept from the VM.", c->number,
                        action == HOTKEY_COPY ? "copy" : "paste", c->proxy->vm);
        if (!c->proxy->options.clipboard_path)
                return;
        if (action == HOTKEY_COPY)
                copy_start(c, /* reply= */ NULL, NULL);
        else
                paste_start(c, /* reply= */ NULL, NULL);
}

void proxy_clipboard(Proxy *p, HotkeyAction action, ProxyReply reply, void *userdata) {
        Connection *focused = NULL;

        for (Connection *c = p->connections; c; c = c->next)
                if (c->focus_seq > 0 && (!focused || c->focus_seq > focused->focus_seq))
                        focused = c;
        if (!p->options.clipboard_path) {
                report(reply, userdata, "error the fence has no --clipboard\n");
                return;
        }
        if (!focused) {
                report(reply, userdata, "error no program of VM %s has had the keyboard focus\n",
                                p->vm);
                return;
        }
        log_info("Connection %u: a %s for a script.", focused->number,
                        action == HOTKEY_COPY ? "copy" : "paste");
        if (action == HOTKEY_COPY)
                copy_start(focused, reply, userdata);
        else
                paste_start(focused, reply, userdata);
        /* the offer or the copy's request goes to the guest now, not on its next message */
        if (peer_flush(&focused->client) < 0 || peer_update_events(&focused->client) < 0)
                log_warning("Connection %u: cannot write to the client.", focused->number);
}

/* What the filter left for the fence after one of p's messages (n_fds: the fds it takes): the
 * keymap to read; a paste's pipe, which is the fence's and never goes on; the keyboard focus;
 * a paste the guest's own selection replaced. */
static void after_message(Peer *p, size_t *n_fds) {
        Connection *c = p->connection;
        Filter *f = &c->filter;

        if (f->keymap_wanted && *n_fds > 0)
                read_keymap(c, p->in_fds[0], f->keymap_size);
        f->keymap_wanted = false;
        if (f->receive_offer != 0 && *n_fds == 1) {
                if (f->receive_offer == f->paste_offer)
                        paste_serve_write(&c->paste, p->in_fds[0]);
                else
                        safe_close(p->in_fds[0]); /* an old offer: nothing */
                memmove(p->in_fds, p->in_fds + 1, (p->n_in_fds - 1) * sizeof(int));
                p->n_in_fds--;
                *n_fds = 0;
        }
        f->receive_offer = 0;
        if (f->keyboard_entered)
                c->focus_seq = ++c->proxy->focus_count;
        f->keyboard_entered = false;
        if (f->paste_offer == 0)
                paste_serve_forget(&c->paste);
}

/* Runs the whole messages of p's bytes in[0..len) through the filter into the other peer's queue;
 * the start of a message not yet whole stays in p->in. */
static int peer_forward(Peer *p, const uint8_t *in, size_t len, const char **reterr_reason) {
        Peer *o = other(p);
        size_t pos = 0;
        int r;

        for (;;) {
                size_t n_fds = 0;

                if (p->is_client)
                        r = filter_request(&p->connection->filter, in + pos, len - pos, p->n_in_fds,
                                        &o->out, &n_fds, reterr_reason);
                else
                        r = filter_event(&p->connection->filter, in + pos, len - pos, p->n_in_fds,
                                        &o->out, &p->out, &n_fds, reterr_reason);
                if (r == -EAGAIN)
                        break;
                if (r < 0)
                        return r;
                after_message(p, &n_fds);
                if (queue_frame_fds(p->connection) < 0) {
                        *reterr_reason = "cannot pass the frame's buffer";
                        return -ENOBUFS;
                }
                memcpy(o->out_fds + o->n_out_fds, p->in_fds, n_fds * sizeof(int));
                o->n_out_fds += n_fds;
                memmove(p->in_fds, p->in_fds + n_fds, (p->n_in_fds - n_fds) * sizeof(int));
                p->n_in_fds -= n_fds;
                pos += (size_t) r;
                /* after the message's own fds: a copy's pipe goes with the bytes it appends */
                if (p->connection->filter.hotkey != HOTKEY_NONE)
                        on_hotkey(p->connection);
        }
        if (pos > 0 || len > buffer_size(&p->in)) {
                buffer_finish(&p->in); /* freed while empty, as it mostly is */
                if (len > pos && buffer_append(&p->in, in + pos, len - pos) < 0) {
                        *reterr_reason = "out of memory";
                        return -ENOMEM;
                }
        }
        if (p->n_in_fds > PROXY_FDS_PENDING_MAX) {
                *reterr_reason = "file descriptors sent without messages to take them";
                return -EBADF;
        }
        if (buffer_size(&o->out) > PROXY_BUFFER_MAX) {
                *reterr_reason = "too many bytes queued";
                return -ENOBUFS;
        }
        return 0;
}

/* One readable or writable event on p. Returns < 0 (with a reason) to cut, 0 when the peer
 * closed cleanly (end the connection), 1 to go on. */
static int peer_io(Peer *p, uint32_t revents, const char **reterr_reason) {
        Peer *o = other(p);
        ssize_t n;
        int r;

        if (revents & EPOLLOUT) {
                r = peer_flush(p);
                if (r < 0)
                        return 0; /* the peer went away */
        }
        /* EPOLLIN may still be reported in the loop iteration in which the other peer's handler
         * stopped reading p; only a hangup ends a connection held back. */
        if (!peer_reading(p) && (revents & (EPOLLHUP | EPOLLERR)))
                return 0;
        if (peer_reading(p) && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
                uint8_t *in = p->connection->proxy->in;
                size_t kept = buffer_size(&p->in); /* < WIRE_MESSAGE_MAX: the filter's bound */

                if (kept > 0)
                        memcpy(in, p->in.data + p->in.start, kept);
                n = peer_receive(p, in + kept, sizeof(p->connection->proxy->in) - kept);
                if (n == 0 || (n < 0 && n != -EAGAIN && n != -EMSGSIZE)) {
                        (void) peer_flush(o); /* e.g. the compositor's last error event */
                        return 0;
                }
                if (n == -EMSGSIZE) {
                        *reterr_reason = "more file descriptors in one send than libwayland sends";
                        return -EBADF;
                }
                r = peer_forward(p, in, kept + (size_t) MAX(n, 0), reterr_reason);
                if (r < 0)
                        return r;
                if (peer_flush(o) < 0)
                        return 0;
        }
        if (peer_update_events(p) < 0 || peer_update_events(o) < 0) {
                *reterr_reason = "cannot update the event loop";
                return -EIO;
        }
        return 1;
}

static int on_peer_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Peer *p = userdata;
        Connection *c = p->connection;
        const char *reason = "failure";
        int r;

        r = peer_io(p, revents, &reason);
        if (r < 0)
                connection_cut(c, reason);
        else if (r == 0) {
                log_info("VM '%s' client %u: %s closed the connection.", c->proxy->vm, c->number,
                                side(p));
                connection_free(c);
        }
        return 0;
}

static int peer_init(Connection *c, Peer *p, bool is_client, int fd) {
        int r;

        p->connection = c;
        p->is_client = is_client;
        r = sd_event_add_io(c->proxy->event, &p->io, fd, EPOLLIN, on_peer_io, p);
        if (r < 0)
                return r;
        p->fd = fd;
        (void) sd_event_source_set_description(
                        p->io, is_client ? "wayland-client" : "wayland-compositor");
        return 0;
}

/* Whether vmsilod installed a host entry for the VM's application id. */
static bool app_id_known(const char *vm, const char *id, void *userdata) {
        Proxy *proxy = userdata;
        _cleanup_(freep) char *name = NULL;

        if (proxy->options.entries_fd < 0 ||
                        desktop_host_file_name("vmsilo-", vm, id, ".desktop", &name) < 0)
                return false;
        return faccessat(proxy->options.entries_fd, name, F_OK, AT_EACCESS) == 0;
}

static int connection_new(Proxy *proxy, int client_fd, int compositor_fd, Connection **ret) {
        _cleanup_(connection_freep) Connection *c = NULL;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->client.fd = c->compositor.fd = -EBADF;
        r = filter_init(&c->filter, proxy->vm);
        if (r < 0)
                return r;
        frame_init(&c->filter.frame, proxy->options.frame_rgb, proxy->options.frame_width,
                        proxy->options.viewporter_allowed);
        c->filter.app_id_known = app_id_known;
        c->filter.keyboard.copy = &proxy->options.copy_key;
        c->filter.keyboard.paste = &proxy->options.paste_key;
        c->filter.userdata = proxy;
        c->proxy = proxy;
        c->next = proxy->connections;
        if (c->next)
                c->next->prev = c;
        proxy->connections = c;
        proxy->n_connections++;
        c->number = ++proxy->next_number;
        (void) snprintf(c->name, sizeof(c->name), "VM '%s' client %u", proxy->vm, c->number);
        paste_serve_init(&c->paste, proxy->event, c->name);
        r = peer_init(c, &c->client, true, client_fd);
        if (r < 0)
                return r;
        r = peer_init(c, &c->compositor, false, compositor_fd);
        if (r < 0) {
                c->client.fd = -EBADF; /* not ours until success */
                return r;
        }
        /* the frame's registry comes first: the guest's ids follow it upstream */
        r = frame_start(&c->filter, &c->compositor.out);
        if (r >= 0)
                r = peer_update_events(&c->compositor);
        if (r < 0) {
                c->client.fd = c->compositor.fd = -EBADF;
                return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

static int connect_compositor(const char *path, int *ret) {
        _cleanup_(closep) int fd = -EBADF;
        int r;

        r = socket_connect_unix(path, &fd);
        if (r < 0)
                return r;
        r = fd_set_nonblock(fd);
        if (r < 0)
                return r;
        *ret = TAKE_FD(fd);
        return 0;
}

static int on_listen_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Proxy *proxy = userdata;
        _cleanup_(closep) int client_fd = -EBADF, compositor_fd = -EBADF;
        Connection *c;
        int r;

        client_fd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client_fd < 0)
                return 0; /* EAGAIN, or a client gone before we took it */
        if (proxy->n_connections >= PROXY_CLIENTS_MAX) {
                log_warning("VM '%s': refusing a client: already %u connected.", proxy->vm,
                                PROXY_CLIENTS_MAX);
                return 0;
        }
        r = connect_compositor(proxy->upstream_path, &compositor_fd);
        if (r < 0) {
                log_warning_errno(r,
                                "VM '%s': cannot reach the compositor at '%s', closing the "
                                "client: %m",
                                proxy->vm, proxy->upstream_path);
                return 0;
        }
        r = connection_new(proxy, client_fd, compositor_fd, &c);
        if (r < 0) {
                log_warning_errno(r, "VM '%s': cannot set up a client, ignoring: %m", proxy->vm);
                return 0;
        }
        TAKE_FD(client_fd);
        TAKE_FD(compositor_fd);
        log_info("VM '%s' client %u: connected.", proxy->vm, c->number);
        return 0;
}

Proxy *proxy_free(Proxy *p) {
        if (!p)
                return NULL;
        while (p->connections)
                connection_free(p->connections);
        p->listen_io = sd_event_source_disable_unref(p->listen_io);
        safe_close(p->listen_fd);
        safe_close(p->pixel_fd);
        sd_event_unref(p->event);
        free(p);
        return NULL;
}

/* XRGB8888 pixels of the frame's colour in a memfd the compositor maps (libwayland-server maps
 * pools writable, so only the size is sealed: no SIGBUS for it), frame_pool_size() bytes: at most
 * 2 MiB, written, never mapped by the fence. */
static int pixel_new(uint32_t rgb, uint32_t width, int *ret) {
        _cleanup_(closep) int fd = -EBADF;
        uint32_t pixels[1024];
        size_t size = frame_pool_size(width);

        for (size_t i = 0; i < ELEMENTSOF(pixels); i++)
                pixels[i] = rgb;
        fd = memfd_create("vmsilo-frame", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < size;) {
                ssize_t n = pwrite(fd, pixels, MIN(sizeof(pixels), size - done), (off_t) done);

                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                done += (size_t) n;
        }
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

int proxy_new(sd_event *event, int listen_fd, const ProxyOptions *options, Proxy **ret) {
        _cleanup_(proxy_freep) Proxy *p = NULL;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->listen_fd = p->pixel_fd = -EBADF;
        p->event = sd_event_ref(event);
        p->options = *options;
        p->vm = options->vm;
        p->upstream_path = options->upstream_path;
        r = pixel_new(options->frame_rgb, options->frame_width, &p->pixel_fd);
        if (r < 0)
                return r;
        r = sd_event_add_io(event, &p->listen_io, listen_fd, EPOLLIN, on_listen_io, p);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(p->listen_io, "wayland-listen");
        p->listen_fd = listen_fd;
        *ret = TAKE_PTR(p);
        return 0;
}

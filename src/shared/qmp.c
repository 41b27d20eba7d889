/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp.c: asynchronous QMP client: greeting, qmp_capabilities, id-matched replies. */
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "log.h"
#include "qmp.h"

typedef struct QmpPending {
        uint64_t id;
        QmpCallback cb;
        void *userdata;
} QmpPending;

struct Qmp {
        int fd;
        sd_event_source *io;
        bool ready; /* qmp_capabilities answered: queued commands may go */
        bool broken;
        uint64_t next_id;
        /* Received bytes not yet ending in a newline. */
        char *in;
        size_t in_size;
        /* Encoded messages waiting for the socket, and messages waiting for `ready`. */
        char *out;
        size_t out_size;
        char *held;
        size_t held_size;
        QmpPending pending[QMP_PENDING_MAX];
        size_t n_pending;
        char *description;
};

static int append(char **buf, size_t *size, const char *data, size_t len) {
        char *p = realloc(*buf, *size + len);
        if (!p)
                return -ENOMEM;
        memcpy(p + *size, data, len);
        *buf = p;
        *size += len;
        return 0;
}

static void drop_front(char **buf, size_t *size, size_t n) {
        memmove(*buf, *buf + n, *size - n);
        *size -= n;
}

static int qmp_update_events(Qmp *q) {
        return sd_event_source_set_io_events(q->io, EPOLLIN | (q->out_size > 0 ? EPOLLOUT : 0));
}

static void qmp_fail_pending(Qmp *q) {
        /* Callbacks may queue again or free; take the list first. */
        QmpPending list[QMP_PENDING_MAX];
        size_t n = q->n_pending;

        memcpy(list, q->pending, n * sizeof(QmpPending));
        q->n_pending = 0;
        for (size_t i = 0; i < n; i++)
                if (list[i].cb)
                        list[i].cb(q, -ECONNRESET, NULL, "QMP connection lost", list[i].userdata);
}

static void qmp_break(Qmp *q, const char *why) {
        if (q->broken)
                return;
        log_debug("QMP %s: %s", q->description, why);
        q->broken = true;
        (void) sd_event_source_set_enabled(q->io, SD_EVENT_OFF);
        qmp_fail_pending(q);
}

static int qmp_enqueue(Qmp *q, const char *command, json_t *arguments, uint64_t id, bool hold) {
        _cleanup_(freep) char *text = NULL;
        json_t *msg;
        int r;

        msg = json_pack("{s:s, s:I}", "execute", command, "id", (json_int_t) id);
        if (!msg)
                return -ENOMEM;
        if (arguments && json_object_set(msg, "arguments", arguments) < 0) {
                json_decref(msg);
                return -ENOMEM;
        }
        text = json_dumps(msg, JSON_COMPACT);
        json_decref(msg);
        if (!text)
                return -ENOMEM;

        if (hold)
                r = append(&q->held, &q->held_size, text, strlen(text));
        else
                r = append(&q->out, &q->out_size, text, strlen(text));
        if (r < 0)
                return r;
        r = hold ? append(&q->held, &q->held_size, "\n", 1)
                 : append(&q->out, &q->out_size, "\n", 1);
        if (r < 0)
                return r;
        return hold ? 0 : qmp_update_events(q);
}

int qmp_call(Qmp *q, const char *command, json_t *arguments, QmpCallback cb, void *userdata) {
        uint64_t id;
        int r;

        if (q->broken)
                return -ECONNRESET;
        if (q->n_pending >= QMP_PENDING_MAX)
                return -EBUSY;

        id = q->next_id++;
        r = qmp_enqueue(q, command, arguments, id, !q->ready);
        if (r < 0)
                return r;
        q->pending[q->n_pending++] = (QmpPending){ .id = id, .cb = cb, .userdata = userdata };
        return 0;
}

static void on_capabilities(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata) {
        if (error < 0) {
                log_warning("QMP %s: capabilities handshake failed: %s", q->description, desc);
                return;
        }
        q->ready = true;
        if (q->held_size > 0) {
                if (append(&q->out, &q->out_size, q->held, q->held_size) < 0) {
                        qmp_break(q, "out of memory");
                        return;
                }
                q->held_size = 0;
                (void) qmp_update_events(q);
        }
}

static void qmp_dispatch_reply(Qmp *q, json_t *untrusted_msg) {
        json_t *untrusted_id = json_object_get(untrusted_msg, "id");
        json_t *untrusted_ret = json_object_get(untrusted_msg, "return");
        json_t *untrusted_err = json_object_get(untrusted_msg, "error");
        const char *desc = NULL;
        QmpPending p;
        size_t i;

        /* sanitize start: the id must be one we issued and still wait for (a real when the reply
         * had to be parsed with integers as reals, see qmp_parse()) */
        if (!json_is_number(untrusted_id))
                return;
        for (i = 0; i < q->n_pending; i++)
                if ((double) q->pending[i].id == json_number_value(untrusted_id))
                        break;
        if (i == q->n_pending)
                return;
        /* sanitize end */

        p = q->pending[i];
        memmove(q->pending + i, q->pending + i + 1, (q->n_pending - i - 1) * sizeof(QmpPending));
        q->n_pending--;

        if (!p.cb)
                return;
        if (untrusted_err) {
                desc = json_string_value(json_object_get(untrusted_err, "desc"));
                p.cb(q, -EIO, NULL, desc ?: "unknown QMP error", p.userdata);
        } else
                p.cb(q, 0, untrusted_ret, NULL, p.userdata);
}

/* QEMU reports unknown 64-bit stats as 18446744073709551615, which jansson's json_int_t cannot
 * hold: such a message is read again with every integer as a double (exact for our ids). */
static json_t *qmp_parse(const char *untrusted_line, size_t len) {
        json_t *msg = json_loadb(untrusted_line, len, JSON_REJECT_DUPLICATES, NULL);

        if (!msg)
                msg = json_loadb(untrusted_line, len,
                                JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL);
        return msg;
}

static void qmp_handle_message(Qmp *q, const char *untrusted_line, size_t len) {
        json_t *untrusted_msg = qmp_parse(untrusted_line, len);

        if (!json_is_object(untrusted_msg)) {
                json_decref(untrusted_msg);
                qmp_break(q, "malformed QMP message");
                return;
        }
        if (json_object_get(untrusted_msg, "QMP")) {
                /* The greeting: the handshake goes before anything held. */
                uint64_t id = q->next_id++;
                if (qmp_enqueue(q, "qmp_capabilities", NULL, id, false) < 0)
                        qmp_break(q, "out of memory");
                else if (q->n_pending < QMP_PENDING_MAX)
                        q->pending[q->n_pending++] =
                                        (QmpPending){ .id = id, .cb = on_capabilities };
        } else if (!json_object_get(untrusted_msg, "event"))
                qmp_dispatch_reply(q, untrusted_msg);
        json_decref(untrusted_msg);
}

static void qmp_read(Qmp *q) {
        char buf[16384];
        ssize_t n;
        size_t start = 0;

        n = recv(q->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        qmp_break(q, "read error");
                return;
        }
        if (n == 0) {
                qmp_break(q, "QEMU closed the QMP connection");
                return;
        }
        if (q->in_size + (size_t) n > QMP_MESSAGE_MAX) {
                qmp_break(q, "QMP message too long");
                return;
        }
        if (append(&q->in, &q->in_size, buf, (size_t) n) < 0) {
                qmp_break(q, "out of memory");
                return;
        }
        for (size_t i = 0; i < q->in_size && !q->broken; i++)
                if (q->in[i] == '\n') {
                        qmp_handle_message(q, q->in + start, i - start);
                        start = i + 1;
                }
        if (!q->broken)
                drop_front(&q->in, &q->in_size, start);
}

static void qmp_write(Qmp *q) {
        ssize_t n = send(q->fd, q->out, q->out_size, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        qmp_break(q, "write error");
                return;
        }
        drop_front(&q->out, &q->out_size, (size_t) n);
        (void) qmp_update_events(q);
}

static int on_qmp_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Qmp *q = userdata;

        if (revents & EPOLLOUT)
                qmp_write(q);
        if (!q->broken && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                qmp_read(q);
        return 0;
}

int qmp_new(sd_event *e, int fd, const char *description, Qmp **ret) {
        _cleanup_(qmp_freep) Qmp *q = NULL;
        int r;

        q = calloc(1, sizeof(Qmp));
        if (!q)
                return -ENOMEM;
        q->fd = -EBADF;
        q->next_id = 1;
        q->description = strdup(description);
        if (!q->description)
                return -ENOMEM;

        r = sd_event_add_io(e, &q->io, fd, EPOLLIN, on_qmp_io, q);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(q->io, "qmp");
        q->fd = fd;

        *ret = TAKE_PTR(q);
        return 0;
}

Qmp *qmp_free(Qmp *q) {
        if (!q)
                return NULL;
        sd_event_source_disable_unref(q->io);
        safe_close(q->fd);
        free(q->in);
        free(q->out);
        free(q->held);
        free(q->description);
        free(q);
        return NULL;
}

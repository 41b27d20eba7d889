/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* control-client.c: request/reply over vmsilod's control.socket. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "control-client.h"
#include "socket-util.h"

#define CONTROL_READ_SIZE 4096u

int control_client_connect(const char *runtime_dir, ControlClient **ret) {
        _cleanup_(control_client_freep) ControlClient *c = NULL;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->fd = -EBADF;
        if (asprintf(&c->path, "%s/%s", runtime_dir, CONTROL_SOCKET_NAME) < 0) {
                c->path = NULL;
                return -ENOMEM;
        }
        r = socket_connect_unix(c->path, &c->fd);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

ControlClient *control_client_free(ControlClient *c) {
        if (!c)
                return NULL;
        c->fd = safe_close(c->fd);
        free(c->path);
        free(c->buffer);
        free(c);
        return NULL;
}

/* Waits for events on fd until deadline_usec: 0 ready, -ETIMEDOUT, -errno. */
static int wait_fd(int fd, short events, uint64_t deadline_usec) {
        for (;;) {
                struct pollfd p = { .fd = fd, .events = events };
                uint64_t now = now_usec();
                int r;

                if (now >= deadline_usec)
                        return -ETIMEDOUT;
                r = poll(&p, 1,
                                (int) MIN((deadline_usec - now + 999) / 1000,
                                                (uint64_t) INT32_MAX));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r > 0)
                        return 0;
        }
}

static int send_all(int fd, const char *data, size_t len, uint64_t deadline_usec) {
        while (len > 0) {
                ssize_t n;
                int r;

                r = wait_fd(fd, POLLOUT, deadline_usec);
                if (r < 0)
                        return r;
                n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && IN_SET(errno, EINTR, EAGAIN))
                        continue;
                if (n < 0)
                        return -errno;
                data += n;
                len -= (size_t) n;
        }
        return 0;
}

/* Reads until the buffer holds a '\n'; returns the line length (without the newline). */
static int read_line(ControlClient *c, uint64_t deadline_usec, size_t *ret_len) {
        for (;;) {
                char *nl = c->buffer ? memchr(c->buffer, '\n', c->buffer_size) : NULL;
                char *b;
                ssize_t n;
                int r;

                if (nl) {
                        *ret_len = (size_t) (nl - c->buffer);
                        return 0;
                }
                if (c->buffer_size >= CONTROL_REPLY_SIZE_MAX)
                        return -EMSGSIZE;
                if (c->buffer_allocated - c->buffer_size < CONTROL_READ_SIZE) {
                        size_t a = MIN(MAX(c->buffer_allocated * 2, (size_t) CONTROL_READ_SIZE),
                                        (size_t) CONTROL_REPLY_SIZE_MAX);

                        b = realloc(c->buffer, a);
                        if (!b)
                                return -ENOMEM;
                        c->buffer = b;
                        c->buffer_allocated = a;
                }
                r = wait_fd(c->fd, POLLIN, deadline_usec);
                if (r < 0)
                        return r;
                n = recv(c->fd, c->buffer + c->buffer_size, c->buffer_allocated - c->buffer_size,
                                MSG_DONTWAIT);
                if (n < 0 && IN_SET(errno, EINTR, EAGAIN))
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -ECONNRESET;
                c->buffer_size += (size_t) n;
        }
}

int control_client_call(ControlClient *c, json_t *request, uint64_t timeout_usec, json_t **ret,
                char **reterr_message) {
        uint64_t deadline_usec = now_usec() + timeout_usec;
        _cleanup_(freep) char *text = NULL;
        size_t len = 0;
        int r;

        text = json_dumps(request, JSON_COMPACT);
        if (!text)
                return -ENOMEM;
        r = send_all(c->fd, text, strlen(text), deadline_usec);
        if (r >= 0)
                r = send_all(c->fd, "\n", 1, deadline_usec);
        /* A daemon that refuses us writes its one-line answer and hangs up, maybe before we are
         * done writing: the answer is still worth reading. */
        if (r < 0 && !IN_SET(r, -EPIPE, -ECONNRESET))
                return r;
        r = read_line(c, deadline_usec, &len);
        if (r < 0)
                return r;
        r = control_reply_parse(c->buffer, len, ret, reterr_message);
        /* Keep what followed the line for the next call. */
        memmove(c->buffer, c->buffer + len + 1, c->buffer_size - len - 1);
        c->buffer_size -= len + 1;
        return r;
}

static int bad_reply(char **reterr_message, const char *why) {
        char *m = strdup(why);

        if (!m)
                return -ENOMEM;
        *reterr_message = m;
        return -EBADMSG;
}

int control_reply_parse(const char *line, size_t len, json_t **ret, char **reterr_message) {
        json_t *ok, *error;
        json_error_t e;
        json_t *reply;
        char *m;

        reply = json_loadb(line, len, JSON_REJECT_DUPLICATES, &e);
        if (!reply)
                return bad_reply(reterr_message, "reply is not JSON");
        if (!json_is_object(reply)) {
                json_decref(reply);
                return bad_reply(reterr_message, "reply is not a JSON object");
        }
        ok = json_object_get(reply, "ok");
        if (!json_is_boolean(ok)) {
                json_decref(reply);
                return bad_reply(reterr_message, "reply has no boolean 'ok'");
        }
        if (json_is_true(ok)) {
                *ret = reply;
                return 0;
        }
        error = json_object_get(reply, "error");
        m = strdup(json_is_string(error) ? json_string_value(error) : "unspecified error");
        json_decref(reply);
        if (!m)
                return -ENOMEM;
        *reterr_message = m;
        return -EREMOTEIO;
}

json_t *control_request_new(const char *method, const char *vm, bool wait) {
        _cleanup_(json_decrefp) json_t *req = json_object();

        if (!req)
                return NULL;
        if (json_object_set_new(req, "method", json_string(method)) < 0)
                return NULL;
        if (vm && json_object_set_new(req, "vm", json_string(vm)) < 0)
                return NULL;
        if ((streq(method, "start") || streq(method, "stop")) &&
                        json_object_set_new(req, "wait", json_boolean(wait)) < 0)
                return NULL;
        return TAKE_PTR(req);
}

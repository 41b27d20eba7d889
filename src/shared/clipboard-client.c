/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "clipboard-client.h"
#include "fileio.h"
#include "macro.h"
#include "socket-util.h"

int clipboard_socket_path(char **ret) {
        const char *runtime = getenv("XDG_RUNTIME_DIR");

        if (!runtime || runtime[0] != '/')
                return -ENXIO;
        return asprintf(ret, "%s/vmsilo/clipboard.sock", runtime) < 0 ? -ENOMEM : 0;
}

int clipboard_client_call(const char *path, const char *line, const void *data, size_t size,
                char **ret, size_t *ret_size) {
        static const struct timeval timeout = {
                .tv_sec = CLIPBOARD_CLIENT_TIMEOUT_USEC / 1000000u,
        };
        _cleanup_(closep) int fd = -EBADF;
        int r;

        r = socket_connect_unix(path, &fd);
        if (r < 0)
                return r;
        if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) < 0 ||
                        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0)
                return -errno;
        r = write_full_fd(fd, line, strlen(line));
        if (r >= 0 && size > 0)
                r = write_full_fd(fd, data, size);
        if (r < 0)
                return r;
        if (shutdown(fd, SHUT_WR) < 0)
                return -errno;
        return read_full_fd(fd, CLIPBOARD_REPLY_MAX, ret, ret_size);
}

int clipboard_reply_parse(char *reply, size_t n, ClipboardReply *ret, const char **ret_error) {
        char *nl = memchr(reply, '\n', n), *source;
        size_t header, digits;
        unsigned long long size;

        if (!nl)
                return -EBADMSG;
        *nl = 0;
        header = (size_t) (nl - reply) + 1;
        if (strcmp(reply, "empty") == 0)
                return header == n ? -ENOENT : -EBADMSG;
        if (strncmp(reply, "error ", 6) == 0) {
                *ret_error = reply + 6;
                return -EREMOTEIO;
        }
        if (strncmp(reply, "ok ", 3) != 0)
                return -EBADMSG;
        source = strchr(reply + 3, ' ');
        if (!source)
                return -EBADMSG;
        *source++ = 0;
        digits = strlen(reply + 3);
        if (digits == 0 || digits > 8 || strspn(reply + 3, "0123456789") != digits ||
                        source[0] == 0)
                return -EBADMSG;
        size = strtoull(reply + 3, NULL, 10);
        *ret = (ClipboardReply){ .size = (size_t) size, .source = source };
        if (header == n)
                return 0;
        if (n - header != size)
                return -EBADMSG;
        ret->text = nl + 1;
        return 0;
}

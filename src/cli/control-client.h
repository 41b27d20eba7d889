/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* control-client.h: the client end of vmsilod's control.socket (docs/daemon-sockets.md): one JSON
 * request line out, one JSON reply line back, in order, with a deadline and a size cap. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "macro.h"
#include "time-util.h"

#define CONTROL_SOCKET_NAME "control.socket"
/* A reply larger than this is refused: status of CONFIG_VMS_MAX VMs fits with room to spare. */
#define CONTROL_REPLY_SIZE_MAX (4u * 1024u * 1024u)
#define CONTROL_TIMEOUT_USEC (10 * USEC_PER_SEC)
/* start/stop with wait: booting a VM and its dependsOn chain under TCG, or a guest that takes
 * the daemon's whole stop timeout (90 s) before it is killed. */
#define CONTROL_WAIT_TIMEOUT_USEC (600 * USEC_PER_SEC)

typedef struct ControlClient {
        int fd;
        char *path;
        char *buffer; /* received bytes not yet returned as a reply line */
        size_t buffer_size;
        size_t buffer_allocated;
} ControlClient;

/* Connects to <runtime_dir>/control.socket. -errno from connect() (-ENOENT: no socket,
 * -ECONNREFUSED: nobody listening, -EACCES: not allowed); *ret untouched on failure. */
int control_client_connect(const char *runtime_dir, ControlClient **ret);
ControlClient *control_client_free(ControlClient *c);
DEFINE_FREE_FUNC(ControlClient *, control_client_free);

/* Sends request and waits up to timeout_usec for the reply line. On {"ok": true, …} returns 0
 * and *ret the reply object. On {"ok": false, "error": E} returns -EREMOTEIO and
 * *reterr_message = E (allocated). Other failures: -ETIMEDOUT, -ECONNRESET (the daemon closed
 * the connection), -EMSGSIZE (reply over CONTROL_REPLY_SIZE_MAX), -EBADMSG (not a reply object;
 * *reterr_message says why), -errno from I/O. */
int control_client_call(ControlClient *c, json_t *request, uint64_t timeout_usec, json_t **ret,
                char **reterr_message);

/* Pure: parses one reply line (without the newline). Returns as control_client_call(). */
int control_reply_parse(const char *line, size_t len, json_t **ret, char **reterr_message);

/* {"method": method, "vm": vm (if not NULL), "wait": wait (if method is start or stop)} */
json_t *control_request_new(const char *method, const char *vm, bool wait);

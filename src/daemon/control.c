/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* control.c: control.socket: newline-delimited JSON requests (status, start, stop), one reply
 * each, in order. A request that waits for a VM state holds the connection's later requests. */
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "conn-limit.h"
#include "control.h"
#include "listener.h"
#include "log.h"
#include "vm-json.h"
#include "vm.h"

#define CONTROL_REQUEST_MAX (64 * 1024)
/* Authorised connections; one uid gets half, so the vmsilo user cannot lock root out. */
#define CONTROL_CONNECTIONS_MAX 128
#define CONTROL_CONNECTIONS_PER_UID_MAX 64

typedef struct ControlConn ControlConn;

struct ControlConn {
        ControlServer *server;
        int fd;
        uid_t uid;
        sd_event_source *io;
        char *in;
        size_t in_size;
        char *out;
        size_t out_size;
        /* The request waiting for a VM state, if any. */
        VmWaiter waiter;
        bool waiting_for_running; /* else: for stopped */
        bool closing;             /* flush the output, then free */
        ControlConn *next;
};

struct ControlServer {
        Manager *manager;
        Listener *listener;
        ControlConn *conns;
        ConnLimit limit; /* counts conns by uid */
};

static ControlConn *control_conn_free(ControlConn *cc) {
        ControlConn **p;

        if (!cc)
                return NULL;
        vm_remove_waiter(&cc->waiter);
        for (p = &cc->server->conns; *p && *p != cc; p = &(*p)->next)
                ;
        if (*p) {
                *p = cc->next;
                conn_limit_release(&cc->server->limit, cc->uid);
        }
        sd_event_source_disable_unref(cc->io);
        safe_close(cc->fd);
        free(cc->in);
        free(cc->out);
        free(cc);
        return NULL;
}

static void control_conn_update_events(ControlConn *cc) {
        uint32_t events = cc->out_size > 0 ? EPOLLOUT : 0;

        /* One request at a time: no reading while one waits or while replies pile up. */
        if (!cc->waiter.vm && !cc->closing && cc->out_size < CONTROL_REQUEST_MAX)
                events |= EPOLLIN;
        (void) sd_event_source_set_io_events(cc->io, events);
}

static void control_reply(ControlConn *cc, json_t *reply) {
        char *text = json_dumps(reply, JSON_COMPACT);
        size_t len;
        char *p;

        json_decref(reply);
        if (!text) {
                cc->closing = true;
                return;
        }
        len = strlen(text);
        p = realloc(cc->out, cc->out_size + len + 1);
        if (!p) {
                free(text);
                cc->closing = true;
                return;
        }
        memcpy(p + cc->out_size, text, len);
        p[cc->out_size + len] = '\n';
        cc->out = p;
        cc->out_size += len + 1;
        free(text);
        control_conn_update_events(cc);
}

static void control_reply_error(ControlConn *cc, const char *format, ...) _printf_(2, 3);
static void control_reply_error(ControlConn *cc, const char *format, ...) {
        char message[512];
        va_list ap;

        va_start(ap, format);
        (void) vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        control_reply(cc, json_pack("{s:b, s:s}", "ok", false, "error", message));
}

static void control_reply_vm(ControlConn *cc, const Vm *vm) {
        control_reply(cc, json_pack("{s:b, s:o}", "ok", true, "vm", vm_to_json(vm)));
}

static void control_on_vm_state(VmWaiter *w, Vm *vm) {
        ControlConn *cc = (ControlConn *) ((char *) w - offsetof(ControlConn, waiter));

        if (cc->waiting_for_running && vm->state == VM_RUNNING)
                control_reply_vm(cc, vm);
        else if (cc->waiting_for_running && vm->state == VM_FAILED)
                control_reply_error(cc, "VM '%s' failed to start: %s", vm->config->name,
                                strna(vm->failure_reason));
        else if (IN_SET(vm->state, VM_STOPPED, VM_FAILED))
                control_reply_vm(cc, vm);
        else
                return;
        vm_remove_waiter(w);
        control_conn_update_events(cc);
}

static void control_status(ControlConn *cc, const char *name) {
        Manager *m = cc->server->manager;
        json_t *vms = json_array();

        for (size_t i = 0; vms && i < m->n_vms; i++)
                if (!name || streq(name, m->vms[i]->config->name))
                        json_array_append_new(vms, vm_to_json(m->vms[i]));
        if (name && json_array_size(vms) == 0) {
                json_decref(vms);
                control_reply_error(cc, "no VM named '%s'", name);
                return;
        }
        control_reply(cc, json_pack("{s:b, s:o}", "ok", true, "vms", vms));
}

static void control_reload(ControlConn *cc) {
        Manager *m = cc->server->manager;
        _cleanup_(freep) char *error = NULL;

        log_info("uid %u asks to reload the configuration.", (unsigned) cc->uid);
        if (manager_reload(m, &error) < 0) {
                control_reply_error(cc, "%s", error ?: "reload failed; see vmsilod's log");
                return;
        }
        control_reply(cc, json_pack("{s:b, s:I}", "ok", true, "vms", (json_int_t) m->n_vms));
}

static void control_start_stop(ControlConn *cc, Vm *vm, bool start, bool wait) {
        if (start && vm_start(vm) < 0) {
                control_reply_error(cc, "VM '%s' cannot start: %s", vm->config->name,
                                strna(vm->failure_reason));
                return;
        }
        if (!start)
                vm_stop(vm);

        if (!wait || (start && vm->state == VM_RUNNING) ||
                        (!start && IN_SET(vm->state, VM_STOPPED, VM_FAILED))) {
                control_reply_vm(cc, vm);
                return;
        }
        cc->waiting_for_running = start;
        vm_add_waiter(vm, &cc->waiter);
}

static void control_handle(ControlConn *cc, json_t *untrusted_req) {
        const char *method = json_string_value(json_object_get(untrusted_req, "method"));
        json_t *untrusted_vm = json_object_get(untrusted_req, "vm");
        json_t *untrusted_wait = json_object_get(untrusted_req, "wait");
        Manager *m = cc->server->manager;
        const char *name = NULL;
        Vm *vm;

        /* sanitize start: names are looked up, never used as paths */
        if (!method) {
                control_reply_error(cc, "request has no \"method\"");
                return;
        }
        if (untrusted_vm && !json_is_string(untrusted_vm)) {
                control_reply_error(cc, "\"vm\" must be a string");
                return;
        }
        if (untrusted_wait && !json_is_boolean(untrusted_wait)) {
                control_reply_error(cc, "\"wait\" must be a boolean");
                return;
        }
        name = json_string_value(untrusted_vm);
        /* sanitize end */

        if (streq(method, "status")) {
                control_status(cc, name);
                return;
        }
        if (streq(method, "reload")) {
                control_reload(cc);
                return;
        }
        if (!streq(method, "start") && !streq(method, "stop")) {
                control_reply_error(
                                cc, "unknown method '%s' (status, start, stop, reload)", method);
                return;
        }
        if (!name) {
                control_reply_error(cc, "\"%s\" needs \"vm\"", method);
                return;
        }
        vm = manager_find_vm(m, name);
        if (!vm) {
                control_reply_error(cc, "no VM named '%s'", name);
                return;
        }
        log_info("uid %u asks to %s VM '%s'.", (unsigned) cc->uid, method, name);
        control_start_stop(cc, vm, streq(method, "start"),
                        !untrusted_wait || json_is_true(untrusted_wait));
}

/* Handles complete lines until one waits; returns false if the connection must close. */
static bool control_process(ControlConn *cc) {
        size_t start = 0;

        for (size_t i = 0; i < cc->in_size && !cc->waiter.vm; i++) {
                json_t *req;

                if (cc->in[i] != '\n')
                        continue;
                req = json_loadb(cc->in + start, i - start, JSON_REJECT_DUPLICATES, NULL);
                if (json_is_object(req))
                        control_handle(cc, req);
                else
                        control_reply_error(cc, "request is not a JSON object");
                json_decref(req);
                start = i + 1;
        }
        memmove(cc->in, cc->in + start, cc->in_size - start);
        cc->in_size -= start;
        return cc->in_size < CONTROL_REQUEST_MAX;
}

static void control_read(ControlConn *cc) {
        char buf[4096];
        ssize_t n = recv(cc->fd, buf, sizeof(buf), MSG_DONTWAIT);
        char *p;

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                control_conn_free(cc);
                return;
        }
        p = realloc(cc->in, cc->in_size + (size_t) n);
        if (!p) {
                control_conn_free(cc);
                return;
        }
        memcpy(p + cc->in_size, buf, (size_t) n);
        cc->in = p;
        cc->in_size += (size_t) n;
        if (!control_process(cc)) {
                control_reply_error(cc, "request longer than %d bytes", CONTROL_REQUEST_MAX);
                cc->closing = true;
        }
        control_conn_update_events(cc);
}

static void control_write(ControlConn *cc) {
        ssize_t n = send(cc->fd, cc->out, cc->out_size, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        control_conn_free(cc);
                return;
        }
        memmove(cc->out, cc->out + n, cc->out_size - (size_t) n);
        cc->out_size -= (size_t) n;
        if (cc->out_size == 0 && cc->closing) {
                control_conn_free(cc);
                return;
        }
        /* Replies drained: requests that arrived meanwhile can go now. */
        if (!control_process(cc))
                cc->closing = true;
        control_conn_update_events(cc);
}

static int on_control_conn_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ControlConn *cc = userdata;

        if (revents & EPOLLOUT) {
                control_write(cc);
                return 0;
        }
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                control_read(cc);
        return 0;
}

static void on_control_connect(int fd, uid_t uid, const char *refusal, void *userdata) {
        ControlServer *server = userdata;
        ControlConn *cc;
        int r;

        if (refusal) {
                listener_refuse(fd, "{\"ok\":false,\"error\":\"permission denied: uid %u %s\"}\n",
                                (unsigned) uid, refusal);
                return;
        }
        r = conn_limit_acquire(&server->limit, uid);
        if (r < 0) {
                listener_refuse(fd, "{\"ok\":false,\"error\":\"too many connections of uid %u\"}\n",
                                (unsigned) uid);
                return;
        }
        cc = calloc(1, sizeof(ControlConn));
        if (!cc || sd_event_add_io(server->manager->event, &cc->io, fd, EPOLLIN, on_control_conn_io,
                                   cc) < 0) {
                conn_limit_release(&server->limit, uid);
                free(cc);
                safe_close(fd);
                return;
        }
        (void) sd_event_source_set_description(cc->io, "control-client");
        cc->server = server;
        cc->fd = fd;
        cc->uid = uid;
        cc->waiter.on_state = control_on_vm_state;
        cc->next = server->conns;
        server->conns = cc;
}

int control_server_new(Manager *m, const char *path, ControlServer **ret) {
        _cleanup_(control_server_freep) ControlServer *server = NULL;
        int r;

        server = calloc(1, sizeof(ControlServer));
        if (!server)
                return -ENOMEM;
        server->manager = m;
        conn_limit_init(&server->limit, CONTROL_CONNECTIONS_MAX, CONTROL_CONNECTIONS_PER_UID_MAX);
        r = listener_new(m, path, "the control socket", on_control_connect, server,
                        &server->listener);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(server);
        return 0;
}

ControlServer *control_server_free(ControlServer *server) {
        if (!server)
                return NULL;
        listener_free(server->listener);
        while (server->conns)
                control_conn_free(server->conns);
        conn_limit_finish(&server->limit);
        free(server);
        return NULL;
}

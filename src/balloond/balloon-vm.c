/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* balloon-vm.c: per-VM VMM conversation: QMP (QEMU) or the crosvm CLI. */
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>

#include "balloon-vm.h"
#include "log.h"
#include "socket-util.h"

static void round_reply(BalloonVm *vm, bool ok) {
        if (vm->outstanding == 0)
                return;
        if (!ok)
                vm->round_failed = true;
        if (--vm->outstanding > 0)
                return;
        if (vm->round_failed)
                return;
        vm->answered_round = vm->round;
        vm->warned_unanswered = false;
        vm->settings.cb(vm, vm->settings.userdata);
}

/* A VMM without the feature (or with it off) still gets ballooned; say what it lacks. */
static void check_feature(BalloonVm *vm, int error, json_t *untrusted_return, const char *feature) {
        if (error < 0 || !json_is_true(untrusted_return))
                log_warning("VM '%s': the balloon device has %s off or lacks it.", vm->name,
                                feature);
        else
                log_debug("VM '%s': balloon %s is on.", vm->name, feature);
}

static void on_qmp_deflate_on_oom(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata) {
        check_feature(userdata, error, untrusted_return, "deflate-on-oom");
}

static void on_qmp_free_page_reporting(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata) {
        check_feature(userdata, error, untrusted_return, "free-page-reporting");
}

static void on_qmp_setup_done(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata) {
        BalloonVm *vm = userdata;

        if (error == -ECONNRESET)
                vm->qmp_broken = true;
        else if (error < 0)
                log_warning("VM '%s': cannot set the guest stats interval: %s", vm->name, desc);
}

static int qmp_setup_balloon(BalloonVm *vm, const char *path) {
        uint64_t interval_s;
        json_t *args;
        int r;

        vm->balloon_qom_path = strdup(path);
        if (!vm->balloon_qom_path)
                return -ENOMEM;
        interval_s = MAX((vm->settings.stats_interval_usec + 999999) / 1000000, (uint64_t) 1);
        args = json_pack("{s:s, s:s, s:I}", "path", path, "property",
                        "guest-stats-polling-interval", "value", (json_int_t) interval_s);
        if (!args)
                return -ENOMEM;
        r = qmp_call(vm->qmp, "qom-set", args, on_qmp_setup_done, vm);
        json_decref(args);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < 2; i++) {
                args = json_pack("{s:s, s:s}", "path", path, "property",
                                i == 0 ? "deflate-on-oom" : "free-page-reporting");
                if (!args)
                        return -ENOMEM;
                r = qmp_call(vm->qmp, "qom-get", args,
                                i == 0 ? on_qmp_deflate_on_oom : on_qmp_free_page_reporting, vm);
                json_decref(args);
                if (r < 0)
                        return r;
        }
        log_info("VM '%s': balloon device at %s.", vm->name, path);
        return 0;
}

/* The balloon is a child of /machine/peripheral-anon (no id=) or /machine/peripheral (id=):
 * "child<virtio-balloon-device>" on microvm, "child<virtio-balloon-pci>" on q35. */
static const char *const qom_containers[] = { "/machine/peripheral-anon", "/machine/peripheral" };

static int qmp_probe(BalloonVm *vm, unsigned container);

static int find_balloon(json_t *untrusted_list, const char *container, char **ret_path) {
        size_t i;
        json_t *untrusted_item;

        if (!json_is_array(untrusted_list))
                return -EBADMSG;
        json_array_foreach(untrusted_list, i, untrusted_item) {
                const char *untrusted_name =
                                json_string_value(json_object_get(untrusted_item, "name"));
                const char *untrusted_type =
                                json_string_value(json_object_get(untrusted_item, "type"));

                /* sanitize start: a QOM child name is short and has no path separator */
                if (!untrusted_name || !untrusted_type || strlen(untrusted_name) > 64 ||
                                strchr(untrusted_name, '/') ||
                                strncmp(untrusted_type, "child<virtio-balloon", 20) != 0)
                        continue;
                const char *name = untrusted_name;
                /* sanitize end */
                if (asprintf(ret_path, "%s/%s", container, name) < 0)
                        return -ENOMEM;
                return 0;
        }
        return -ENOENT;
}

static void on_qmp_qom_list(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata) {
        BalloonVm *vm = userdata;
        _cleanup_(freep) char *path = NULL;
        int r;

        if (error == -ECONNRESET) {
                vm->qmp_broken = true;
                return;
        }
        r = error < 0 ? -ENOENT : find_balloon(untrusted_return, qom_containers[vm->probe], &path);
        if (r == -ENOENT && vm->probe + 1 < ELEMENTSOF(qom_containers)) {
                vm->probe++;
                r = qmp_probe(vm, vm->probe);
                if (r < 0)
                        log_warning_errno(r, "VM '%s': QMP probe failed, ignoring: %m", vm->name);
                return;
        }
        if (r < 0) {
                log_warning("VM '%s': QEMU has no virtio-balloon device; not ballooning it.",
                                vm->name);
                vm->no_balloon = true;
                return;
        }
        r = qmp_setup_balloon(vm, path);
        if (r < 0)
                log_warning_errno(r, "VM '%s': balloon setup failed, ignoring: %m", vm->name);
}

static int qmp_probe(BalloonVm *vm, unsigned container) {
        json_t *args = json_pack("{s:s}", "path", qom_containers[container]);
        int r;

        if (!args)
                return -ENOMEM;
        r = qmp_call(vm->qmp, "qom-list", args, on_qmp_qom_list, vm);
        json_decref(args);
        return r;
}

static int qmp_connect(BalloonVm *vm) {
        _cleanup_(closep) int fd = -EBADF;
        int r;

        vm->qmp = qmp_free(vm->qmp);
        vm->balloon_qom_path = mfree(vm->balloon_qom_path);
        vm->qmp_broken = false;
        vm->probe = 0;
        r = socket_connect_unix_nonblocking(vm->socket_path, &fd);
        if (r < 0)
                return r;
        r = qmp_new(vm->event, fd, vm->name, &vm->qmp);
        if (r < 0)
                return r;
        TAKE_FD(fd);
        return qmp_probe(vm, 0);
}

static void on_qmp_guest_stats(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata) {
        BalloonVm *vm = userdata;
        GuestStats stats;
        int r;

        if (error == -ECONNRESET)
                vm->qmp_broken = true;
        r = error < 0 ? error : guest_stats_parse_qemu(untrusted_return, vm->memory_bytes, &stats);
        if (r >= 0) {
                stats.balloon_bytes = vm->stats.balloon_bytes;
                vm->stats = stats;
        } else if (r != -ENODATA)
                log_debug_errno(r, "VM '%s': unusable guest stats: %m", vm->name);
        round_reply(vm, r >= 0);
}

static void on_qmp_query_balloon(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata) {
        BalloonVm *vm = userdata;
        uint64_t balloon_bytes;
        int r;

        if (error == -ECONNRESET)
                vm->qmp_broken = true;
        r = error < 0 ? error
                      : guest_stats_parse_qemu_balloon(
                                        untrusted_return, vm->memory_bytes, &balloon_bytes);
        if (r >= 0)
                vm->balloon_bytes = balloon_bytes;
        round_reply(vm, r >= 0);
}

static int qmp_request_stats(BalloonVm *vm) {
        json_t *args;
        int r;

        if (!vm->qmp || vm->qmp_broken) {
                r = qmp_connect(vm);
                if (r < 0)
                        return r;
        }
        if (!vm->balloon_qom_path)
                return -EAGAIN; /* still probing */
        args = json_pack("{s:s, s:s}", "path", vm->balloon_qom_path, "property", "guest-stats");
        if (!args)
                return -ENOMEM;
        r = qmp_call(vm->qmp, "qom-get", args, on_qmp_guest_stats, vm);
        json_decref(args);
        if (r < 0)
                return r;
        vm->outstanding++;
        r = qmp_call(vm->qmp, "query-balloon", NULL, on_qmp_query_balloon, vm);
        if (r < 0)
                return r;
        vm->outstanding++;
        return 0;
}

static void on_crosvm_stats(
                CrosvmCall *c, int error, const char *untrusted_out, size_t len, void *userdata) {
        BalloonVm *vm = userdata;
        GuestStats stats;
        int r;

        r = error < 0 ? error
                      : guest_stats_parse_crosvm(untrusted_out, len, vm->memory_bytes, &stats);
        if (r >= 0) {
                vm->stats = stats;
                vm->balloon_bytes = stats.balloon_bytes;
        } else
                log_debug_errno(r, "VM '%s': crosvm balloon_stats failed: %m", vm->name);
        round_reply(vm, r >= 0);
        /* Finished: the call object may go now; the callback returns straight into nothing. */
        vm->stats_call = crosvm_call_free(vm->stats_call);
}

static int crosvm_request_stats(BalloonVm *vm) {
        char *argv[] = { (char *) vm->settings.crosvm_binary, (char *) "balloon_stats",
                vm->socket_path, NULL };
        int r;

        vm->stats_call = crosvm_call_free(vm->stats_call);
        r = crosvm_call_new(vm->event, argv, vm->settings.crosvm_timeout_usec,
                        GUEST_STATS_CROSVM_OUTPUT_MAX, on_crosvm_stats, vm, &vm->stats_call);
        if (r < 0)
                return r;
        vm->outstanding++;
        return 0;
}

int balloon_vm_request_stats(BalloonVm *vm, uint64_t round) {
        int r;

        if (vm->passthrough || vm->memory_bytes == 0 || vm->no_balloon)
                return -EPERM;
        if (vm->outstanding > 0 && !vm->qmp_broken)
                return -EBUSY;
        vm->round = round;
        vm->outstanding = 0;
        vm->round_failed = false;
        r = vm->vmm == VMM_CROSVM ? crosvm_request_stats(vm) : qmp_request_stats(vm);
        if (r < 0)
                vm->round_failed = true;
        return r;
}

static void resize_done(BalloonVm *vm) {
        if (vm->resizes_pending > 0)
                vm->resizes_pending--;
        vm->settings.resized_cb(vm, vm->settings.userdata);
}

static void on_qmp_balloon(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata) {
        BalloonVm *vm = userdata;

        if (error == -ECONNRESET)
                vm->qmp_broken = true;
        else if (error < 0)
                log_warning("VM '%s': QEMU refused the balloon size: %s", vm->name, desc);
        resize_done(vm);
}

static void on_crosvm_resized(
                CrosvmCall *c, int error, const char *untrusted_out, size_t len, void *userdata) {
        BalloonVm *vm = userdata;

        if (error < 0)
                log_warning_errno(error, "VM '%s': crosvm balloon failed: %m", vm->name);
        vm->resize_call = crosvm_call_free(vm->resize_call);
        resize_done(vm);
}

int balloon_vm_set_balloon(BalloonVm *vm, uint64_t target_bytes) {
        char size[32];
        json_t *args;
        int r;

        if (vm->vmm == VMM_CROSVM) {
                char *argv[] = { (char *) vm->settings.crosvm_binary, (char *) "balloon", size,
                        vm->socket_path, NULL };

                (void) snprintf(size, sizeof(size), "%" PRIu64, target_bytes);
                if (vm->resize_call) {
                        /* A newer size replaces the one still being sent. */
                        vm->resize_call = crosvm_call_free(vm->resize_call);
                        vm->resizes_pending--;
                }
                r = crosvm_call_new(vm->event, argv, vm->settings.crosvm_timeout_usec, 4096,
                                on_crosvm_resized, vm, &vm->resize_call);
                if (r < 0)
                        return r;
                vm->resizes_pending++;
                return 0;
        }
        if (!vm->qmp || vm->qmp_broken)
                return -ENOTCONN;
        args = json_pack("{s:I}", "value",
                        (json_int_t) guest_stats_qemu_balloon_value(
                                        vm->memory_bytes, target_bytes));
        if (!args)
                return -ENOMEM;
        r = qmp_call(vm->qmp, "balloon", args, on_qmp_balloon, vm);
        json_decref(args);
        if (r < 0)
                return r;
        vm->resizes_pending++;
        return 0;
}

int balloon_vm_new(sd_event *e, const char *name, VmmKind vmm, const char *socket_path,
                const VmConfig *vm_config, const BalloonVmSettings *settings, BalloonVm **ret) {
        _cleanup_(balloon_vm_freep) BalloonVm *vm = NULL;

        vm = calloc(1, sizeof(BalloonVm));
        if (!vm)
                return -ENOMEM;
        vm->name = strdup(name);
        vm->socket_path = strdup(socket_path);
        if (!vm->name || !vm->socket_path)
                return -ENOMEM;
        vm->vmm = vmm;
        vm->event = e;
        vm->settings = *settings;
        if (vm_config) {
                vm->memory_bytes = vm_config->memory_mib * 1024 * 1024;
                vm->passthrough = vm_config->n_pci_devices > 0;
        }
        *ret = TAKE_PTR(vm);
        return 0;
}

BalloonVm *balloon_vm_free(BalloonVm *vm) {
        if (!vm)
                return NULL;
        qmp_free(vm->qmp);
        crosvm_call_free(vm->stats_call);
        crosvm_call_free(vm->resize_call);
        free(vm->balloon_qom_path);
        free(vm->socket_path);
        free(vm->name);
        free(vm);
        return NULL;
}

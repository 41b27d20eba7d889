/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-transport.c: tests for src/agent/transport.c: finding the virtio port by name, and who may
 * connect over vsock. */
#include <linux/vm_sockets.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "transport.h"

static char sysfs[] = "/tmp/test-transport-XXXXXX";

static void add_port(const char *port, const char *name) {
        char path[128];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", sysfs, port);
        assert_int_equal(mkdir(path, 0755), 0);
        if (!name)
                return;
        snprintf(path, sizeof(path), "%s/%s/name", sysfs, port);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(name, f);
        fclose(f);
}

static void remove_port(const char *port) {
        char path[128];

        snprintf(path, sizeof(path), "%s/%s/name", sysfs, port);
        unlink(path);
        snprintf(path, sizeof(path), "%s/%s", sysfs, port);
        rmdir(path);
}

static int setup(void **state) {
        assert_non_null(mkdtemp(sysfs));
        add_port("vport0p0", NULL); /* console port: no name file */
        add_port("vport0p1", "org.qemu.guest_agent.0\n");
        add_port("vport0p2", "org.vmsilo.agent\n");
        add_port("vport0p3", "org.vmsilo.agent.other\n");
        return 0;
}

static int teardown(void **state) {
        remove_port("vport0p0");
        remove_port("vport0p1");
        remove_port("vport0p2");
        remove_port("vport0p3");
        rmdir(sysfs);
        return 0;
}

static void test_transport_virtio_find_maps_name_to_dev_node(void **state) {
        char *dev = NULL;

        assert_int_equal(transport_virtio_find(sysfs, "/dev", "org.vmsilo.agent", &dev), 0);
        assert_string_equal(dev, "/dev/vport0p2");
        free(dev);
}

static void test_transport_virtio_find_unknown_name_is_enoent(void **state) {
        char *dev = NULL;

        assert_int_equal(transport_virtio_find(sysfs, "/dev", "org.vmsilo", &dev), -ENOENT);
        assert_null(dev);
}

static void test_transport_virtio_find_without_sysfs_dir_fails(void **state) {
        char *dev = NULL;

        assert_int_equal(transport_virtio_find("/nonexistent", "/dev", "org.vmsilo.agent", &dev),
                        -ENOENT);
}

static struct sockaddr_storage vsock_peer(unsigned cid, unsigned port) {
        struct sockaddr_storage ss = {};
        struct sockaddr_vm *vm = (struct sockaddr_vm *) &ss;

        vm->svm_family = AF_VSOCK;
        vm->svm_cid = cid;
        vm->svm_port = port;
        return ss;
}

static void test_transport_vsock_peer_is_host_needs_host_cid_and_low_port(void **state) {
        static const struct {
                const char *label;
                unsigned cid, port;
                bool expected;
        } cases[] = {
                { "host, highest privileged port", VMADDR_CID_HOST, 1023, true },
                { "host, port 512", VMADDR_CID_HOST, 512, true },
                { "host, port 0", VMADDR_CID_HOST, 0, true },
                { "host, first unprivileged port", VMADDR_CID_HOST, 1024, false },
                { "host, ephemeral port", VMADDR_CID_HOST, 49152, false },
                { "host, VMADDR_PORT_ANY", VMADDR_CID_HOST, VMADDR_PORT_ANY, false },
                { "guest-local loopback", VMADDR_CID_LOCAL, 1000, false },
                { "hypervisor CID 0", VMADDR_CID_HYPERVISOR, 1000, false },
                { "another guest", 3, 1000, false },
                { "VMADDR_CID_ANY", VMADDR_CID_ANY, 1000, false },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct sockaddr_storage ss = vsock_peer(cases[i].cid, cases[i].port);

                print_message("%s\n", cases[i].label);
                assert_int_equal(transport_vsock_peer_is_host(&ss, sizeof(struct sockaddr_vm)),
                                cases[i].expected);
        }
}

static void test_transport_vsock_peer_is_host_refuses_short_address(void **state) {
        struct sockaddr_storage ss = vsock_peer(VMADDR_CID_HOST, 1023);

        assert_false(transport_vsock_peer_is_host(&ss, sizeof(struct sockaddr_vm) - 1));
}

static void test_transport_vsock_peer_is_host_refuses_other_families(void **state) {
        struct sockaddr_storage ss = vsock_peer(VMADDR_CID_HOST, 1023);

        ss.ss_family = AF_UNIX;
        assert_false(transport_vsock_peer_is_host(&ss, sizeof(ss)));
}

/* vsock cannot loop back on every kernel, so the refusal path runs on a unix listener, whose
 * peers fail the check like a vsock peer from the wrong CID or port. */
static void test_transport_vsock_accept_closes_a_refused_peer_at_once(void **state) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct sockaddr_storage peer = {};
        int listener, client, fd = -1;
        char byte;

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/listen.socket", sysfs);
        listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(listener >= 0);
        assert_int_equal(bind(listener, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(listener, 4), 0);

        for (int attempt = 0; attempt < 2; attempt++) {
                client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                assert_int_equal(connect(client, (struct sockaddr *) &sa, sizeof(sa)), 0);
                assert_int_equal(transport_vsock_accept(listener, &fd, &peer), -EPERM);
                assert_int_equal(fd, -1);
                assert_int_equal(peer.ss_family, AF_UNIX);
                /* Closed on our side: the peer reads EOF at once, not a HELLO. */
                assert_int_equal(recv(client, &byte, 1, 0), 0);
                close(client);
        }
        close(listener);
        unlink(sa.sun_path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_transport_virtio_find_maps_name_to_dev_node),
                cmocka_unit_test(test_transport_virtio_find_unknown_name_is_enoent),
                cmocka_unit_test(test_transport_virtio_find_without_sysfs_dir_fails),
                cmocka_unit_test(test_transport_vsock_peer_is_host_needs_host_cid_and_low_port),
                cmocka_unit_test(test_transport_vsock_peer_is_host_refuses_short_address),
                cmocka_unit_test(test_transport_vsock_peer_is_host_refuses_other_families),
                cmocka_unit_test(test_transport_vsock_accept_closes_a_refused_peer_at_once),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}

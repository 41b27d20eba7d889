/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-backend-crosvm.c: tests for src/daemon/backend-crosvm.c: the agent link's privileged
 * source port. Binding needs the vsock core only, not a transport, so it runs on any host with
 * AF_VSOCK; needs CAP_NET_BIND_SERVICE (tests run as root). */
#include <errno.h>
#include <linux/vm_sockets.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend-crosvm.h"
#include "macro.h"

static int vsock_socket(void) {
        int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 && IN_SET(errno, EAFNOSUPPORT, EPERM))
                skip(); /* no vsock in this kernel or sandbox */
        assert_true(fd >= 0);
        return fd;
}

static unsigned bound_port(int fd) {
        struct sockaddr_vm sa = {};
        socklen_t len = sizeof(sa);

        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
        return sa.svm_port;
}

static void test_crosvm_bind_privileged_port_binds_a_port_only_root_may_bind(void **state) {
        int fd = vsock_socket();
        int port = crosvm_bind_privileged_port(fd);

        assert_true(port >= (int) CROSVM_AGENT_SOURCE_PORT_MIN);
        assert_true(port <= (int) CROSVM_AGENT_SOURCE_PORT_MAX);
        assert_int_equal(bound_port(fd), (unsigned) port);
        close(fd);
}

static void test_crosvm_bind_privileged_port_moves_past_ports_in_use(void **state) {
        int a = vsock_socket(), b = vsock_socket();
        int port_a = crosvm_bind_privileged_port(a);
        int port_b = crosvm_bind_privileged_port(b);

        assert_true(port_a >= (int) CROSVM_AGENT_SOURCE_PORT_MIN);
        assert_true(port_b >= (int) CROSVM_AGENT_SOURCE_PORT_MIN);
        assert_int_not_equal(port_a, port_b);
        assert_int_equal(bound_port(b), (unsigned) port_b);
        close(a);
        close(b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_crosvm_bind_privileged_port_binds_a_port_only_root_may_bind),
                cmocka_unit_test(test_crosvm_bind_privileged_port_moves_past_ports_in_use),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

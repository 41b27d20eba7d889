/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-socket-util.c: tests for src/basic/socket-util.c: socket_connect_unix_at() and the vsock
 * port bind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <sys/socket.h>

#include "macro.h"
#include "socket-util.h"

typedef struct Fixture {
        char dir[64];
        int dir_fd;
        int listener;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(*f));
        char path[128];
        int fd;

        if (!f)
                return -1;
        strcpy(f->dir, "/tmp/test-socket-util-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        (void) snprintf(path, sizeof(path), "%s/sock", f->dir);
        assert_int_equal(socket_listen_unix(path, 0600, &f->listener), 0);
        f->dir_fd = open(f->dir, O_DIRECTORY | O_CLOEXEC);
        assert_true(f->dir_fd >= 0);
        assert_int_equal(symlinkat("sock", f->dir_fd, "link"), 0);
        fd = openat(f->dir_fd, "file", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        close(fd);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        (void) unlinkat(f->dir_fd, "sock", 0);
        (void) unlinkat(f->dir_fd, "link", 0);
        (void) unlinkat(f->dir_fd, "file", 0);
        close(f->dir_fd);
        close(f->listener);
        (void) rmdir(f->dir);
        free(f);
        return 0;
}

static void test_connects_to_the_owners_socket(void **state) {
        Fixture *f = *state;
        struct stat st;
        ino_t ino = 0;
        int fd = -EBADF;

        assert_int_equal(socket_connect_unix_at(f->dir_fd, "sock", getuid(), &fd, &ino), 0);
        assert_int_equal(fstatat(f->dir_fd, "sock", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(ino, st.st_ino);
        assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
        safe_close(fd);
}

static void test_never_follows_a_link(void **state) {
        Fixture *f = *state;
        int fd = -EBADF;

        assert_int_equal(socket_connect_unix_at(f->dir_fd, "link", getuid(), &fd, NULL), -ELOOP);
        assert_int_equal(fd, -EBADF);
}

static void test_refuses_what_is_not_the_owners_socket(void **state) {
        Fixture *f = *state;
        int fd = -EBADF;

        assert_int_equal(socket_connect_unix_at(f->dir_fd, "file", getuid(), &fd, NULL), -ENOTSOCK);
        assert_int_equal(
                        socket_connect_unix_at(f->dir_fd, "sock", getuid() + 1, &fd, NULL), -EPERM);
        assert_int_equal(socket_connect_unix_at(f->dir_fd, "none", getuid(), &fd, NULL), -ENOENT);
        assert_int_equal(fd, -EBADF);
}

static void test_nobody_listening_is_refused(void **state) {
        Fixture *f = *state;
        int fd = -EBADF;

        f->listener = safe_close(f->listener);
        assert_int_equal(socket_connect_unix_at(f->dir_fd, "sock", getuid(), &fd, NULL),
                        -ECONNREFUSED);
}

/* The vsock binds: they need the vsock core only, not a transport, so they run on any host
 * with AF_VSOCK; a port below 1024 needs CAP_NET_BIND_SERVICE (tests run as root). */
#define PORT_MAX 1023u
#define PORT_MIN 512u

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

static void test_vsock_bind_takes_the_highest_free_port(void **state) {
        int fd = vsock_socket();
        int port = socket_bind_vsock_port(fd, PORT_MAX, PORT_MIN);

        assert_true(port >= (int) PORT_MIN);
        assert_true(port <= (int) PORT_MAX);
        assert_int_equal(bound_port(fd), (unsigned) port);
        close(fd);
}

static void test_vsock_bind_moves_past_ports_in_use(void **state) {
        int a = vsock_socket(), b = vsock_socket();
        int port_a = socket_bind_vsock_port(a, PORT_MAX, PORT_MIN);
        int port_b = socket_bind_vsock_port(b, PORT_MAX, PORT_MIN);

        assert_true(port_a >= (int) PORT_MIN);
        assert_true(port_b >= (int) PORT_MIN);
        assert_int_not_equal(port_a, port_b);
        assert_int_equal(bound_port(b), (unsigned) port_b);
        close(a);
        close(b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vsock_bind_takes_the_highest_free_port),
                cmocka_unit_test(test_vsock_bind_moves_past_ports_in_use),
                cmocka_unit_test_setup_teardown(
                                test_connects_to_the_owners_socket, setup, teardown),
                cmocka_unit_test_setup_teardown(test_never_follows_a_link, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_refuses_what_is_not_the_owners_socket, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nobody_listening_is_refused, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

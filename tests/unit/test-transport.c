/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-transport.c: tests for src/agent/transport.c: finding the virtio port by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_transport_virtio_find_maps_name_to_dev_node),
                cmocka_unit_test(test_transport_virtio_find_unknown_name_is_enoent),
                cmocka_unit_test(test_transport_virtio_find_without_sysfs_dir_fails),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-image-modules.c: tests for src/image/image-modules.c against the kernel modules installed
 * on this machine (scripts/install-deps installs linux-image-amd64), which is what the default
 * image is built from. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "image-modules.h"
#include "strv.h"

/* The directory of an installed kernel's modules with depmod's indexes, or NULL. */
static char *installed_modules_dir(void) {
        glob_t g;
        char *dir = NULL;

        if (glob("/lib/modules/*/modules.dep.bin", 0, NULL, &g) != 0)
                return NULL;
        dir = strndup(g.gl_pathv[0], strlen(g.gl_pathv[0]) - strlen("/modules.dep.bin"));
        globfree(&g);
        return dir;
}

/* Index in order of the module file whose path ends in suffix; -1 if none, fails if twice. */
static ssize_t position(char **order, const char *suffix) {
        ssize_t found = -1, i = 0;

        STRV_FOREACH(p, order) {
                size_t n = strlen(*p), m = strlen(suffix);

                if (n >= m && streq(*p + n - m, suffix)) {
                        assert_int_equal(found, -1);
                        found = i;
                }
                i++;
        }
        return found;
}

static void test_image_modules_come_after_their_dependencies_and_softdeps(void **state) {
        _cleanup_(freep) char *dir = installed_modules_dir();
        _cleanup_(strv_freep) char **order = NULL, **req = NULL, **opt = NULL;
        ssize_t ext4;

        if (!dir)
                skip();
        assert_int_equal(image_modules_resolve(dir, &order, &req, &opt), 0);
        assert_int_equal(strv_length(req), 0);
        STRV_FOREACH(p, order)
                assert_true((*p)[0] != '/' && strncmp(*p, "kernel/", strlen("kernel/")) == 0);

        /* modules.dep: ext4 needs jbd2, mbcache and crc16. */
        ext4 = position(order, "/ext4.ko");
        assert_true(ext4 >= 0);
        assert_in_range(position(order, "/jbd2.ko"), 0, ext4 - 1);
        assert_in_range(position(order, "/mbcache.ko"), 0, ext4 - 1);
        assert_in_range(position(order, "/crc16.ko"), 0, ext4 - 1);
        /* modules.softdep: "softdep ext4 pre: crypto-crc32c", which modules.dep does not list;
         * of its providers the generic one, not the SSE4.2 one TCG's CPU cannot load. */
        assert_in_range(position(order, "/crc32c_generic.ko"), 0, ext4 - 1);
        assert_int_equal(position(order, "/crc32c-intel.ko"), -1);
        /* virtio_console after virtio and virtio_ring. */
        assert_true(position(order, "/virtio_console.ko") > position(order, "/virtio.ko"));
        assert_true(position(order, "/virtio.ko") > position(order, "/virtio_ring.ko"));
        assert_true(position(order, "/virtio_ring.ko") >= 0);
}

static void test_image_modules_without_depmod_indexes_fail(void **state) {
        char dir[] = "/tmp/test-image-modules-XXXXXX";
        char **order = NULL, **req = NULL, **opt = NULL;

        assert_non_null(mkdtemp(dir));
        assert_true(image_modules_resolve(dir, &order, &req, &opt) < 0);
        assert_null(order);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_image_modules_come_after_their_dependencies_and_softdeps),
                cmocka_unit_test(test_image_modules_without_depmod_indexes_fail),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

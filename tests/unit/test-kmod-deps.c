/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-kmod-deps.c: tests for kmod-deps.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "kmod-deps.h"
#include "strv.h"

#define STRV_MAKE(...) ((char *const[]){ __VA_ARGS__, NULL })

/* Shaped like Debian 6.1's modules.dep (each line lists all transitive dependencies). */
static const char modules_dep[] =
                "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
                "kernel/drivers/virtio/virtio_ring.ko:\n"
                "kernel/drivers/virtio/virtio_mmio.ko: kernel/drivers/virtio/virtio.ko "
                "kernel/drivers/virtio/virtio_ring.ko\n"
                "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
                "kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko "
                "kernel/drivers/virtio/virtio_ring.ko\n"
                "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
                "kernel/net/core/failover.ko:\n"
                "kernel/drivers/char/hw_random/virtio-rng.ko.xz: kernel/drivers/virtio/virtio.ko "
                "kernel/drivers/virtio/virtio_ring.ko\n"
                "kernel/fs/ext4/ext4.ko.zst: kernel/lib/crc16.ko kernel/fs/mbcache.ko "
                "kernel/fs/jbd2/jbd2.ko\n"
                "kernel/lib/crc16.ko:\n"
                "kernel/fs/mbcache.ko:\n"
                "kernel/fs/jbd2/jbd2.ko:\n";

static const char modules_builtin[] = "kernel/net/unix/unix.ko\n"
                                      "kernel/net/packet/af_packet.ko\n";

static KmodDeps *parse_sample(void) {
        KmodDeps *d = NULL;

        assert_int_equal(kmod_deps_parse(modules_dep, &d), 0);
        assert_int_equal(kmod_deps_add_builtin(d, modules_builtin), 0);
        return d;
}

/* Index of path in order, failing if absent. */
static size_t index_of(char **order, const char *path) {
        int i = strv_find(order, path);

        assert_true(i >= 0);
        return (size_t) i;
}

static void test_kmod_deps_order_puts_dependencies_first(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = parse_sample();
        _cleanup_(strv_freep) char **order = NULL, **missing = NULL;

        assert_int_equal(kmod_deps_order(d, STRV_MAKE("virtio_net"), &order, &missing), 0);
        assert_int_equal(strv_length(order), 5);
        assert_true(index_of(order, "kernel/drivers/virtio/virtio_ring.ko") <
                        index_of(order, "kernel/drivers/virtio/virtio.ko"));
        assert_true(index_of(order, "kernel/net/core/failover.ko") <
                        index_of(order, "kernel/drivers/net/net_failover.ko"));
        assert_string_equal(order[4], "kernel/drivers/net/virtio_net.ko");
        assert_int_equal(strv_length(missing), 0);
}

static void test_kmod_deps_order_lists_shared_dependencies_once(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = parse_sample();
        _cleanup_(strv_freep) char **order = NULL;

        assert_int_equal(kmod_deps_order(d, STRV_MAKE("virtio_mmio", "virtio_net", "virtio_mmio"),
                                         &order, NULL),
                        0);
        assert_true(strv_equal(order, STRV_MAKE("kernel/drivers/virtio/virtio_ring.ko",
                                                      "kernel/drivers/virtio/virtio.ko",
                                                      "kernel/drivers/virtio/virtio_mmio.ko",
                                                      "kernel/net/core/failover.ko",
                                                      "kernel/drivers/net/net_failover.ko",
                                                      "kernel/drivers/net/virtio_net.ko")));
}

static void test_kmod_deps_order_accepts_compressed_names_and_dashes(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = parse_sample();
        _cleanup_(strv_freep) char **order = NULL;

        assert_int_equal(kmod_deps_order(d, STRV_MAKE("virtio_rng", "ext4"), &order, NULL), 0);
        assert_int_equal(strv_length(order), 7);
        assert_string_equal(order[2], "kernel/drivers/char/hw_random/virtio-rng.ko.xz");
        assert_string_equal(order[6], "kernel/fs/ext4/ext4.ko.zst");
}

static void test_kmod_deps_order_skips_builtin_modules(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = parse_sample();
        _cleanup_(strv_freep) char **order = NULL, **missing = NULL;

        assert_int_equal(kmod_deps_order(d, STRV_MAKE("unix", "af-packet"), &order, &missing), 0);
        assert_int_equal(strv_length(order), 0);
        assert_int_equal(strv_length(missing), 0);
}

static void test_kmod_deps_order_reports_unknown_modules_as_missing(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = parse_sample();
        _cleanup_(strv_freep) char **order = NULL, **missing = NULL;

        assert_int_equal(kmod_deps_order(d, STRV_MAKE("nope", "virtio_ring"), &order, &missing), 0);
        assert_true(strv_equal(order, STRV_MAKE("kernel/drivers/virtio/virtio_ring.ko")));
        assert_true(strv_equal(missing, STRV_MAKE("nope")));
}

static void test_kmod_deps_order_without_missing_list_fails_on_unknown(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = parse_sample();
        char **order = (char **) 0x41;

        assert_int_equal(kmod_deps_order(d, STRV_MAKE("nope"), &order, NULL), -ENOENT);
        assert_ptr_equal(order, (char **) 0x41);
}

static void test_kmod_deps_order_rejects_cycles(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = NULL;
        char **order = (char **) 0x41;

        assert_int_equal(kmod_deps_parse("a.ko: b.ko\nb.ko: c.ko\nc.ko: a.ko\n", &d), 0);
        assert_int_equal(kmod_deps_order(d, STRV_MAKE("a"), &order, NULL), -ELOOP);
        assert_ptr_equal(order, (char **) 0x41);
}

static void test_kmod_deps_order_rejects_self_dependency(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = NULL;
        _cleanup_(strv_freep) char **order = NULL;

        assert_int_equal(kmod_deps_parse("a.ko: a.ko\n", &d), 0);
        assert_int_equal(kmod_deps_order(d, STRV_MAKE("a"), &order, NULL), -ELOOP);
}

static void test_kmod_deps_order_fails_on_dependency_without_line(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = NULL;
        _cleanup_(strv_freep) char **order = NULL, **missing = NULL;

        assert_int_equal(kmod_deps_parse("a.ko: gone.ko\n", &d), 0);
        assert_int_equal(kmod_deps_order(d, STRV_MAKE("a"), &order, &missing), -ENOENT);
}

static void test_kmod_deps_order_allows_builtin_dependency(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = NULL;
        _cleanup_(strv_freep) char **order = NULL;

        assert_int_equal(kmod_deps_parse("a.ko: kernel/b.ko\n", &d), 0);
        assert_int_equal(kmod_deps_add_builtin(d, "kernel/b.ko\n"), 0);
        assert_int_equal(kmod_deps_order(d, STRV_MAKE("a"), &order, NULL), 0);
        assert_true(strv_equal(order, STRV_MAKE("a.ko")));
}

static void test_kmod_deps_parse_rejects_malformed_lines(void **state) {
        static const char *const bad[] = {
                "kernel/a.ko kernel/b.ko\n",       /* no colon */
                ": kernel/b.ko\n",                 /* no module */
                "kernel/a.txt:\n",                 /* not a module */
                "kernel/a.ko: kernel/b.txt\n",     /* dependency not a module */
                "kernel/a.ko kernel/c.ko: b.ko\n", /* two modules */
                "kernel/.ko:\n",                   /* empty name */
                "x/a.ko.xz.ko:\n",                 /* not a module name */
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                KmodDeps *d = (KmodDeps *) 0x41;

                print_message("'%s'", bad[i]);
                assert_int_equal(kmod_deps_parse(bad[i], &d), -EBADMSG);
                assert_ptr_equal(d, (KmodDeps *) 0x41);
        }
}

static void test_kmod_deps_parse_rejects_duplicate_modules(void **state) {
        KmodDeps *d = NULL;

        assert_int_equal(kmod_deps_parse("x/a.ko:\ny/a.ko.xz:\n", &d), -ENOTUNIQ);
        assert_null(d);
}

static void test_kmod_deps_parse_accepts_empty_and_blank_text(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = NULL;
        _cleanup_(strv_freep) char **order = NULL, **missing = NULL;

        assert_int_equal(kmod_deps_parse("\n  \n", &d), 0);
        assert_int_equal(kmod_deps_order(d, STRV_MAKE("a"), &order, &missing), 0);
        assert_int_equal(strv_length(order), 0);
        assert_true(strv_equal(missing, STRV_MAKE("a")));
}

static void test_kmod_deps_order_rejects_chains_deeper_than_max(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = NULL;
        _cleanup_(strv_freep) char **order = NULL;
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        for (unsigned i = 0; i < KMOD_DEPS_DEPTH_MAX + 1; i++)
                fprintf(f, "m%u.ko: m%u.ko\n", i, i + 1);
        fprintf(f, "m%u.ko:\n", KMOD_DEPS_DEPTH_MAX + 1);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(kmod_deps_parse(text, &d), 0);
        assert_int_equal(kmod_deps_order(d, STRV_MAKE("m0"), &order, NULL), -ELOOP);
        assert_int_equal(kmod_deps_order(d, STRV_MAKE("m2"), &order, NULL), 0);
        assert_int_equal(strv_length(order), KMOD_DEPS_DEPTH_MAX);
}

static void test_kmod_name_from_path_normalises(void **state) {
        static const struct {
                const char *path, *name;
        } table[] = {
                { "kernel/drivers/char/virtio_console.ko", "virtio_console" },
                { "kernel/arch/x86/crypto/crc32c-intel.ko", "crc32c_intel" },
                { "kernel/net/9p/9pnet_virtio.ko.xz", "9pnet_virtio" },
                { "kernel/fs/ext4/ext4.ko.zst", "ext4" },
                { "kernel/fs/fuse/fuse.ko.gz", "fuse" },
                { "af-packet", "af_packet" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_(freep) char *name = kmod_name_from_path(table[i].path);

                assert_non_null(name);
                assert_string_equal(name, table[i].name);
        }
        assert_null(kmod_name_from_path("kernel/.ko"));
        assert_null(kmod_name_from_path("x/a.ko.xz.ko"));
        assert_null(kmod_name_from_path("x/a b.ko"));
}

static void test_kmod_path_compression_names_suffix(void **state) {
        assert_string_equal(kmod_path_compression("a/b.ko"), "");
        assert_string_equal(kmod_path_compression("a/b.ko.xz"), ".xz");
        assert_string_equal(kmod_path_compression("a/b.ko.zst"), ".zst");
        assert_string_equal(kmod_path_compression("a/b.ko.gz"), ".gz");
        assert_null(kmod_path_compression("a/b.ko.bz2"));
        assert_null(kmod_path_compression("a/b"));
}

static void test_kmod_deps_lookups(void **state) {
        _cleanup_(kmod_deps_freep) KmodDeps *d = parse_sample();

        assert_true(kmod_deps_is_builtin(d, "unix"));
        assert_false(kmod_deps_is_builtin(d, "ext4"));
        assert_string_equal(kmod_deps_get_path(d, "virtio-rng"),
                        "kernel/drivers/char/hw_random/virtio-rng.ko.xz");
        assert_null(kmod_deps_get_path(d, "unix"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kmod_deps_order_puts_dependencies_first),
                cmocka_unit_test(test_kmod_deps_order_lists_shared_dependencies_once),
                cmocka_unit_test(test_kmod_deps_order_accepts_compressed_names_and_dashes),
                cmocka_unit_test(test_kmod_deps_order_skips_builtin_modules),
                cmocka_unit_test(test_kmod_deps_order_reports_unknown_modules_as_missing),
                cmocka_unit_test(test_kmod_deps_order_without_missing_list_fails_on_unknown),
                cmocka_unit_test(test_kmod_deps_order_rejects_cycles),
                cmocka_unit_test(test_kmod_deps_order_rejects_self_dependency),
                cmocka_unit_test(test_kmod_deps_order_fails_on_dependency_without_line),
                cmocka_unit_test(test_kmod_deps_order_allows_builtin_dependency),
                cmocka_unit_test(test_kmod_deps_parse_rejects_malformed_lines),
                cmocka_unit_test(test_kmod_deps_parse_rejects_duplicate_modules),
                cmocka_unit_test(test_kmod_deps_parse_accepts_empty_and_blank_text),
                cmocka_unit_test(test_kmod_deps_order_rejects_chains_deeper_than_max),
                cmocka_unit_test(test_kmod_name_from_path_normalises),
                cmocka_unit_test(test_kmod_path_compression_names_suffix),
                cmocka_unit_test(test_kmod_deps_lookups),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-image-plan.c: tests for src/image/image-plan.c. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image-plan.h"
#include "strv.h"

#define STRV_MAKE(...) ((char *const[]){ __VA_ARGS__, NULL })

static void test_image_plan_pick_kernel_takes_newest_version(void **state) {
        _cleanup_(freep) char *k = NULL;

        assert_int_equal(image_plan_pick_kernel(
                                         STRV_MAKE("config-6.1.0-57-amd64", "vmlinuz-6.1.0-9-amd64",
                                                         "vmlinuz-6.1.0-57-amd64",
                                                         "vmlinuz-6.1.0-58-amd64.old",
                                                         "vmlinuz-6.1.0-59-amd64.dpkg-tmp",
                                                         "System.map-6.1.0-60-amd64"),
                                         &k),
                        0);
        assert_string_equal(k, "vmlinuz-6.1.0-57-amd64");
}

static void test_image_plan_pick_kernel_without_candidates_is_enoent(void **state) {
        char *k = (char *) 0x41;

        assert_int_equal(image_plan_pick_kernel(STRV_MAKE("vmlinuz-", "initrd.img-6.1"), &k),
                        -ENOENT);
        assert_ptr_equal(k, (char *) 0x41);
        assert_int_equal(image_plan_pick_kernel(NULL, &k), -ENOENT);
}

/* A minimal bzImage: setup header magic and a version pointer to `version`. */
static void test_image_plan_init_stage_dest_takes_only_stage_names(void **state) {
        char *dest;

        dest = image_plan_init_stage_dest("10-log.sh");
        assert_string_equal(dest, "lib/vmsilo/init.d/10-log.sh");
        free(dest);
        dest = image_plan_init_stage_dest("00-user.sh");
        assert_string_equal(dest, "lib/vmsilo/init.d/00-user.sh");
        free(dest);
        /* Not stages: editor leftovers, dot files, directories' entries, other suffixes. */
        assert_null(image_plan_init_stage_dest(".sh"));
        assert_null(image_plan_init_stage_dest("."));
        assert_null(image_plan_init_stage_dest(".."));
        assert_null(image_plan_init_stage_dest(".10-log.sh.swp"));
        assert_null(image_plan_init_stage_dest("10-log.sh~"));
        assert_null(image_plan_init_stage_dest("10-log.sh.orig"));
        assert_null(image_plan_init_stage_dest("meson.build"));
        assert_null(image_plan_init_stage_dest("a b.sh"));
        assert_null(image_plan_init_stage_dest("../x.sh"));
}

static void make_bzimage(uint8_t *buf, size_t size, uint16_t pointer, const char *version) {
        memset(buf, 0, size);
        memcpy(buf + 0x202, "HdrS", 4);
        buf[0x20e] = pointer & 0xff;
        buf[0x20f] = pointer >> 8;
        if (version)
                memcpy(buf + 0x200 + pointer, version, strlen(version) + 1);
}

static void test_image_plan_kernel_version_reads_bzimage_header(void **state) {
        uint8_t buf[0x600];
        _cleanup_(freep) char *v = NULL;

        make_bzimage(buf, sizeof(buf), 0x100,
                        "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC");
        assert_int_equal(image_plan_kernel_version(buf, sizeof(buf), &v), 0);
        assert_string_equal(v, "6.1.0-57-amd64");
}

static void test_image_plan_kernel_version_rejects_non_bzimages(void **state) {
        static const struct {
                const char *label;
                size_t size;
                uint16_t pointer;
                const char *version;
                bool magic;
        } table[] = {
                { "too short", 0x200, 0x100, NULL, true },
                { "no HdrS", 0x600, 0x100, "6.1", false },
                { "no version pointer", 0x600, 0, NULL, true },
                { "pointer past the end", 0x600, 0x500, NULL, true },
                { "empty version", 0x600, 0x100, "", true },
                { "slash in version", 0x600, 0x100, "6.1/../x", true },
                { "dot-dot version", 0x600, 0x100, "..", true },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                uint8_t buf[0x600];
                char *v = (char *) 0x41;

                print_message("%s\n", table[i].label);
                make_bzimage(buf, sizeof(buf), table[i].pointer, table[i].version);
                if (!table[i].magic)
                        memset(buf + 0x202, 0, 4);
                assert_int_equal(image_plan_kernel_version(buf, table[i].size, &v), -ENOEXEC);
                assert_ptr_equal(v, (char *) 0x41);
        }
}

static void test_image_plan_kernel_version_stops_at_buffer_end(void **state) {
        uint8_t buf[0x306];
        _cleanup_(freep) char *v = NULL;

        make_bzimage(buf, sizeof(buf), 0x100, NULL);
        memcpy(buf + 0x300, "6.1.0x", 6); /* no terminator before the end */
        assert_int_equal(image_plan_kernel_version(buf, sizeof(buf), &v), 0);
        assert_string_equal(v, "6.1.0x");
}

static void test_image_plan_kernel_version_from_name(void **state) {
        _cleanup_(freep) char *v = NULL;
        char *bad = (char *) 0x41;

        assert_int_equal(image_plan_kernel_version_from_name("vmlinuz-6.1.0-57-amd64", &v), 0);
        assert_string_equal(v, "6.1.0-57-amd64");
        assert_int_equal(image_plan_kernel_version_from_name("bzImage", &bad), -EINVAL);
        assert_int_equal(image_plan_kernel_version_from_name("vmlinuz-", &bad), -EINVAL);
        assert_int_equal(image_plan_kernel_version_from_name("vmlinuz-..", &bad), -EINVAL);
        assert_ptr_equal(bad, (char *) 0x41);
}

/* An ELF64 LE executable with two program headers, the second of type second_type. */
static void make_elf(uint8_t *buf, size_t size, uint32_t second_type) {
        Elf64_Ehdr eh = {
                .e_type = ET_EXEC,
                .e_machine = EM_X86_64,
                .e_version = EV_CURRENT,
                .e_phoff = sizeof(Elf64_Ehdr),
                .e_ehsize = sizeof(Elf64_Ehdr),
                .e_phentsize = sizeof(Elf64_Phdr),
                .e_phnum = 2,
        };
        Elf64_Phdr ph[2] = { { .p_type = PT_LOAD }, { .p_type = second_type } };

        memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS64;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        memset(buf, 0, size);
        memcpy(buf, &eh, sizeof(eh));
        memcpy(buf + sizeof(eh), ph, sizeof(ph));
}

static void test_image_plan_elf_is_static_detects_interpreter(void **state) {
        uint8_t buf[sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr)];

        make_elf(buf, sizeof(buf), PT_NOTE);
        assert_int_equal(image_plan_elf_is_static(buf, sizeof(buf)), 1);
        make_elf(buf, sizeof(buf), PT_INTERP);
        assert_int_equal(image_plan_elf_is_static(buf, sizeof(buf)), 0);
}

static void test_image_plan_elf_is_static_rejects_non_elf_and_truncation(void **state) {
        uint8_t buf[sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr)];

        assert_int_equal(image_plan_elf_is_static((const uint8_t *) "#!/bin/sh\n", 10), -ENOEXEC);
        make_elf(buf, sizeof(buf), PT_NOTE);
        assert_int_equal(image_plan_elf_is_static(buf, sizeof(buf) - 1), -ENOEXEC);
        buf[EI_CLASS] = ELFCLASS32;
        assert_int_equal(image_plan_elf_is_static(buf, sizeof(buf)), -ENOEXEC);
}

static void test_image_plan_applets_parses_and_dedups(void **state) {
        _cleanup_(strv_freep) char **l = NULL;

        assert_int_equal(image_plan_applets("usr/bin/[\nbin/sh\nbin/busybox\nsbin/"
                                            "init\nlinuxrc\nbin/sh\n\n",
                                         &l),
                        0);
        assert_true(strv_equal(l, STRV_MAKE("usr/bin/[", "bin/sh", "sbin/init", "linuxrc")));
}

static void test_image_plan_applets_rejects_paths_outside_bin_dirs(void **state) {
        static const char *const bad[] = {
                "etc/passwd\n",
                "bin/../etc/x\n",
                "/bin/sh\n",
                "usr/bin/sub/x\n",
                "init\n",
                "lib/x\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char **l = (char **) 0x41;

                print_message("'%s'", bad[i]);
                assert_int_equal(image_plan_applets(bad[i], &l), -EBADMSG);
                assert_ptr_equal(l, (char **) 0x41);
        }
}

static void test_image_plan_module_dest_is_flat_and_plain(void **state) {
        _cleanup_(freep) char *a = NULL, *b = NULL;

        a = image_plan_module_dest(
                        "6.1.0-57-amd64", "kernel/drivers/char/hw_random/virtio-rng.ko.xz");
        assert_non_null(a);
        assert_string_equal(a, "lib/modules/6.1.0-57-amd64/virtio_rng.ko");
        b = image_plan_module_dest("6.1", "kernel/fs/ext4/ext4.ko");
        assert_string_equal(b, "lib/modules/6.1/ext4.ko");
        assert_null(image_plan_module_dest("6.1", "kernel/fs/ext4/ext4"));
}

static void test_image_manifest_format_is_stable(void **state) {
        ImageManifest m;
        uint8_t digest[SHA256_DIGEST_SIZE];
        _cleanup_(freep) char *text = NULL;

        image_manifest_init(&m);
        memset(digest, 0xab, sizeof(digest));
        assert_int_equal(image_manifest_set_kernel_version(&m, "6.1.0-57-amd64"), 0);
        assert_int_equal(image_manifest_add(&m, "kernel", "/boot/vmlinuz-6.1.0-57-amd64", digest),
                        0);
        digest[0] = 0x01;
        assert_int_equal(image_manifest_add(&m, "module", "kernel/fs/a b.ko", digest), 0);
        assert_int_equal(image_manifest_format(&m, &text), 0);
        assert_string_equal(text,
                        "vmsilo-image-manifest 2\n"
                        "kernel-version 6.1.0-57-amd64\n"
                        "kernel abababababababababababababababababababababababababababababababab "
                        "/boot/vmlinuz-6.1.0-57-amd64\n"
                        "module 01ababababababababababababababababababababababababababababababab "
                        "kernel/fs/a b.ko\n");
        image_manifest_finish(&m);
}

static void test_image_manifest_add_rejects_line_breaking_fields(void **state) {
        ImageManifest m;
        uint8_t digest[SHA256_DIGEST_SIZE] = {};

        image_manifest_init(&m);
        assert_int_equal(image_manifest_add(&m, "kernel", "/boot/a\nb", digest), -EINVAL);
        assert_int_equal(image_manifest_add(&m, "two words", "/x", digest), -EINVAL);
        assert_int_equal(image_manifest_add(&m, "", "/x", digest), -EINVAL);
        assert_int_equal(image_manifest_add(&m, "kernel", "", digest), -EINVAL);
        assert_int_equal(m.n_inputs, 0);
        image_manifest_finish(&m);
}

static void test_image_manifest_format_needs_kernel_version(void **state) {
        ImageManifest m;
        char *text = (char *) 0x41;

        image_manifest_init(&m);
        assert_int_equal(image_manifest_format(&m, &text), -EINVAL);
        assert_ptr_equal(text, (char *) 0x41);
        assert_int_equal(image_manifest_set_kernel_version(&m, "a/b"), -EINVAL);
        image_manifest_finish(&m);
}

static void test_image_manifest_finish_accepts_initialised_manifest(void **state) {
        ImageManifest m;

        image_manifest_init(&m);
        image_manifest_finish(&m);
        assert_null(m.inputs);
}

static void test_image_plan_needs_rebuild_compares_manifests(void **state) {
        assert_true(image_plan_needs_rebuild(NULL, "a\n"));
        assert_false(image_plan_needs_rebuild("a\n", "a\n"));
        assert_true(image_plan_needs_rebuild("a\n", "b\n"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_image_plan_pick_kernel_takes_newest_version),
                cmocka_unit_test(test_image_plan_init_stage_dest_takes_only_stage_names),
                cmocka_unit_test(test_image_plan_pick_kernel_without_candidates_is_enoent),
                cmocka_unit_test(test_image_plan_kernel_version_reads_bzimage_header),
                cmocka_unit_test(test_image_plan_kernel_version_rejects_non_bzimages),
                cmocka_unit_test(test_image_plan_kernel_version_stops_at_buffer_end),
                cmocka_unit_test(test_image_plan_kernel_version_from_name),
                cmocka_unit_test(test_image_plan_elf_is_static_detects_interpreter),
                cmocka_unit_test(test_image_plan_elf_is_static_rejects_non_elf_and_truncation),
                cmocka_unit_test(test_image_plan_applets_parses_and_dedups),
                cmocka_unit_test(test_image_plan_applets_rejects_paths_outside_bin_dirs),
                cmocka_unit_test(test_image_plan_module_dest_is_flat_and_plain),
                cmocka_unit_test(test_image_manifest_format_is_stable),
                cmocka_unit_test(test_image_manifest_add_rejects_line_breaking_fields),
                cmocka_unit_test(test_image_manifest_format_needs_kernel_version),
                cmocka_unit_test(test_image_manifest_finish_accepts_initialised_manifest),
                cmocka_unit_test(test_image_plan_needs_rebuild_compares_manifests),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

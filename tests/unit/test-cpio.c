/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cpio.c: tests for cpio.c. Archives are parsed back here and, where cpio(1) is installed,
 * listed and extracted by it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "buffer.h"
#include "cpio.h"
#include "macro.h"

typedef struct ParsedEntry {
        char name[256];
        uint32_t ino, mode, uid, gid, nlink, mtime, size, rdev_major, rdev_minor;
        const uint8_t *data;
} ParsedEntry;

static uint32_t hex8(const uint8_t *p) {
        char buf[9];

        memcpy(buf, p, 8);
        buf[8] = '\0';
        return (uint32_t) strtoul(buf, NULL, 16);
}

/* Parses every entry including the trailer; returns the count. */
static size_t parse_archive(const uint8_t *buf, size_t size, ParsedEntry *entries, size_t max) {
        size_t off = 0, n = 0;

        while (off < size) {
                ParsedEntry *e = &entries[n];
                uint32_t name_size;

                assert_true(n < max);
                assert_true(off + CPIO_HEADER_SIZE <= size);
                assert_memory_equal(buf + off, CPIO_NEWC_MAGIC, 6);
                e->ino = hex8(buf + off + 6);
                e->mode = hex8(buf + off + 14);
                e->uid = hex8(buf + off + 22);
                e->gid = hex8(buf + off + 30);
                e->nlink = hex8(buf + off + 38);
                e->mtime = hex8(buf + off + 46);
                e->size = hex8(buf + off + 54);
                e->rdev_major = hex8(buf + off + 78);
                e->rdev_minor = hex8(buf + off + 86);
                name_size = hex8(buf + off + 94);
                assert_int_equal(hex8(buf + off + 102), 0); /* check */
                assert_true(name_size > 0 && name_size <= sizeof(e->name));
                memcpy(e->name, buf + off + CPIO_HEADER_SIZE, name_size);
                assert_int_equal(e->name[name_size - 1], '\0');
                off += CPIO_HEADER_SIZE + name_size;
                off = (off + 3) & ~(size_t) 3;
                e->data = buf + off;
                off += e->size;
                off = (off + 3) & ~(size_t) 3;
                assert_true(off <= size);
                n++;
                if (streq(e->name, CPIO_TRAILER_NAME))
                        break;
        }
        assert_int_equal(off, size);
        return n;
}

static const char file_body[] = "#!/bin/sh\necho hello\n";

/* dir "etc", file "etc/init" (odd size, to exercise padding), symlink "bin", optionally a
 * device "console", then the trailer. */
static void build_sample(Buffer *b, bool with_device) {
        CpioWriter w;

        cpio_writer_init(&w, cpio_buffer_write, b);
        assert_int_equal(cpio_writer_add_directory(&w, "etc", 0755), 0);
        assert_int_equal(cpio_writer_add_file(&w, "etc/init", 0750, file_body, strlen(file_body)),
                        0);
        assert_int_equal(cpio_writer_add_symlink(&w, "bin", "usr/bin"), 0);
        if (with_device)
                assert_int_equal(cpio_writer_add_device(&w, "console", S_IFCHR, 0600, 5, 1), 0);
        assert_int_equal(cpio_writer_finish(&w), 0);
        assert_int_equal(w.size_bytes, buffer_size(b));
}

static void test_cpio_writer_entries_parse_back_with_fixed_metadata(void **state) {
        _cleanup_(buffer_finish) Buffer b = {};
        ParsedEntry e[8];
        size_t n;

        build_sample(&b, true);
        assert_int_equal(buffer_size(&b) % 4, 0);
        n = parse_archive(b.data, buffer_size(&b), e, ELEMENTSOF(e));
        assert_int_equal(n, 5);

        for (size_t i = 0; i < n; i++) {
                assert_int_equal(e[i].uid, 0);
                assert_int_equal(e[i].gid, 0);
                assert_int_equal(e[i].mtime, 0);
        }
        assert_string_equal(e[0].name, "etc");
        assert_int_equal(e[0].mode, S_IFDIR | 0755);
        assert_int_equal(e[0].nlink, 2);
        assert_int_equal(e[0].ino, 1);

        assert_string_equal(e[1].name, "etc/init");
        assert_int_equal(e[1].mode, S_IFREG | 0750);
        assert_int_equal(e[1].size, strlen(file_body));
        assert_memory_equal(e[1].data, file_body, strlen(file_body));
        assert_int_equal(e[1].ino, 2);

        assert_string_equal(e[2].name, "bin");
        assert_int_equal(e[2].mode, S_IFLNK | 0777);
        assert_int_equal(e[2].size, strlen("usr/bin"));
        assert_memory_equal(e[2].data, "usr/bin", strlen("usr/bin"));

        assert_string_equal(e[3].name, "console");
        assert_int_equal(e[3].mode, S_IFCHR | 0600);
        assert_int_equal(e[3].rdev_major, 5);
        assert_int_equal(e[3].rdev_minor, 1);
        assert_int_equal(e[3].size, 0);

        assert_string_equal(e[4].name, CPIO_TRAILER_NAME);
        assert_int_equal(e[4].ino, 0);
}

static void test_cpio_writer_output_is_reproducible(void **state) {
        _cleanup_(buffer_finish) Buffer a = {}, b = {};

        build_sample(&a, true);
        build_sample(&b, true);
        assert_int_equal(buffer_size(&a), buffer_size(&b));
        assert_memory_equal(a.data, b.data, buffer_size(&a));
}

static void test_cpio_path_is_valid_table(void **state) {
        static const struct {
                const char *path;
                bool valid;
        } table[] = {
                { "init", true },
                { "dev/console", true },
                { "usr/bin/[", true },
                { "a/.hidden/b", true },
                { "", false },
                { "/init", false },
                { "dev/", false },
                { "dev//console", false },
                { ".", false },
                { "..", false },
                { "a/../b", false },
                { "a/./b", false },
                { "a/..", false },
        };

        assert_false(cpio_path_is_valid(NULL));
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                print_message("'%s'\n", table[i].path);
                assert_int_equal(cpio_path_is_valid(table[i].path), table[i].valid);
        }
}

static void test_cpio_writer_rejects_bad_entries_without_writing(void **state) {
        _cleanup_(buffer_finish) Buffer b = {};
        CpioWriter w;

        cpio_writer_init(&w, cpio_buffer_write, &b);
        assert_int_equal(cpio_writer_add_directory(&w, "/abs", 0755), -EINVAL);
        assert_int_equal(cpio_writer_add_directory(&w, "d", 010755), -EINVAL);
        assert_int_equal(cpio_writer_add_file(&w, "f", 0644, NULL, 3), -EINVAL);
        assert_int_equal(cpio_writer_add_symlink(&w, "l", ""), -EINVAL);
        assert_int_equal(cpio_writer_add_device(&w, "d", S_IFREG, 0600, 1, 3), -EINVAL);
        assert_int_equal(buffer_size(&b), 0);
        assert_int_equal(w.next_ino, 1);
}

static void test_cpio_writer_rejects_entries_after_finish(void **state) {
        _cleanup_(buffer_finish) Buffer b = {};
        CpioWriter w;
        size_t size;

        cpio_writer_init(&w, cpio_buffer_write, &b);
        assert_int_equal(cpio_writer_finish(&w), 0);
        size = buffer_size(&b);
        assert_int_equal(cpio_writer_add_directory(&w, "late", 0755), -ESTALE);
        assert_int_equal(cpio_writer_finish(&w), -ESTALE);
        assert_int_equal(buffer_size(&b), size);
}

static int write_fails_after_200(const void *data, size_t size, void *userdata) {
        size_t *written = userdata;

        if (*written + size > 200)
                return -EIO;
        *written += size;
        return 0;
}

static void test_cpio_writer_returns_callback_error(void **state) {
        static const uint8_t big[1024];
        size_t written = 0;
        CpioWriter w;

        cpio_writer_init(&w, write_fails_after_200, &written);
        assert_int_equal(cpio_writer_add_directory(&w, "d", 0755), 0);
        assert_int_equal(cpio_writer_add_file(&w, "d/big", 0644, big, sizeof(big)), -EIO);
}

static int run_shell(const char *command) {
        int status = system(command);

        assert_int_not_equal(status, -1);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool cpio_tool_exists(void) {
        return run_shell("command -v cpio >/dev/null 2>&1") == 0;
}

typedef struct TempDir {
        char path[64];
} TempDir;

static int temp_dir_setup(void **state) {
        TempDir *t = calloc(1, sizeof(*t));

        if (!t)
                return -1;
        strcpy(t->path, "/tmp/test-cpio-XXXXXX");
        if (!mkdtemp(t->path)) {
                free(t);
                return -1;
        }
        *state = t;
        return 0;
}

static int temp_dir_teardown(void **state) {
        TempDir *t = *state;
        char command[128];

        (void) snprintf(command, sizeof(command), "rm -rf '%s'", t->path);
        (void) run_shell(command);
        free(t);
        return 0;
}

static void write_archive(const char *dir, bool with_device, char *ret_path, size_t size) {
        _cleanup_(buffer_finish) Buffer b = {};
        FILE *f;

        build_sample(&b, with_device);
        (void) snprintf(ret_path, size, "%s/sample.cpio", dir);
        f = fopen(ret_path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(b.data, 1, buffer_size(&b), f), buffer_size(&b));
        assert_int_equal(fclose(f), 0);
}

static void test_cpio_tool_lists_every_entry(void **state) {
        TempDir *t = *state;
        char archive[128], command[512], listing[256] = "";
        FILE *p;
        size_t n;

        if (!cpio_tool_exists())
                skip();
        write_archive(t->path, true, archive, sizeof(archive));
        (void) snprintf(command, sizeof(command), "cpio -it --quiet < '%s'", archive);
        p = popen(command, "r");
        assert_non_null(p);
        n = fread(listing, 1, sizeof(listing) - 1, p);
        listing[n] = '\0';
        assert_int_equal(pclose(p), 0);
        assert_string_equal(listing, "etc\netc/init\nbin\nconsole\n");
}

static void test_cpio_tool_extracts_contents_and_modes(void **state) {
        TempDir *t = *state;
        char archive[128], command[512], path[256], target[64] = "", body[64] = "";
        struct stat st;
        FILE *f;
        ssize_t n;

        if (!cpio_tool_exists())
                skip();
        /* No device node: extracting one needs CAP_MKNOD, which a test must not assume. */
        write_archive(t->path, false, archive, sizeof(archive));
        (void) snprintf(command, sizeof(command),
                        "cd '%s' && mkdir out && cd out && cpio -idm --quiet < '%s'", t->path,
                        archive);
        assert_int_equal(run_shell(command), 0);

        (void) snprintf(path, sizeof(path), "%s/out/etc", t->path);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISDIR(st.st_mode));

        (void) snprintf(path, sizeof(path), "%s/out/etc/init", t->path);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        assert_int_equal(st.st_mtime, 0);
        f = fopen(path, "re");
        assert_non_null(f);
        assert_int_equal(fread(body, 1, sizeof(body) - 1, f), strlen(file_body));
        assert_int_equal(fclose(f), 0);
        assert_string_equal(body, file_body);

        (void) snprintf(path, sizeof(path), "%s/out/bin", t->path);
        n = readlink(path, target, sizeof(target) - 1);
        assert_int_equal(n, strlen("usr/bin"));
        assert_string_equal(target, "usr/bin");
}

static void test_cpio_buffer_write_appends_in_order(void **state) {
        _cleanup_(buffer_finish) Buffer b = {};

        assert_int_equal(cpio_buffer_write("0707", 4, &b), 0);
        assert_int_equal(cpio_buffer_write("01", 2, &b), 0);
        assert_int_equal(buffer_size(&b), 6);
        assert_memory_equal(b.data + b.start, "070701", 6);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cpio_writer_entries_parse_back_with_fixed_metadata),
                cmocka_unit_test(test_cpio_writer_output_is_reproducible),
                cmocka_unit_test(test_cpio_path_is_valid_table),
                cmocka_unit_test(test_cpio_writer_rejects_bad_entries_without_writing),
                cmocka_unit_test(test_cpio_writer_rejects_entries_after_finish),
                cmocka_unit_test(test_cpio_writer_returns_callback_error),
                cmocka_unit_test_setup_teardown(test_cpio_tool_lists_every_entry, temp_dir_setup,
                                temp_dir_teardown),
                cmocka_unit_test_setup_teardown(test_cpio_tool_extracts_contents_and_modes,
                                temp_dir_setup, temp_dir_teardown),
                cmocka_unit_test(test_cpio_buffer_write_appends_in_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

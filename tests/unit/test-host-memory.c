/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-host-memory.c: /proc/meminfo and PSI parsing, and the readers on temp files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "host-memory.h"
#include "macro.h"

static const char meminfo[] = "MemTotal:       24683432 kB\n"
                              "MemFree:        22506300 kB\n"
                              "MemAvailable:   23365588 kB\n"
                              "Buffers:          112188 kB\n";

static void test_meminfo_gives_total_and_available_in_bytes(void **state) {
        HostMemory m;

        assert_int_equal(host_memory_parse(meminfo, &m), 0);
        assert_int_equal(m.total_bytes, UINT64_C(24683432) * 1024);
        assert_int_equal(m.available_bytes, UINT64_C(23365588) * 1024);
}

static void test_meminfo_without_available_is_rejected(void **state) {
        HostMemory m = { .total_bytes = 65 };

        assert_int_equal(host_memory_parse("MemTotal: 100 kB\nMemFree: 5 kB\n", &m), -EBADMSG);
        assert_int_equal(m.total_bytes, 65);
}

static void test_meminfo_prefix_of_another_key_does_not_match(void **state) {
        HostMemory m;

        assert_int_equal(host_memory_parse("MemTotalX: 1 kB\nMemAvailable: 2 kB\n", &m), -EBADMSG);
}

static void test_meminfo_bad_numbers_are_rejected(void **state) {
        static const char *const bad[] = {
                "MemTotal: x kB\nMemAvailable: 2 kB\n",
                "MemTotal: 1 MB\nMemAvailable: 2 kB\n",
                "MemTotal: 99999999999999999999 kB\nMemAvailable: 2 kB\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                HostMemory m;
                if (host_memory_parse(bad[i], &m) != -EBADMSG)
                        fail_msg("case %zu accepted", i);
        }
}

static void test_psi_some_line_is_parsed(void **state) {
        HostPressure p;

        assert_int_equal(host_pressure_parse("some avg10=12.34 avg60=0.00 avg300=0.00 total=987\n"
                                             "full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n",
                                         &p),
                        0);
        assert_int_equal(p.some_avg10_centi, 1234);
        assert_int_equal(p.some_total_usec, 987);
}

static void test_psi_without_some_line_is_rejected(void **state) {
        HostPressure p;

        assert_int_equal(
                        host_pressure_parse("full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n", &p),
                        -EBADMSG);
        assert_int_equal(host_pressure_parse("some avg10=101.00 avg60=0 avg300=0 total=5\n", &p),
                        -EBADMSG);
}

static void test_readers_use_the_given_path(void **state) {
        char path[] = "/tmp/test-host-memory-XXXXXX";
        int fd = mkstemp(path);
        HostMemory m;
        HostPressure p;

        assert_true(fd >= 0);
        assert_int_equal(write(fd, meminfo, sizeof(meminfo) - 1), (ssize_t) sizeof(meminfo) - 1);
        close(fd);
        assert_int_equal(host_memory_acquire(path, &m), 0);
        assert_int_equal(m.available_bytes, UINT64_C(23365588) * 1024);
        assert_int_equal(host_pressure_acquire(path, &p), -EBADMSG);
        unlink(path);
        assert_int_equal(host_memory_acquire(path, &m), -ENOENT);
}

static void test_trigger_on_an_ordinary_file_is_refused_and_leaves_it_alone(void **state) {
        char path[] = "/tmp/test-host-memory-XXXXXX";
        int fd = mkstemp(path), trigger = -EBADF;
        struct stat st;

        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(host_pressure_trigger_open(path, 50000, 500000, &trigger), -EOPNOTSUPP);
        assert_int_equal(trigger, -EBADF);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, 0);
        unlink(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_meminfo_gives_total_and_available_in_bytes),
                cmocka_unit_test(test_meminfo_without_available_is_rejected),
                cmocka_unit_test(test_meminfo_prefix_of_another_key_does_not_match),
                cmocka_unit_test(test_meminfo_bad_numbers_are_rejected),
                cmocka_unit_test(test_psi_some_line_is_parsed),
                cmocka_unit_test(test_psi_without_some_line_is_rejected),
                cmocka_unit_test(test_readers_use_the_given_path),
                cmocka_unit_test(test_trigger_on_an_ordinary_file_is_refused_and_leaves_it_alone),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

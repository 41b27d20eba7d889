/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-accel.c: the KVM-or-TCG decision and the cpuinfo flag reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "accel.h"

static const AccelProbe kvm_ok = { .kvm_openable = true, .cpu_has_virt = true };
static const AccelProbe kvm_paravirt = { .kvm_openable = true, .cpu_has_virt = false };
static const AccelProbe kvm_missing = { .kvm_openable = false, .cpu_has_virt = true };

static void test_accel_cpuinfo_finds_vmx_and_svm_as_whole_words(void **state) {
        assert_true(accel_cpuinfo_has_virt("processor\t: 0\nflags\t\t: fpu vme vmx sse\n"));
        assert_true(accel_cpuinfo_has_virt("flags\t\t: svm\n"));
        assert_false(accel_cpuinfo_has_virt("flags\t\t: fpu vmxx sse hypervisor\n"));
        assert_false(accel_cpuinfo_has_virt("model name\t: vmx svm\nflags\t\t: fpu\n"));
        assert_false(accel_cpuinfo_has_virt(""));
}

static void test_accel_cpuinfo_reads_the_clock_in_khz(void **state) {
        assert_int_equal(accel_cpuinfo_khz("processor\t: 0\ncpu MHz\t\t: 2096.005\n"), 2096005);
        assert_int_equal(accel_cpuinfo_khz("cpu MHz\t\t: 3000\ncpu MHz\t\t: 1200.000\n"), 3000000);
        assert_int_equal(accel_cpuinfo_khz("flags\t: fpu\n"), 0);
        assert_int_equal(accel_cpuinfo_khz("cpu MHz\t\t: garbage\n"), 0);
}

static void test_accel_auto_picks_kvm_only_when_it_really_works(void **state) {
        AccelKind got = _ACCEL_KIND_INVALID;
        const char *why = NULL;

        assert_int_equal(accel_choose(ACCEL_AUTO, NULL, &kvm_ok, &got, &why), 0);
        assert_int_equal(got, ACCEL_KVM);
        assert_int_equal(accel_choose(ACCEL_AUTO, NULL, &kvm_paravirt, &got, &why), 0);
        assert_int_equal(got, ACCEL_TCG);
        assert_non_null(strstr(why, "vmx/svm"));
        assert_int_equal(accel_choose(ACCEL_AUTO, NULL, &kvm_missing, &got, &why), 0);
        assert_int_equal(got, ACCEL_TCG);
        assert_non_null(strstr(why, "/dev/kvm"));
}

static void test_accel_environment_overrides_the_config(void **state) {
        AccelKind got = _ACCEL_KIND_INVALID;
        const char *why = NULL;

        assert_int_equal(accel_choose(ACCEL_KVM, "tcg", &kvm_ok, &got, &why), 0);
        assert_int_equal(got, ACCEL_TCG);
        assert_int_equal(accel_choose(ACCEL_TCG, "", &kvm_ok, &got, &why), 0);
        assert_int_equal(got, ACCEL_TCG);
}

static void test_accel_explicit_kvm_without_kvm_is_an_error(void **state) {
        AccelKind got = ACCEL_AUTO;
        const char *why = NULL;

        assert_int_equal(accel_choose(ACCEL_KVM, NULL, &kvm_paravirt, &got, &why), -EOPNOTSUPP);
        assert_int_equal(got, ACCEL_AUTO);
        assert_int_equal(accel_choose(ACCEL_TCG, "kvm", &kvm_missing, &got, &why), -EOPNOTSUPP);
        assert_int_equal(got, ACCEL_AUTO);
}

static void test_accel_bad_environment_value_is_refused(void **state) {
        AccelKind got = ACCEL_AUTO;
        const char *why = NULL;

        assert_int_equal(accel_choose(ACCEL_AUTO, "xen", &kvm_ok, &got, &why), -EINVAL);
        assert_non_null(strstr(why, "VMSILO_ACCEL"));
        assert_int_equal(got, ACCEL_AUTO);
}

static void test_accel_probe_reads_cpuinfo_and_device(void **state) {
        char path[] = "/tmp/test-accel-XXXXXX";
        int fd = mkstemp(path);
        AccelProbe p;

        assert_true(fd >= 0);
        const char *text = "flags\t: fpu svm\ncpu MHz\t: 1000.5\n";
        assert_true(write(fd, text, strlen(text)) == (ssize_t) strlen(text));
        close(fd);
        assert_int_equal(accel_probe(path, "/nonexistent/kvm", &p), 0);
        assert_true(p.cpu_has_virt);
        assert_false(p.kvm_openable);
        assert_int_equal(p.tsc_khz, 1000500);
        unlink(path);
        assert_int_equal(accel_probe("/nonexistent/cpuinfo", "/dev/null", &p), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accel_cpuinfo_finds_vmx_and_svm_as_whole_words),
                cmocka_unit_test(test_accel_cpuinfo_reads_the_clock_in_khz),
                cmocka_unit_test(test_accel_auto_picks_kvm_only_when_it_really_works),
                cmocka_unit_test(test_accel_environment_overrides_the_config),
                cmocka_unit_test(test_accel_explicit_kvm_without_kvm_is_an_error),
                cmocka_unit_test(test_accel_bad_environment_value_is_refused),
                cmocka_unit_test(test_accel_probe_reads_cpuinfo_and_device),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

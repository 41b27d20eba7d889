/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-host-services.c: which host services a guest may open streams to, and the per-VM cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "host-services.h"
#include "macro.h"

static void test_wayland_follows_gpu(void **state) {
        VmConfig vm = { .gpu.enabled = true };

        assert_true(host_service_is_enabled(&vm, "wayland"));
        vm.gpu.enabled = false;
        assert_false(host_service_is_enabled(&vm, "wayland"));
}

static void test_tray_follows_the_tray_switch(void **state) {
        VmConfig vm = { .tray = true };
        char *s = NULL;

        assert_true(host_service_is_enabled(&vm, "tray"));
        assert_int_equal(host_services_format(&vm, &s), 0);
        assert_string_equal(s, "tray");
        free(s);
        vm.gpu.enabled = true;
        assert_int_equal(host_services_format(&vm, &s), 0);
        assert_string_equal(s, "wayland,tray");
        free(s);
        vm.tray = false;
        assert_false(host_service_is_enabled(&vm, "tray"));
}

static void test_unknown_services_are_never_enabled(void **state) {
        VmConfig vm = { .gpu.enabled = true, .sound.enabled = true };

        assert_false(host_service_is_enabled(&vm, NULL));
        assert_false(host_service_is_enabled(&vm, ""));
        assert_false(host_service_is_enabled(&vm, "Wayland"));
        assert_false(host_service_is_enabled(&vm, "wayland "));
        assert_false(host_service_is_enabled(&vm, "exec"));
        assert_false(host_service_is_enabled(&vm, "../wayland"));
        vm.tray = true;
        assert_false(host_service_is_enabled(&vm, "Tray"));
        assert_false(host_service_is_enabled(&vm, "tray/"));
}

static void test_check_open_refuses_disabled_services(void **state) {
        VmConfig vm = { .gpu.enabled = false };
        const char *reason = NULL;

        assert_int_equal(host_service_check_open(&vm, "wayland", 0, &reason), -EACCES);
        assert_string_equal(reason, "service not enabled for this VM");
        assert_int_equal(host_service_check_open(&vm, "tray", 0, &reason), -EACCES);
}

static void test_check_open_caps_streams_per_vm(void **state) {
        VmConfig vm = { .gpu.enabled = true };
        const char *reason = "x";

        assert_int_equal(host_service_check_open(&vm, "wayland", 0, &reason), 0);
        assert_null(reason);
        assert_int_equal(host_service_check_open(
                                         &vm, "wayland", HOST_SERVICE_STREAMS_MAX - 1, &reason),
                        0);
        assert_int_equal(host_service_check_open(&vm, "wayland", HOST_SERVICE_STREAMS_MAX, &reason),
                        -EMFILE);
        assert_string_equal(reason, "too many guest-opened streams");
        /* The service check comes first: a disabled service is refused as such even when full. */
        vm.gpu.enabled = false;
        assert_int_equal(host_service_check_open(&vm, "wayland", HOST_SERVICE_STREAMS_MAX, &reason),
                        -EACCES);
}

static void test_format_lists_enabled_services(void **state) {
        VmConfig vm = { .gpu.enabled = true };
        char *s = NULL;

        assert_int_equal(host_services_format(&vm, &s), 0);
        assert_string_equal(s, "wayland");
        free(s);
        vm.gpu.enabled = false;
        s = (char *) "untouched";
        assert_int_equal(host_services_format(&vm, &s), 0);
        assert_null(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wayland_follows_gpu),
                cmocka_unit_test(test_tray_follows_the_tray_switch),
                cmocka_unit_test(test_unknown_services_are_never_enabled),
                cmocka_unit_test(test_check_open_refuses_disabled_services),
                cmocka_unit_test(test_check_open_caps_streams_per_vm),
                cmocka_unit_test(test_format_lists_enabled_services),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

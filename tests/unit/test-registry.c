/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-registry.c: only allowlisted globals are shown, capped, and only they can be bound. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "registry.h"
#include "wayland-server-protocol.h"

static void test_registry_allowlist_stays_within_the_tables(void **state) {
        const RegistryAllowed *a;
        size_t n;

        a = registry_allowlist(&n);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
                assert_true(a[i].version_max >= 1);
                assert_true(a[i].version_max <= (uint32_t) a[i].interface->version);
        }
}

static void test_registry_allowlist_holds_windows_and_nothing_of_the_desktop(void **state) {
        static const char *const shown[] = { "wl_compositor", "wl_subcompositor", "wl_shm",
                "wl_seat", "wl_output", "xdg_wm_base", "zxdg_decoration_manager_v1",
                "wp_viewporter", "wl_data_device_manager" };
        static const char *const hidden[] = { "zwlr_screencopy_manager_v1",
                "ext_image_copy_capture_manager_v1", "zwlr_layer_shell_v1",
                "zwp_virtual_keyboard_manager_v1", "zwlr_virtual_pointer_manager_v1",
                "zwlr_foreign_toplevel_manager_v1", "zwlr_data_control_manager_v1",
                "zwp_input_method_manager_v2", "ext_session_lock_manager_v1", "xdg_activation_v1",
                "zwp_primary_selection_device_manager_v1", "wl_shell", "wl_display", "wl_registry",
                "wl_surface", "" };

        for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
                assert_non_null(registry_allowed_find(shown[i]));
        for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
                assert_null(registry_allowed_find(hidden[i]));
}

static void test_registry_shows_allowed_globals_capped(void **state) {
        Registry r = {};
        uint32_t v = 0;

        assert_int_equal(registry_global(&r, 1, "wl_compositor", 6, &v), 1);
        assert_int_equal(v, 5);
        assert_int_equal(registry_global(&r, 2, "wl_seat", 7, &v), 1);
        assert_int_equal(v, 7);
        assert_int_equal(registry_global(&r, 3, "zwlr_layer_shell_v1", 4, &v), 0);
        assert_int_equal(registry_global(&r, 4, "wl_shm", 0, &v), 0);
        assert_int_equal(registry_global_remove(&r, 1), 1);
        assert_int_equal(registry_global_remove(&r, 3), 0);
        assert_int_equal(registry_global_remove(&r, 99), 0);
        registry_finish(&r);
}

static void test_registry_binds_only_shown_names_at_shown_versions(void **state) {
        const struct wl_interface *i = NULL;
        Registry r = {};
        uint32_t v;

        assert_int_equal(registry_global(&r, 1, "wl_compositor", 4, &v), 1);
        assert_int_equal(registry_global(&r, 2, "zwlr_screencopy_manager_v1", 3, &v), 0);
        assert_int_equal(registry_bind(&r, 1, "wl_compositor", 4, &i), 0);
        assert_ptr_equal(i, &wl_compositor_interface);
        assert_int_equal(registry_bind(&r, 1, "wl_compositor", 5, &i), -ERANGE);
        assert_int_equal(registry_bind(&r, 1, "wl_compositor", 0, &i), -ERANGE);
        assert_int_equal(registry_bind(&r, 1, "wl_shm", 1, &i), -EPERM);
        assert_int_equal(registry_bind(&r, 1, NULL, 1, &i), -EPERM);
        assert_int_equal(registry_bind(&r, 2, "zwlr_screencopy_manager_v1", 1, &i), -EPERM);
        assert_int_equal(registry_bind(&r, 7, "wl_compositor", 1, &i), -EPERM);
        registry_finish(&r);
}

static void test_registry_keeps_one_entry_per_name_and_a_cap(void **state) {
        Registry r = {};
        uint32_t v;

        assert_int_equal(registry_global(&r, 1, "wl_output", 4, &v), 1);
        assert_int_equal(registry_global(&r, 1, "wl_output", 4, &v), 1);
        assert_int_equal(r.n_globals, 1);
        for (uint32_t name = 2; name <= REGISTRY_GLOBALS_MAX; name++)
                assert_true(registry_global(&r, name, "wl_output", 4, &v) >= 0);
        assert_int_equal(
                        registry_global(&r, REGISTRY_GLOBALS_MAX + 1, "wl_output", 4, &v), -EMFILE);
        registry_finish(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_registry_allowlist_stays_within_the_tables),
                cmocka_unit_test(test_registry_allowlist_holds_windows_and_nothing_of_the_desktop),
                cmocka_unit_test(test_registry_shows_allowed_globals_capped),
                cmocka_unit_test(test_registry_binds_only_shown_names_at_shown_versions),
                cmocka_unit_test(test_registry_keeps_one_entry_per_name_and_a_cap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

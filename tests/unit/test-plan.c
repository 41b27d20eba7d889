/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-plan.c: the LaunchPlan builders shared by both VMM plans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "plan.h"

static void test_plan_fd_targets_are_fixed(void **state) {
        assert_int_equal(plan_fd_target(PLAN_FD_ROLE_QMP, 0), 3);
        assert_int_equal(plan_fd_target(PLAN_FD_ROLE_AGENT, 0), 4);
        assert_int_equal(plan_fd_target(PLAN_FD_ROLE_CONSOLE, 0), 5);
        assert_int_equal(plan_fd_target(PLAN_FD_ROLE_BALLOON_QMP, 0), 6);
        assert_int_equal(plan_fd_target(PLAN_FD_ROLE_TAP, 0), 7);
        assert_int_equal(plan_fd_target(PLAN_FD_ROLE_TAP, CONFIG_INTERFACES_MAX - 1),
                        7 + CONFIG_INTERFACES_MAX - 1);
        assert_int_equal(plan_fd_target(_PLAN_FD_ROLE_MAX, 0), -EINVAL);
}

static void test_plan_fd_role_names_round_trip_table(void **state) {
        for (PlanFdRole r = 0; r < _PLAN_FD_ROLE_MAX; r++)
                assert_non_null(plan_fd_role_to_string(r));
        assert_null(plan_fd_role_to_string(_PLAN_FD_ROLE_MAX));
        assert_null(plan_fd_role_to_string(_PLAN_FD_ROLE_INVALID));
}

static void test_plan_add_fd_keeps_ascending_order(void **state) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;

        assert_int_equal(plan_new(&p), 0);
        assert_int_equal(plan_add_fd(p, PLAN_FD_ROLE_TAP, 1), 8);
        assert_int_equal(plan_add_fd(p, PLAN_FD_ROLE_QMP, 0), 3);
        assert_int_equal(plan_add_fd(p, PLAN_FD_ROLE_CONSOLE, 0), 5);
        assert_int_equal(p->n_fds, 3);
        assert_int_equal(p->fds[0].target_fd, 3);
        assert_int_equal(p->fds[1].target_fd, 5);
        assert_int_equal(p->fds[2].target_fd, 8);
        assert_int_equal(p->fds[2].index, 1);
}

static void test_plan_add_path_records_each_path_once(void **state) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;

        assert_int_equal(plan_new(&p), 0);
        assert_int_equal(plan_add_path(p, "/img/a", false), 0);
        assert_int_equal(plan_add_path(p, "/img/b", true), 0);
        /* A second, writing use makes it writable; a later read-only one does not undo that. */
        assert_int_equal(plan_add_path(p, "/img/a", true), 0);
        assert_int_equal(plan_add_path(p, "/img/a", false), 0);
        assert_int_equal(p->n_paths, 2);
        assert_string_equal(p->paths[0].path, "/img/a");
        assert_true(p->paths[0].writable);
        assert_string_equal(p->paths[1].path, "/img/b");
        assert_true(p->paths[1].writable);
}

static void test_plan_is_contained_from_the_start(void **state) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;

        assert_int_equal(plan_new(&p), 0);
        assert_true(p->contained);
}

static void test_plan_add_path_from_keeps_where_and_whence(void **state) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;

        assert_int_equal(plan_new(&p), 0);
        assert_int_equal(plan_add_path_from(p, "/sys/bus/pci/devices/0000:01:00.0",
                                         "/fake/sys/bus/pci/devices/0000:01:00.0", false),
                        0);
        /* A source equal to the path is no source. */
        assert_int_equal(plan_add_path_from(p, "/img/a", "/img/a", true), 0);
        assert_int_equal(p->n_paths, 2);
        assert_string_equal(p->paths[0].source, "/fake/sys/bus/pci/devices/0000:01:00.0");
        assert_false(p->paths[0].writable);
        assert_false(p->paths[0].device);
        assert_null(p->paths[1].source);
}

static void test_plan_device_is_allowed_only_for_vfio_and_vsock(void **state) {
        static const char *const allowed[] = { "/dev/vfio/vfio", "/dev/vfio/0", "/dev/vfio/17",
                "/dev/vhost-vsock" };
        static const char *const refused[] = { "/dev/vfio/", "/dev/vfio/1a", "/dev/vfio/../sda",
                "/dev/vfio/1/x", "/dev/vfio/vfio2", "/dev/vfio", "/dev/mem", "/dev/sda",
                "/dev/net/tun", "/dev/kvm", "/dev/fuse", "/dev/vhost-net", "/dev/vhost-vsock2",
                "/tmp/dev/vfio/1", "dev/vfio/1", "" };

        for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                assert_true(plan_device_is_allowed(allowed[i]));
        for (size_t i = 0; i < ELEMENTSOF(refused); i++)
                assert_false(plan_device_is_allowed(refused[i]));
}

static void test_plan_add_device_refuses_other_nodes(void **state) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;

        assert_int_equal(plan_new(&p), 0);
        assert_int_equal(plan_add_device(p, "/dev/vfio/3", "/fake/dev/vfio/3"), 0);
        assert_int_equal(plan_add_device(p, "/dev/vfio/3", "/fake/dev/vfio/3"), 0);
        assert_int_equal(plan_add_device(p, "/dev/sda", NULL), -EPERM);
        assert_int_equal(plan_add_device(p, "/dev/vfio/../mem", NULL), -EPERM);
        /* A path already shown nodev does not become a device by a second use. */
        assert_int_equal(plan_add_path(p, "/dev/vhost-vsock", false), 0);
        assert_int_equal(plan_add_device(p, "/dev/vhost-vsock", NULL), -EEXIST);
        assert_int_equal(p->n_paths, 2);
        assert_true(p->paths[0].device);
        assert_true(p->paths[0].writable);
        assert_string_equal(p->paths[0].source, "/fake/dev/vfio/3");
        assert_false(p->paths[1].device);
}

static void test_plan_append_keeps_argv_null_terminated(void **state) {
        _cleanup_(plan_freep) LaunchPlan *p = NULL;

        assert_int_equal(plan_new(&p), 0);
        assert_int_equal(p->n_argv, 0);
        assert_null(p->argv[0]);
        assert_int_equal(plan_append(p, "a"), 0);
        assert_int_equal(plan_appendf(p, "-%s-%d", "b", 2), 0);
        assert_int_equal(plan_append_strv(p, (char *const[]){ "c", "d", NULL }), 0);
        assert_int_equal(p->n_argv, 4);
        assert_string_equal(p->argv[1], "-b-2");
        assert_string_equal(p->argv[3], "d");
        assert_null(p->argv[4]);
}

static void test_plan_extendf_separates_only_non_empty(void **state) {
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(plan_extendf(&s, ",", "a=%d", 1), 0);
        assert_string_equal(s, "a=1");
        assert_int_equal(plan_extendf(&s, ",", "b"), 0);
        assert_string_equal(s, "a=1,b");
        assert_int_equal(plan_extendf(&s, NULL, "c"), 0);
        assert_string_equal(s, "a=1,bc");
}

static void test_plan_format_mac_is_lowercase_colon_separated(void **state) {
        char buf[PLAN_MAC_STRING_MAX];
        const uint8_t mac[6] = { 0x02, 0xAB, 0x00, 0x10, 0xff, 0x9 };

        assert_string_equal(plan_format_mac(mac, buf), "02:ab:00:10:ff:09");
}

static void test_plan_parse_bool_accepts_only_json_spellings(void **state) {
        assert_int_equal(plan_parse_bool("true"), 1);
        assert_int_equal(plan_parse_bool("false"), 0);
        assert_int_equal(plan_parse_bool("on"), -EINVAL);
        assert_int_equal(plan_parse_bool("1"), -EINVAL);
        assert_int_equal(plan_parse_bool(""), -EINVAL);
        assert_int_equal(plan_parse_bool(NULL), -EINVAL);
}

static void test_plan_shared_dir_type_knows_crosvm_spellings(void **state) {
        static const struct {
                const char *s;
                PlanSharedDirType t;
        } table[] = {
                { "fs", PLAN_SHARED_DIR_FS },
                { "FS", PLAN_SHARED_DIR_FS },
                { "p9", PLAN_SHARED_DIR_9P },
                { "9p", PLAN_SHARED_DIR_9P },
                { "9P", PLAN_SHARED_DIR_9P },
                { "P9", PLAN_SHARED_DIR_9P },
                { "virtiofs", _PLAN_SHARED_DIR_TYPE_INVALID },
                { "", _PLAN_SHARED_DIR_TYPE_INVALID },
                { NULL, _PLAN_SHARED_DIR_TYPE_INVALID },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                assert_int_equal(plan_shared_dir_type_from_string(table[i].s), table[i].t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan_fd_targets_are_fixed),
                cmocka_unit_test(test_plan_fd_role_names_round_trip_table),
                cmocka_unit_test(test_plan_add_fd_keeps_ascending_order),
                cmocka_unit_test(test_plan_append_keeps_argv_null_terminated),
                cmocka_unit_test(test_plan_add_path_records_each_path_once),
                cmocka_unit_test(test_plan_is_contained_from_the_start),
                cmocka_unit_test(test_plan_add_path_from_keeps_where_and_whence),
                cmocka_unit_test(test_plan_device_is_allowed_only_for_vfio_and_vsock),
                cmocka_unit_test(test_plan_add_device_refuses_other_nodes),
                cmocka_unit_test(test_plan_extendf_separates_only_non_empty),
                cmocka_unit_test(test_plan_format_mac_is_lowercase_colon_separated),
                cmocka_unit_test(test_plan_parse_bool_accepts_only_json_spellings),
                cmocka_unit_test(test_plan_shared_dir_type_knows_crosvm_spellings),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

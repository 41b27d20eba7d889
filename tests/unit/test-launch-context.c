/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-launch-context.c: the one LaunchContext vmsilod, `vmsilo config plan` and vm-start-debug
 * build: boot files, root disks, crosvm's directory and Wayland socket, inherited fds. */
#include "launch-context.h"
#include "test-config-helpers.h"

static const LaunchSetup DAEMON_QEMU = {
        .vmm = VMM_QEMU,
        .state_dir = "/var/lib/vmsilo",
        .runtime_dir = "/run/vmsilo",
        .binary = "/usr/bin/qemu-system-x86_64",
        .accel = ACCEL_TCG,
        .tsc_khz = 2000000,
};

static void test_daemon_default_image_and_fds(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(""));
        _cleanup_(launch_paths_finish) LaunchPaths paths = {};
        LaunchContext ctx;

        assert_int_equal(launch_context_build(&c->vms[0], &DAEMON_QEMU, &paths, &ctx), 0);
        assert_string_equal(ctx.kernel, "/var/lib/vmsilo/images/default/vmlinuz");
        assert_string_equal(ctx.initramfs, "/var/lib/vmsilo/images/default/initramfs.cpio");
        assert_string_equal(ctx.runtime_dir, "/run/vmsilo");
        assert_string_equal(ctx.binary, "/usr/bin/qemu-system-x86_64");
        assert_null(ctx.built_root_disk);
        assert_null(ctx.overlay_disk);
        assert_null(ctx.wayland_socket);
        assert_int_equal(ctx.accel, ACCEL_TCG);
        assert_int_equal(ctx.tsc_khz, 2000000);
        assert_true(ctx.qmp_fd && ctx.agent_fd && ctx.console_fd && ctx.tap_fds);
        assert_true(ctx.balloon_qmp_fd);
}

static void test_own_kernel_boots_without_default_initramfs(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(", 'kernel': '/boot/k'"));
        _cleanup_(config_freep) Config *both =
                        load_ok(ONE_VM(", 'kernel': '/boot/k', 'initramfs': '/boot/i'"));
        _cleanup_(launch_paths_finish) LaunchPaths paths = {}, paths_both = {};
        LaunchContext ctx;

        assert_int_equal(launch_context_build(&c->vms[0], &DAEMON_QEMU, &paths, &ctx), 0);
        assert_string_equal(ctx.kernel, "/boot/k");
        assert_null(ctx.initramfs);
        assert_int_equal(launch_context_build(&both->vms[0], &DAEMON_QEMU, &paths_both, &ctx), 0);
        assert_string_equal(ctx.initramfs, "/boot/i");
}

static void test_built_root_gets_an_overlay_except_in_debug(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(", 'guestPrograms': ['foot']"));
        _cleanup_(launch_paths_finish) LaunchPaths paths = {}, debug_paths = {};
        LaunchSetup debug = DAEMON_QEMU;
        LaunchContext ctx;

        assert_int_equal(launch_context_build(&c->vms[0], &DAEMON_QEMU, &paths, &ctx), 0);
        assert_string_equal(ctx.built_root_disk, "/var/lib/vmsilo/images/vms/a/root.ext4");
        assert_string_equal(ctx.overlay_disk, "/var/lib/vmsilo/overlays/a.qcow2");

        debug.debug = true;
        debug.runtime_dir = "/run/vmsilo/a-debug";
        assert_int_equal(launch_context_build(&c->vms[0], &debug, &debug_paths, &ctx), 0);
        assert_string_equal(ctx.built_root_disk, "/var/lib/vmsilo/images/vms/a/root.ext4");
        assert_null(ctx.overlay_disk);
        assert_string_equal(ctx.runtime_dir, "/run/vmsilo/a-debug");
        assert_false(ctx.qmp_fd || ctx.agent_fd || ctx.console_fd || ctx.balloon_qmp_fd);
        assert_true(ctx.tap_fds);
}

static void test_crosvm_uses_its_directory_and_the_fence(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(", 'gpu': true"));
        _cleanup_(config_freep) Config *no_gpu = load_ok(ONE_VM(", 'gpu': false"));
        _cleanup_(launch_paths_finish) LaunchPaths paths = {}, debug_paths = {}, plain = {};
        LaunchSetup crosvm = DAEMON_QEMU, debug;
        LaunchContext ctx;

        crosvm.vmm = VMM_CROSVM;
        assert_int_equal(launch_context_build(&c->vms[0], &crosvm, &paths, &ctx), 0);
        assert_string_equal(ctx.runtime_dir, "/run/vmsilo/a.vmm");
        assert_string_equal(paths.vmm_dir, "/run/vmsilo/a.vmm");
        assert_string_equal(ctx.wayland_socket, "/run/vmsilo/services/a/fence.sock");
        assert_false(ctx.balloon_qmp_fd); /* crosvm's balloon is driven on its control socket */

        assert_int_equal(launch_context_build(&no_gpu->vms[0], &crosvm, &plain, &ctx), 0);
        assert_null(ctx.wayland_socket);

        debug = crosvm;
        debug.debug = true;
        debug.runtime_dir = "/run/vmsilo/a-debug";
        debug.host_wayland = "/run/user/1000/wayland-0";
        assert_int_equal(launch_context_build(&c->vms[0], &debug, &debug_paths, &ctx), 0);
        assert_string_equal(ctx.runtime_dir, "/run/vmsilo/a-debug");
        assert_null(debug_paths.vmm_dir);
        assert_string_equal(ctx.wayland_socket, "/run/user/1000/wayland-0");
}

static void test_pci_devices_take_the_balloon_away(void **state) {
        _cleanup_(config_freep) Config *c =
                        load_ok("{'user': 'u', 'isolatedPciDevices': ['0000:01:00.0'], 'nixosVms': "
                                "[{'name': 'a', 'pciDevices': [{'path': '0000:01:00.0'}]}]}");
        _cleanup_(launch_paths_finish) LaunchPaths paths = {};
        LaunchContext ctx;

        assert_int_equal(launch_context_build(&c->vms[0], &DAEMON_QEMU, &paths, &ctx), 0);
        assert_false(ctx.balloon_qmp_fd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_daemon_default_image_and_fds),
                cmocka_unit_test(test_own_kernel_boots_without_default_initramfs),
                cmocka_unit_test(test_built_root_gets_an_overlay_except_in_debug),
                cmocka_unit_test(test_crosvm_uses_its_directory_and_the_fence),
                cmocka_unit_test(test_pci_devices_take_the_balloon_away),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-crosvm-plan.c: golden crosvm launch plans (data/crosvm-plan/) and the plan's own rules. */
#include "crosvm-plan.h"
#include "plan-golden.h"

static void test_golden(void **state) {
        golden_check("crosvm-plan", *state, VMM_CROSVM, crosvm_plan_build);
}

static LaunchContext unit_context(void) {
        return (LaunchContext){
                .runtime_dir = "/run/vmsilo",
                .kernel = "/vmlinuz",
                .console_fd = true,
                .tap_fds = true,
        };
}

static void test_crosvm_plan_guest_cid_starts_above_reserved(void **state) {
        assert_int_equal(crosvm_plan_guest_cid(0), 3);
        assert_int_equal(crosvm_plan_guest_cid(1), 4);
        assert_int_equal(crosvm_plan_guest_cid(CONFIG_VMS_MAX - 1), 3 + CONFIG_VMS_MAX - 1);
}

static void test_crosvm_plan_rejects_vm_outside_config(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(GOLDEN_CONFIG_ONE_VM);
        _cleanup_(config_freep) Config *other = golden_load_config(GOLDEN_CONFIG_ONE_VM);
        LaunchContext ctx = unit_context();
        LaunchPlan *p = NULL;

        assert_int_equal(crosvm_plan_build(c, &other->vms[0], &ctx, &p), -EINVAL);
        assert_null(p);
}

static void test_crosvm_plan_rejects_missing_runtime_dir(void **state) {
        LaunchContext ctx = unit_context();

        ctx.runtime_dir = NULL;
        golden_check_build_rejects(crosvm_plan_build, GOLDEN_CONFIG_ONE_VM, &ctx);
}

static void test_crosvm_plan_ignores_accel(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(GOLDEN_CONFIG_ONE_VM);
        _cleanup_(plan_freep) LaunchPlan *kvm = NULL, *tcg = NULL;
        LaunchContext ctx = unit_context();

        ctx.accel = ACCEL_KVM;
        assert_int_equal(crosvm_plan_build(c, &c->vms[0], &ctx, &kvm), 0);
        ctx.accel = ACCEL_AUTO;
        assert_int_equal(crosvm_plan_build(c, &c->vms[0], &ctx, &tcg), 0);
        assert_int_equal(kvm->n_argv, tcg->n_argv);
        for (size_t i = 0; i < kvm->n_argv; i++)
                assert_string_equal(kvm->argv[i], tcg->argv[i]);
}

static void test_crosvm_plan_passes_only_console_and_taps(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\",\"network\":"
                        "{\"interfaces\":{\"x\":{}}}}]}");
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        LaunchContext ctx = unit_context();

        /* QMP and the agent fd do not exist for crosvm: its control socket is a path and the
         * agent talks over vsock. */
        ctx.qmp_fd = ctx.agent_fd = true;
        assert_int_equal(crosvm_plan_build(c, &c->vms[0], &ctx, &p), 0);
        assert_int_equal(p->n_fds, 2);
        assert_int_equal(p->fds[0].role, PLAN_FD_ROLE_CONSOLE);
        assert_int_equal(p->fds[0].target_fd, PLAN_FD_CONSOLE);
        assert_int_equal(p->fds[1].role, PLAN_FD_ROLE_TAP);
        assert_int_equal(p->fds[1].target_fd, PLAN_FD_TAP_BASE);
}

/* crosvm runs in vmsilo's sandbox with its own minijail off, and the sandbox shows it only these
 * (docs/sandbox.md): each file the argv names, writable exactly when crosvm writes it, its socket
 * directory, and /dev/vhost-vsock as the only device node. */
static void test_crosvm_plan_is_contained_and_names_every_host_path(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\","
                        "\"sharedHome\":\"/home/alice/a\",\"gpu\":true,"
                        "\"rootDisk\":{\"path\":\"/img/root.img\"},\"rootDiskReadonly\":true,"
                        "\"additionalDisks\":[{\"path\":\"/img/rw.img\"},"
                        "{\"path\":\"/img/ro.img\",\"ro\":true}],"
                        "\"sharedDirectories\":[{\"path\":\"/srv/rw\",\"tag\":\"rw\"}],"
                        "\"vhostUser\":[{\"type\":\"net\",\"socket\":\"/run/net.sock\"}]}]}");
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        LaunchContext ctx = unit_context();
        static const GoldenPath expected[] = {
                { "/run/vmsilo/a.vmm", true, false },
                { "/dev/vhost-vsock", true, true },
                { "/img/root.img", false, false },
                { "/var/lib/vmsilo/a/overlay.qcow2", true, false },
                { "/img/rw.img", true, false },
                { "/img/ro.img", false, false },
                { "/home/alice/a", true, false },
                { "/srv/rw", true, false },
                { "/run/net.sock", false, false },
                { "/run/vmsilo/a-fence.sock", false, false },
                { "/boot/initrd", false, false },
                { "/vmlinuz", false, false },
        };

        ctx.runtime_dir = "/run/vmsilo/a.vmm";
        ctx.initramfs = "/boot/initrd";
        ctx.overlay_disk = "/var/lib/vmsilo/a/overlay.qcow2";
        ctx.wayland_socket = "/run/vmsilo/a-fence.sock";
        assert_int_equal(crosvm_plan_build(c, &c->vms[0], &ctx, &p), 0);
        assert_true(p->contained);
        assert_string_equal(p->argv[3], "run");
        assert_string_equal(p->argv[4], "--disable-sandbox");
        golden_assert_paths(p, expected, ELEMENTSOF(expected));
}

static void test_crosvm_plan_puts_kernel_last(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"crosvm\":{\"extraRunArgs\":[\"--no-usb\"]},"
                        "\"nixosVms\":[{\"name\":\"a\"}]}");
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        LaunchContext ctx = unit_context();

        assert_int_equal(crosvm_plan_build(c, &c->vms[0], &ctx, &p), 0);
        assert_string_equal(p->argv[p->n_argv - 1], "/vmlinuz");
        assert_string_equal(p->argv[p->n_argv - 2], "--no-usb");
}

#define GOLDEN(name)                                                                               \
        { "golden " name, test_golden, NULL, NULL, (void *) (name) }

int main(void) {
        const struct CMUnitTest tests[] = {
                GOLDEN("minimal"),
                GOLDEN("full"),
                GOLDEN("network-two-interfaces"),
                GOLDEN("pci-passthrough"),
                GOLDEN("disks"),
                GOLDEN("shared-dirs"),
                GOLDEN("shared-home-custom"),
                GOLDEN("gpu-sound-off"),
                GOLDEN("gpu-custom"),
                GOLDEN("gpu-no-wayland"),
                GOLDEN("sound-custom"),
                GOLDEN("log-level-override"),
                GOLDEN("log-level-global"),
                GOLDEN("extra-args-ordering"),
                GOLDEN("debug-no-fds"),
                GOLDEN("root-disk-overlay"),
                GOLDEN("root-disk-custom"),
                GOLDEN("second-vm-cid"),
                GOLDEN("vhost-user"),
                cmocka_unit_test(test_crosvm_plan_guest_cid_starts_above_reserved),
                cmocka_unit_test(test_crosvm_plan_rejects_vm_outside_config),
                cmocka_unit_test(test_crosvm_plan_rejects_missing_runtime_dir),
                cmocka_unit_test(test_crosvm_plan_ignores_accel),
                cmocka_unit_test(test_crosvm_plan_passes_only_console_and_taps),
                cmocka_unit_test(test_crosvm_plan_puts_kernel_last),
                cmocka_unit_test(test_crosvm_plan_is_contained_and_names_every_host_path),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

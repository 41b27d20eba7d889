/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-qemu-plan.c: golden QEMU launch plans (data/qemu-plan/) and the plan's own rules. */
#include "plan-golden.h"
#include "qemu-plan.h"

static void test_golden(void **state) {
        golden_check("qemu-plan", *state, VMM_QEMU, qemu_plan_build);
}

static LaunchContext unit_context(void) {
        return (LaunchContext){
                .runtime_dir = "/run/vmsilo",
                .kernel = "/vmlinuz",
                .accel = ACCEL_TCG,
                .qmp_fd = true,
                .agent_fd = true,
                .console_fd = true,
                .tap_fds = true,
        };
}

static void test_qemu_plan_rejects_unresolved_accel(void **state) {
        LaunchContext ctx = unit_context();

        ctx.accel = ACCEL_AUTO;
        golden_check_build_rejects(qemu_plan_build, GOLDEN_CONFIG_ONE_VM, &ctx);
}

static void test_qemu_plan_rejects_missing_kernel(void **state) {
        LaunchContext ctx = unit_context();

        ctx.kernel = NULL;
        golden_check_build_rejects(qemu_plan_build, GOLDEN_CONFIG_ONE_VM, &ctx);
}

static void test_qemu_plan_refuses_crosvm_only_devices(void **state) {
        LaunchContext ctx = unit_context();

        golden_check_build_rejects(qemu_plan_build,
                        "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\","
                        "\"gpu\":{\"context-types\":\"cross-domain\"}}]}",
                        &ctx);
}

static void test_qemu_plan_uses_q35_only_for_pci_devices(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\"},"
                        "{\"name\":\"b\",\"pciDevices\":[{\"path\":\"01:00.0\"}]}]}");

        assert_false(qemu_plan_needs_pci(&c->vms[0]));
        assert_true(qemu_plan_needs_pci(&c->vms[1]));
}

/* Every QEMU runs in the sandbox, PCI passthrough or not: vmsilod adds the VFIO nodes and sysfs
 * directories (vfio.c); the plan itself names no device. */
static void test_qemu_plan_is_contained_with_and_without_pci_passthrough(void **state) {
        _cleanup_(config_freep) Config *plain = golden_load_config(GOLDEN_CONFIG_ONE_VM);
        _cleanup_(config_freep) Config *vfio =
                        golden_load_config("{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\","
                                           "\"pciDevices\":[{\"path\":\"03:00.0\"}]}]}");
        _cleanup_(plan_freep) LaunchPlan *p = NULL, *q = NULL;
        LaunchContext ctx = unit_context();

        assert_int_equal(qemu_plan_build(plain, &plain->vms[0], &ctx, &p), 0);
        assert_true(p->contained);
        assert_int_equal(qemu_plan_build(vfio, &vfio->vms[0], &ctx, &q), 0);
        assert_true(q->contained);
        for (size_t i = 0; i < q->n_paths; i++)
                assert_false(q->paths[i].device);
}

static void test_qemu_plan_disk_format_follows_extension(void **state) {
        static const struct {
                const char *path, *format;
        } table[] = {
                { "/a/b.qcow2", "qcow2" },
                { "/a/b.img", "raw" },
                { "/a/b.raw", "raw" },
                { "/a/.qcow2", "qcow2" },
                { ".qcow2", "raw" },
                { "/a/b.qcow2.bak", "raw" },
                { "/a/b", "raw" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                assert_string_equal(qemu_plan_disk_format(table[i].path), table[i].format);
}

static void test_qemu_plan_fds_have_fixed_ascending_targets(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\",\"network\":"
                        "{\"interfaces\":{\"x\":{},\"b\":{}}}}]}");
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        LaunchContext ctx = unit_context();
        static const struct {
                PlanFdRole role;
                unsigned index;
                int target;
        } expected[] = {
                { PLAN_FD_ROLE_QMP, 0, 3 },
                { PLAN_FD_ROLE_AGENT, 0, 4 },
                { PLAN_FD_ROLE_CONSOLE, 0, 5 },
                { PLAN_FD_ROLE_BALLOON_QMP, 0, 6 },
                { PLAN_FD_ROLE_TAP, 0, 7 },
                { PLAN_FD_ROLE_TAP, 1, 8 },
        };

        ctx.balloon_qmp_fd = true;
        assert_int_equal(qemu_plan_build(c, &c->vms[0], &ctx, &p), 0);
        assert_int_equal(p->n_fds, ELEMENTSOF(expected));
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                assert_int_equal(p->fds[i].role, expected[i].role);
                assert_int_equal(p->fds[i].index, expected[i].index);
                assert_int_equal(p->fds[i].target_fd, expected[i].target);
        }
}

static void test_qemu_plan_inherits_nothing_when_the_vmm_opens_all(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\",\"network\":"
                        "{\"interfaces\":{\"x\":{}}}}]}");
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        LaunchContext ctx = unit_context();

        ctx.qmp_fd = ctx.agent_fd = ctx.console_fd = ctx.tap_fds = false;
        assert_int_equal(qemu_plan_build(c, &c->vms[0], &ctx, &p), 0);
        assert_int_equal(p->n_fds, 0);
}

/* The sandbox shows the VMM only these (docs/sandbox.md): each file the argv names, writable
 * exactly when the VMM writes it. */
static void test_qemu_plan_names_every_host_path_it_opens(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\","
                        "\"sharedHome\":false,"
                        "\"rootDisk\":{\"path\":\"/img/root.img\"},\"rootDiskReadonly\":false,"
                        "\"additionalDisks\":[{\"path\":\"/img/rw.img\"},"
                        "{\"path\":\"/img/ro.img\",\"ro\":true}],"
                        "\"sharedDirectories\":[{\"path\":\"/srv/rw\",\"tag\":\"rw\"},"
                        "{\"path\":\"/srv/ro\",\"tag\":\"ro\",\"readonly\":true}]}]}");
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        LaunchContext ctx = unit_context();
        static const GoldenPath expected[] = {
                { "/vmlinuz", false },
                { "/boot/initrd", false },
                { "/img/root.img", true },
                { "/img/rw.img", true },
                { "/img/ro.img", false },
                { "/srv/rw", true },
                { "/srv/ro", false },
        };

        ctx.initramfs = "/boot/initrd";
        assert_int_equal(qemu_plan_build(c, &c->vms[0], &ctx, &p), 0);
        assert_true(p->contained);
        golden_assert_paths(p, expected, ELEMENTSOF(expected));

        /* A debug launch: the VMM makes its QMP and agent sockets in the runtime directory. */
        p = plan_free(p);
        ctx.qmp_fd = ctx.agent_fd = false;
        assert_int_equal(qemu_plan_build(c, &c->vms[0], &ctx, &p), 0);
        assert_int_equal(p->n_paths, ELEMENTSOF(expected) + 1);
        assert_true(golden_find_path(p, "/run/vmsilo")->writable);
}

static void test_qemu_plan_argv_count_matches_strv(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(GOLDEN_CONFIG_ONE_VM);
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        LaunchContext ctx = unit_context();
        size_t n = 0;

        assert_int_equal(qemu_plan_build(c, &c->vms[0], &ctx, &p), 0);
        while (p->argv[n])
                n++;
        assert_int_equal(n, p->n_argv);
        assert_string_equal(p->argv[0], QEMU_PLAN_BINARY_DEFAULT);
}

static bool plan_has(const LaunchPlan *p, const char *arg) {
        for (size_t i = 0; i < p->n_argv; i++)
                if (streq(p->argv[i], arg))
                        return true;
        return false;
}

/* No bus, nothing to play the sound: no device, and microvm keeps no PCI bus. */
static void test_qemu_plan_sound_needs_the_bus(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\",\"sound\":true}]}");
        _cleanup_(plan_freep) LaunchPlan *without = NULL, *with = NULL;
        LaunchContext ctx = unit_context();

        assert_int_equal(qemu_plan_build(c, &c->vms[0], &ctx, &without), 0);
        assert_false(plan_has(without, "-audiodev"));
        assert_true(plan_has(without, "microvm,x-option-roms=off,rtc=on"));
        ctx.sound_bus = "/run/vmsilo/a/sound.bus";
        assert_int_equal(qemu_plan_build(c, &c->vms[0], &ctx, &with), 0);
        assert_true(plan_has(with, "hda-output,audiodev=" QEMU_PLAN_AUDIODEV_ID));
        assert_false(plan_has(with, "hda-duplex,audiodev=" QEMU_PLAN_AUDIODEV_ID));
        assert_true(plan_has(with, "microvm,x-option-roms=off,rtc=on,pcie=on"));
        /* The sandbox binds the bus in, writable: connecting to a socket needs write access. */
        for (size_t i = 0; i < without->n_paths; i++)
                assert_string_not_equal(without->paths[i].path, ctx.sound_bus);
        for (size_t i = 0; i <= with->n_paths; i++) {
                assert_true(i < with->n_paths);
                if (streq(with->paths[i].path, ctx.sound_bus)) {
                        assert_true(with->paths[i].writable);
                        break;
                }
        }
}

static void test_qemu_plan_sound_settings(void **state) {
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\",\"sound\":false},"
                        "{\"name\":\"b\",\"sound\":{\"capture\":true}},"
                        "{\"name\":\"c\",\"sound\":{\"backend\":\"pulse\"}},"
                        "{\"name\":\"d\",\"sound\":{\"backend\":\"null\"}},"
                        "{\"name\":\"e\",\"sound\":{\"num_input_devices\":\"1\"}}]}");
        QemuSound s;

        assert_int_equal(qemu_plan_sound(&c->vms[0], &s), 0);
        assert_false(s.playback);
        assert_int_equal(qemu_plan_sound(&c->vms[1], &s), 0);
        assert_true(s.playback && s.capture);
        assert_int_equal(qemu_plan_sound(&c->vms[2], &s), 0);
        assert_true(s.playback && !s.capture);
        assert_int_equal(qemu_plan_sound(&c->vms[3], &s), -EINVAL);
        assert_int_equal(qemu_plan_sound(&c->vms[4], &s), -EINVAL);
}

#define GOLDEN(name)                                                                               \
        { "golden " name, test_golden, NULL, NULL, (void *) (name) }

int main(void) {
        const struct CMUnitTest tests[] = {
                GOLDEN("minimal"),
                GOLDEN("full"),
                GOLDEN("tcg"),
                GOLDEN("balloon-monitor"),
                GOLDEN("tcg-tsc-unknown"),
                GOLDEN("kvm-ignores-tsc"),
                GOLDEN("network-two-interfaces"),
                GOLDEN("pci-passthrough"),
                GOLDEN("pci-iommu"),
                GOLDEN("disks"),
                GOLDEN("shared-dirs"),
                GOLDEN("gpu-sound-off"),
                GOLDEN("sound-capture"),
                GOLDEN("sound-q35"),
                GOLDEN("root-disk-overlay"),
                GOLDEN("root-disk-tmpfs"),
                GOLDEN("root-disk-custom"),
                GOLDEN("debug-no-fds"),
                GOLDEN("crosvm-options-ignored"),
                GOLDEN("custom-kernel"),
                cmocka_unit_test(test_qemu_plan_rejects_unresolved_accel),
                cmocka_unit_test(test_qemu_plan_rejects_missing_kernel),
                cmocka_unit_test(test_qemu_plan_refuses_crosvm_only_devices),
                cmocka_unit_test(test_qemu_plan_uses_q35_only_for_pci_devices),
                cmocka_unit_test(test_qemu_plan_disk_format_follows_extension),
                cmocka_unit_test(test_qemu_plan_fds_have_fixed_ascending_targets),
                cmocka_unit_test(test_qemu_plan_inherits_nothing_when_the_vmm_opens_all),
                cmocka_unit_test(test_qemu_plan_argv_count_matches_strv),
                cmocka_unit_test(test_qemu_plan_names_every_host_path_it_opens),
                cmocka_unit_test(test_qemu_plan_is_contained_with_and_without_pci_passthrough),
                cmocka_unit_test(test_qemu_plan_sound_needs_the_bus),
                cmocka_unit_test(test_qemu_plan_sound_settings),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-vfio-plan.c: PCI passthrough decisions: binding sequence and its idempotence, release on
 * reload, IOMMU group viability, the udev rule, the memlock limit. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "strv.h"
#include "vfio-plan.h"

static VfioDevice dev(const char *address, const char *driver, const char *override,
                uint32_t class_code) {
        VfioDevice d = { .class_code = class_code };

        (void) snprintf(d.address, sizeof(d.address), "%s", address);
        (void) snprintf(d.driver, sizeof(d.driver), "%s", driver);
        (void) snprintf(d.override, sizeof(d.override), "%s", override);
        return d;
}

static void assert_step(const VfioStep *s, const char *path, const char *value, VfioExpect expect) {
        assert_string_equal(s->path, path);
        assert_string_equal(s->value, value);
        assert_int_equal(s->expect, expect);
}

/* What the kernel does with the writes (sysfs-bus-pci), enough to run a sequence to its end:
 * unbind drops the driver, drivers_probe binds the override or else the native driver. */
static void kernel_apply(VfioDevice *d, const VfioStep *s, const char *native) {
        if (strstr(s->path, "/driver_override"))
                (void) snprintf(d->override, sizeof(d->override), "%s",
                                streq(s->value, "\n") ? "" : s->value);
        else if (strstr(s->path, "/unbind"))
                d->driver[0] = '\0';
        else if (streq(s->path, "sys/bus/pci/drivers_probe") && !d->driver[0])
                (void) snprintf(d->driver, sizeof(d->driver), "%s",
                                d->override[0] ? d->override : native);
}

static void test_bind_host_bound_device(void **state) {
        VfioDevice d = dev("0000:01:00.0", "xhci_hcd", "", 0x0c0330);
        VfioStep s[VFIO_STEPS_MAX];

        assert_int_equal(vfio_bind_steps(&d, s), 3);
        assert_step(&s[0], "sys/bus/pci/devices/0000:01:00.0/driver_override", "vfio-pci",
                        VFIO_EXPECT_NOTHING);
        assert_step(&s[1], "sys/bus/pci/drivers/xhci_hcd/unbind", "0000:01:00.0",
                        VFIO_EXPECT_UNBOUND);
        assert_step(&s[2], "sys/bus/pci/drivers_probe", "0000:01:00.0", VFIO_EXPECT_VFIO);
}

static void test_bind_driverless_device_needs_no_unbind(void **state) {
        VfioDevice d = dev("0000:01:00.0", "", "", 0x0c0330);
        VfioStep s[VFIO_STEPS_MAX];

        assert_int_equal(vfio_bind_steps(&d, s), 2);
        assert_step(&s[1], "sys/bus/pci/drivers_probe", "0000:01:00.0", VFIO_EXPECT_VFIO);
}

/* The udev rule set driver_override at boot, so vfio-pci already holds it: nothing to do. */
static void test_bind_is_idempotent(void **state) {
        VfioDevice d = dev("0000:01:00.0", "e1000e", "", 0x020000);
        VfioStep s[VFIO_STEPS_MAX];
        size_t n = vfio_bind_steps(&d, s);

        for (size_t i = 0; i < n; i++)
                kernel_apply(&d, &s[i], "e1000e");
        assert_true(vfio_device_is_isolated(&d));
        assert_string_equal(d.override, "vfio-pci");
        assert_int_equal(vfio_bind_steps(&d, s), 0);
}

/* Bound to vfio-pci by hand (no override): the override is still written, nothing else. */
static void test_bind_keeps_override_on_bound_device(void **state) {
        VfioDevice d = dev("0000:01:00.0", "vfio-pci", "", 0x020000);
        VfioStep s[VFIO_STEPS_MAX];

        assert_int_equal(vfio_bind_steps(&d, s), 1);
        assert_step(&s[0], "sys/bus/pci/devices/0000:01:00.0/driver_override", "vfio-pci",
                        VFIO_EXPECT_NOTHING);
}

static void test_release_gives_device_back(void **state) {
        VfioDevice d = dev("0000:02:00.0", "vfio-pci", "vfio-pci", 0x020000);
        VfioStep s[VFIO_STEPS_MAX];
        size_t n = vfio_release_steps(&d, s);

        assert_int_equal(n, 3);
        assert_step(&s[0], "sys/bus/pci/devices/0000:02:00.0/driver_override", "\n",
                        VFIO_EXPECT_NOTHING);
        assert_step(&s[1], "sys/bus/pci/drivers/vfio-pci/unbind", "0000:02:00.0",
                        VFIO_EXPECT_UNBOUND);
        for (size_t i = 0; i < n; i++)
                kernel_apply(&d, &s[i], "e1000e");
        assert_string_equal(d.driver, "e1000e");
        assert_string_equal(d.override, "");
        assert_int_equal(vfio_release_steps(&d, s), 0);
}

static void test_reload_adds_and_removes(void **state) {
        _cleanup_(strv_freep) char **removed = NULL, **none = NULL;
        char *old[] = { (char *) "0000:01:00.0", (char *) "0000:02:00.0", NULL };
        char *new[] = { (char *) "0000:02:00.0", (char *) "0000:03:00.0", NULL };

        assert_int_equal(vfio_removed_devices(old, new, &removed), 0);
        assert_int_equal(strv_length(removed), 1);
        assert_string_equal(removed[0], "0000:01:00.0");
        assert_int_equal(vfio_removed_devices(new, new, &none), 0);
        assert_int_equal(strv_length(none), 0);
}

/* A GPU and its HDMI audio function share a group: both must be with vfio-pci. */
static void test_group_gpu_with_audio_function(void **state) {
        VfioDevice g[] = {
                dev("0000:01:00.0", "vfio-pci", "vfio-pci", 0x030000),
                dev("0000:01:00.1", "snd_hda_intel", "", 0x040300),
        };
        const VfioDevice *bad = NULL;

        assert_int_equal(vfio_group_check(g, ELEMENTSOF(g), &bad), -EBUSY);
        assert_ptr_equal(bad, &g[1]);
        g[1] = dev("0000:01:00.1", "vfio-pci", "vfio-pci", 0x040300);
        assert_int_equal(vfio_group_check(g, ELEMENTSOF(g), &bad), 0);
        g[1] = dev("0000:01:00.1", "", "", 0x040300);
        assert_int_equal(vfio_group_check(g, ELEMENTSOF(g), &bad), 0);
}

static void test_group_with_host_bound_sata_controller(void **state) {
        const VfioDevice g[] = {
                dev("0000:00:1f.0", "", "", 0x060100),
                dev("0000:00:1f.2", "ahci", "", 0x010601),
                dev("0000:00:1f.3", "vfio-pci", "vfio-pci", 0x040300),
        };
        const VfioDevice *bad = NULL;

        assert_int_equal(vfio_group_check(g, ELEMENTSOF(g), &bad), -EBUSY);
        assert_string_equal(bad->address, "0000:00:1f.2");
}

/* A root port (pcieport) in the group stays with the host; a host bridge (0x0600) does not
 * count as a PCI-to-PCI bridge. */
static void test_group_bridges(void **state) {
        VfioDevice g[] = {
                dev("0000:00:1c.0", "pcieport", "", 0x060400),
                dev("0000:03:00.0", "vfio-pci", "vfio-pci", 0x0c0330),
        };
        const VfioDevice *bad = NULL;

        assert_int_equal(vfio_group_check(g, ELEMENTSOF(g), &bad), 0);
        g[0] = dev("0000:00:00.0", "skl_uncore", "", 0x060000);
        assert_int_equal(vfio_group_check(g, ELEMENTSOF(g), &bad), -EBUSY);
        assert_ptr_equal(bad, &g[0]);
}

static void test_udev_rules_name_exactly_the_addresses(void **state) {
        _cleanup_(freep) char *rules = NULL;
        char *a[] = { (char *) "0000:01:00.0", (char *) "0000:02:00.1", NULL };
        const char *line = "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:02:00.1\", "
                           "ATTR{driver_override}=\"vfio-pci\", RUN{builtin}+=\"kmod load "
                           "vfio-pci\"\n";
        size_t rule_lines = 0;

        assert_int_equal(vfio_udev_rules(a, &rules), 0);
        assert_non_null(strstr(rules, line));
        assert_non_null(strstr(rules, "KERNEL==\"0000:01:00.0\""));
        for (const char *p = rules; (p = strstr(p, "ACTION==")); p++)
                rule_lines++;
        assert_int_equal(rule_lines, 2);
}

static void test_memlock_covers_guest_memory(void **state) {
        assert_true(vfio_memlock_bytes(1024) > UINT64_C(1024) << 20);
        assert_int_equal(vfio_memlock_bytes(1024), UINT64_C(2048) << 20);
}

static void test_sandbox_target_strips_the_sys_root(void **state) {
        static const struct {
                const char *root, *resolved, *target;
        } table[] = {
                { "/", "/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0",
                                "/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0" },
                { "/", "/sys/kernel/iommu_groups/7", "/sys/kernel/iommu_groups/7" },
                { "/tmp/fake", "/tmp/fake/sys/bus/pci/devices/0000:01:00.0",
                                "/sys/bus/pci/devices/0000:01:00.0" },
                { "/tmp/fake", "/tmp/fake/sys/kernel/iommu_groups/1",
                                "/sys/kernel/iommu_groups/1" },
        };
        static const struct {
                const char *root, *resolved;
        } refused[] = {
                { "/", "/etc/shadow" }, /* a link out of sysfs */
                { "/", "/sysfoo/x" },
                { "/", "/sys" },
                { "/tmp/fake", "/tmp/fakesys/sys/x" }, /* beside the root, not under it */
                { "/tmp/fake", "/tmp/other/sys/kernel/x" },
                { "/tmp/fake", "/tmp/fake/etc/passwd" },
                { "/tmp/fake", "/tmp/fake/sys/../etc/passwd" }, /* realpath() never gives these */
                { "/", "/sys/./x" },
        };
        char *target = NULL;

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                assert_int_equal(vfio_sandbox_target(table[i].root, table[i].resolved, &target), 0);
                assert_string_equal(target, table[i].target);
                target = mfree(target);
        }
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                assert_int_equal(vfio_sandbox_target(refused[i].root, refused[i].resolved, &target),
                                -EXDEV);
                assert_null(target);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bind_host_bound_device),
                cmocka_unit_test(test_bind_driverless_device_needs_no_unbind),
                cmocka_unit_test(test_bind_is_idempotent),
                cmocka_unit_test(test_bind_keeps_override_on_bound_device),
                cmocka_unit_test(test_release_gives_device_back),
                cmocka_unit_test(test_reload_adds_and_removes),
                cmocka_unit_test(test_group_gpu_with_audio_function),
                cmocka_unit_test(test_group_with_host_bound_sata_controller),
                cmocka_unit_test(test_group_bridges),
                cmocka_unit_test(test_udev_rules_name_exactly_the_addresses),
                cmocka_unit_test(test_memlock_covers_guest_memory),
                cmocka_unit_test(test_sandbox_target_strips_the_sys_root),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

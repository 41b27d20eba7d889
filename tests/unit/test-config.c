/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-config.c: loading valid configurations: every option's default, every option set, the
 * examples, derived values, accessors and the normalised JSON. Rejections are in
 * test-config-validate.c. */
#include <jansson.h>

#include "config-internal.h"
#include "strv.h"
#include "test-config-helpers.h"

/* The examples shipped in the source tree: tests/unit/data/../../../examples. */
#define EXAMPLES_DIR TEST_DATA_DIR "/../../../examples"

/* --- defaults --- */

static void test_config_fills_every_top_level_default(void **state) {
        _cleanup_(config_freep) Config *c = load_ok("{'user': 'u'}");

        assert_false(c->enable);
        assert_string_equal(c->user, "u");
        assert_false(c->nat_enable);
        assert_string_equal(c->nat_interface, "");
        assert_int_equal(c->n_vms, 0);
        assert_true(c->enable_bash_integration);
        assert_string_equal(c->crosvm.log_level, "info");
        assert_int_equal(strv_length(c->crosvm.extra_args), 0);
        assert_int_equal(strv_length(c->crosvm.extra_run_args), 0);
        assert_string_equal(c->balloond.log_level, "info");
        assert_string_equal(c->balloond.poll_interval, "2s");
        assert_int_equal(c->balloond.poll_interval_usec, 2000000);
        assert_int_equal(c->balloond.critical_host_percent, 5);
        assert_string_equal(c->balloond.guest_available_bias, "300m");
        assert_int_equal(c->balloond.guest_available_bias_bytes, 300 * 1024 * 1024);
        assert_int_equal(strv_length(c->balloond.extra_args), 0);
        assert_string_equal(c->tray_log_level, "info");
        assert_int_equal(strv_length(c->isolated_pci_devices), 0);
        assert_int_equal(c->vmm, VMM_AUTO);
        assert_int_equal(c->accel, ACCEL_AUTO);
}

static void test_config_fills_every_vm_default(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(""));
        const VmConfig *vm = &c->vms[0];

        assert_string_equal(vm->name, "a");
        assert_int_equal(vm->memory_mib, 1024);
        assert_int_equal(vm->cpus, 2);
        assert_string_equal(vm->color, "red");
        assert_int_equal(vm->color_rgb, 0xff0000);
        assert_int_equal(strv_length(vm->nameservers), 0);
        assert_int_equal(vm->n_interfaces, 0);
        assert_false(vm->auto_shutdown);
        assert_int_equal(vm->auto_shutdown_after_sec, 60);
        assert_false(vm->auto_start);
        assert_true(vm->tray);
        assert_int_equal(strv_length(vm->depends_on), 0);
        assert_int_equal(vm->n_additional_disks, 0);
        assert_null(vm->root_disk);
        assert_null(vm->kernel);
        assert_null(vm->initramfs);
        assert_true(vm->root_disk_readonly);
        assert_int_equal(vm->shared_home_mode, SHARED_HOME_DEFAULT);
        assert_int_equal(strv_length(vm->kernel_params), 0);
        assert_true(vm->gpu.enabled);
        assert_false(vm->gpu.custom);
        assert_true(vm->sound.enabled);
        assert_false(vm->sound.custom);
        assert_int_equal(vm->n_shared_directories, 0);
        assert_int_equal(vm->n_pci_devices, 0);
        assert_int_equal(strv_length(vm->guest_programs), 0);
        assert_int_equal(strv_length(vm->guest_config), 0);
        assert_int_equal(vm->n_vhost_user, 0);
        assert_null(vm->crosvm.log_level);
        assert_int_equal(strv_length(vm->crosvm.extra_args), 0);
        assert_int_equal(strv_length(vm->crosvm.extra_run_args), 0);
        assert_int_equal(vm->root_overlay_type, OVERLAY_QCOW2);
        assert_string_equal(vm->root_overlay_size, "10G");
        assert_int_equal(vm->root_overlay_size_bytes, UINT64_C(10) << 30);
        assert_string_equal(vm->wayland_proxy, "wayland-proxy-virtwl");
        assert_int_equal(vm->vmm, VMM_AUTO);
        assert_int_equal(vm->accel, ACCEL_AUTO);
}

static void test_config_fills_every_interface_default(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_IF(""));
        const NetInterface *i = &c->vms[0].interfaces[0];

        assert_string_equal(i->name, "wan");
        assert_int_equal(i->index, 0);
        assert_true(i->mac_derived);
        assert_true(i->tap_name_derived);
        assert_string_equal(i->tap_name, "a-0");
        assert_null(i->tap_host_address);
        assert_null(i->tap_bridge);
        assert_false(i->dhcp);
        assert_int_equal(strv_length(i->addresses), 0);
        assert_int_equal(strv_length(i->v6_addresses), 0);
        assert_int_equal(i->n_routes, 0);
        assert_int_equal(i->n_v6_routes, 0);
}

/* --- every option set --- */

static void test_config_reads_every_top_level_option(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");

        assert_true(c->enable);
        assert_string_equal(c->user, "alice");
        assert_true(c->nat_enable);
        assert_string_equal(c->nat_interface, "wlan0");
        assert_int_equal(c->n_vms, 2);
        assert_false(c->enable_bash_integration);
        assert_string_equal(c->crosvm.log_level, "debug");
        assert_true(strv_equal(c->crosvm.extra_args, (char *[]){ "--log-level", "x", NULL }));
        assert_true(strv_equal(c->crosvm.extra_run_args, (char *[]){ "--no-smt", NULL }));
        assert_string_equal(c->balloond.log_level, "trace");
        assert_int_equal(c->balloond.poll_interval_usec, 500000);
        assert_int_equal(c->balloond.critical_host_percent, 10);
        assert_int_equal(c->balloond.guest_available_bias_bytes, 512 * 1024 * 1024);
        assert_true(strv_equal(c->balloond.extra_args, (char *[]){ "--dry-run", NULL }));
        assert_string_equal(c->tray_log_level, "warn");
        assert_true(strv_equal(c->isolated_pci_devices,
                        (char *[]){ "0000:01:00.0", "0000:02:00.1", NULL }));
        assert_int_equal(c->vmm, VMM_CROSVM);
        assert_int_equal(c->accel, ACCEL_KVM);
}

static void test_config_reads_every_vm_option(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        const VmConfig *vm = &c->vms[0];

        assert_int_equal(vm->memory_mib, 2048);
        assert_int_equal(vm->cpus, 3);
        assert_int_equal(vm->color_rgb, 0x2ecc71);
        assert_true(strv_equal(
                        vm->nameservers, (char *[]){ "1.1.1.1", "2606:4700:4700::1111", NULL }));
        assert_true(vm->auto_shutdown);
        assert_int_equal(vm->auto_shutdown_after_sec, 300);
        assert_true(vm->auto_start);
        assert_false(vm->tray);
        assert_true(strv_equal(vm->depends_on, (char *[]){ "net", NULL }));
        assert_string_equal(vm->kernel, "/boot/vmlinuz");
        assert_string_equal(vm->initramfs, "/boot/initrd.img");
        assert_false(vm->root_disk_readonly);
        assert_int_equal(vm->shared_home_mode, SHARED_HOME_PATH);
        assert_string_equal(vm->shared_home_path, "/home/alice/vms/work");
        assert_true(strv_equal(vm->kernel_params, (char *[]){ "quiet", "loglevel=3", NULL }));
        assert_true(strv_equal(vm->guest_programs, (char *[]){ "firefox", NULL }));
        assert_int_equal(strv_length(vm->guest_config), 2);
        assert_string_equal(vm->crosvm.log_level, "error");
        assert_true(strv_equal(vm->crosvm.extra_args, (char *[]){ "-a", NULL }));
        assert_true(strv_equal(vm->crosvm.extra_run_args, (char *[]){ "-b", NULL }));
        assert_int_equal(vm->root_overlay_type, OVERLAY_TMPFS);
        assert_int_equal(vm->root_overlay_size_bytes, UINT64_C(2) << 30);
        assert_string_equal(vm->wayland_proxy, "sommelier");
        assert_int_equal(vm->vmm, VMM_QEMU);
        assert_int_equal(vm->accel, ACCEL_TCG);
}

static void test_config_reads_disks_with_their_vmm_options(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        const VmConfig *vm = &c->vms[0];

        assert_int_equal(vm->n_additional_disks, 1);
        assert_string_equal(vm->additional_disks[0].path, "/var/lib/data.qcow2");
        assert_int_equal(vm->additional_disks[0].options.n_items, 3);
        assert_string_equal(vm->additional_disks[0].options.items[0].key, "ro");
        assert_string_equal(key_value_list_get(&vm->additional_disks[0].options, "ro"), "false");
        assert_string_equal(
                        key_value_list_get(&vm->additional_disks[0].options, "block-size"), "4096");
        assert_string_equal(key_value_list_get(&vm->additional_disks[0].options, "id"), "data");
        assert_null(key_value_list_get(&vm->additional_disks[0].options, "path"));
        assert_non_null(vm->root_disk);
        assert_string_equal(vm->root_disk->path, "/var/lib/root.img");
        assert_string_equal(key_value_list_get(&vm->root_disk->options, "ro"), "true");
}

static void test_config_reads_gpu_options_and_disabled_sound(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        const VmConfig *vm = &c->vms[0];

        assert_true(vm->gpu.enabled);
        assert_true(vm->gpu.custom);
        assert_string_equal(key_value_list_get(&vm->gpu.options, "context-types"),
                        "cross-domain:virgl2");
        assert_string_equal(key_value_list_get(&vm->gpu.options, "width"), "1920");
        assert_false(vm->sound.enabled);
        assert_false(vm->sound.custom);
}

static void test_config_accepts_id_as_shared_directory_tag(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        const SharedDirectory *d = &c->vms[0].shared_directories[0];

        assert_int_equal(c->vms[0].n_shared_directories, 1);
        assert_string_equal(d->path, "/shared/personal");
        assert_string_equal(d->tag, "home");
        assert_int_equal(d->options.n_items, 2);
        assert_string_equal(key_value_list_get(&d->options, "uidmap"), "0 0 65535");
        assert_string_equal(key_value_list_get(&d->options, "gid"), "1000");
}

static void test_config_normalises_pci_device_and_derives_sysfs_path(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        const PciDevice *d = &c->vms[0].pci_devices[0];

        assert_string_equal(d->address, "0000:01:00.0");
        assert_string_equal(d->sysfs_path, "/sys/bus/pci/devices/0000:01:00.0/");
        assert_string_equal(key_value_list_get(&d->options, "iommu"), "on");
}

static void test_config_reads_vhost_user_devices(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        const KeyValueList *l = &c->vms[0].vhost_user[0];

        assert_int_equal(c->vms[0].n_vhost_user, 1);
        assert_string_equal(key_value_list_get(l, "type"), "net");
        assert_string_equal(key_value_list_get(l, "socket"), "/run/vhost.sock");
}

static void test_config_reads_interfaces_sorted_by_name(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        const VmConfig *vm = &c->vms[0];

        assert_int_equal(vm->n_interfaces, 2);
        assert_string_equal(vm->interfaces[0].name, "lan");
        assert_int_equal(vm->interfaces[0].index, 0);
        assert_string_equal(vm->interfaces[1].name, "wan");
        assert_int_equal(vm->interfaces[1].index, 1);
}

static void test_config_reads_every_interface_option(void **state) {
        static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        const NetInterface *i = &c->vms[0].interfaces[1];

        assert_memory_equal(i->mac, mac, 6);
        assert_false(i->mac_derived);
        assert_string_equal(i->tap_name, "tap-work");
        assert_false(i->tap_name_derived);
        assert_string_equal(i->tap_host_address, "10.0.0.254/24");
        assert_int_equal(i->n_tap_allowed_host_ports, 2);
        assert_false(i->tap_allowed_host_ports[0].udp);
        assert_int_equal(i->tap_allowed_host_ports[0].port, 22);
        assert_true(i->tap_allowed_host_ports[1].udp);
        assert_int_equal(i->tap_allowed_host_ports[1].port, 5353);
        assert_true(i->dhcp);
        assert_true(strv_equal(i->addresses, (char *[]){ "10.0.0.1/24", NULL }));
        assert_true(strv_equal(i->v6_addresses, (char *[]){ "fd00::1/64", NULL }));
        assert_int_equal(i->n_routes, 1);
        assert_string_equal(i->routes[0].destination, "0.0.0.0/0");
        assert_string_equal(i->routes[0].via, "10.0.0.254");
        assert_int_equal(i->n_v6_routes, 1);
        assert_string_equal(i->v6_routes[0].destination, "::/0");
        assert_string_equal(i->v6_routes[0].via, "fd00::fe");
        assert_string_equal(c->vms[0].interfaces[0].tap_bridge, "br0");
}

static void test_config_accepts_null_for_nullable_options(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        const VmConfig *vm = &c->vms[1];

        assert_null(vm->root_disk);
        assert_null(vm->kernel);
        assert_null(vm->crosvm.log_level);
}

static void test_config_accepts_single_guest_config_path(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(", 'guestConfig': '/etc/a.nix'"));

        assert_true(strv_equal(c->vms[0].guest_config, (char *[]){ "/etc/a.nix", NULL }));
}

static void test_config_disables_shared_home_with_false(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(", 'sharedHome': false"));

        assert_int_equal(c->vms[0].shared_home_mode, SHARED_HOME_DISABLED);
        assert_null(c->vms[0].shared_home_path);
}

static void test_config_accepts_colour_forms(void **state) {
        static const struct {
                const char *json;
                uint32_t rgb;
        } cases[] = {
                { ONE_VM(", 'color': 'Green'"), 0x008000 },
                { ONE_VM(", 'color': '#abc'"), 0xaabbcc },
                { ONE_VM(", 'color': 'rgb(1, 2, 3)'"), 0x010203 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(config_freep) Config *c = load_ok(cases[i].json);

                assert_int_equal(c->vms[0].color_rgb, cases[i].rgb);
        }
}

static void test_config_accepts_dependency_chain_without_cycle(void **state) {
        _cleanup_(config_freep) Config *c =
                        load_ok("{'user': 'u', 'nixosVms': [{'name': 'a', 'dependsOn': ['b', 'c']},"
                                " {'name': 'b', 'dependsOn': ['c']}, {'name': 'c'}]}");

        assert_int_equal(c->n_vms, 3);
}

static void test_config_accepts_pci_device_listed_in_two_forms_once(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(
                        ONE_VM(", 'pciDevices': [{'path': '01:00.0'}, {'path': '01:00.1'}]"));

        assert_int_equal(c->vms[0].n_pci_devices, 2);
}

/* --- derived values --- */

static void test_config_derives_stable_documented_mac(void **state) {
        static const uint8_t want[6] = { 0xe2, 0x9e, 0x80, 0xd2, 0x03, 0x83 };
        uint8_t mac[6];

        /* FNV-1a 64 of "banking-wan", octets from the low byte, first octet (h & 0xfc) | 0x02. */
        config_derive_mac("banking", "wan", mac);
        assert_memory_equal(mac, want, 6);
}

static void test_config_derived_macs_are_locally_administered_unicast(void **state) {
        static const char *const vms[] = { "a", "banking", "shopping", "sys-net", "x1" };
        static const char *const ifs[] = { "wan", "lan", "eth0" };

        for (size_t v = 0; v < ELEMENTSOF(vms); v++)
                for (size_t i = 0; i < ELEMENTSOF(ifs); i++) {
                        uint8_t mac[6];

                        config_derive_mac(vms[v], ifs[i], mac);
                        assert_int_equal(mac[0] & 0x03, 0x02);
                }
}

static void test_config_derived_macs_differ_per_vm_and_interface(void **state) {
        uint8_t a[6], b[6], c[6];

        config_derive_mac("a", "wan", a);
        config_derive_mac("b", "wan", b);
        config_derive_mac("a", "lan", c);
        assert_memory_not_equal(a, b, 6);
        assert_memory_not_equal(a, c, 6);
}

static void test_config_fills_derived_mac_into_interface(void **state) {
        _cleanup_(config_freep) Config *c =
                        load_ok("{'user': 'u', 'nixosVms': [{'name': 'banking', 'network': "
                                "{'interfaces': {'wan': {}}}}]}");
        uint8_t want[6];

        config_derive_mac("banking", "wan", want);
        assert_memory_equal(c->vms[0].interfaces[0].mac, want, 6);
}

static void test_config_derives_tap_names_from_sorted_position(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(
                        ONE_VM(", 'network': {'interfaces': {'wan': {}, 'lan': {}, 'dmz': {}}}"));
        const VmConfig *vm = &c->vms[0];

        assert_string_equal(vm->interfaces[0].name, "dmz");
        assert_string_equal(vm->interfaces[0].tap_name, "a-0");
        assert_string_equal(vm->interfaces[1].tap_name, "a-1");
        assert_string_equal(vm->interfaces[2].name, "wan");
        assert_string_equal(vm->interfaces[2].tap_name, "a-2");
}

static void test_config_derives_default_shared_home(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(""));

        assert_string_equal(c->vms[0].shared_home_path, "/shared/a");
}

static void test_config_derives_readable_text_colour(void **state) {
        static const struct {
                const char *label;
                uint32_t background, text;
        } cases[] = {
                { "white", 0xffffff, 0x000000 },
                { "black", 0x000000, 0xffffff },
                { "red: L 0.2126, black contrasts more", 0xff0000, 0x000000 },
                { "navy", 0x000080, 0xffffff },
                { "yellow", 0xffff00, 0x000000 },
                { "green #008000: L 0.154", 0x008000, 0xffffff },
                { "#2ecc71", 0x2ecc71, 0x000000 },
                { "mid grey #757575: L 0.178, just below 0.1791", 0x757575, 0xffffff },
                { "mid grey #767676: L 0.181, just above", 0x767676, 0x000000 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                print_message("case: %s\n", cases[i].label);
                assert_int_equal(config_derive_text_rgb(cases[i].background), cases[i].text);
        }
}

static void test_config_stores_text_colour_of_vm(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(", 'color': 'navy'"));

        assert_int_equal(c->vms[0].text_rgb, 0xffffff);
}

/* --- examples --- */

static void test_config_loads_quickstart_example_as_in_the_original(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(EXAMPLES_DIR "/quickstart.json");
        const VmConfig *banking, *shopping, *personal;

        assert_string_equal(c->user, "david");
        assert_true(c->nat_enable);
        assert_string_equal(c->nat_interface, "eth0");
        assert_int_equal(c->n_vms, 3);
        banking = config_find_vm(c, "banking");
        shopping = config_find_vm(c, "shopping");
        personal = config_find_vm(c, "personal");
        assert_non_null(banking);
        assert_non_null(shopping);
        assert_non_null(personal);
        assert_int_equal(banking->memory_mib, 4096);
        assert_int_equal(banking->cpus, 4);
        assert_int_equal(banking->auto_shutdown_after_sec, 120);
        assert_string_equal(banking->interfaces[0].tap_host_address, "10.0.0.254/24");
        assert_string_equal(banking->interfaces[0].routes[0].via, "10.0.0.254");
        assert_int_equal(shopping->memory_mib, 2048);
        assert_true(shopping->auto_shutdown);
        assert_int_equal(shopping->auto_shutdown_after_sec, 60);
        assert_string_equal(shopping->interfaces[0].tap_name, "shopping-0");
        assert_int_equal(personal->n_interfaces, 0);
        assert_true(strv_equal(personal->guest_programs, (char *[]){ "libreoffice", NULL }));
}

static void test_config_loads_demo_example(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(EXAMPLES_DIR "/demo.json");

        assert_int_equal(c->n_vms, 1);
        assert_string_equal(c->vms[0].name, "demo");
        assert_int_equal(c->vms[0].memory_mib, 512);
        assert_int_equal(c->vms[0].cpus, 1);
        assert_int_equal(c->vms[0].n_interfaces, 0);
        assert_int_equal(c->vms[0].vmm, VMM_QEMU);
}

static void test_config_load_file_reports_unreadable_file(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};
        Config *c = NULL;

        assert_int_equal(config_load_file(TEST_DATA_DIR "/config/missing.json", &c, &e), -ENOENT);
        assert_null(c);
        assert_int_equal(e.n_items, 1);
        assert_string_equal(e.items[0].message, "cannot read file: No such file or directory");
}

/* --- accessors and tables --- */

static void test_config_find_vm_returns_null_for_unknown_name(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_VM(""));

        assert_ptr_equal(config_find_vm(c, "a"), &c->vms[0]);
        assert_null(config_find_vm(c, "b"));
}

static void test_config_vm_vmm_prefers_vm_then_global_then_auto(void **state) {
        _cleanup_(config_freep) Config *c =
                        load_ok("{'user': 'u', 'vmm': 'crosvm', 'nixosVms': [{'name': 'a'},"
                                " {'name': 'b', 'vmm': 'qemu'}]}");

        assert_int_equal(config_vm_vmm(c, &c->vms[0], false), VMM_CROSVM);
        assert_int_equal(config_vm_vmm(c, &c->vms[1], true), VMM_QEMU);
        c->vmm = VMM_AUTO;
        assert_int_equal(config_vm_vmm(c, &c->vms[0], true), VMM_CROSVM);
        assert_int_equal(config_vm_vmm(c, &c->vms[0], false), VMM_QEMU);
}

static void test_config_vm_accel_inherits_global_choice(void **state) {
        _cleanup_(config_freep) Config *c =
                        load_ok("{'user': 'u', 'acceleration': 'tcg', 'nixosVms': [{'name': 'a'},"
                                " {'name': 'b', 'acceleration': 'kvm'}]}");

        assert_int_equal(config_vm_accel(c, &c->vms[0]), ACCEL_TCG);
        assert_int_equal(config_vm_accel(c, &c->vms[1]), ACCEL_KVM);
}

static void test_config_vm_crosvm_log_level_inherits_global(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(
                        "{'user': 'u', 'crosvm': {'logLevel': 'warn'}, 'nixosVms': [{'name': 'a'},"
                        " {'name': 'b', 'crosvm': {'logLevel': 'trace'}}]}");

        assert_string_equal(config_vm_crosvm_log_level(c, &c->vms[0]), "warn");
        assert_string_equal(config_vm_crosvm_log_level(c, &c->vms[1]), "trace");
}

static void test_config_vm_frame_width_inherits_global(void **state) {
        _cleanup_(config_freep) Config *d = load_ok("{'user': 'u', 'nixosVms': [{'name': 'a'}]}");
        _cleanup_(config_freep) Config *c =
                        load_ok("{'user': 'u', 'frameWidth': 2, 'nixosVms': [{'name': 'a'},"
                                " {'name': 'b', 'frameWidth': 0}]}");
        _cleanup_(config_errors_finish) ConfigErrors e = {};
        Config *bad = NULL;

        assert_int_equal(d->frame_width, 4);
        assert_int_equal(d->vms[0].frame_width, 4);
        assert_int_equal(c->vms[0].frame_width, 2);
        assert_int_equal(c->vms[1].frame_width, 0);
        assert_int_equal(config_load_string("{\"user\": \"u\", \"nixosVms\": [{\"name\": \"a\", "
                                            "\"frameWidth\": 65}]}",
                                         NULL, &bad, &e),
                        -EINVAL);
        assert_null(bad);
        assert_int_equal(e.n_items, 1);
        assert_string_equal(e.items[0].path, "nixosVms[0].frameWidth");
}

static void test_config_enum_tables_round_trip(void **state) {
        for (VmmKind k = 0; k < _VMM_KIND_MAX; k++)
                assert_int_equal(vmm_kind_from_string(vmm_kind_to_string(k)), k);
        for (AccelKind k = 0; k < _ACCEL_KIND_MAX; k++)
                assert_int_equal(accel_kind_from_string(accel_kind_to_string(k)), k);
        for (OverlayType t = 0; t < _OVERLAY_TYPE_MAX; t++)
                assert_int_equal(overlay_type_from_string(overlay_type_to_string(t)), t);
        assert_int_equal(vmm_kind_from_string("kvm"), _VMM_KIND_INVALID);
        assert_int_equal(accel_kind_from_string(NULL), _ACCEL_KIND_INVALID);
        assert_null(overlay_type_to_string(_OVERLAY_TYPE_MAX));
}

static void test_config_free_accepts_null(void **state) {
        assert_null(config_free(NULL));
}

static void test_config_errors_finish_empties_the_list(void **state) {
        ConfigErrors e = {};

        assert_int_equal(config_error_add(&e, 1, 2, "a.b", "bad %d", 7), 0);
        assert_string_equal(e.items[0].message, "bad 7");
        config_errors_finish(&e);
        assert_null(e.items);
        assert_int_equal(e.n_items, 0);
        config_errors_finish(&e);
}

static void test_config_path_quotes_keys_that_are_not_identifiers(void **state) {
        static const struct {
                const char *parent, *key, *want;
        } cases[] = {
                { "", "user", "user" },
                { "a", "vmsilo-balloond", "a.vmsilo-balloond" },
                { "routes", "0.0.0.0/0", "routes[\"0.0.0.0/0\"]" },
                { "x", "", "x[\"\"]" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *p = config_path_key(cases[i].parent, cases[i].key);

                assert_string_equal(p, cases[i].want);
        }
}

static void test_config_keys_suggest_near_misses_only(void **state) {
        static const char *const known[] = { "memory", "cpus", "color", NULL };

        assert_string_equal(config_keys_suggest("memroy", known), "memory");
        assert_string_equal(config_keys_suggest("CPUS", known), "cpus");
        assert_string_equal(config_keys_suggest("colour", known), "color");
        assert_null(config_keys_suggest("network", known));
}

static void test_config_keys_edit_distance_counts_edits(void **state) {
        assert_int_equal(config_keys_edit_distance("", ""), 0);
        assert_int_equal(config_keys_edit_distance("abc", "abc"), 0);
        assert_int_equal(config_keys_edit_distance("abc", "abd"), 1);
        assert_int_equal(config_keys_edit_distance("abc", "ab"), 1);
        assert_int_equal(config_keys_edit_distance("kitten", "sitting"), 3);
}

/* --- normalised JSON --- */

static json_t *format_and_parse(const Config *c) {
        _cleanup_(freep) char *s = NULL;
        json_t *j;

        assert_int_equal(config_format_json(c, &s), 0);
        j = json_loads(s, 0, NULL);
        assert_non_null(j);
        return j;
}

static void test_config_format_includes_defaults_and_derived_values(void **state) {
        _cleanup_(config_freep) Config *c = load_ok(ONE_IF(""));
        json_auto_t *j = format_and_parse(c);
        json_t *vm = json_array_get(json_object_get(j, "nixosVms"), 0);
        json_t *wan = json_object_get(
                        json_object_get(json_object_get(vm, "network"), "interfaces"), "wan");
        char mac[18];
        const uint8_t *m = c->vms[0].interfaces[0].mac;

        (void) snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
                        m[4], m[5]);
        assert_string_equal(json_string_value(json_object_get(vm, "colorRgb")), "#ff0000");
        assert_string_equal(json_string_value(json_object_get(vm, "textColor")), "#000000");
        assert_string_equal(json_string_value(json_object_get(vm, "sharedHomePath")), "/shared/a");
        assert_int_equal(json_integer_value(json_object_get(vm, "memory")), 1024);
        assert_string_equal(json_string_value(json_object_get(wan, "macAddress")), mac);
        assert_string_equal(json_string_value(json_object_get(json_object_get(wan, "tap"), "name")),
                        "a-0");
        assert_string_equal(json_string_value(json_object_get(j, "vmm")), "auto");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "vmsilo-balloond"),
                                         "pollIntervalUsec")),
                        2000000);
}

static void test_config_format_writes_allowed_host_ports(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        json_auto_t *j = format_and_parse(c);
        json_t *vm = json_array_get(json_object_get(j, "nixosVms"), 0);
        json_t *ifs = json_object_get(json_object_get(vm, "network"), "interfaces");
        json_t *wan = json_object_get(
                        json_object_get(json_object_get(ifs, "wan"), "tap"), "allowedHostPorts");
        json_t *lan = json_object_get(
                        json_object_get(json_object_get(ifs, "lan"), "tap"), "allowedHostPorts");

        assert_int_equal(json_array_size(wan), 2);
        assert_string_equal(json_string_value(json_array_get(wan, 0)), "tcp/22");
        assert_string_equal(json_string_value(json_array_get(wan, 1)), "udp/5353");
        assert_true(json_is_array(lan));
        assert_int_equal(json_array_size(lan), 0);
}

static void test_config_format_lists_keys_in_option_table_order(void **state) {
        static const char *const order[] = { "enable", "user", "hostNetworking", "nixosVms",
                "enableBashIntegration", "crosvm", "vmsilo-balloond", "vmsilo-tray",
                "isolatedPciDevices", "vmm", "acceleration", "waylandDisplay", "frameWidth",
                "clipboardCopyKey", "clipboardPasteKey" };
        _cleanup_(config_freep) Config *c = load_ok("{'vmm': 'qemu', 'user': 'u', 'enable': true}");
        json_auto_t *j = format_and_parse(c);
        const char *key;
        json_t *v;
        size_t i = 0;

        json_object_foreach(j, key, v) {
                assert_true(i < ELEMENTSOF(order));
                assert_string_equal(key, order[i++]);
        }
        assert_int_equal(i, ELEMENTSOF(order));
}

static void test_config_format_is_stable(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        _cleanup_(freep) char *a = NULL, *b = NULL;

        assert_int_equal(config_format_json(c, &a), 0);
        assert_int_equal(config_format_json(c, &b), 0);
        assert_string_equal(a, b);
}

static void test_config_format_keeps_options_of_free_form_sets(void **state) {
        _cleanup_(config_freep) Config *c = load_file_ok(TEST_DATA_DIR "/config/full.json");
        json_auto_t *j = format_and_parse(c);
        json_t *vm = json_array_get(json_object_get(j, "nixosVms"), 0);
        json_t *dir = json_array_get(json_object_get(vm, "sharedDirectories"), 0);
        json_t *pci = json_array_get(json_object_get(vm, "pciDevices"), 0);

        assert_string_equal(json_string_value(json_object_get(dir, "tag")), "home");
        assert_string_equal(json_string_value(json_object_get(dir, "uidmap")), "0 0 65535");
        assert_string_equal(json_string_value(json_object_get(pci, "path")), "0000:01:00.0");
        assert_string_equal(json_string_value(json_object_get(pci, "sysfsPath")),
                        "/sys/bus/pci/devices/0000:01:00.0/");
        assert_string_equal(json_string_value(json_object_get(json_object_get(vm, "gpu"), "width")),
                        "1920");
        assert_true(json_is_false(json_object_get(vm, "sound")));
        assert_string_equal(json_string_value(json_object_get(vm, "sharedHome")),
                        "/home/alice/vms/work");
}

/* --- error messages --- */

static void test_config_error_format_gives_file_line_column_path_and_message(void **state) {
        ConfigError e = { .path = (char *) "nixosVms[0].memory",
                .message = (char *) "too small",
                .line = 3,
                .column = 7 };
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(config_error_format(&e, "c.json", &s), 0);
        assert_string_equal(s, "c.json:3:7: nixosVms[0].memory: too small");
}

static void test_config_error_format_leaves_out_line_and_column_when_unknown(void **state) {
        ConfigError e = { .path = (char *) "user", .message = (char *) "must be a string" };
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(config_error_format(&e, "c.json", &s), 0);
        assert_string_equal(s, "c.json: user: must be a string");
}

static void test_config_error_format_leaves_out_an_empty_path(void **state) {
        ConfigError e = { .path = (char *) "", .message = (char *) "cannot read file" };
        ConfigError f = { .message = (char *) "syntax", .line = 1, .column = 2 };
        _cleanup_(freep) char *s = NULL, *t = NULL;

        assert_int_equal(config_error_format(&e, "c.json", &s), 0);
        assert_string_equal(s, "c.json: cannot read file");
        assert_int_equal(config_error_format(&f, "c.json", &t), 0);
        assert_string_equal(t, "c.json:1:2: syntax");
}

static void test_config_errors_print_writes_one_line_per_error(void **state) {
        ConfigError items[] = {
                { .path = (char *) "a", .message = (char *) "first", .line = 2, .column = 1 },
                { .path = (char *) "", .message = (char *) "second" },
        };
        ConfigErrors e = { .items = items, .n_items = ELEMENTSOF(items) };
        _cleanup_(freep) char *out = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&out, &size);
        assert_non_null(f);
        config_errors_print(&e, "c.json", f);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(out, "c.json:2:1: a: first\nc.json: second\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config_fills_every_top_level_default),
                cmocka_unit_test(test_config_fills_every_vm_default),
                cmocka_unit_test(test_config_fills_every_interface_default),
                cmocka_unit_test(test_config_reads_every_top_level_option),
                cmocka_unit_test(test_config_reads_every_vm_option),
                cmocka_unit_test(test_config_reads_disks_with_their_vmm_options),
                cmocka_unit_test(test_config_reads_gpu_options_and_disabled_sound),
                cmocka_unit_test(test_config_accepts_id_as_shared_directory_tag),
                cmocka_unit_test(test_config_normalises_pci_device_and_derives_sysfs_path),
                cmocka_unit_test(test_config_reads_vhost_user_devices),
                cmocka_unit_test(test_config_reads_interfaces_sorted_by_name),
                cmocka_unit_test(test_config_reads_every_interface_option),
                cmocka_unit_test(test_config_accepts_null_for_nullable_options),
                cmocka_unit_test(test_config_accepts_single_guest_config_path),
                cmocka_unit_test(test_config_disables_shared_home_with_false),
                cmocka_unit_test(test_config_accepts_colour_forms),
                cmocka_unit_test(test_config_accepts_dependency_chain_without_cycle),
                cmocka_unit_test(test_config_accepts_pci_device_listed_in_two_forms_once),
                cmocka_unit_test(test_config_derives_stable_documented_mac),
                cmocka_unit_test(test_config_derived_macs_are_locally_administered_unicast),
                cmocka_unit_test(test_config_derived_macs_differ_per_vm_and_interface),
                cmocka_unit_test(test_config_fills_derived_mac_into_interface),
                cmocka_unit_test(test_config_derives_tap_names_from_sorted_position),
                cmocka_unit_test(test_config_derives_default_shared_home),
                cmocka_unit_test(test_config_derives_readable_text_colour),
                cmocka_unit_test(test_config_stores_text_colour_of_vm),
                cmocka_unit_test(test_config_loads_quickstart_example_as_in_the_original),
                cmocka_unit_test(test_config_loads_demo_example),
                cmocka_unit_test(test_config_load_file_reports_unreadable_file),
                cmocka_unit_test(test_config_find_vm_returns_null_for_unknown_name),
                cmocka_unit_test(test_config_vm_vmm_prefers_vm_then_global_then_auto),
                cmocka_unit_test(test_config_vm_accel_inherits_global_choice),
                cmocka_unit_test(test_config_vm_crosvm_log_level_inherits_global),
                cmocka_unit_test(test_config_vm_frame_width_inherits_global),
                cmocka_unit_test(test_config_enum_tables_round_trip),
                cmocka_unit_test(test_config_free_accepts_null),
                cmocka_unit_test(test_config_errors_finish_empties_the_list),
                cmocka_unit_test(test_config_path_quotes_keys_that_are_not_identifiers),
                cmocka_unit_test(test_config_keys_suggest_near_misses_only),
                cmocka_unit_test(test_config_keys_edit_distance_counts_edits),
                cmocka_unit_test(test_config_format_includes_defaults_and_derived_values),
                cmocka_unit_test(test_config_format_writes_allowed_host_ports),
                cmocka_unit_test(test_config_format_lists_keys_in_option_table_order),
                cmocka_unit_test(test_config_format_is_stable),
                cmocka_unit_test(test_config_format_keeps_options_of_free_form_sets),
                cmocka_unit_test(test_config_error_format_gives_file_line_column_path_and_message),
                cmocka_unit_test(test_config_error_format_leaves_out_line_and_column_when_unknown),
                cmocka_unit_test(test_config_error_format_leaves_out_an_empty_path),
                cmocka_unit_test(test_config_errors_print_writes_one_line_per_error),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-config-validate.c: every rule of config loading rejects its bad input with the JSON path
 * of the problem. One rule per test; the valid side of each option is in test-config.c. */
#include "config-internal.h"
#include "test-config-helpers.h"

#define NAME_65 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* --- syntax and document shape --- */

static void test_config_reports_syntax_error_with_line_and_column(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        load_bad("{\n  'user': 'u',\n  'nixosVms': [ }\n", &e);
        assert_int_equal(e.n_items, 1);
        assert_string_equal(e.items[0].path, "");
        assert_int_equal(e.items[0].line, 3);
        assert_true(e.items[0].column > 0);
}

static void test_config_rejects_duplicate_keys(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        load_bad("{'user': 'u', 'user': 'v'}", &e);
        assert_int_equal(e.n_items, 1);
        assert_non_null(strstr(e.items[0].message, "duplicate"));
        assert_int_equal(e.items[0].line, 1);
}

static void test_config_rejects_non_object_document(void **state) {
        assert_one_error("[]", "", "the document must be an object, got a list");
}

/* --- top level --- */

static void test_config_rejects_missing_user(void **state) {
        assert_one_error("{'nixosVms': []}", "user", "required option is missing");
}

static void test_config_rejects_root_as_the_vm_user(void **state) {
        assert_one_error("{'user': 'root'}", "user", "must not be root: the VMMs run as this user");
}

static void test_config_rejects_invalid_user_name(void **state) {
        assert_one_error("{'user': '-rf'}", "user", "'-rf' is not a valid user name");
}

static void test_config_rejects_unknown_option_with_suggestion(void **state) {
        assert_one_error("{'user': 'u', 'enabel': true}", "enabel",
                        "unknown option, did you mean 'enable'?");
}

static void test_config_suggests_option_differing_only_in_case(void **state) {
        assert_one_error("{'user': 'u', 'nixosvms': []}", "nixosvms", "did you mean 'nixosVms'?");
}

static void test_config_rejects_unknown_option_far_from_any_name(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        load_bad("{'user': 'u', 'frobnicate': 1}", &e);
        assert_int_equal(e.n_items, 1);
        assert_string_equal(e.items[0].path, "frobnicate");
        assert_string_equal(e.items[0].message, "unknown option");
}

static void test_config_rejects_wrong_type(void **state) {
        assert_one_error("{'user': 'u', 'enable': 'yes'}", "enable",
                        "expected a boolean, got a string");
}

static void test_config_rejects_non_boolean_tray_switch(void **state) {
        assert_one_error(ONE_VM(", 'tray': 'off'"), "nixosVms[0].tray",
                        "expected a boolean, got a string");
}

static void test_config_rejects_nat_without_interface(void **state) {
        assert_one_error("{'user': 'u', 'hostNetworking': {'nat': {'enable': true}}}",
                        "hostNetworking.nat.interface",
                        "required when hostNetworking.nat.enable is true");
}

static void test_config_rejects_invalid_nat_interface(void **state) {
        assert_one_error("{'user': 'u', 'hostNetworking': {'nat': {'interface': 'eth/0'}}}",
                        "hostNetworking.nat.interface", "not a valid network interface name");
}

static void test_config_rejects_unknown_log_levels(void **state) {
        static const struct {
                const char *label, *json, *path;
        } cases[] = {
                { "global crosvm", "{'user': 'u', 'crosvm': {'logLevel': 'loud'}}",
                                "crosvm.logLevel" },
                { "balloond", "{'user': 'u', 'vmsilo-balloond': {'logLevel': 'loud'}}",
                                "vmsilo-balloond.logLevel" },
                { "tray", "{'user': 'u', 'vmsilo-tray': {'logLevel': 'loud'}}",
                                "vmsilo-tray.logLevel" },
                { "per-VM crosvm", ONE_VM(", 'crosvm': {'logLevel': 'loud'}"),
                                "nixosVms[0].crosvm.logLevel" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                print_message("case: %s\n", cases[i].label);
                assert_one_error(cases[i].json, cases[i].path,
                                "must be one of 'error', 'warn', 'info', 'debug', 'trace', got "
                                "'loud'");
        }
}

static void test_config_rejects_unparsable_poll_interval(void **state) {
        assert_one_error("{'user': 'u', 'vmsilo-balloond': {'pollInterval': '2 seconds'}}",
                        "vmsilo-balloond.pollInterval", "is not a positive duration");
}

static void test_config_rejects_zero_poll_interval(void **state) {
        assert_one_error("{'user': 'u', 'vmsilo-balloond': {'pollInterval': '0ms'}}",
                        "vmsilo-balloond.pollInterval", "'0ms' is not a positive duration");
}

static void test_config_rejects_critical_host_percent_over_100(void **state) {
        assert_one_error("{'user': 'u', 'vmsilo-balloond': {'criticalHostPercent': 101}}",
                        "vmsilo-balloond.criticalHostPercent",
                        "must be between 0 and 100 percent, got 101");
}

static void test_config_rejects_unparsable_guest_available_bias(void **state) {
        assert_one_error("{'user': 'u', 'vmsilo-balloond': {'guestAvailableBias': '300 MB'}}",
                        "vmsilo-balloond.guestAvailableBias", "'300 MB' is not a size");
}

static void test_config_rejects_bad_isolated_pci_device(void **state) {
        assert_one_error("{'user': 'u', 'isolatedPciDevices': ['01:00.0', '1:0.0']}",
                        "isolatedPciDevices[1]", "'1:0.0' is not a PCI address");
}

static void test_config_rejects_unknown_vmm(void **state) {
        assert_one_error("{'user': 'u', 'vmm': 'firecracker'}", "vmm",
                        "must be one of 'auto', 'qemu', 'crosvm', got 'firecracker'");
}

static void test_config_rejects_unknown_acceleration(void **state) {
        assert_one_error(ONE_VM(", 'acceleration': 'hvf'"), "nixosVms[0].acceleration",
                        "must be one of 'auto', 'kvm', 'tcg', got 'hvf'");
}

static void test_config_rejects_vm_list_that_is_not_a_list(void **state) {
        assert_one_error("{'user': 'u', 'nixosVms': {}}", "nixosVms",
                        "expected a list, got an object");
}

/* --- VM options --- */

static void test_config_rejects_vm_that_is_not_an_object(void **state) {
        assert_one_error("{'user': 'u', 'nixosVms': ['a']}", "nixosVms[0]",
                        "expected an object, got a string");
}

static void test_config_rejects_vm_without_name(void **state) {
        assert_one_error("{'user': 'u', 'nixosVms': [{}]}", "nixosVms[0].name",
                        "required option is missing");
}

static void test_config_rejects_vm_names_unusable_in_socket_and_tap_names(void **state) {
        static const char *const names[] = { "Banking", "-a", "_a", "a b", "a/b", "a.b", "",
                NAME_65 };

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char json[256];

                print_message("name: '%s'\n", names[i]);
                (void) snprintf(json, sizeof(json), "{'user': 'u', 'nixosVms': [{'name': '%s'}]}",
                                names[i]);
                assert_one_error(json, "nixosVms[0].name", "is not a valid VM name");
        }
}

/* A program's --vm takes exactly the names a configuration may give. */
static void test_config_check_vm_name_arg_as_the_configuration(void **state) {
        assert_int_equal(config_check_vm_name_arg("banking"), 0);
        assert_int_equal(config_check_vm_name_arg("my-vm2"), 0);
        assert_int_equal(config_check_vm_name_arg(""), -EINVAL);
        assert_int_equal(config_check_vm_name_arg("../etc"), -EINVAL);
        assert_int_equal(config_check_vm_name_arg("a b"), -EINVAL);
        assert_int_equal(config_check_vm_name_arg(NAME_65), -EINVAL);
}

static void test_config_rejects_duplicate_vm_names(void **state) {
        assert_one_error("{'user': 'u', 'nixosVms': [{'name': 'a'}, {'name': 'b'}, {'name': 'a'}]}",
                        "nixosVms[2].name", "duplicate VM name 'a' (also nixosVms[0])");
}

static void test_config_rejects_memory_below_minimum(void **state) {
        assert_one_error(ONE_VM(", 'memory': 10"), "nixosVms[0].memory",
                        "must be between 64 and 1048576 MiB, got 10");
}

static void test_config_rejects_memory_above_maximum(void **state) {
        assert_one_error(ONE_VM(", 'memory': 1048577"), "nixosVms[0].memory",
                        "must be between 64 and 1048576 MiB, got 1048577");
}

static void test_config_rejects_memory_given_as_string(void **state) {
        assert_one_error(ONE_VM(", 'memory': '4G'"), "nixosVms[0].memory",
                        "expected an integer, got a string");
}

static void test_config_rejects_zero_cpus(void **state) {
        assert_one_error(ONE_VM(", 'cpus': 0"), "nixosVms[0].cpus",
                        "must be between 1 and 256, got 0");
}

static void test_config_rejects_too_many_cpus(void **state) {
        assert_one_error(ONE_VM(", 'cpus': 257"), "nixosVms[0].cpus",
                        "must be between 1 and 256, got 257");
}

static void test_config_rejects_unknown_colours(void **state) {
        static const char *const colours[] = { "reddish", "#12345", "#ggg", "rgb(256,0,0)",
                "rgb(1,2)", "rgb(1,2,3) x", "" };

        for (size_t i = 0; i < ELEMENTSOF(colours); i++) {
                char json[256];

                print_message("colour: '%s'\n", colours[i]);
                (void) snprintf(json, sizeof(json), ONE_VM(", 'color': '%s'"), colours[i]);
                assert_one_error(json, "nixosVms[0].color", "is not a colour");
        }
}

static void test_config_rejects_unknown_vm_option_with_suggestion(void **state) {
        assert_one_error(ONE_VM(", 'memroy': 512"), "nixosVms[0].memroy", "did you mean 'memory'?");
}

static void test_config_rejects_auto_shutdown_after_zero(void **state) {
        assert_one_error(ONE_VM(", 'autoShutdown': {'enable': true, 'after': 0}"),
                        "nixosVms[0].autoShutdown.after", "must be between 1 and");
}

static void test_config_rejects_depends_on_unknown_vm(void **state) {
        assert_one_error(ONE_VM(", 'dependsOn': ['ghost']"), "nixosVms[0].dependsOn[0]",
                        "unknown VM 'ghost'");
}

static void test_config_rejects_depends_on_itself(void **state) {
        assert_one_error(ONE_VM(", 'dependsOn': ['a']"), "nixosVms[0].dependsOn[0]",
                        "VM 'a' cannot depend on itself");
}

static void test_config_rejects_dependency_cycle_naming_it(void **state) {
        assert_one_error("{'user': 'u', 'nixosVms': [{'name': 'a', 'dependsOn': ['b']},"
                         " {'name': 'b', 'dependsOn': ['a']}]}",
                        "nixosVms[0].dependsOn", "dependency cycle: a -> b -> a");
}

static void test_config_rejects_long_dependency_cycle_once(void **state) {
        assert_one_error("{'user': 'u', 'nixosVms': [{'name': 'x'},"
                         " {'name': 'a', 'dependsOn': ['b']}, {'name': 'b', 'dependsOn': ['c']},"
                         " {'name': 'c', 'dependsOn': ['x', 'a']}]}",
                        "nixosVms[1].dependsOn", "dependency cycle: a -> b -> c -> a");
}

static void test_config_rejects_relative_kernel_path(void **state) {
        assert_one_error(ONE_VM(", 'kernel': 'vmlinuz'"), "nixosVms[0].kernel",
                        "must be an absolute path, got 'vmlinuz'");
}

static void test_config_rejects_relative_initramfs_path(void **state) {
        assert_one_error(ONE_VM(", 'initramfs': 'initrd.img'"), "nixosVms[0].initramfs",
                        "must be an absolute path");
}

static void test_config_rejects_additional_disk_without_path(void **state) {
        assert_one_error(ONE_VM(", 'additionalDisks': [{'ro': true}]"),
                        "nixosVms[0].additionalDisks[0].path", "required option is missing");
}

static void test_config_rejects_relative_disk_path(void **state) {
        assert_one_error(ONE_VM(", 'additionalDisks': [{'path': 'data.qcow2'}]"),
                        "nixosVms[0].additionalDisks[0].path", "must be an absolute path");
}

static void test_config_rejects_root_disk_without_path(void **state) {
        assert_one_error(ONE_VM(", 'rootDisk': {'ro': true}"), "nixosVms[0].rootDisk.path",
                        "required option is missing");
}

static void test_config_rejects_root_disk_of_wrong_type(void **state) {
        assert_one_error(ONE_VM(", 'rootDisk': '/disk.img'"), "nixosVms[0].rootDisk",
                        "expected an object or null, got a string");
}

static void test_config_rejects_shared_directory_without_path(void **state) {
        assert_one_error(ONE_VM(", 'sharedDirectories': [{'tag': 'home'}]"),
                        "nixosVms[0].sharedDirectories[0].path", "required option is missing");
}

static void test_config_rejects_shared_directory_without_tag(void **state) {
        assert_one_error(ONE_VM(", 'sharedDirectories': [{'path': '/srv'}]"),
                        "nixosVms[0].sharedDirectories[0].tag", "required option is missing");
}

static void test_config_rejects_shared_directory_with_tag_and_id(void **state) {
        assert_one_error(ONE_VM(", 'sharedDirectories': [{'path': '/srv', 'tag': 'a', 'id': 'b'}]"),
                        "nixosVms[0].sharedDirectories[0]", "tag and id are synonyms");
}

static void test_config_rejects_relative_shared_directory_path(void **state) {
        assert_one_error(ONE_VM(", 'sharedDirectories': [{'path': 'srv', 'tag': 'a'}]"),
                        "nixosVms[0].sharedDirectories[0].path", "must be an absolute path");
}

static void test_config_rejects_shared_directory_tag_with_comma(void **state) {
        assert_one_error(ONE_VM(", 'sharedDirectories': [{'path': '/srv', 'id': 'a,b'}]"),
                        "nixosVms[0].sharedDirectories[0].id", "is not a valid tag");
}

static void test_config_rejects_pci_device_without_path(void **state) {
        assert_one_error(ONE_VM(", 'pciDevices': [{'iommu': 'on'}]"),
                        "nixosVms[0].pciDevices[0].path", "required option is missing");
}

static void test_config_rejects_bad_pci_device_address(void **state) {
        assert_one_error(ONE_VM(", 'pciDevices': [{'path': '01:20.0'}]"),
                        "nixosVms[0].pciDevices[0].path", "'01:20.0' is not a PCI address");
}

static void test_config_rejects_pci_device_used_by_two_vms(void **state) {
        assert_one_error("{'user': 'u', 'nixosVms': [{'name': 'a', 'pciDevices': [{'path': "
                         "'01:00.0'}]}, {'name': 'b', 'pciDevices': [{'path': '0000:01:00.0'}]}]}",
                        "nixosVms[1].pciDevices[0].path",
                        "PCI device 0000:01:00.0 is already passed through to nixosVms[0] ('a')");
}

static void test_config_rejects_gpu_of_wrong_type(void **state) {
        assert_one_error(ONE_VM(", 'gpu': 'virgl'"), "nixosVms[0].gpu",
                        "expected a boolean or an object, got a string");
}

static void test_config_rejects_vmm_option_value_with_comma(void **state) {
        assert_one_error(ONE_VM(", 'sound': {'backend': 'pulse,capture=true'}"),
                        "nixosVms[0].sound.backend", "must not contain ','");
}

static void test_config_rejects_vmm_option_value_that_is_a_list(void **state) {
        assert_one_error(ONE_VM(", 'vhostUser': [{'type': 'net', 'socket': ['/a']}]"),
                        "nixosVms[0].vhostUser[0].socket",
                        "expected a string, integer or boolean, got a list");
}

static void test_config_rejects_vmm_option_name_with_equals(void **state) {
        assert_one_error(ONE_VM(", 'additionalDisks': [{'path': '/d', 'ro=true': true}]"),
                        "nixosVms[0].additionalDisks[0][\"ro=true\"]",
                        "option names may only contain");
}

static void test_config_rejects_relative_shared_home(void **state) {
        assert_one_error(ONE_VM(", 'sharedHome': 'home/a'"), "nixosVms[0].sharedHome",
                        "must be an absolute path, got 'home/a'");
}

static void test_config_rejects_shared_home_of_wrong_type(void **state) {
        assert_one_error(ONE_VM(", 'sharedHome': 1"), "nixosVms[0].sharedHome",
                        "expected a boolean or a string, got an integer");
}

static void test_config_rejects_relative_guest_config_in_list(void **state) {
        assert_one_error(ONE_VM(", 'guestConfig': ['/etc/a.nix', 'b.nix']"),
                        "nixosVms[0].guestConfig[1]", "must be an absolute path");
}

static void test_config_rejects_relative_single_guest_config(void **state) {
        assert_one_error(ONE_VM(", 'guestConfig': 'b.nix'"), "nixosVms[0].guestConfig",
                        "must be an absolute path");
}

static void test_config_rejects_guest_config_of_wrong_type(void **state) {
        assert_one_error(ONE_VM(", 'guestConfig': {}"), "nixosVms[0].guestConfig",
                        "expected a path or a list of paths, got an object");
}

static void test_config_rejects_unknown_overlay_type(void **state) {
        assert_one_error(ONE_VM(", 'rootOverlay': {'type': 'ext4'}"),
                        "nixosVms[0].rootOverlay.type",
                        "must be one of 'qcow2', 'tmpfs', got 'ext4'");
}

static void test_config_rejects_unparsable_overlay_size(void **state) {
        assert_one_error(ONE_VM(", 'rootOverlay': {'size': '10X'}"), "nixosVms[0].rootOverlay.size",
                        "'10X' is not a positive size");
}

static void test_config_rejects_overflowing_overlay_size(void **state) {
        assert_one_error(ONE_VM(", 'rootOverlay': {'size': '99999999999T'}"),
                        "nixosVms[0].rootOverlay.size", "is not a positive size");
}

static void test_config_rejects_unknown_wayland_proxy(void **state) {
        assert_one_error(ONE_VM(", 'waylandProxy': 'weston'"), "nixosVms[0].waylandProxy",
                        "must be one of 'wayland-proxy-virtwl', 'sommelier', 'waypipe', got "
                        "'weston'");
}

static void test_config_wayland_display_is_a_name_or_an_absolute_path(void **state) {
        static const char *const bad[] = { "", ".", "..", "run/wayland-1", "/run/user/../wayland-0",
                "/run/..", NULL };
        _cleanup_(config_freep) Config *name =
                        load_ok("{'user': 'u', 'waylandDisplay': 'wayland-1'}");
        _cleanup_(config_freep) Config *path =
                        load_ok("{'user': 'u', 'waylandDisplay': '/run/user/1000/wayland-0'}");
        _cleanup_(config_freep) Config *unset = load_ok("{'user': 'u', 'waylandDisplay': null}");

        assert_string_equal(name->wayland_display, "wayland-1");
        assert_string_equal(path->wayland_display, "/run/user/1000/wayland-0");
        assert_null(unset->wayland_display);
        for (const char *const *d = bad; *d; d++) {
                _cleanup_(freep) char *doc = NULL;
                assert_true(asprintf(&doc, "{'user': 'u', 'waylandDisplay': '%s'}", *d) > 0);
                assert_one_error(doc, "waylandDisplay", "is neither a display name");
        }
        assert_one_error("{'user': 'u', 'waylandDisplay': '/"
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                         "xxxxxxxx"
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                         "'}",
                        "waylandDisplay", "at most 107 characters");
        assert_one_error(
                        "{'user': 'u', 'waylandDisplay': 1}", "waylandDisplay", "a string or null");
}

static void test_config_clipboard_keys_default_to_qubes_and_are_checked(void **state) {
        static const char *const bad[] = { "", "c", "ctrl+", "+c", "ctrl+shift", "ctrl+ctrl+c",
                "hyper+c", "ctrl++c", NULL };
        _cleanup_(config_freep) Config *unset = load_ok("{'user': 'u'}");
        _cleanup_(config_freep) Config *set =
                        load_ok("{'user': 'u', 'clipboardCopyKey': 'Ctrl+Insert', "
                                "'clipboardPasteKey': 'shift+Insert'}");

        assert_string_equal(unset->clipboard_copy_key, "ctrl+shift+c");
        assert_string_equal(unset->clipboard_paste_key, "ctrl+shift+v");
        assert_string_equal(set->clipboard_copy_key, "Ctrl+Insert");
        assert_string_equal(set->clipboard_paste_key, "shift+Insert");
        for (const char *const *k = bad; *k; k++) {
                _cleanup_(freep) char *doc = NULL;
                assert_true(asprintf(&doc, "{'user': 'u', 'clipboardCopyKey': '%s'}", *k) > 0);
                assert_one_error(doc, "clipboardCopyKey", "is not modifiers");
        }
        assert_one_error("{'user': 'u', 'clipboardPasteKey': 'CTRL+shift+c'}", "clipboardPasteKey",
                        "must differ from clipboardCopyKey");
        assert_one_error("{'user': 'u', 'clipboardPasteKey': null}", "clipboardPasteKey",
                        "a string");
}

static void test_config_rejects_non_string_in_string_list(void **state) {
        assert_one_error(ONE_VM(", 'kernelParams': ['quiet', 1]"), "nixosVms[0].kernelParams[1]",
                        "expected a string, got an integer");
}

/* --- network --- */

static void test_config_rejects_unknown_interface_option_with_suggestion(void **state) {
        assert_one_error(ONE_IF("'adresses': []"), "nixosVms[0].network.interfaces.wan.adresses",
                        "did you mean 'addresses'?");
}

static void test_config_rejects_interface_type_other_than_tap(void **state) {
        assert_one_error(ONE_IF("'type': 'bridge'"), "nixosVms[0].network.interfaces.wan.type",
                        "must be one of 'tap', got 'bridge'");
}

static void test_config_rejects_interface_name_invalid_as_ifname(void **state) {
        assert_one_error(ONE_VM(", 'network': {'interfaces': {'a:b': {}}}"),
                        "nixosVms[0].network.interfaces[\"a:b\"]",
                        "'a:b' is not a valid interface name");
}

static void test_config_rejects_interface_name_longer_than_ifnamsiz(void **state) {
        assert_one_error(ONE_VM(", 'network': {'interfaces': {'abcdefghijklmnop': {}}}"),
                        "nixosVms[0].network.interfaces.abcdefghijklmnop",
                        "is not a valid interface name");
}

static void test_config_rejects_malformed_mac_address(void **state) {
        assert_one_error(ONE_IF("'macAddress': '02:00:00:00:00'"),
                        "nixosVms[0].network.interfaces.wan.macAddress", "is not a MAC address");
}

static void test_config_rejects_multicast_mac_address(void **state) {
        assert_one_error(ONE_IF("'macAddress': '03:00:00:00:00:01'"),
                        "nixosVms[0].network.interfaces.wan.macAddress", "is a multicast address");
}

static void test_config_rejects_hostaddress_with_bridge(void **state) {
        assert_one_error(ONE_IF("'tap': {'hostAddress': '10.0.0.254/24', 'bridge': 'br0'}"),
                        "nixosVms[0].network.interfaces.wan.tap",
                        "hostAddress and bridge are mutually exclusive");
}

static void test_config_rejects_malformed_allowed_host_ports(void **state) {
        static const char *const bad[] = { "tcp/0", "tcp/65536", "sctp/22", "tcp/22x", "tcp/",
                "tcp/+22", "tcp/022", "22", "udp/ 53" };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(freep) char *json = NULL;

                assert_true(asprintf(&json, ONE_IF("'tap': {'allowedHostPorts': ['udp/53', '%s']}"),
                                            bad[i]) > 0);
                assert_one_error(json, "nixosVms[0].network.interfaces.wan.tap.allowedHostPorts[1]",
                                "is not a host port (expected 'tcp/PORT' or 'udp/PORT'");
        }
}

static void test_config_rejects_hostaddress_without_prefix(void **state) {
        assert_one_error(ONE_IF("'tap': {'hostAddress': '10.0.0.254'}"),
                        "nixosVms[0].network.interfaces.wan.tap.hostAddress",
                        "is not an IP address with a prefix length");
}

static void test_config_rejects_tap_name_longer_than_15(void **state) {
        assert_one_error(ONE_IF("'tap': {'name': 'tap-name-16-char'}"),
                        "nixosVms[0].network.interfaces.wan.tap.name",
                        "'tap-name-16-char' is not a valid interface name");
}

static void test_config_rejects_tap_name_with_slash(void **state) {
        assert_one_error(ONE_IF("'tap': {'name': 'tap/0'}"),
                        "nixosVms[0].network.interfaces.wan.tap.name",
                        "is not a valid interface name");
}

static void test_config_rejects_invalid_bridge_name(void **state) {
        assert_one_error(ONE_IF("'tap': {'bridge': 'br 0'}"),
                        "nixosVms[0].network.interfaces.wan.tap.bridge",
                        "is not a valid interface name");
}

static void test_config_rejects_derived_tap_name_longer_than_15_naming_the_vm(void **state) {
        assert_one_error("{'user': 'u', 'nixosVms': [{'name': 'abcdefghijklmn', 'network': "
                         "{'interfaces': {'wan': {}}}}]}",
                        "nixosVms[0].network.interfaces.wan",
                        "VM 'abcdefghijklmn': default TAP name 'abcdefghijklmn-0' is longer "
                        "than 15 characters");
}

static void test_config_rejects_duplicate_tap_names_across_vms(void **state) {
        assert_one_error("{'user': 'u', 'nixosVms': [{'name': 'a', 'network': {'interfaces': "
                         "{'wan': {}}}}, {'name': 'b', 'network': {'interfaces': {'lan': "
                         "{'tap': {'name': 'a-0'}}}}}]}",
                        "nixosVms[1].network.interfaces.lan",
                        "TAP name 'a-0' is already used by nixosVms[0].network.interfaces.wan");
}

static void test_config_rejects_ipv6_address_in_addresses(void **state) {
        assert_one_error(ONE_IF("'addresses': ['fd00::1/64']"),
                        "nixosVms[0].network.interfaces.wan.addresses[0]",
                        "'fd00::1/64' is not an IPv4 address; list it in v6Addresses");
}

static void test_config_rejects_ipv4_address_in_v6_addresses(void **state) {
        assert_one_error(ONE_IF("'v6Addresses': ['10.0.0.1/24']"),
                        "nixosVms[0].network.interfaces.wan.v6Addresses[0]",
                        "is not an IPv6 address; list it in addresses");
}

static void test_config_rejects_address_without_prefix(void **state) {
        assert_one_error(ONE_IF("'addresses': ['10.0.0.1']"),
                        "nixosVms[0].network.interfaces.wan.addresses[0]",
                        "'10.0.0.1' is not an IPv4 address with a prefix length");
}

static void test_config_rejects_prefix_out_of_range(void **state) {
        assert_one_error(ONE_IF("'v6Addresses': ['fd00::1/129']"),
                        "nixosVms[0].network.interfaces.wan.v6Addresses[0]",
                        "is not an IPv6 address with a prefix length");
}

static void test_config_rejects_route_destination_that_is_not_cidr(void **state) {
        assert_one_error(ONE_IF("'routes': {'default': {'via': '10.0.0.254'}}"),
                        "nixosVms[0].network.interfaces.wan.routes.default",
                        "destination 'default' is not an IPv4 address with a prefix length");
}

static void test_config_rejects_route_via_of_other_family(void **state) {
        assert_one_error(ONE_IF("'routes': {'0.0.0.0/0': {'via': 'fd00::1'}}"),
                        "nixosVms[0].network.interfaces.wan.routes[\"0.0.0.0/0\"].via",
                        "'fd00::1' is not an IPv4 address");
}

static void test_config_rejects_v6_route_via_ipv4(void **state) {
        assert_one_error(ONE_IF("'v6Routes': {'::/0': {'via': '10.0.0.1'}}"),
                        "nixosVms[0].network.interfaces.wan.v6Routes[\"::/0\"].via",
                        "'10.0.0.1' is not an IPv6 address");
}

static void test_config_rejects_route_without_via(void **state) {
        assert_one_error(ONE_IF("'routes': {'0.0.0.0/0': {}}"),
                        "nixosVms[0].network.interfaces.wan.routes[\"0.0.0.0/0\"].via",
                        "required option is missing");
}

static void test_config_rejects_invalid_nameserver(void **state) {
        assert_one_error(ONE_VM(", 'network': {'nameservers': ['1.1.1.1', 'one.one']}"),
                        "nixosVms[0].network.nameservers[1]",
                        "'one.one' is not an IPv4 or IPv6 address");
}

static void test_config_rejects_more_than_16_interfaces(void **state) {
        assert_one_error(ONE_VM(", 'network': {'interfaces': {'a': {}, 'b': {}, 'c': {}, 'd': {},"
                                " 'e': {}, 'f': {}, 'g': {}, 'h': {}, 'i': {}, 'j': {}, 'k': {},"
                                " 'l': {}, 'm': {}, 'n': {}, 'o': {}, 'p': {}, 'q': {}}}"),
                        "nixosVms[0].network.interfaces", "at most 16 interfaces");
}

/* --- all together --- */

static void test_config_reports_every_error_of_five_mistakes(void **state) {
        static const char *const paths[] = {
                "nixosVms[0].colour",
                "nixosVms[0].memory",
                "nixosVms[0].network.interfaces.wan.tap",
                "nixosVms[0].network.interfaces.wan.addresses[0]",
                "nixosVms[0].dependsOn[0]",
        };
        _cleanup_(config_errors_finish) ConfigErrors e = {};
        Config *c = NULL;

        assert_int_equal(config_load_file(TEST_DATA_DIR "/config/five-mistakes.json", &c, &e),
                        -EINVAL);
        assert_null(c);
        if (e.n_items != ELEMENTSOF(paths))
                print_errors(&e);
        assert_int_equal(e.n_items, ELEMENTSOF(paths));
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                assert_string_equal(e.items[i].path, paths[i]);
}

static void test_config_reports_errors_of_several_vms_in_one_run(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        load_bad("{'user': 'u', 'nixosVms': [{'name': 'a', 'cpus': 0}, {'name': 'B'},"
                 " {'name': 'c', 'dependsOn': ['a', 'zz']}]}",
                        &e);
        assert_int_equal(e.n_items, 3);
        assert_string_equal(e.items[0].path, "nixosVms[0].cpus");
        assert_string_equal(e.items[1].path, "nixosVms[1].name");
        assert_string_equal(e.items[2].path, "nixosVms[2].dependsOn[1]");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config_reports_syntax_error_with_line_and_column),
                cmocka_unit_test(test_config_rejects_duplicate_keys),
                cmocka_unit_test(test_config_rejects_non_object_document),
                cmocka_unit_test(test_config_rejects_missing_user),
                cmocka_unit_test(test_config_rejects_invalid_user_name),
                cmocka_unit_test(test_config_rejects_root_as_the_vm_user),
                cmocka_unit_test(test_config_rejects_unknown_option_with_suggestion),
                cmocka_unit_test(test_config_suggests_option_differing_only_in_case),
                cmocka_unit_test(test_config_rejects_unknown_option_far_from_any_name),
                cmocka_unit_test(test_config_rejects_wrong_type),
                cmocka_unit_test(test_config_rejects_non_boolean_tray_switch),
                cmocka_unit_test(test_config_rejects_nat_without_interface),
                cmocka_unit_test(test_config_rejects_invalid_nat_interface),
                cmocka_unit_test(test_config_rejects_unknown_log_levels),
                cmocka_unit_test(test_config_rejects_unparsable_poll_interval),
                cmocka_unit_test(test_config_rejects_zero_poll_interval),
                cmocka_unit_test(test_config_rejects_critical_host_percent_over_100),
                cmocka_unit_test(test_config_rejects_unparsable_guest_available_bias),
                cmocka_unit_test(test_config_rejects_bad_isolated_pci_device),
                cmocka_unit_test(test_config_rejects_unknown_vmm),
                cmocka_unit_test(test_config_rejects_unknown_acceleration),
                cmocka_unit_test(test_config_rejects_vm_list_that_is_not_a_list),
                cmocka_unit_test(test_config_rejects_vm_that_is_not_an_object),
                cmocka_unit_test(test_config_rejects_vm_without_name),
                cmocka_unit_test(test_config_rejects_vm_names_unusable_in_socket_and_tap_names),
                cmocka_unit_test(test_config_check_vm_name_arg_as_the_configuration),
                cmocka_unit_test(test_config_rejects_duplicate_vm_names),
                cmocka_unit_test(test_config_rejects_memory_below_minimum),
                cmocka_unit_test(test_config_rejects_memory_above_maximum),
                cmocka_unit_test(test_config_rejects_memory_given_as_string),
                cmocka_unit_test(test_config_rejects_zero_cpus),
                cmocka_unit_test(test_config_rejects_too_many_cpus),
                cmocka_unit_test(test_config_rejects_unknown_colours),
                cmocka_unit_test(test_config_rejects_unknown_vm_option_with_suggestion),
                cmocka_unit_test(test_config_rejects_auto_shutdown_after_zero),
                cmocka_unit_test(test_config_rejects_depends_on_unknown_vm),
                cmocka_unit_test(test_config_rejects_depends_on_itself),
                cmocka_unit_test(test_config_rejects_dependency_cycle_naming_it),
                cmocka_unit_test(test_config_rejects_long_dependency_cycle_once),
                cmocka_unit_test(test_config_rejects_relative_kernel_path),
                cmocka_unit_test(test_config_rejects_relative_initramfs_path),
                cmocka_unit_test(test_config_rejects_additional_disk_without_path),
                cmocka_unit_test(test_config_rejects_relative_disk_path),
                cmocka_unit_test(test_config_rejects_root_disk_without_path),
                cmocka_unit_test(test_config_rejects_root_disk_of_wrong_type),
                cmocka_unit_test(test_config_rejects_shared_directory_without_path),
                cmocka_unit_test(test_config_rejects_shared_directory_without_tag),
                cmocka_unit_test(test_config_rejects_shared_directory_with_tag_and_id),
                cmocka_unit_test(test_config_rejects_relative_shared_directory_path),
                cmocka_unit_test(test_config_rejects_shared_directory_tag_with_comma),
                cmocka_unit_test(test_config_rejects_pci_device_without_path),
                cmocka_unit_test(test_config_rejects_bad_pci_device_address),
                cmocka_unit_test(test_config_rejects_pci_device_used_by_two_vms),
                cmocka_unit_test(test_config_rejects_gpu_of_wrong_type),
                cmocka_unit_test(test_config_rejects_vmm_option_value_with_comma),
                cmocka_unit_test(test_config_rejects_vmm_option_value_that_is_a_list),
                cmocka_unit_test(test_config_rejects_vmm_option_name_with_equals),
                cmocka_unit_test(test_config_rejects_relative_shared_home),
                cmocka_unit_test(test_config_rejects_shared_home_of_wrong_type),
                cmocka_unit_test(test_config_rejects_relative_guest_config_in_list),
                cmocka_unit_test(test_config_rejects_relative_single_guest_config),
                cmocka_unit_test(test_config_rejects_guest_config_of_wrong_type),
                cmocka_unit_test(test_config_rejects_unknown_overlay_type),
                cmocka_unit_test(test_config_rejects_unparsable_overlay_size),
                cmocka_unit_test(test_config_rejects_overflowing_overlay_size),
                cmocka_unit_test(test_config_rejects_unknown_wayland_proxy),
                cmocka_unit_test(test_config_wayland_display_is_a_name_or_an_absolute_path),
                cmocka_unit_test(test_config_clipboard_keys_default_to_qubes_and_are_checked),
                cmocka_unit_test(test_config_rejects_non_string_in_string_list),
                cmocka_unit_test(test_config_rejects_unknown_interface_option_with_suggestion),
                cmocka_unit_test(test_config_rejects_interface_type_other_than_tap),
                cmocka_unit_test(test_config_rejects_interface_name_invalid_as_ifname),
                cmocka_unit_test(test_config_rejects_interface_name_longer_than_ifnamsiz),
                cmocka_unit_test(test_config_rejects_malformed_mac_address),
                cmocka_unit_test(test_config_rejects_multicast_mac_address),
                cmocka_unit_test(test_config_rejects_hostaddress_with_bridge),
                cmocka_unit_test(test_config_rejects_malformed_allowed_host_ports),
                cmocka_unit_test(test_config_rejects_hostaddress_without_prefix),
                cmocka_unit_test(test_config_rejects_tap_name_longer_than_15),
                cmocka_unit_test(test_config_rejects_tap_name_with_slash),
                cmocka_unit_test(test_config_rejects_invalid_bridge_name),
                cmocka_unit_test(test_config_rejects_derived_tap_name_longer_than_15_naming_the_vm),
                cmocka_unit_test(test_config_rejects_duplicate_tap_names_across_vms),
                cmocka_unit_test(test_config_rejects_ipv6_address_in_addresses),
                cmocka_unit_test(test_config_rejects_ipv4_address_in_v6_addresses),
                cmocka_unit_test(test_config_rejects_address_without_prefix),
                cmocka_unit_test(test_config_rejects_prefix_out_of_range),
                cmocka_unit_test(test_config_rejects_route_destination_that_is_not_cidr),
                cmocka_unit_test(test_config_rejects_route_via_of_other_family),
                cmocka_unit_test(test_config_rejects_v6_route_via_ipv4),
                cmocka_unit_test(test_config_rejects_route_without_via),
                cmocka_unit_test(test_config_rejects_invalid_nameserver),
                cmocka_unit_test(test_config_rejects_more_than_16_interfaces),
                cmocka_unit_test(test_config_reports_every_error_of_five_mistakes),
                cmocka_unit_test(test_config_reports_errors_of_several_vms_in_one_run),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

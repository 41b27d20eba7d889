/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-plan-validate.c: one test per rule of plan-validate.c. */
#include "plan-golden.h"

/* Validates the last VM of the document {"user":"alice","nixosVms":[<vms>]} against vmm and
 * returns the result; *ret_errors gets what was appended. */
static int check(const char *vms, VmmKind vmm, ConfigErrors *ret_errors) {
        _cleanup_(freep) char *json = NULL;
        _cleanup_(config_freep) Config *c = NULL;

        assert_true(asprintf(&json, "{\"user\":\"alice\",\"nixosVms\":[%s]}", vms) > 0);
        c = golden_load_config(json);
        return plan_validate_vm(&c->vms[c->n_vms - 1], c->n_vms - 1, vmm, ret_errors);
}

/* Exactly one problem, at path, with message. */
static void assert_one(const char *vms, VmmKind vmm, const char *path, const char *message) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(check(vms, vmm, &e), 1);
        assert_int_equal(e.n_items, 1);
        assert_string_equal(e.items[0].path, path);
        assert_string_equal(e.items[0].message, message);
}

static void assert_none(const char *vms, VmmKind vmm) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};
        int r = check(vms, vmm, &e);

        golden_print_errors(&e);
        assert_int_equal(r, 0);
        assert_int_equal(e.n_items, 0);
}

static void test_qemu_rejects_cross_domain_gpu(void **state) {
        assert_one("{\"name\":\"a\",\"gpu\":{\"context-types\":\"cross-domain\"}}", VMM_QEMU,
                        "nixosVms[0].gpu",
                        "cross-domain GPU (context-types=cross-domain) needs crosvm; this VM uses "
                        "qemu");
}

static void test_qemu_rejects_other_gpu_options(void **state) {
        assert_one("{\"name\":\"a\",\"gpu\":{\"backend\":\"2d\"}}", VMM_QEMU, "nixosVms[0].gpu",
                        "GPU options are crosvm --gpu options and need crosvm; this VM uses qemu "
                        "(use gpu = true or false: qemu VMs get no GPU)");
}

static void test_qemu_ignores_default_gpu_and_sound(void **state) {
        assert_none("{\"name\":\"a\",\"gpu\":true,\"sound\":true}", VMM_QEMU);
}

static void test_qemu_accepts_sound_capture_and_pulse(void **state) {
        assert_none("{\"name\":\"a\",\"sound\":{\"backend\":\"pulse\",\"capture\":true}}",
                        VMM_QEMU);
        assert_none("{\"name\":\"a\",\"sound\":{\"capture\":false}}", VMM_QEMU);
}

static void test_qemu_rejects_crosvm_sound_options(void **state) {
        assert_one("{\"name\":\"a\",\"sound\":{\"num_output_devices\":\"2\"}}", VMM_QEMU,
                        "nixosVms[0].sound.num_output_devices",
                        "'num_output_devices' is a crosvm --virtio-snd option with no qemu "
                        "equivalent; this VM uses qemu (qemu knows capture and backend)");
}

static void test_qemu_rejects_other_sound_backends(void **state) {
        assert_one("{\"name\":\"a\",\"sound\":{\"backend\":\"null\"}}", VMM_QEMU,
                        "nixosVms[0].sound.backend",
                        "unknown sound backend 'null' (qemu VMs play through 'pulse')");
}

static void test_qemu_rejects_non_boolean_capture(void **state) {
        assert_one("{\"name\":\"a\",\"sound\":{\"capture\":\"yes\"}}", VMM_QEMU,
                        "nixosVms[0].sound.capture", "expected true or false, got 'yes'");
}

static void test_qemu_rejects_vhost_user(void **state) {
        assert_one("{\"name\":\"a\",\"vhostUser\":[{\"type\":\"net\",\"socket\":\"/s\"}]}",
                        VMM_QEMU, "nixosVms[0].vhostUser[0]",
                        "vhost-user devices need crosvm; this VM uses qemu");
}

static void test_qemu_rejects_vfio_options(void **state) {
        assert_one("{\"name\":\"a\",\"pciDevices\":[{\"path\":\"01:00.0\","
                   "\"guest-address\":\"00:05.0\"}]}",
                        VMM_QEMU, "nixosVms[0].pciDevices[0].guest-address",
                        "'guest-address' is a crosvm --vfio option with no qemu equivalent; this "
                        "VM uses qemu");
        assert_one("{\"name\":\"a\",\"pciDevices\":[{\"path\":\"01:00.0\",\"iommu\":"
                   "\"coiommu\"}]}",
                        VMM_QEMU, "nixosVms[0].pciDevices[0].iommu",
                        "iommu = \"coiommu\" has no qemu equivalent (qemu knows \"on\", "
                        "\"viommu\" and \"off\")");
}

/* The original's own example (iommu = "on") maps to a virtio-iommu-pci on QEMU. */
static void test_qemu_accepts_iommu(void **state) {
        assert_none("{\"name\":\"a\",\"pciDevices\":[{\"path\":\"01:00.0\",\"iommu\":\"on\"},"
                    "{\"path\":\"02:00.0\",\"iommu\":\"off\"}]}",
                        VMM_QEMU);
}

static void test_qemu_rejects_per_vm_crosvm_extra_args(void **state) {
        assert_one("{\"name\":\"a\",\"crosvm\":{\"extraArgs\":[\"--no-syslog\"]}}", VMM_QEMU,
                        "nixosVms[0].crosvm.extraArgs",
                        "crosvm arguments for a VM that uses qemu would be ignored");
}

static void test_qemu_rejects_per_vm_crosvm_extra_run_args(void **state) {
        assert_one("{\"name\":\"a\",\"crosvm\":{\"extraRunArgs\":[\"--no-usb\"]}}", VMM_QEMU,
                        "nixosVms[0].crosvm.extraRunArgs",
                        "crosvm arguments for a VM that uses qemu would be ignored");
}

static void test_qemu_ignores_crosvm_log_level(void **state) {
        assert_none("{\"name\":\"a\",\"crosvm\":{\"logLevel\":\"trace\"}}", VMM_QEMU);
}

static void test_qemu_rejects_crosvm_only_disk_option(void **state) {
        assert_one("{\"name\":\"a\",\"additionalDisks\":[{\"path\":\"/d.img\","
                   "\"multiple-workers\":true}]}",
                        VMM_QEMU, "nixosVms[0].additionalDisks[0].multiple-workers",
                        "'multiple-workers' is a crosvm disk option with no qemu equivalent; this "
                        "VM uses qemu (qemu maps ro, sparse, block-size, id, direct and lock)");
}

static void test_qemu_rejects_non_boolean_disk_flag(void **state) {
        assert_one("{\"name\":\"a\",\"additionalDisks\":[{\"path\":\"/d.img\",\"ro\":\"yes\"}]}",
                        VMM_QEMU, "nixosVms[0].additionalDisks[0].ro",
                        "expected true or false, got 'yes'");
}

static void test_qemu_rejects_block_size_not_power_of_two(void **state) {
        assert_one("{\"name\":\"a\",\"additionalDisks\":[{\"path\":\"/d.img\","
                   "\"block-size\":1000}]}",
                        VMM_QEMU, "nixosVms[0].additionalDisks[0].block-size",
                        "block size '1000' is not a power of two between 512 and 2097152 bytes, "
                        "which qemu requires; this VM uses qemu");
}

static void test_qemu_rejects_block_size_below_minimum(void **state) {
        assert_one("{\"name\":\"a\",\"additionalDisks\":[{\"path\":\"/d.img\","
                   "\"block_size\":256}]}",
                        VMM_QEMU, "nixosVms[0].additionalDisks[0].block_size",
                        "block size '256' is not a power of two between 512 and 2097152 bytes, "
                        "which qemu requires; this VM uses qemu");
}

static void test_crosvm_passes_disk_options_through(void **state) {
        assert_none("{\"name\":\"a\",\"additionalDisks\":[{\"path\":\"/d.img\","
                    "\"multiple-workers\":true,\"block-size\":1000}]}",
                        VMM_CROSVM);
}

static void test_rejects_long_disk_id(void **state) {
        static const char *vm = "{\"name\":\"a\",\"additionalDisks\":[{\"path\":\"/d.img\","
                                "\"id\":\"abcdefghijklmnopqrstu\"}]}";

        assert_one(vm, VMM_QEMU, "nixosVms[0].additionalDisks[0].id",
                        "disk id 'abcdefghijklmnopqrstu' is longer than 20 characters");
        assert_one(vm, VMM_CROSVM, "nixosVms[0].additionalDisks[0].id",
                        "disk id 'abcdefghijklmnopqrstu' is longer than 20 characters");
}

static void test_rejects_ro_in_root_disk(void **state) {
        static const char *vm = "{\"name\":\"a\",\"rootDisk\":{\"path\":\"/r.img\",\"ro\":false}}";

        assert_one(vm, VMM_QEMU, "nixosVms[0].rootDisk.ro",
                        "the root disk's access mode is rootDiskReadonly; set that instead");
        assert_one(vm, VMM_CROSVM, "nixosVms[0].rootDisk.ro",
                        "the root disk's access mode is rootDiskReadonly; set that instead");
}

static void test_rejects_root_in_root_disk(void **state) {
        assert_one("{\"name\":\"a\",\"rootDisk\":{\"path\":\"/r.img\",\"root\":true}}", VMM_CROSVM,
                        "nixosVms[0].rootDisk.root",
                        "the root disk is always mounted as root; remove this key");
}

static void test_crosvm_rejects_comma_in_disk_path(void **state) {
        assert_one("{\"name\":\"a\",\"additionalDisks\":[{\"path\":\"/d,1.img\"}]}", VMM_CROSVM,
                        "nixosVms[0].additionalDisks[0]",
                        "path '/d,1.img' contains ',', which crosvm's --block uses to separate "
                        "options; this VM uses crosvm");
}

static void test_qemu_accepts_comma_in_disk_path(void **state) {
        assert_none("{\"name\":\"a\",\"additionalDisks\":[{\"path\":\"/d,1.img\"}]}", VMM_QEMU);
}

static void test_qemu_rejects_crosvm_only_shared_dir_option(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"cache\":\"always\"}]}",
                        VMM_QEMU, "nixosVms[0].sharedDirectories[0].cache",
                        "'cache' is a crosvm shared-directory option with no qemu (9p) "
                        "equivalent; this VM uses qemu (qemu maps type=p9, readonly, uid, gid, "
                        "uidmap and gidmap)");
}

static void test_qemu_accepts_single_id_maps_with_matching_ids(void **state) {
        assert_none("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                    "\"uid\":1000,\"gid\":1000,\"uidmap\":\"1000 1000 1\","
                    "\"gidmap\":\"1000 1000 1\"}]}",
                        VMM_QEMU);
}

static void test_qemu_rejects_id_map_ranges(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"uidmap\":\"0 0 65535\"}]}",
                        VMM_QEMU, "nixosVms[0].sharedDirectories[0].uidmap",
                        "qemu's 9p server runs as the configured user and cannot map a range of "
                        "65535 ids; this VM uses qemu, which honours only 'GUEST HOST 1' (HOST = "
                        "the configured user)");
}

static void test_qemu_rejects_malformed_id_map(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"gidmap\":\"1000  1000 1\"}]}",
                        VMM_QEMU, "nixosVms[0].sharedDirectories[0].gidmap",
                        "'1000  1000 1' is not one 'GUEST HOST COUNT' triple of decimal ids "
                        "separated by single spaces");
}

static void test_qemu_rejects_uid_outside_uidmap(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"uid\":0,\"uidmap\":\"1000 1000 1\"}]}",
                        VMM_QEMU, "nixosVms[0].sharedDirectories[0].uidmap",
                        "uid 0 is not the guest id 1000 this uidmap maps; qemu can honour only "
                        "one guest id");
}

static void test_qemu_rejects_non_numeric_gid(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"gid\":\"users\"}]}",
                        VMM_QEMU, "nixosVms[0].sharedDirectories[0].gid",
                        "expected a decimal id between 0 and 4294967294, got 'users'");
}

/* Only crosvm's per-device jail applies them, and --disable-sandbox turns it off. */
static void test_crosvm_rejects_id_keys(void **state) {
        static const char *const keys[] = { "uid", "gid", "uidmap", "gidmap" };
        char vm[256], path[96], message[512];

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                (void) snprintf(vm, sizeof(vm),
                                "{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\","
                                "\"tag\":\"t\",\"%s\":\"0\"}]}",
                                keys[i]);
                (void) snprintf(path, sizeof(path), "nixosVms[0].sharedDirectories[0].%s", keys[i]);
                (void) snprintf(message, sizeof(message),
                                "'%s' takes effect only in crosvm's per-device jail, which vmsilo "
                                "turns off (crosvm runs in vmsilo's sandbox); crosvm's 9p server "
                                "shows the host's owners unchanged and creates files as the "
                                "configured user; remove it",
                                keys[i]);
                assert_one(vm, VMM_CROSVM, path, message);
        }
}

/* plan_validate_share_hosts() on a one-VM document; returns its result. */
static int check_hosts(const char *vm, VmmKind vmm, uint32_t uid, uint32_t gid, ConfigErrors *e) {
        _cleanup_(freep) char *json = NULL;
        _cleanup_(config_freep) Config *c = NULL;

        assert_true(asprintf(&json, "{\"user\":\"alice\",\"nixosVms\":[%s]}", vm) > 0);
        c = golden_load_config(json);
        return plan_validate_share_hosts(c, &vmm, uid, gid, e);
}

static void test_qemu_rejects_id_map_to_another_host_user(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(check_hosts("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\","
                                     "\"tag\":\"t\",\"uidmap\":\"1000 1000 1\","
                                     "\"gidmap\":\"1000 998 1\"}]}",
                                         VMM_QEMU, 999, 998, &e),
                        1);
        assert_string_equal(e.items[0].path, "nixosVms[0].sharedDirectories[0].uidmap");
        assert_string_equal(e.items[0].message,
                        "maps guest id 1000 to host uid 1000, but qemu's 9p server runs as the "
                        "configured user (uid 999) and every file it creates belongs to that "
                        "user; use '1000 999 1'");
}

static void test_qemu_accepts_id_map_to_the_configured_user(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(check_hosts("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\","
                                     "\"tag\":\"t\",\"uidmap\":\"1000 999 1\"}]}",
                                         VMM_QEMU, 999, 998, &e),
                        0);
}

static void test_crosvm_id_map_hosts_are_crosvms_business(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(check_hosts("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\","
                                     "\"tag\":\"t\",\"uidmap\":\"0 0 65535\"}]}",
                                         VMM_CROSVM, 999, 998, &e),
                        0);
}

static void test_qemu_rejects_virtiofs_type(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"type\":\"fs\"}]}",
                        VMM_QEMU, "nixosVms[0].sharedDirectories[0].type",
                        "virtio-fs (type=fs) is not a qemu share here; this VM uses qemu, which "
                        "shares directories over 9p (leave type out or use type=p9)");
}

static void test_qemu_rejects_non_boolean_readonly(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"readonly\":1}]}",
                        VMM_QEMU, "nixosVms[0].sharedDirectories[0].readonly",
                        "expected true or false, got '1'");
}

static void test_rejects_unknown_shared_dir_type(void **state) {
        static const char *vm = "{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\","
                                "\"tag\":\"t\",\"type\":\"nfs\"}]}";

        assert_one(vm, VMM_QEMU, "nixosVms[0].sharedDirectories[0].type",
                        "unknown type 'nfs' (fs or p9)");
        assert_one(vm, VMM_CROSVM, "nixosVms[0].sharedDirectories[0].type",
                        "unknown type 'nfs' (fs or p9)");
}

static void test_crosvm_rejects_readonly_shared_dir(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"readonly\":true}]}",
                        VMM_CROSVM, "nixosVms[0].sharedDirectories[0].readonly",
                        "'readonly' is a qemu (9p) option; crosvm's --shared-dir has none; this "
                        "VM uses crosvm");
}

static void test_crosvm_rejects_colon_in_shared_dir_path(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/a:b\",\"tag\":\"t\"}]}",
                        VMM_CROSVM, "nixosVms[0].sharedDirectories[0]",
                        "path '/a:b' or tag 't' contains ':', which crosvm's --shared-dir uses to "
                        "separate fields; this VM uses crosvm");
}

/* crosvm's virtio-fs device cannot run in vmsilo's sandbox: the one way to it is virtiofsd. */
static void test_crosvm_rejects_virtiofs_type(void **state) {
        static const char *const spellings[] = { "fs", "FS" };
        char vm[256], message[512];

        for (size_t i = 0; i < ELEMENTSOF(spellings); i++) {
                (void) snprintf(vm, sizeof(vm),
                                "{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\","
                                "\"tag\":\"t\",\"type\":\"%s\"}]}",
                                spellings[i]);
                (void) snprintf(message, sizeof(message),
                                "crosvm runs its virtio-fs device (type=%s) in a jail of its own "
                                "that cannot be built inside vmsilo's sandbox; use type = \"p9\" "
                                "(or leave type out), or serve the directory with virtiofsd and "
                                "attach it with vhostUser (type = \"fs\")",
                                spellings[i]);
                assert_one(vm, VMM_CROSVM, "nixosVms[0].sharedDirectories[0].type", message);
        }
}

static void test_crosvm_rejects_virtiofs_options(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"cache\":\"always\"}]}",
                        VMM_CROSVM, "nixosVms[0].sharedDirectories[0].cache",
                        "'cache' is not an option of crosvm's 9p server (it knows type and "
                        "ascii_casefold); virtio-fs options need virtiofsd attached with vhostUser "
                        "(type = \"fs\"); this VM uses crosvm");
}

static void test_crosvm_rejects_non_boolean_ascii_casefold(void **state) {
        assert_one("{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\","
                   "\"ascii_casefold\":\"yes\"}]}",
                        VMM_CROSVM, "nixosVms[0].sharedDirectories[0].ascii_casefold",
                        "expected true or false, got 'yes'");
}

static void test_rejects_home_tag_with_shared_home(void **state) {
        static const char *vm = "{\"name\":\"a\",\"sharedDirectories\":[{\"path\":\"/s\","
                                "\"tag\":\"home\"}]}";
        static const char *message = "tag 'home' is the shared home's; set sharedHome = false to "
                                     "share this directory as the home instead";

        assert_one(vm, VMM_QEMU, "nixosVms[0].sharedDirectories[0]", message);
        assert_one(vm, VMM_CROSVM, "nixosVms[0].sharedDirectories[0]", message);
}

static void test_accepts_home_tag_without_shared_home(void **state) {
        assert_none("{\"name\":\"a\",\"sharedHome\":false,\"sharedDirectories\":[{\"path\":"
                    "\"/s\",\"id\":\"home\"}]}",
                        VMM_CROSVM);
}

static void test_crosvm_accepts_every_crosvm_feature(void **state) {
        assert_none("{\"name\":\"a\",\"gpu\":{\"context-types\":\"cross-domain\"},"
                    "\"sound\":{\"backend\":\"null\"},"
                    "\"vhostUser\":[{\"type\":\"net\",\"socket\":\"/s\"}],"
                    "\"pciDevices\":[{\"path\":\"01:00.0\",\"iommu\":\"on\"}],"
                    "\"sharedDirectories\":[{\"path\":\"/s\",\"tag\":\"t\",\"type\":\"9p\","
                    "\"ascii_casefold\":true}],"
                    "\"crosvm\":{\"extraArgs\":[\"--no-syslog\"],\"extraRunArgs\":[\"--no-usb\"]}}",
                        VMM_CROSVM);
}

static void test_errors_name_the_vm_index(void **state) {
        assert_one("{\"name\":\"a\"},{\"name\":\"b\",\"sound\":{\"backend\":\"null\"}}", VMM_QEMU,
                        "nixosVms[1].sound.backend",
                        "unknown sound backend 'null' (qemu VMs play through 'pulse')");
}

static void test_every_problem_is_reported(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(check("{\"name\":\"a\",\"gpu\":{\"backend\":\"2d\"},"
                               "\"sound\":{\"backend\":\"null\"},"
                               "\"vhostUser\":[{\"type\":\"net\",\"socket\":\"/s\"}]}",
                                         VMM_QEMU, &e),
                        3);
        assert_int_equal(e.n_items, 3);
}

static void test_rejects_unresolved_vmm(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        assert_int_equal(check("{\"name\":\"a\"}", VMM_AUTO, &e), -EINVAL);
        assert_int_equal(e.n_items, 0);
}

static void test_config_check_uses_each_vms_own_vmm(void **state) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};
        _cleanup_(config_freep) Config *c = golden_load_config(
                        "{\"user\":\"alice\",\"nixosVms\":["
                        "{\"name\":\"a\",\"gpu\":{\"context-types\":\"cross-domain\"}},"
                        "{\"name\":\"b\",\"gpu\":{\"context-types\":\"cross-domain\"}}]}");
        const VmmKind vmms[] = { VMM_CROSVM, VMM_QEMU };

        assert_int_equal(plan_validate_config(c, vmms, &e), 1);
        assert_string_equal(e.items[0].path, "nixosVms[1].gpu");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_qemu_rejects_cross_domain_gpu),
                cmocka_unit_test(test_qemu_rejects_other_gpu_options),
                cmocka_unit_test(test_qemu_ignores_default_gpu_and_sound),
                cmocka_unit_test(test_qemu_accepts_sound_capture_and_pulse),
                cmocka_unit_test(test_qemu_rejects_crosvm_sound_options),
                cmocka_unit_test(test_qemu_rejects_other_sound_backends),
                cmocka_unit_test(test_qemu_rejects_non_boolean_capture),
                cmocka_unit_test(test_qemu_rejects_vhost_user),
                cmocka_unit_test(test_qemu_rejects_vfio_options),
                cmocka_unit_test(test_qemu_accepts_iommu),
                cmocka_unit_test(test_qemu_rejects_per_vm_crosvm_extra_args),
                cmocka_unit_test(test_qemu_rejects_per_vm_crosvm_extra_run_args),
                cmocka_unit_test(test_qemu_ignores_crosvm_log_level),
                cmocka_unit_test(test_qemu_rejects_crosvm_only_disk_option),
                cmocka_unit_test(test_qemu_rejects_non_boolean_disk_flag),
                cmocka_unit_test(test_qemu_rejects_block_size_not_power_of_two),
                cmocka_unit_test(test_qemu_rejects_block_size_below_minimum),
                cmocka_unit_test(test_crosvm_passes_disk_options_through),
                cmocka_unit_test(test_rejects_long_disk_id),
                cmocka_unit_test(test_rejects_ro_in_root_disk),
                cmocka_unit_test(test_rejects_root_in_root_disk),
                cmocka_unit_test(test_crosvm_rejects_comma_in_disk_path),
                cmocka_unit_test(test_qemu_accepts_comma_in_disk_path),
                cmocka_unit_test(test_qemu_rejects_crosvm_only_shared_dir_option),
                cmocka_unit_test(test_qemu_accepts_single_id_maps_with_matching_ids),
                cmocka_unit_test(test_qemu_rejects_id_map_ranges),
                cmocka_unit_test(test_qemu_rejects_malformed_id_map),
                cmocka_unit_test(test_qemu_rejects_uid_outside_uidmap),
                cmocka_unit_test(test_qemu_rejects_non_numeric_gid),
                cmocka_unit_test(test_crosvm_rejects_id_keys),
                cmocka_unit_test(test_qemu_rejects_id_map_to_another_host_user),
                cmocka_unit_test(test_qemu_accepts_id_map_to_the_configured_user),
                cmocka_unit_test(test_crosvm_id_map_hosts_are_crosvms_business),
                cmocka_unit_test(test_qemu_rejects_virtiofs_type),
                cmocka_unit_test(test_qemu_rejects_non_boolean_readonly),
                cmocka_unit_test(test_rejects_unknown_shared_dir_type),
                cmocka_unit_test(test_crosvm_rejects_readonly_shared_dir),
                cmocka_unit_test(test_crosvm_rejects_colon_in_shared_dir_path),
                cmocka_unit_test(test_crosvm_rejects_virtiofs_type),
                cmocka_unit_test(test_crosvm_rejects_virtiofs_options),
                cmocka_unit_test(test_crosvm_rejects_non_boolean_ascii_casefold),
                cmocka_unit_test(test_rejects_home_tag_with_shared_home),
                cmocka_unit_test(test_accepts_home_tag_without_shared_home),
                cmocka_unit_test(test_crosvm_accepts_every_crosvm_feature),
                cmocka_unit_test(test_errors_name_the_vm_index),
                cmocka_unit_test(test_every_problem_is_reported),
                cmocka_unit_test(test_rejects_unresolved_vmm),
                cmocka_unit_test(test_config_check_uses_each_vms_own_vmm),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

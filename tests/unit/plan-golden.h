/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan-golden.h: golden launch-plan tests shared by test-qemu-plan.c and test-crosvm-plan.c.
 *
 * A case is tests/unit/data/<dir>/<case>.json: { "config": <a whole vmsilo config>, "vm": <name,
 * default the first VM>, "context": <LaunchContext overrides> } and the expected output
 * <case>.argv: the argv one argument per line, then one "# fd <target> <role> <index>" line per
 * inherited fd, then "# memlock <bytes>" when the plan sets RLIMIT_MEMLOCK. UPDATE_GOLDEN=1 in the
 * environment rewrites the .argv files (the test passes). */
#pragma once

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "config.h"
#include "plan-validate.h"
#include "plan.h"
#include "wayland-layout.h"

typedef int (*PlanBuildFunc)(
                const Config *c, const VmConfig *vm, const LaunchContext *ctx, LaunchPlan **ret);

static inline void json_decref_p(json_t **j) {
        if (*j)
                json_decref(*j);
}

static inline char *golden_read_file(const char *path) {
        _cleanup_(freep) char *buf = NULL;
        FILE *f;
        long n;

        f = fopen(path, "re");
        if (!f)
                return NULL;
        if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
                buf = calloc(1, (size_t) n + 1);
                if (buf && fread(buf, 1, (size_t) n, f) != (size_t) n)
                        buf = (free(buf), NULL);
        }
        fclose(f);
        return TAKE_PTR(buf);
}

/* got must equal the file at path; with UPDATE_GOLDEN=1, got is written there instead. */
static inline void golden_compare(const char *path, const char *got) {
        _cleanup_(freep) char *expected = NULL;
        const char *update = getenv("UPDATE_GOLDEN");

        if (update && streq(update, "1")) {
                FILE *f = fopen(path, "we");

                assert_non_null(f);
                assert_int_equal(fputs(got, f) >= 0, 1);
                assert_int_equal(fclose(f), 0);
                return;
        }
        expected = golden_read_file(path);
        if (!expected)
                print_error("missing %s; run with UPDATE_GOLDEN=1 to create it\n", path);
        assert_non_null(expected);
        assert_string_equal(got, expected);
}

/* The context every case starts from, as `vmsilo config plan` fills it: the default image (no
 * root disk) unless the VM names its own kernel/initramfs, every channel passed as an fd. The
 * case's "context" object then overrides fields, and the overlay is derived last. */
static inline LaunchContext golden_default_context(const VmConfig *vm) {
        return (LaunchContext){
                .runtime_dir = "/run/vmsilo",
                .kernel = vm->kernel ?: "/var/lib/vmsilo/images/default/vmlinuz",
                .initramfs = vm->initramfs
                                             ?: "/var/lib/vmsilo/images/default/"
                                                "initramfs.cpio",
                .accel = ACCEL_KVM,
                .qmp_fd = true,
                .agent_fd = true,
                .console_fd = true,
                .tap_fds = true,
        };
}

/* The VM's fence (vmsilo-wayland) socket, where vmsilod points crosvm's --wayland-sock. */
static inline void golden_resolve_wayland(const VmConfig *vm, LaunchContext *ctx, char **wayland) {
        assert_true(asprintf(wayland, WAYLAND_FENCE_SOCKET_FORMAT, ctx->runtime_dir, vm->name) > 0);
        ctx->wayland_socket = *wayland;
}

/* The qcow2 overlay the daemon creates for a VM with a root disk and rootOverlay.type qcow2. */
static inline void golden_resolve_overlay(const VmConfig *vm, LaunchContext *ctx, char **overlay) {
        if ((vm->root_disk || ctx->built_root_disk) && vm->root_overlay_type == OVERLAY_QCOW2) {
                assert_true(asprintf(overlay, "/var/lib/vmsilo/%s/overlay.qcow2", vm->name) > 0);
                ctx->overlay_disk = *overlay;
        }
}

/* Overrides from the case's "context" object; strings may be null to unset. Borrows from j. */
static inline void golden_apply_context(json_t *j, LaunchContext *ctx) {
        const struct {
                const char *key;
                const char **field;
        } strings[] = {
                { "runtime_dir", &ctx->runtime_dir },
                { "binary", &ctx->binary },
                { "kernel", &ctx->kernel },
                { "initramfs", &ctx->initramfs },
                { "built_root_disk", &ctx->built_root_disk },
                { "overlay_disk", &ctx->overlay_disk },
                { "wayland_socket", &ctx->wayland_socket },
                { "sound_bus", &ctx->sound_bus },
        };
        const struct {
                const char *key;
                bool *field;
        } bools[] = {
                { "qmp_fd", &ctx->qmp_fd },
                { "agent_fd", &ctx->agent_fd },
                { "console_fd", &ctx->console_fd },
                { "tap_fds", &ctx->tap_fds },
                { "balloon_qmp_fd", &ctx->balloon_qmp_fd },
        };
        json_t *v;

        if (!j)
                return;
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                if ((v = json_object_get(j, strings[i].key)))
                        *strings[i].field = json_string_value(v);
        for (size_t i = 0; i < ELEMENTSOF(bools); i++)
                if ((v = json_object_get(j, bools[i].key)))
                        *bools[i].field = json_is_true(v);
        if ((v = json_object_get(j, "accel")))
                ctx->accel = accel_kind_from_string(json_string_value(v));
        if ((v = json_object_get(j, "tsc_khz")))
                ctx->tsc_khz = (uint32_t) json_integer_value(v);
}

static inline char *golden_render(const LaunchPlan *p) {
        char *out = NULL;

        for (size_t i = 0; i < p->n_argv; i++)
                assert_int_equal(plan_extendf(&out, NULL, "%s\n", p->argv[i]), 0);
        for (size_t i = 0; i < p->n_fds; i++)
                assert_int_equal(plan_extendf(&out, NULL, "# fd %i %s %u\n", p->fds[i].target_fd,
                                                 plan_fd_role_to_string(p->fds[i].role),
                                                 p->fds[i].index),
                                0);
        if (p->memlock_bytes > 0)
                assert_int_equal(plan_extendf(&out, NULL, "# memlock %" PRIu64 "\n",
                                                 p->memlock_bytes),
                                0);
        return out;
}

static inline const PlanPath *golden_find_path(const LaunchPlan *p, const char *path) {
        for (size_t i = 0; i < p->n_paths; i++)
                if (streq(p->paths[i].path, path))
                        return &p->paths[i];
        return NULL;
}

/* A path a plan must show its VMM, as the sandbox will. */
typedef struct GoldenPath {
        const char *path;
        bool writable, device;
} GoldenPath;

/* The plan names exactly these paths, none taken from another host path. */
static inline void golden_assert_paths(const LaunchPlan *p, const GoldenPath *expected, size_t n) {
        assert_int_equal(p->n_paths, n);
        for (size_t i = 0; i < n; i++) {
                const PlanPath *pp = golden_find_path(p, expected[i].path);

                if (!pp)
                        print_error("missing path %s\n", expected[i].path);
                assert_non_null(pp);
                assert_int_equal(pp->writable, expected[i].writable);
                assert_int_equal(pp->device, expected[i].device);
                assert_null(pp->source);
        }
}

static inline void golden_print_errors(const ConfigErrors *e) {
        for (size_t i = 0; i < e->n_items; i++)
                print_error("  %s: %s\n", e->items[i].path, e->items[i].message);
}

/* Loads the case's config, checks plan_validate_vm() finds nothing, builds the plan and compares
 * (or rewrites) the golden file. */
static inline void golden_check(
                const char *dir, const char *name, VmmKind vmm, PlanBuildFunc build) {
        _cleanup_(freep) char *json_path = NULL, *argv_path = NULL, *text = NULL,
                              *config_text = NULL, *got = NULL, *overlay = NULL, *wayland = NULL;
        _cleanup_(json_decref_p) json_t *root = NULL;
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(plan_freep) LaunchPlan *p = NULL;
        ConfigErrors errors = {};
        LaunchContext ctx;
        const VmConfig *vm;
        json_t *vm_name;
        int r;

        assert_true(asprintf(&json_path, "%s/%s/%s.json", TEST_DATA_DIR, dir, name) > 0);
        assert_true(asprintf(&argv_path, "%s/%s/%s.argv", TEST_DATA_DIR, dir, name) > 0);
        text = golden_read_file(json_path);
        assert_non_null(text);
        root = json_loads(text, 0, NULL);
        assert_non_null(root);
        config_text = json_dumps(json_object_get(root, "config"), JSON_PRESERVE_ORDER);
        assert_non_null(config_text);

        r = config_load_string(config_text, json_path, &c, &errors);
        if (r < 0)
                golden_print_errors(&errors);
        assert_int_equal(r, 0);
        vm_name = json_object_get(root, "vm");
        vm = vm_name ? config_find_vm(c, json_string_value(vm_name)) : &c->vms[0];
        assert_non_null(vm);

        r = plan_validate_vm(vm, (size_t) (vm - c->vms), vmm, &errors);
        if (r != 0)
                golden_print_errors(&errors);
        assert_int_equal(r, 0);
        config_errors_finish(&errors);

        ctx = golden_default_context(vm);
        golden_resolve_wayland(vm, &ctx, &wayland);
        golden_apply_context(json_object_get(root, "context"), &ctx);
        if (!json_object_get(json_object_get(root, "context"), "overlay_disk"))
                golden_resolve_overlay(vm, &ctx, &overlay);
        assert_int_equal(build(c, vm, &ctx, &p), 0);
        got = golden_render(p);
        assert_non_null(got);

        golden_compare(argv_path, got);
}

/* Loads a config for the unit (non-golden) tests; fails the test on any error. */
static inline Config *golden_load_config(const char *json) {
        ConfigErrors errors = {};
        Config *c = NULL;
        int r;

        r = config_load_string(json, "test", &c, &errors);
        if (r < 0)
                golden_print_errors(&errors);
        config_errors_finish(&errors);
        assert_int_equal(r, 0);
        return c;
}

/* The smallest valid config: one VM "a". */
#define GOLDEN_CONFIG_ONE_VM "{\"user\":\"alice\",\"nixosVms\":[{\"name\":\"a\"}]}"

/* Checks that build() refuses the first VM of json with ctx: -EINVAL and no plan. */
static inline void golden_check_build_rejects(
                PlanBuildFunc build, const char *json, const LaunchContext *ctx) {
        Config *c = golden_load_config(json);
        LaunchPlan *p = NULL;

        assert_int_equal(build(c, &c->vms[0], ctx, &p), -EINVAL);
        assert_null(p);
        config_free(c);
}

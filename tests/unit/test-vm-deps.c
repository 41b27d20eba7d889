/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-vm-deps.c: start order from dependsOn on configs built by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "strv.h"
#include "vm-deps.h"

/* name, then its dependencies, NULL-terminated; a NULL name ends the list. */
typedef struct VmSpec {
        const char *name;
        const char *deps[4];
} VmSpec;

static Config *config_from_specs(const VmSpec *specs, size_t n) {
        Config *c = calloc(1, sizeof(Config));
        assert_non_null(c);
        c->vms = calloc(n, sizeof(VmConfig));
        assert_non_null(c->vms);
        c->n_vms = n;
        for (size_t i = 0; i < n; i++) {
                c->vms[i].name = (char *) specs[i].name;
                c->vms[i].depends_on = (char **) specs[i].deps;
        }
        return c;
}

static void config_from_specs_free(Config *c) {
        free(c->vms);
        free(c);
}

static void assert_order(const VmSpec *specs, size_t n, const char *name, const char *want) {
        Config *c = config_from_specs(specs, n);
        char **order = NULL;

        assert_int_equal(vm_deps_start_order(c, name, &order), 0);
        char *joined = strv_join(order, " ");
        assert_string_equal(joined, want);
        free(joined);
        strv_free(order);
        config_from_specs_free(c);
}

static void test_vm_deps_vm_without_dependencies_starts_alone(void **state) {
        const VmSpec specs[] = { { "a", { NULL } }, { "b", { NULL } } };
        assert_order(specs, ELEMENTSOF(specs), "b", "b");
}

static void test_vm_deps_dependencies_start_first_transitively(void **state) {
        const VmSpec specs[] = {
                { "web", { "net", NULL } },
                { "net", { "usb", NULL } },
                { "usb", { NULL } },
        };
        assert_order(specs, ELEMENTSOF(specs), "web", "usb net web");
}

static void test_vm_deps_shared_dependency_appears_once(void **state) {
        const VmSpec specs[] = {
                { "top", { "left", "right", NULL } },
                { "left", { "base", NULL } },
                { "right", { "base", NULL } },
                { "base", { NULL } },
        };
        assert_order(specs, ELEMENTSOF(specs), "top", "base left right top");
}

static void test_vm_deps_refuses_a_cycle(void **state) {
        const VmSpec specs[] = { { "a", { "b", NULL } }, { "b", { "a", NULL } } };
        Config *c = config_from_specs(specs, ELEMENTSOF(specs));
        char **order = NULL;

        assert_int_equal(vm_deps_start_order(c, "a", &order), -ELOOP);
        assert_null(order);
        config_from_specs_free(c);
}

static void test_vm_deps_refuses_unknown_names(void **state) {
        const VmSpec specs[] = { { "a", { "ghost", NULL } } };
        Config *c = config_from_specs(specs, ELEMENTSOF(specs));
        char **order = NULL;

        assert_int_equal(vm_deps_start_order(c, "a", &order), -ENOENT);
        assert_int_equal(vm_deps_start_order(c, "nosuch", &order), -ENOENT);
        assert_null(order);
        config_from_specs_free(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vm_deps_vm_without_dependencies_starts_alone),
                cmocka_unit_test(test_vm_deps_dependencies_start_first_transitively),
                cmocka_unit_test(test_vm_deps_shared_dependency_appears_once),
                cmocka_unit_test(test_vm_deps_refuses_a_cycle),
                cmocka_unit_test(test_vm_deps_refuses_unknown_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

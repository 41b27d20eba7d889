/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-balloon-policy.c: each rule of src/balloond/policy.c, one behaviour per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "policy.h"

#define MIB BALLOON_MIB

/* MemTotal 8000 MiB at 5 %: host critical 400 MiB, as in the worked example. */
static const BalloonHostInput host_1000 = {
        .mem_total_bytes = 8000 * MIB,
        .mem_available_bytes = 1000 * MIB,
};

static BalloonConfig config(BalloonPolicyKind kind) {
        return (BalloonConfig){ .kind = kind, .critical_host_percent = 5 };
}

static BalloonVmInput guest(const char *name, uint64_t available_mib, uint64_t balloon_mib) {
        return (BalloonVmInput){
                .name = name,
                .stats_valid = true,
                .memory_bytes = 4096 * MIB,
                .balloon_bytes = balloon_mib * MIB,
                .guest_free_bytes = available_mib * MIB / 2,
                .guest_cache_bytes = available_mib * MIB - available_mib * MIB / 2,
        };
}

/* Runs one VM through the policy; returns its plan (and the host critical level). */
static BalloonVmPlan run1(
                const BalloonHostInput *host, const BalloonVmInput *vm, BalloonPolicyKind kind) {
        BalloonConfig c = config(kind);
        BalloonPlan plan = {};
        BalloonVmPlan p;

        assert_int_equal(balloon_policy_compute(host, vm, 1, &c, &plan), 0);
        assert_int_equal(plan.n_vms, 1);
        p = plan.vms[0];
        balloon_plan_finish(&plan);
        return p;
}

static void test_worked_example_inflates_by_100_mib(void **state) {
        BalloonVmInput vm = guest("a", 1200, 0);
        BalloonVmPlan p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);

        assert_int_equal(p.action, BALLOON_ACTION_INFLATE);
        assert_int_equal(p.delta_bytes, 100 * MIB);
        assert_int_equal(p.target_bytes, 100 * MIB);
}

static void test_worked_example_is_the_same_under_the_vmsilo_policy(void **state) {
        BalloonVmInput vm = guest("a", 1200, 0);
        BalloonVmPlan p = run1(&host_1000, &vm, BALLOON_POLICY_VMSILO);

        assert_int_equal(p.delta_bytes, 100 * MIB);
}

static void test_step_is_half_the_gap_in_either_direction(void **state) {
        /* guest_above 100, host_above 600: deflate by 250. */
        BalloonVmInput vm = guest("a", 500, 1000);
        BalloonVmPlan p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);

        assert_int_equal(p.action, BALLOON_ACTION_DEFLATE);
        assert_int_equal(p.delta_bytes, -250 * (int64_t) MIB);
}

static void test_inflation_never_pushes_guest_more_than_10_mib_below_critical(void **state) {
        /* Host 200 MiB under critical, guest 20 MiB above it: the midpoint would take 110. */
        BalloonHostInput host = host_1000;
        BalloonVmInput vm = guest("a", 420, 0);
        BalloonVmPlan p;

        host.mem_available_bytes = 200 * MIB;
        p = run1(&host, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.delta_bytes, 30 * MIB);
}

static void test_deflation_never_pushes_host_more_than_10_mib_below_critical(void **state) {
        /* Host 20 MiB above critical, guest 300 MiB under it. */
        BalloonHostInput host = host_1000;
        BalloonVmInput vm = guest("a", 100, 1000);
        BalloonVmPlan p;

        host.mem_available_bytes = 420 * MIB;
        p = run1(&host, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.delta_bytes, -30 * (int64_t) MIB);
}

static void test_step_under_2_percent_of_the_smaller_margin_is_held(void **state) {
        /* guest_above 610, host_above 600: step 5 MiB < 2 % of 600 (12). */
        BalloonVmInput vm = guest("a", 1010, 0);
        BalloonVmPlan p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);

        assert_int_equal(p.action, BALLOON_ACTION_HOLD);
        assert_int_equal(p.delta_bytes, 0);
        assert_int_equal(p.target_bytes, 0);
}

static void test_step_of_2_percent_of_the_smaller_margin_acts(void **state) {
        /* guest_above 624, host_above 600: step 12 MiB = 2 % of 600. */
        BalloonVmInput vm = guest("a", 1024, 0);
        BalloonVmPlan p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);

        assert_int_equal(p.delta_bytes, 12 * MIB);
}

static void test_side_within_1_mib_of_critical_acts_on_a_tiny_step(void **state) {
        /* host_above 0.5 MiB, guest_above 2.5 MiB: step 1 MiB, far under 2 % of nothing. */
        BalloonHostInput host = host_1000;
        BalloonVmInput vm = guest("a", 0, 0);
        BalloonVmPlan p;

        host.mem_available_bytes = 400 * MIB + MIB / 2;
        vm.guest_free_bytes = 402 * MIB + MIB / 2;
        vm.guest_cache_bytes = 0;
        p = run1(&host, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.delta_bytes, MIB);
}

static void test_two_consecutive_low_samples_lower_guest_critical(void **state) {
        BalloonVmInput vm = guest("a", 350, 0);
        BalloonVmPlan p;

        p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.memory.critical_bytes, 400 * MIB);
        vm = guest("a", 330, p.target_bytes / MIB);
        vm.memory = p.memory;
        p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.memory.critical_bytes, 350 * MIB);
}

static void test_one_low_sample_between_normal_ones_teaches_nothing(void **state) {
        BalloonVmInput vm = guest("a", 350, 0);
        BalloonVmPlan p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);

        vm = guest("a", 900, 0);
        vm.memory = p.memory;
        p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);
        vm = guest("a", 300, 0);
        vm.memory = p.memory;
        p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.memory.critical_bytes, 400 * MIB);
}

static void test_low_samples_with_balloon_95_percent_full_teach_nothing(void **state) {
        /* max balloon = ¾ × 4096 = 3072 MiB; 2950 MiB is 96 % full. */
        BalloonVmInput vm = guest("a", 350, 2950);
        BalloonVmPlan p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);

        vm = guest("a", 330, 2950);
        vm.memory = p.memory;
        p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.memory.critical_bytes, 400 * MIB);
}

static void test_bias_scales_with_how_full_the_balloon_is(void **state) {
        /* Balloon 1536 of 3072 MiB (50 %), bias 300 MiB: guest_above = 800 - 150 = 650,
         * host_above 600: step +25. Without the bias it would be +100. */
        BalloonConfig c = config(BALLOON_POLICY_CHROMEOS);
        BalloonVmInput vm = guest("a", 1200, 1536);
        BalloonPlan plan = {};

        c.guest_available_bias_bytes = 300 * MIB;
        assert_int_equal(balloon_policy_compute(&host_1000, &vm, 1, &c, &plan), 0);
        assert_int_equal(plan.vms[0].delta_bytes, 25 * MIB);
        balloon_plan_finish(&plan);
}

static void test_balloon_never_goes_negative(void **state) {
        BalloonHostInput host = host_1000;
        BalloonVmInput vm = guest("a", 400, 20);
        BalloonVmPlan p;

        host.mem_available_bytes = 7000 * MIB;
        p = run1(&host, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.target_bytes, 0);
        assert_int_equal(p.delta_bytes, -20 * (int64_t) MIB);
}

static void test_balloon_never_exceeds_memory_minus_floor(void **state) {
        BalloonHostInput host = host_1000;
        BalloonVmInput vm = guest("a", 4000, 3800);
        BalloonVmPlan p;

        host.mem_available_bytes = 0;
        p = run1(&host, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.target_bytes, 4096 * MIB - BALLOON_GUEST_FLOOR_BYTES);
}

static void test_balloon_above_its_cap_is_brought_back_even_when_holding(void **state) {
        BalloonVmInput vm = guest("a", 1010, 0);
        BalloonVmPlan p;

        vm.memory_bytes = 512 * MIB;
        vm.balloon_bytes = 400 * MIB;
        p = run1(&host_1000, &vm, BALLOON_POLICY_CHROMEOS);
        assert_int_equal(p.target_bytes, 512 * MIB - BALLOON_GUEST_FLOOR_BYTES);
}

static void test_extreme_inputs_saturate_instead_of_wrapping(void **state) {
        static const struct {
                const char *label;
                uint64_t host_total, host_available, free, cache, balloon, memory;
        } cases[] = {
                { "everything maximal", UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX,
                                UINT64_MAX },
                { "host empty, guest huge", UINT64_MAX, 0, UINT64_MAX, UINT64_MAX, 0, UINT64_MAX },
                { "host huge, guest empty", UINT64_MAX, UINT64_MAX, 0, 0, UINT64_MAX / 2,
                                UINT64_MAX },
                { "zero memory", 0, 0, 0, 0, 0, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                BalloonHostInput host = { .mem_total_bytes = cases[i].host_total,
                        .mem_available_bytes = cases[i].host_available };
                BalloonVmInput vm = { .name = "a",
                        .stats_valid = true,
                        .memory_bytes = cases[i].memory,
                        .balloon_bytes = cases[i].balloon,
                        .guest_free_bytes = cases[i].free,
                        .guest_cache_bytes = cases[i].cache };
                for (int k = 0; k < _BALLOON_POLICY_KIND_MAX; k++) {
                        BalloonVmPlan p = run1(&host, &vm, (BalloonPolicyKind) k);
                        uint64_t cap = cases[i].memory > BALLOON_GUEST_FLOOR_BYTES
                                                       ? cases[i].memory - BALLOON_GUEST_FLOOR_BYTES
                                                       : 0;
                        if (p.target_bytes > cap)
                                fail_msg("%s: target %llu beyond cap %llu", cases[i].label,
                                                (unsigned long long) p.target_bytes,
                                                (unsigned long long) cap);
                        /* A host far under critical must never make us deflate. */
                        if (cases[i].host_available == 0 && p.delta_bytes < 0)
                                fail_msg("%s: deflated", cases[i].label);
                        /* A host far above critical must never make us inflate. */
                        if (cases[i].host_available == UINT64_MAX && cases[i].free == 0 &&
                                        p.delta_bytes > 0)
                                fail_msg("%s: inflated", cases[i].label);
                }
        }
}

static void test_saturating_helpers_clamp(void **state) {
        assert_int_equal(balloon_sat_add(INT64_MAX, 1), INT64_MAX);
        assert_int_equal(balloon_sat_add(INT64_MIN, -1), INT64_MIN);
        assert_int_equal(balloon_sat_sub(INT64_MIN, 1), INT64_MIN);
        assert_int_equal(balloon_sat_sub(INT64_MAX, -1), INT64_MAX);
        assert_int_equal(balloon_sat_sub(0, INT64_MIN), INT64_MAX);
        assert_int_equal(balloon_sat_from_u64(UINT64_MAX), INT64_MAX);
        assert_int_equal(balloon_sat_add(2, 3), 5);
}

static void test_vms_are_evaluated_by_name_whatever_the_input_order(void **state) {
        BalloonVmInput vms[] = { guest("work", 1200, 0), guest("banking", 1200, 0),
                guest("personal", 1200, 0) };
        BalloonConfig c = config(BALLOON_POLICY_VMSILO);
        BalloonPlan plan = {};

        assert_int_equal(balloon_policy_compute(&host_1000, vms, 3, &c, &plan), 0);
        assert_int_equal(plan.vms[0].index, 1);
        assert_int_equal(plan.vms[1].index, 2);
        assert_int_equal(plan.vms[2].index, 0);
        balloon_plan_finish(&plan);
}

static void test_same_inputs_give_the_same_plan(void **state) {
        BalloonVmInput vms[] = { guest("b", 1500, 100), guest("a", 700, 300), guest("c", 100, 0) };
        BalloonConfig c = config(BALLOON_POLICY_VMSILO);
        BalloonPlan p1 = {}, p2 = {};

        assert_int_equal(balloon_policy_compute(&host_1000, vms, 3, &c, &p1), 0);
        assert_int_equal(balloon_policy_compute(&host_1000, vms, 3, &c, &p2), 0);
        assert_memory_equal(p1.vms, p2.vms, 3 * sizeof(BalloonVmPlan));
        balloon_plan_finish(&p1);
        balloon_plan_finish(&p2);
}

static void test_passthrough_vm_is_skipped_and_untouched(void **state) {
        BalloonHostInput host = host_1000;
        BalloonVmInput vm = guest("gpu", 3000, 0);
        BalloonVmPlan p;

        host.mem_available_bytes = 0;
        vm.passthrough = true;
        p = run1(&host, &vm, BALLOON_POLICY_VMSILO);
        assert_int_equal(p.action, BALLOON_ACTION_SKIP_PASSTHROUGH);
        assert_int_equal(p.delta_bytes, 0);
}

static void test_vm_without_fresh_stats_is_skipped(void **state) {
        BalloonVmInput vm = guest("a", 1200, 50);
        BalloonVmPlan p;

        vm.stats_valid = false;
        p = run1(&host_1000, &vm, BALLOON_POLICY_VMSILO);
        assert_int_equal(p.action, BALLOON_ACTION_SKIP_NO_STATS);
        assert_int_equal(p.target_bytes, 50 * MIB);
}

static void test_vmsilo_host_deficit_is_paid_in_full_plus_headroom(void **state) {
        /* Host 100 MiB under critical. Guest 80 above: the midpoint is 90, the deficit plus
         * headroom 116; vmsilo takes what the guest has (80), plain overdraws it to 90. */
        BalloonHostInput host = host_1000;
        BalloonVmInput vm;

        host.mem_available_bytes = 300 * MIB;
        vm = guest("a", 480, 0);
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, 80 * MIB);
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_CHROMEOS).delta_bytes, 90 * MIB);
        vm = guest("a", 440, 0);
        /* midpoint 70 < deficit 100 + 16 headroom; capped at the guest margin 40. */
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, 40 * MIB);
        vm = guest("a", 1000, 0);
        /* midpoint 350 ≥ 116: the midpoint stands. */
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, 350 * MIB);
        host.mem_available_bytes = 100 * MIB;
        vm = guest("a", 600, 0);
        /* deficit 300: midpoint (200+300)/2 = 250 < 316; the guest has 200 to give. */
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, 200 * MIB);
        vm = guest("a", 1000, 0);
        /* midpoint 450 ≥ 316. */
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, 450 * MIB);
        vm = guest("a", 800, 0);
        /* midpoint 350 ≥ 316; and with 320 above, midpoint 310 < 316: the deficit wins. */
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, 350 * MIB);
        vm = guest("a", 720, 0);
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, 316 * MIB);
}

static void test_vmsilo_guest_deficit_is_repaid_in_full_from_host_margin(void **state) {
        /* Guest 100 under critical, host 600 above: plain deflates (−100−600)/2 = −350 anyway;
         * with the host only 50 above, plain gives −75 clamped to −60; vmsilo gives −50. */
        BalloonHostInput host = host_1000;
        BalloonVmInput vm = guest("a", 300, 1000);

        host.mem_available_bytes = 450 * MIB;
        assert_int_equal(
                        run1(&host, &vm, BALLOON_POLICY_CHROMEOS).delta_bytes, -60 * (int64_t) MIB);
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, -50 * (int64_t) MIB);
        host.mem_available_bytes = 1000 * MIB;
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, -350 * (int64_t) MIB);
}

static void test_vmsilo_next_vm_sees_the_host_after_earlier_steps(void **state) {
        /* Host 300 MiB above critical, two rich guests: plain has both pay the midpoint;
         * vmsilo has "a" pay and "b" see the host as "a" leaves it. */
        BalloonHostInput host = host_1000;
        BalloonVmInput vms[] = { guest("b", 1000, 0), guest("a", 1000, 0) };
        BalloonConfig c = config(BALLOON_POLICY_CHROMEOS);
        BalloonPlan plan = {};

        host.mem_available_bytes = 700 * MIB;
        assert_int_equal(balloon_policy_compute(&host, vms, 2, &c, &plan), 0);
        assert_int_equal(plan.vms[0].delta_bytes, 150 * MIB);
        assert_int_equal(plan.vms[1].delta_bytes, 150 * MIB);
        balloon_plan_finish(&plan);

        c = config(BALLOON_POLICY_VMSILO);
        assert_int_equal(balloon_policy_compute(&host, vms, 2, &c, &plan), 0);
        assert_int_equal(plan.vms[0].index, 1);
        assert_int_equal(plan.vms[0].delta_bytes, 150 * MIB);
        /* host_above now 450, guest_above 600: (600 − 450)/2 = 75. */
        assert_int_equal(plan.vms[1].delta_bytes, 75 * MIB);
        assert_int_equal(plan.host_available_after_bytes, 925 * MIB);
        balloon_plan_finish(&plan);
}

static void test_vmsilo_host_under_critical_makes_every_guest_pay_at_once(void **state) {
        /* Host 100 MiB under critical: no projection, both guests inflate in parallel. */
        BalloonHostInput host = host_1000;
        BalloonVmInput vms[] = { guest("a", 1000, 0), guest("b", 1000, 0) };
        BalloonConfig c = config(BALLOON_POLICY_VMSILO);
        BalloonPlan plan = {};

        host.mem_available_bytes = 300 * MIB;
        assert_int_equal(balloon_policy_compute(&host, vms, 2, &c, &plan), 0);
        assert_int_equal(plan.vms[0].delta_bytes, 350 * MIB);
        assert_int_equal(plan.vms[1].delta_bytes, 350 * MIB);
        balloon_plan_finish(&plan);
}

static void test_vmsilo_host_deficit_is_shared_by_guest_margin(void **state) {
        /* Deficit 300 + 16 headroom; margins 330 and 30 (total 360): shares 289 and 26. The
         * midpoints are 315 and 165, capped at the margins: 315 → 330 > 289, so 315; 165 → 30. */
        BalloonHostInput host = host_1000;
        BalloonVmInput vms[] = { guest("a", 730, 0), guest("b", 430, 0) };
        BalloonConfig c = config(BALLOON_POLICY_VMSILO);
        BalloonPlan plan = {};

        host.mem_available_bytes = 100 * MIB;
        assert_int_equal(balloon_policy_compute(&host, vms, 2, &c, &plan), 0);
        assert_int_equal(plan.vms[0].delta_bytes, 315 * MIB);
        assert_int_equal(plan.vms[1].delta_bytes, 30 * MIB);
        balloon_plan_finish(&plan);
}

static void test_pressure_skips_the_dead_band_only_for_vmsilo(void **state) {
        BalloonHostInput host = host_1000;
        BalloonVmInput vm = guest("a", 1010, 0);

        host.under_pressure = true;
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, 5 * MIB);
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_CHROMEOS).delta_bytes, 0);
}

static void test_pressure_never_bypasses_the_dead_band_to_deflate(void **state) {
        /* guest_above 590, host_above 600: a 5 MiB deflation is still noise. */
        BalloonHostInput host = host_1000;
        BalloonVmInput vm = guest("a", 990, 100);

        host.under_pressure = true;
        assert_int_equal(run1(&host, &vm, BALLOON_POLICY_VMSILO).delta_bytes, 0);
}

static void test_compute_rejects_bad_arguments(void **state) {
        BalloonVmInput vm = guest("a", 1000, 0);
        BalloonConfig c = config(BALLOON_POLICY_VMSILO);
        BalloonPlan plan = { .n_vms = 77 };

        c.critical_host_percent = 101;
        assert_int_equal(balloon_policy_compute(&host_1000, &vm, 1, &c, &plan), -EINVAL);
        c = config(BALLOON_POLICY_VMSILO);
        assert_int_equal(balloon_policy_compute(&host_1000, &vm, BALLOON_VMS_MAX + 1, &c, &plan),
                        -EINVAL);
        c.kind = _BALLOON_POLICY_KIND_MAX;
        assert_int_equal(balloon_policy_compute(&host_1000, &vm, 1, &c, &plan), -EINVAL);
        assert_int_equal(plan.n_vms, 77);
}

static void test_no_vms_gives_an_empty_plan(void **state) {
        BalloonConfig c = config(BALLOON_POLICY_VMSILO);
        BalloonPlan plan = {};

        assert_int_equal(balloon_policy_compute(&host_1000, NULL, 0, &c, &plan), 0);
        assert_int_equal(plan.n_vms, 0);
        assert_int_equal(plan.host_critical_bytes, 400 * MIB);
        balloon_plan_finish(&plan);
}

static void test_string_tables_round_trip(void **state) {
        for (int i = 0; i < _BALLOON_ACTION_MAX; i++)
                assert_int_equal(balloon_action_from_string(balloon_action_to_string(i)), i);
        for (int i = 0; i < _BALLOON_POLICY_KIND_MAX; i++)
                assert_int_equal(balloon_policy_kind_from_string(balloon_policy_kind_to_string(i)),
                                i);
        assert_int_equal(balloon_policy_kind_from_string("static"), _BALLOON_POLICY_KIND_INVALID);
        assert_null(balloon_action_to_string(_BALLOON_ACTION_MAX));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_worked_example_inflates_by_100_mib),
                cmocka_unit_test(test_worked_example_is_the_same_under_the_vmsilo_policy),
                cmocka_unit_test(test_step_is_half_the_gap_in_either_direction),
                cmocka_unit_test(test_inflation_never_pushes_guest_more_than_10_mib_below_critical),
                cmocka_unit_test(test_deflation_never_pushes_host_more_than_10_mib_below_critical),
                cmocka_unit_test(test_step_under_2_percent_of_the_smaller_margin_is_held),
                cmocka_unit_test(test_step_of_2_percent_of_the_smaller_margin_acts),
                cmocka_unit_test(test_side_within_1_mib_of_critical_acts_on_a_tiny_step),
                cmocka_unit_test(test_two_consecutive_low_samples_lower_guest_critical),
                cmocka_unit_test(test_one_low_sample_between_normal_ones_teaches_nothing),
                cmocka_unit_test(test_low_samples_with_balloon_95_percent_full_teach_nothing),
                cmocka_unit_test(test_bias_scales_with_how_full_the_balloon_is),
                cmocka_unit_test(test_balloon_never_goes_negative),
                cmocka_unit_test(test_balloon_never_exceeds_memory_minus_floor),
                cmocka_unit_test(test_balloon_above_its_cap_is_brought_back_even_when_holding),
                cmocka_unit_test(test_extreme_inputs_saturate_instead_of_wrapping),
                cmocka_unit_test(test_saturating_helpers_clamp),
                cmocka_unit_test(test_vms_are_evaluated_by_name_whatever_the_input_order),
                cmocka_unit_test(test_same_inputs_give_the_same_plan),
                cmocka_unit_test(test_passthrough_vm_is_skipped_and_untouched),
                cmocka_unit_test(test_vm_without_fresh_stats_is_skipped),
                cmocka_unit_test(test_vmsilo_host_deficit_is_paid_in_full_plus_headroom),
                cmocka_unit_test(test_vmsilo_guest_deficit_is_repaid_in_full_from_host_margin),
                cmocka_unit_test(test_vmsilo_next_vm_sees_the_host_after_earlier_steps),
                cmocka_unit_test(test_vmsilo_host_under_critical_makes_every_guest_pay_at_once),
                cmocka_unit_test(test_vmsilo_host_deficit_is_shared_by_guest_margin),
                cmocka_unit_test(test_pressure_skips_the_dead_band_only_for_vmsilo),
                cmocka_unit_test(test_pressure_never_bypasses_the_dead_band_to_deflate),
                cmocka_unit_test(test_compute_rejects_bad_arguments),
                cmocka_unit_test(test_no_vms_gives_an_empty_plan),
                cmocka_unit_test(test_string_tables_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

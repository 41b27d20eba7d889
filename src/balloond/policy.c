/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* policy.c: balloon targets from host and guest memory figures. Pure (see policy.h). */
#include <limits.h>

#include "policy.h"
#include "string-table.h"

int64_t balloon_sat_add(int64_t a, int64_t b) {
        int64_t r;

        if (__builtin_add_overflow(a, b, &r))
                return b > 0 ? INT64_MAX : INT64_MIN;
        return r;
}

int64_t balloon_sat_sub(int64_t a, int64_t b) {
        int64_t r;

        if (__builtin_sub_overflow(a, b, &r))
                return b < 0 ? INT64_MAX : INT64_MIN;
        return r;
}

int64_t balloon_sat_from_u64(uint64_t v) {
        return v > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) v;
}

/* a × num / den for a ≥ 0 and 0 ≤ num ≤ den-ish ratios; 128-bit so nothing wraps. */
static int64_t mul_div(int64_t a, int64_t num, int64_t den) {
        __int128 r;

        if (den <= 0)
                return 0;
        r = (__int128) a * num / den;
        if (r > INT64_MAX)
                return INT64_MAX;
        if (r < INT64_MIN)
                return INT64_MIN;
        return (int64_t) r;
}

static int64_t abs_sat(int64_t v) {
        return v == INT64_MIN ? INT64_MAX : (v < 0 ? -v : v);
}

/* The step is at least BALLOON_DEAD_BAND_PERCENT of a positive margin. */
static bool step_is_significant(int64_t step, int64_t margin) {
        if (margin <= 0)
                return false;
        return mul_div(abs_sat(step), 100, margin) >= BALLOON_DEAD_BAND_PERCENT;
}

/* Updates the learned figures with this sample (ChromeOS rule: two consecutive samples below
 * the critical level, taken while the balloon is < 95 % full, lower it to the earlier one). */
static int64_t learn(int64_t guest_available, int64_t balloon, int64_t memory_size,
                BalloonVmMemory *m, int64_t *ret_full_percent) {
        int64_t critical, max_balloon, full_percent;
        bool low;

        if (m->critical_bytes == 0)
                m->critical_bytes = BALLOON_GUEST_CRITICAL_INITIAL_BYTES;
        if (m->max_balloon_bytes == 0)
                m->max_balloon_bytes = (uint64_t) mul_div(memory_size, 3, 4);
        max_balloon = MAX(balloon_sat_from_u64(m->max_balloon_bytes), balloon);
        m->max_balloon_bytes = (uint64_t) max_balloon;

        critical = balloon_sat_from_u64(m->critical_bytes);
        full_percent = max_balloon > 0 ? mul_div(balloon, 100, max_balloon) : 0;
        low = guest_available < critical && full_percent < BALLOON_LEARN_FULL_PERCENT_MAX;
        if (low && m->prev_low && balloon_sat_from_u64(m->prev_available_bytes) < critical)
                critical = balloon_sat_from_u64(m->prev_available_bytes);
        m->critical_bytes = (uint64_t) critical;
        m->prev_low = low;
        m->prev_available_bytes = (uint64_t) MAX(guest_available, 0);

        *ret_full_percent = full_percent;
        return critical;
}

int64_t balloon_policy_step(int64_t host_available, int64_t host_critical, const BalloonVmInput *vm,
                const BalloonConfig *config, bool responsive, bool under_pressure,
                int64_t host_deficit_share, BalloonVmMemory *memory) {
        int64_t guest_available, critical, full_percent, bias, guest_margin, guest_above,
                        host_above, raw, step, limit;
        bool act;

        guest_available = balloon_sat_add(balloon_sat_from_u64(vm->guest_free_bytes),
                        balloon_sat_from_u64(vm->guest_cache_bytes));
        critical = learn(guest_available, balloon_sat_from_u64(vm->balloon_bytes),
                        balloon_sat_from_u64(vm->memory_bytes), memory, &full_percent);

        bias = mul_div(balloon_sat_from_u64(config->guest_available_bias_bytes), full_percent, 100);
        guest_margin = balloon_sat_sub(guest_available, critical);
        guest_above = balloon_sat_sub(guest_margin, bias);
        host_above = balloon_sat_sub(host_available, host_critical);

        /* Halved: inflating raises host available about as much as it lowers guest available,
         * so the full gap would overshoot and oscillate. */
        raw = balloon_sat_sub(guest_above, host_above) / 2;
        step = raw;

        if (responsive) {
                /* A side under its critical level gets its whole deficit back at once when the
                 * other side can pay it (the host's deficit shared among the guests by their
                 * margins); the clamps below keep the payer above its own level. */
                if (host_above < 0 && guest_margin > 0)
                        step = MAX(step, host_deficit_share);
                else if (guest_margin < 0 && host_above > 0)
                        step = MIN(step, guest_margin);
        }

        /* Never push the paying side more than the overdraw below its critical level (vmsilo:
         * not below it at all). */
        if (step > 0) {
                limit = responsive ? guest_margin
                                   : balloon_sat_add(guest_margin, BALLOON_CRITICAL_OVERDRAW_BYTES);
                step = MIN(step, MAX(limit, 0));
        } else if (step < 0) {
                limit = responsive ? host_above
                                   : balloon_sat_add(host_above, BALLOON_CRITICAL_OVERDRAW_BYTES);
                step = MAX(step, -MAX(limit, 0));
        }

        /* Host pressure bypasses the dead band, but only to give the host memory. */
        act = guest_above < (int64_t) BALLOON_NEAR_CRITICAL_BYTES ||
              host_above < (int64_t) BALLOON_NEAR_CRITICAL_BYTES ||
              step_is_significant(raw, guest_above) || step_is_significant(raw, host_above) ||
              (responsive && under_pressure && step > 0);
        return act ? step : 0;
}

/* What a VM could give without going under its critical level, as this round will see it. */
static int64_t preview_margin(const BalloonVmInput *vm) {
        BalloonVmMemory m = vm->memory;
        int64_t available, critical, full_percent;

        if (vm->passthrough || !vm->stats_valid)
                return 0;
        available = balloon_sat_add(balloon_sat_from_u64(vm->guest_free_bytes),
                        balloon_sat_from_u64(vm->guest_cache_bytes));
        critical = learn(available, balloon_sat_from_u64(vm->balloon_bytes),
                        balloon_sat_from_u64(vm->memory_bytes), &m, &full_percent);
        return MAX(balloon_sat_sub(available, critical), 0);
}

static const char *name_or_empty(const char *s) {
        return s ?: "";
}

/* Insertion sort of indices by (name, index): n ≤ BALLOON_VMS_MAX, and it is stable. */
static void order_vms(const BalloonVmInput *vms, size_t n, size_t *order) {
        for (size_t i = 0; i < n; i++) {
                size_t j = i;

                while (j > 0 && strcmp(name_or_empty(vms[order[j - 1]].name),
                                                name_or_empty(vms[i].name)) > 0) {
                        order[j] = order[j - 1];
                        j--;
                }
                order[j] = i;
        }
}

static void plan_vm(const BalloonVmInput *vm, const BalloonConfig *config,
                const BalloonHostInput *host, int64_t host_available, int64_t host_critical,
                int64_t host_deficit_share, BalloonVmPlan *p) {
        int64_t balloon = balloon_sat_from_u64(vm->balloon_bytes), step, cap, target;

        p->memory = vm->memory;
        p->target_bytes = vm->balloon_bytes;
        p->delta_bytes = 0;
        p->guest_available_bytes =
                        (uint64_t) balloon_sat_add(balloon_sat_from_u64(vm->guest_free_bytes),
                                        balloon_sat_from_u64(vm->guest_cache_bytes));
        if (vm->passthrough) {
                p->action = BALLOON_ACTION_SKIP_PASSTHROUGH;
                return;
        }
        if (!vm->stats_valid) {
                p->action = BALLOON_ACTION_SKIP_NO_STATS;
                return;
        }

        step = balloon_policy_step(host_available, host_critical, vm, config,
                        config->kind == BALLOON_POLICY_VMSILO, host->under_pressure,
                        host_deficit_share, &p->memory);

        /* The balloon's own bounds apply even without a step (the cap may have shrunk). */
        cap = MAX(balloon_sat_sub(balloon_sat_from_u64(vm->memory_bytes),
                                  (int64_t) BALLOON_GUEST_FLOOR_BYTES),
                        0);
        target = balloon_sat_add(balloon, step);
        target = MIN(MAX(target, 0), cap);

        p->target_bytes = (uint64_t) target;
        p->delta_bytes = balloon_sat_sub(target, balloon);
        p->action = p->delta_bytes > 0   ? BALLOON_ACTION_INFLATE
                    : p->delta_bytes < 0 ? BALLOON_ACTION_DEFLATE
                                         : BALLOON_ACTION_HOLD;
}

int balloon_policy_compute(const BalloonHostInput *host, const BalloonVmInput *vms, size_t n_vms,
                const BalloonConfig *config, BalloonPlan *ret) {
        _cleanup_(freep) BalloonVmPlan *plans = NULL;
        size_t order[BALLOON_VMS_MAX];
        int64_t host_critical, host_available, deficit, total_margin = 0;
        bool emergency;

        if (n_vms > BALLOON_VMS_MAX || config->critical_host_percent > 100 || config->kind < 0 ||
                        config->kind >= _BALLOON_POLICY_KIND_MAX)
                return -EINVAL;

        plans = calloc(MAX(n_vms, (size_t) 1), sizeof(BalloonVmPlan));
        if (!plans)
                return -ENOMEM;

        host_critical = mul_div(balloon_sat_from_u64(host->mem_total_bytes),
                        config->critical_host_percent, 100);
        host_available = balloon_sat_from_u64(host->mem_available_bytes);
        order_vms(vms, n_vms, order);
        deficit = balloon_sat_sub(host_critical, host_available);
        emergency = config->kind == BALLOON_POLICY_VMSILO && deficit > 0;
        if (emergency) {
                deficit = balloon_sat_add(deficit, BALLOON_HOST_HEADROOM_BYTES);
                for (size_t i = 0; i < n_vms; i++)
                        total_margin = balloon_sat_add(total_margin, preview_margin(vms + i));
        }

        for (size_t i = 0; i < n_vms; i++) {
                BalloonVmPlan *p = plans + i;
                int64_t share = emergency ? mul_div(deficit, preview_margin(vms + order[i]),
                                                            total_margin)
                                          : 0;

                p->index = order[i];
                plan_vm(vms + order[i], config, host, host_available, host_critical, share, p);
                /* vmsilo: the next VM sees the host as this step leaves it, so N VMs do not all
                 * answer the same small imbalance. Not while the host is under critical: then
                 * every guest pays its share at once, in parallel. */
                if (config->kind == BALLOON_POLICY_VMSILO && !emergency)
                        host_available = balloon_sat_add(host_available, p->delta_bytes);
        }
        if (config->kind != BALLOON_POLICY_VMSILO || emergency)
                for (size_t i = 0; i < n_vms; i++)
                        host_available = balloon_sat_add(host_available, plans[i].delta_bytes);

        *ret = (BalloonPlan){
                .vms = TAKE_PTR(plans),
                .n_vms = n_vms,
                .host_critical_bytes = (uint64_t) host_critical,
                .host_available_after_bytes = (uint64_t) MAX(host_available, 0),
        };
        return 0;
}

void balloon_plan_finish(BalloonPlan *p) {
        p->vms = mfree(p->vms);
        p->n_vms = 0;
}

static const char *const balloon_action_table[_BALLOON_ACTION_MAX] = {
        [BALLOON_ACTION_HOLD] = "hold",
        [BALLOON_ACTION_INFLATE] = "inflate",
        [BALLOON_ACTION_DEFLATE] = "deflate",
        [BALLOON_ACTION_SKIP_PASSTHROUGH] = "skip-passthrough",
        [BALLOON_ACTION_SKIP_NO_STATS] = "skip-no-stats",
};
DEFINE_STRING_TABLE_LOOKUP(balloon_action, BalloonAction, _BALLOON_ACTION_MAX);

static const char *const balloon_policy_kind_table[_BALLOON_POLICY_KIND_MAX] = {
        [BALLOON_POLICY_CHROMEOS] = "chromeos",
        [BALLOON_POLICY_VMSILO] = "vmsilo",
};
DEFINE_STRING_TABLE_LOOKUP(balloon_policy_kind, BalloonPolicyKind, _BALLOON_POLICY_KIND_MAX);

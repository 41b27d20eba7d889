/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* balloon-sim.c: replays memory traces (a host workload and several guests) through static
 * allocation, the plain ChromeOS-style policy and vmsilo's policy, all via the same
 * balloon_policy_compute() the daemon runs, and reports what each achieves.
 *
 *   balloon-sim generate --kind spike|bursts|cache|squeeze|mixed --seed N [--duration S] > FILE
 *   balloon-sim [--json FILE] [--markdown] TRACE…
 *
 * Model (10 ms steps): every guest RAM page is backed on the host (memory − balloon); host
 * available = MemTotal − host workload − Σ backed guest RAM. In a guest, page cache fills what
 * anonymous memory leaves, up to the trace's cache level; free is the rest. Balloons move toward
 * their target at BALLOON_RATE; inflating takes free memory, then cache, never anonymous
 * memory. A guest whose anonymous memory no longer fits deflates on OOM at once (the device has
 * deflate-on-oom). Both policies evaluate every second (ChromeOS's concierge timer); vmsilo
 * also when the host PSI trigger fires: at 50 ms of stall, modelled as host
 * available under twice the critical level, at most once per 500 ms window. A round's stats take
 * 20 ms. Metrics: returned = mean Σ balloon; host/guest under critical = time below the critical
 * level (guest: a fixed "true" level, unknown to the policies, which start at 400 MiB and learn
 * downwards); resizes = balloon commands; reaction = from the host falling under critical to the
 * first inflation (an episode nobody answered counts in full). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "macro.h"
#include "policy.h"

#define SIM_STEP_MS 10
#define SIM_GUESTS_MAX 8
#define SIM_EVENTS_MAX 4096
#define SIM_NAME_MAX 32
#define SIM_BALLOON_RATE_MIB_PER_S 512
#define SIM_GUEST_TRUE_CRITICAL_MIB 250
#define SIM_GUEST_MIN_FREE_MIB 32
#define SIM_CHROMEOS_PERIOD_MS 1000
/* Both policies run at ChromeOS's 1 s period, so the comparison is of the policies. (vmsilo's
 * default pollInterval is 2 s; see docs/balloond.md for what that costs the guests.) */
#define SIM_VMSILO_PERIOD_MS 1000
#define SIM_STATS_DELAY_MS 20
#define SIM_PSI_DELAY_MS 50
#define SIM_PSI_WINDOW_MS 500
#define SIM_CRITICAL_HOST_PERCENT 5

typedef enum SimPolicy {
        SIM_STATIC,
        SIM_CHROMEOS,
        SIM_VMSILO,
        _SIM_POLICY_MAX,
} SimPolicy;

static const char *const sim_policy_names[_SIM_POLICY_MAX] = { "static", "chromeos", "vmsilo" };

typedef enum EventKind {
        EVENT_HOST,  /* host workload, MiB */
        EVENT_ANON,  /* a guest's anonymous memory, MiB */
        EVENT_CACHE, /* a guest's page-cache level, MiB */
} EventKind;

typedef struct Event {
        int64_t time_ms;
        EventKind kind;
        int guest; /* -1 for the host */
        double value_mib;
        int64_t ramp_ms; /* linear change over this long; 0 = at once */
} Event;

typedef struct Trace {
        char name[64];
        double host_total_mib;
        int64_t duration_ms;
        size_t n_guests;
        char guest_names[SIM_GUESTS_MAX][SIM_NAME_MAX];
        double guest_memory_mib[SIM_GUESTS_MAX];
        Event events[SIM_EVENTS_MAX];
        size_t n_events;
} Trace;

typedef struct Result {
        double returned_mib;
        double host_under_critical_s;
        double guest_under_critical_s;
        unsigned resizes;
        double worst_reaction_ms;
} Result;

/* A value changing linearly toward a target. */
typedef struct Ramp {
        double value, target, per_step;
} Ramp;

static void ramp_set(Ramp *r, double target, int64_t ramp_ms) {
        r->target = target;
        if (ramp_ms <= 0) {
                r->value = target;
                r->per_step = 0;
        } else
                r->per_step = (target - r->value) / ((double) ramp_ms / SIM_STEP_MS);
}

static void ramp_step(Ramp *r) {
        if (r->per_step == 0)
                return;
        r->value += r->per_step;
        if ((r->per_step > 0 && r->value >= r->target) ||
                        (r->per_step < 0 && r->value <= r->target)) {
                r->value = r->target;
                r->per_step = 0;
        }
}

/* ---- trace files --------------------------------------------------------------------- */

static void fclosep_sim(FILE **f) {
        if (*f)
                fclose(*f);
}

static int guest_index(const Trace *t, const char *name) {
        for (size_t i = 0; i < t->n_guests; i++)
                if (streq(t->guest_names[i], name))
                        return (int) i;
        return -1;
}

static int trace_load(const char *path, Trace *t) {
        _cleanup_(fclosep_sim) FILE *f = NULL;
        char line[256];
        unsigned lineno = 0;
        const char *base;

        memset(t, 0, sizeof(*t));
        f = fopen(path, "re");
        if (!f)
                return -errno;
        base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        snprintf(t->name, sizeof(t->name), "%.*s", (int) strcspn(base, "."), base);
        while (fgets(line, sizeof(line), f)) {
                char what[16], name[SIM_NAME_MAX];
                long long time_ms, ramp_ms = 0;
                double v;

                lineno++;
                if (line[0] == '#' || line[0] == '\n')
                        continue;
                if (sscanf(line, "host_total_mib %lf", &v) == 1)
                        t->host_total_mib = v;
                else if (sscanf(line, "duration_s %lf", &v) == 1)
                        t->duration_ms = (int64_t) (v * 1000);
                else if (sscanf(line, "guest %31s %lf", name, &v) == 2) {
                        if (t->n_guests >= SIM_GUESTS_MAX)
                                return -E2BIG;
                        snprintf(t->guest_names[t->n_guests], SIM_NAME_MAX, "%s", name);
                        t->guest_memory_mib[t->n_guests++] = v;
                } else if (sscanf(line, "%lld host %lf %lld", &time_ms, &v, &ramp_ms) >= 2) {
                        if (t->n_events >= SIM_EVENTS_MAX)
                                return -E2BIG;
                        t->events[t->n_events++] = (Event){ time_ms, EVENT_HOST, -1, v, ramp_ms };
                } else if (sscanf(line, "%lld %15s %31s %lf %lld", &time_ms, what, name, &v,
                                           &ramp_ms) >= 4) {
                        int g = guest_index(t, name);
                        if (g < 0 || !(streq(what, "anon") || streq(what, "cache"))) {
                                fprintf(stderr, "%s:%u: bad event\n", path, lineno);
                                return -EINVAL;
                        }
                        if (t->n_events >= SIM_EVENTS_MAX)
                                return -E2BIG;
                        t->events[t->n_events++] = (Event){ time_ms,
                                streq(what, "anon") ? EVENT_ANON : EVENT_CACHE, g, v, ramp_ms };
                } else {
                        fprintf(stderr, "%s:%u: cannot parse '%s'\n", path, lineno, line);
                        return -EINVAL;
                }
        }
        if (t->host_total_mib <= 0 || t->duration_ms <= 0 || t->n_guests == 0)
                return -EINVAL;
        return 0;
}

/* ---- simulation ------------------------------------------------------------------------ */

typedef struct SimGuest {
        double memory_mib;
        Ramp anon, cache_level;
        double cache_mib, free_mib;
        double balloon_mib, target_mib;
        BalloonVmMemory learned;
} SimGuest;

typedef struct Sim {
        const Trace *trace;
        SimPolicy policy;
        SimGuest guests[SIM_GUESTS_MAX];
        Ramp host_used;
        double host_available_mib, host_critical_mib;
        int64_t now_ms;
        int64_t next_tick_ms, round_at_ms, last_psi_ms;
        bool round_pressure;
        bool host_under, episode_answered;
        int64_t episode_start_ms;
        double balloon_sum_mib_steps;
        Result result;
} Sim;

static void guest_settle(SimGuest *g) {
        double usable = g->memory_mib - g->balloon_mib;

        /* Anonymous memory that no longer fits: deflate on OOM at once. */
        if (g->anon.value + SIM_GUEST_MIN_FREE_MIB > usable) {
                g->balloon_mib = MAX(0.0, g->memory_mib - g->anon.value - SIM_GUEST_MIN_FREE_MIB);
                g->target_mib = MIN(g->target_mib, g->balloon_mib);
                usable = g->memory_mib - g->balloon_mib;
        }
        g->cache_mib = MAX(0.0,
                        MIN(g->cache_level.value, usable - g->anon.value - SIM_GUEST_MIN_FREE_MIB));
        g->free_mib = MAX(0.0, usable - g->anon.value - g->cache_mib);
}

static void guest_move_balloon(SimGuest *g) {
        double step = SIM_BALLOON_RATE_MIB_PER_S * SIM_STEP_MS / 1000.0;

        if (g->target_mib > g->balloon_mib) {
                /* Inflating takes free memory and cache, never anonymous memory. */
                double room = g->memory_mib - g->anon.value - SIM_GUEST_MIN_FREE_MIB -
                              g->balloon_mib;
                g->balloon_mib += MAX(0.0, MIN(step, MIN(g->target_mib - g->balloon_mib, room)));
        } else if (g->target_mib < g->balloon_mib)
                g->balloon_mib -= MIN(step, g->balloon_mib - g->target_mib);
}

static void sim_apply_events(Sim *s, size_t *next_event) {
        const Trace *t = s->trace;

        while (*next_event < t->n_events && t->events[*next_event].time_ms <= s->now_ms) {
                const Event *e = &t->events[(*next_event)++];
                if (e->kind == EVENT_HOST)
                        ramp_set(&s->host_used, e->value_mib, e->ramp_ms);
                else if (e->kind == EVENT_ANON)
                        ramp_set(&s->guests[e->guest].anon, e->value_mib, e->ramp_ms);
                else
                        ramp_set(&s->guests[e->guest].cache_level, e->value_mib, e->ramp_ms);
        }
}

static void sim_update_host(Sim *s) {
        double backed = 0;

        for (size_t i = 0; i < s->trace->n_guests; i++)
                backed += s->guests[i].memory_mib - s->guests[i].balloon_mib;
        s->host_available_mib = s->trace->host_total_mib - s->host_used.value - backed;
}

static uint64_t mib_to_bytes(double mib) {
        return mib <= 0 ? 0 : (uint64_t) (mib * BALLOON_MIB);
}

static void sim_round(Sim *s) {
        BalloonVmInput inputs[SIM_GUESTS_MAX];
        BalloonConfig config = {
                .kind = s->policy == SIM_VMSILO ? BALLOON_POLICY_VMSILO : BALLOON_POLICY_CHROMEOS,
                .critical_host_percent = SIM_CRITICAL_HOST_PERCENT,
        };
        BalloonHostInput host = {
                .mem_total_bytes = mib_to_bytes(s->trace->host_total_mib),
                .mem_available_bytes = mib_to_bytes(s->host_available_mib),
                .under_pressure = s->round_pressure,
        };
        BalloonPlan plan = {};

        for (size_t i = 0; i < s->trace->n_guests; i++) {
                const SimGuest *g = &s->guests[i];
                inputs[i] = (BalloonVmInput){
                        .name = s->trace->guest_names[i],
                        .stats_valid = true,
                        .memory_bytes = mib_to_bytes(g->memory_mib),
                        .balloon_bytes = mib_to_bytes(g->balloon_mib),
                        .guest_free_bytes = mib_to_bytes(g->free_mib),
                        .guest_cache_bytes = mib_to_bytes(g->cache_mib),
                        .memory = g->learned,
                };
        }
        if (balloon_policy_compute(&host, inputs, s->trace->n_guests, &config, &plan) < 0)
                abort();
        for (size_t i = 0; i < plan.n_vms; i++) {
                const BalloonVmPlan *p = &plan.vms[i];
                SimGuest *g = &s->guests[p->index];

                g->learned = p->memory;
                if (!IN_SET(p->action, BALLOON_ACTION_INFLATE, BALLOON_ACTION_DEFLATE))
                        continue;
                g->target_mib = (double) p->target_bytes / BALLOON_MIB;
                s->result.resizes++;
                if (p->action == BALLOON_ACTION_INFLATE && s->host_under && !s->episode_answered) {
                        double reaction = (double) (s->now_ms - s->episode_start_ms);
                        s->result.worst_reaction_ms = MAX(s->result.worst_reaction_ms, reaction);
                        s->episode_answered = true;
                }
        }
        balloon_plan_finish(&plan);
}

/* When the next policy round happens; vmsilo adds PSI-triggered rounds. */
static void sim_schedule(Sim *s) {
        if (s->policy == SIM_STATIC)
                return;
        if (s->now_ms >= s->next_tick_ms && s->round_at_ms < 0) {
                s->round_at_ms = s->now_ms + SIM_STATS_DELAY_MS;
                s->round_pressure = false;
                s->next_tick_ms += s->policy == SIM_CHROMEOS ? SIM_CHROMEOS_PERIOD_MS
                                                             : SIM_VMSILO_PERIOD_MS;
        }
        if (s->policy == SIM_VMSILO && s->host_available_mib < 2 * s->host_critical_mib &&
                        s->now_ms - s->last_psi_ms >= SIM_PSI_WINDOW_MS) {
                s->last_psi_ms = s->now_ms;
                s->round_at_ms =
                                s->round_at_ms < 0
                                                ? s->now_ms + SIM_PSI_DELAY_MS + SIM_STATS_DELAY_MS
                                                : MIN(s->round_at_ms,
                                                                  s->now_ms + SIM_PSI_DELAY_MS +
                                                                                  SIM_STATS_DELAY_MS);
                s->round_pressure = true;
        }
        if (s->round_at_ms >= 0 && s->now_ms >= s->round_at_ms) {
                s->round_at_ms = -1;
                sim_round(s);
        }
}

static void sim_account(Sim *s) {
        const double dt = SIM_STEP_MS / 1000.0;
        bool under = s->host_available_mib < s->host_critical_mib;
        double balloons = 0;

        if (under && !s->host_under) {
                s->episode_start_ms = s->now_ms;
                s->episode_answered = false;
        }
        if (!under && s->host_under && !s->episode_answered && s->policy != SIM_STATIC)
                s->result.worst_reaction_ms = MAX(s->result.worst_reaction_ms,
                                (double) (s->now_ms - s->episode_start_ms));
        s->host_under = under;
        if (under)
                s->result.host_under_critical_s += dt;
        for (size_t i = 0; i < s->trace->n_guests; i++) {
                const SimGuest *g = &s->guests[i];
                balloons += g->balloon_mib;
                if (g->free_mib + g->cache_mib < SIM_GUEST_TRUE_CRITICAL_MIB)
                        s->result.guest_under_critical_s += dt;
        }
        s->balloon_sum_mib_steps += balloons;
}

static Result simulate(const Trace *t, SimPolicy policy) {
        Sim s = {
                .trace = t,
                .policy = policy,
                .host_critical_mib = t->host_total_mib * SIM_CRITICAL_HOST_PERCENT / 100,
                .round_at_ms = -1,
                .last_psi_ms = -SIM_PSI_WINDOW_MS,
        };
        size_t next_event = 0;
        int64_t steps = 0;

        for (size_t i = 0; i < t->n_guests; i++)
                s.guests[i].memory_mib = t->guest_memory_mib[i];
        for (s.now_ms = 0; s.now_ms < t->duration_ms; s.now_ms += SIM_STEP_MS, steps++) {
                sim_apply_events(&s, &next_event);
                ramp_step(&s.host_used);
                for (size_t i = 0; i < t->n_guests; i++) {
                        ramp_step(&s.guests[i].anon);
                        ramp_step(&s.guests[i].cache_level);
                        guest_move_balloon(&s.guests[i]);
                        guest_settle(&s.guests[i]);
                }
                sim_update_host(&s);
                sim_schedule(&s);
                sim_account(&s);
        }
        if (s.host_under && !s.episode_answered && policy != SIM_STATIC)
                s.result.worst_reaction_ms = MAX(s.result.worst_reaction_ms,
                                (double) (s.now_ms - s.episode_start_ms));
        s.result.returned_mib = steps > 0 ? s.balloon_sum_mib_steps / (double) steps : 0;
        if (policy == SIM_STATIC)
                s.result.worst_reaction_ms = -1; /* never reacts */
        return s.result;
}

/* ---- trace generation -------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void) {
        /* xorshift64*: deterministic across machines and libcs. */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * UINT64_C(2685821657736338717);
}

static int64_t rng_range(int64_t lo, int64_t hi) {
        return lo + (int64_t) (rng_next() % (uint64_t) (hi - lo + 1));
}

static const char *const gen_guests[] = { "banking", "personal", "work" };
static const int gen_guest_memory_mib[] = { 2048, 4096, 4096 };
#define GEN_HOST_TOTAL_MIB 16384
#define GEN_HOST_BASE_MIB 3000

static int event_cmp(const void *a, const void *b) {
        const Event *x = a, *y = b;

        if (x->time_ms != y->time_ms)
                return x->time_ms < y->time_ms ? -1 : 1;
        return 0;
}

static void gen_add(
                Trace *t, int64_t time_ms, EventKind kind, int guest, double mib, int64_t ramp_ms) {
        /* Off the whole-second grid, so no policy's timer lines up with the trace by luck. */
        if (time_ms > 0)
                time_ms += rng_range(0, 999);
        if (t->n_events < SIM_EVENTS_MAX && time_ms < t->duration_ms)
                t->events[t->n_events++] = (Event){ time_ms, kind, guest, mib, ramp_ms };
}

/* A host allocation of size_mib at `at`, freed after hold_ms. */
static void gen_host_spike(Trace *t, int64_t at, double size_mib, int64_t hold_ms) {
        gen_add(t, at, EVENT_HOST, -1, GEN_HOST_BASE_MIB + size_mib, 0);
        gen_add(t, at + hold_ms, EVENT_HOST, -1, GEN_HOST_BASE_MIB, 2000);
}

static void gen_idle_guests(Trace *t) {
        for (int g = 0; g < (int) t->n_guests; g++) {
                gen_add(t, 0, EVENT_ANON, g, (double) rng_range(250, 500), 0);
                gen_add(t, 0, EVENT_CACHE, g, (double) rng_range(200, 900), 0);
        }
}

static void gen_bursts(Trace *t, int per_guest) {
        for (int g = 0; g < (int) t->n_guests; g++)
                for (int i = 0; i < per_guest; i++) {
                        int64_t at = rng_range(10, t->duration_ms / 1000 - 60) * 1000;
                        double base = (double) rng_range(250, 450);
                        double peak = base + (double) rng_range(600, gen_guest_memory_mib[g] / 2);
                        gen_add(t, at, EVENT_ANON, g, peak, rng_range(100, 1500));
                        gen_add(t, at + rng_range(8, 40) * 1000, EVENT_ANON, g, base,
                                        rng_range(0, 3000));
                }
}

static void gen_cache_growth(Trace *t) {
        for (int g = 0; g < (int) t->n_guests; g++) {
                int64_t at = rng_range(5, 120) * 1000;
                gen_add(t, at, EVENT_CACHE, g,
                                (double) rng_range(1200, gen_guest_memory_mib[g] - 600),
                                rng_range(60, 240) * 1000);
                gen_add(t, at + rng_range(280, 400) * 1000, EVENT_CACHE, g, 150, 1000);
        }
}

static int generate(const char *kind, uint64_t seed, int64_t duration_s) {
        Trace *t = calloc(1, sizeof(Trace));

        if (!t)
                return -ENOMEM;
        rng_state = seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
        t->duration_ms = duration_s * 1000;
        t->n_guests = ELEMENTSOF(gen_guests);
        gen_add(t, 0, EVENT_HOST, -1, GEN_HOST_BASE_MIB, 0);
        gen_idle_guests(t);
        if (streq(kind, "spike")) {
                gen_host_spike(t, rng_range(90, 150) * 1000, (double) rng_range(3000, 4000),
                                rng_range(60, 120) * 1000);
                gen_host_spike(t, rng_range(330, 400) * 1000, (double) rng_range(4000, 5500),
                                rng_range(40, 90) * 1000);
        } else if (streq(kind, "bursts")) {
                gen_bursts(t, 4);
                gen_host_spike(t, rng_range(200, 400) * 1000, (double) rng_range(2500, 3500),
                                rng_range(30, 60) * 1000);
        } else if (streq(kind, "cache")) {
                gen_cache_growth(t);
                gen_add(t, 60000, EVENT_HOST, -1, GEN_HOST_BASE_MIB + 3500, 400000);
        } else if (streq(kind, "squeeze")) {
                /* A host that needs most of its memory for a long time, so balloons are large,
                 * while the guests burst: the guests' side of the trade. */
                gen_add(t, rng_range(20, 40) * 1000, EVENT_HOST, -1,
                                GEN_HOST_BASE_MIB + (double) rng_range(4500, 5500), 10000);
                gen_bursts(t, 5);
        } else if (streq(kind, "mixed")) {
                gen_bursts(t, 2);
                gen_cache_growth(t);
                gen_host_spike(t, rng_range(150, 250) * 1000, (double) rng_range(3000, 4500),
                                rng_range(40, 80) * 1000);
                gen_host_spike(t, rng_range(400, 500) * 1000, (double) rng_range(2000, 3000),
                                rng_range(20, 40) * 1000);
        } else {
                free(t);
                fprintf(stderr, "Unknown trace kind '%s' (spike, bursts, cache, squeeze, mixed).\n",
                                kind);
                return -EINVAL;
        }
        qsort(t->events, t->n_events, sizeof(Event), event_cmp);

        printf("# balloon-sim trace: generated by `balloon-sim generate --kind %s --seed %" PRIu64
               " --duration %" PRId64 "`\n# time_ms host MiB [ramp_ms] | time_ms anon|cache GUEST "
               "MiB [ramp_ms]\n",
                        kind, seed, duration_s);
        printf("host_total_mib %d\nduration_s %" PRId64 "\n", GEN_HOST_TOTAL_MIB, duration_s);
        for (size_t g = 0; g < t->n_guests; g++)
                printf("guest %s %d\n", gen_guests[g], gen_guest_memory_mib[g]);
        for (size_t i = 0; i < t->n_events; i++) {
                const Event *e = &t->events[i];
                if (e->kind == EVENT_HOST)
                        printf("%" PRId64 " host %.0f %" PRId64 "\n", e->time_ms, e->value_mib,
                                        e->ramp_ms);
                else
                        printf("%" PRId64 " %s %s %.0f %" PRId64 "\n", e->time_ms,
                                        e->kind == EVENT_ANON ? "anon" : "cache",
                                        gen_guests[e->guest], e->value_mib, e->ramp_ms);
        }
        free(t);
        return 0;
}

/* ---- reports ----------------------------------------------------------------------------- */

static void print_markdown(Trace *const *traces, Result (*results)[_SIM_POLICY_MAX], size_t n) {
        printf("| trace | policy | returned to host (MiB, mean) | host under critical (s) | "
               "guest under critical (s) | resizes | worst reaction (ms) |\n");
        printf("|---|---|---:|---:|---:|---:|---:|\n");
        for (size_t i = 0; i < n; i++)
                for (int p = 0; p < _SIM_POLICY_MAX; p++) {
                        const Result *r = &results[i][p];
                        char reaction[32];
                        if (r->worst_reaction_ms < 0)
                                snprintf(reaction, sizeof(reaction), "never");
                        else
                                snprintf(reaction, sizeof(reaction), "%.0f", r->worst_reaction_ms);
                        printf("| %s | %s | %.0f | %.2f | %.2f | %u | %s |\n", traces[i]->name,
                                        sim_policy_names[p], r->returned_mib,
                                        r->host_under_critical_s, r->guest_under_critical_s,
                                        r->resizes, reaction);
                }
}

static void print_ratios(Trace *const *traces, Result (*results)[_SIM_POLICY_MAX], size_t n) {
        double host[2] = { 0, 0 }, guest[2] = { 0, 0 }, reaction[2] = { 0, 0 };

        for (size_t i = 0; i < n; i++)
                for (int k = 0; k < 2; k++) {
                        const Result *r = &results[i][SIM_CHROMEOS + k];
                        host[k] += r->host_under_critical_s;
                        guest[k] += r->guest_under_critical_s;
                        reaction[k] = MAX(reaction[k], r->worst_reaction_ms);
                }
        printf("\nvmsilo / chromeos over all traces: host under critical %.2f, guest under "
               "critical %.2f, worst reaction %.2f\n",
                        host[0] > 0 ? host[1] / host[0] : 0, guest[0] > 0 ? guest[1] / guest[0] : 0,
                        reaction[0] > 0 ? reaction[1] / reaction[0] : 0);
}

static int write_json(const char *path, Trace *const *traces, Result (*results)[_SIM_POLICY_MAX],
                size_t n) {
        json_t *doc = json_pack("{s:[]}", "traces"), *list;
        int r;

        if (!doc)
                return -ENOMEM;
        list = json_object_get(doc, "traces");
        for (size_t i = 0; i < n; i++) {
                json_t *policies = json_object();
                for (int p = 0; p < _SIM_POLICY_MAX; p++) {
                        const Result *res = &results[i][p];
                        json_t *reaction =
                                        res->worst_reaction_ms < 0
                                                        ? json_null()
                                                        : json_integer((json_int_t) res->worst_reaction_ms);
                        json_object_set_new(policies, sim_policy_names[p],
                                        json_pack("{s:I, s:f, s:f, s:I, s:o}", "returned_mib",
                                                        (json_int_t) (res->returned_mib + 0.5),
                                                        "host_under_critical_s",
                                                        res->host_under_critical_s,
                                                        "guest_under_critical_s",
                                                        res->guest_under_critical_s, "resizes",
                                                        (json_int_t) res->resizes,
                                                        "worst_reaction_ms", reaction));
                }
                json_array_append_new(list, json_pack("{s:s, s:o}", "name", traces[i]->name,
                                                            "policies", policies));
        }
        r = json_dump_file(
                        doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        json_decref(doc);
        return r < 0 ? -EIO : 0;
}

static void help(void) {
        printf("Usage: balloon-sim [--json FILE] TRACE…\n"
               "       balloon-sim generate --kind spike|bursts|cache|squeeze|mixed --seed N "
               "[--duration S]\n\n"
               "Replays each trace through static allocation, the ChromeOS-style policy and\n"
               "vmsilo's, and prints a Markdown table (and, with --json, a JSON report).\n");
}

static int main_generate(int argc, char **argv) {
        static const struct option options[] = {
                { "kind", required_argument, NULL, 'k' },
                { "seed", required_argument, NULL, 's' },
                { "duration", required_argument, NULL, 'd' },
                {},
        };
        const char *kind = NULL;
        uint64_t seed = 1;
        int64_t duration_s = 600;
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'k':
                        kind = optarg;
                        break;
                case 's':
                        seed = strtoull(optarg, NULL, 10);
                        break;
                case 'd':
                        duration_s = strtoll(optarg, NULL, 10);
                        break;
                default:
                        return EXIT_FAILURE;
                }
        if (!kind || duration_s <= 0 || duration_s > 3600) {
                help();
                return EXIT_FAILURE;
        }
        return generate(kind, seed, duration_s) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "json", required_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *json_path = NULL;
        Trace *traces[16];
        Result results[16][_SIM_POLICY_MAX];
        size_t n = 0;
        int c, r;

        if (argc > 1 && streq(argv[1], "generate"))
                return main_generate(argc - 1, argv + 1);
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'j':
                        json_path = optarg;
                        break;
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                default:
                        return EXIT_FAILURE;
                }
        if (optind >= argc || argc - optind > 16) {
                help();
                return EXIT_FAILURE;
        }
        for (int i = optind; i < argc; i++, n++) {
                traces[n] = malloc(sizeof(Trace));
                if (!traces[n])
                        return EXIT_FAILURE;
                r = trace_load(argv[i], traces[n]);
                if (r < 0) {
                        fprintf(stderr, "Cannot load trace '%s': %s\n", argv[i], strerror(-r));
                        return EXIT_FAILURE;
                }
                for (int p = 0; p < _SIM_POLICY_MAX; p++)
                        results[n][p] = simulate(traces[n], (SimPolicy) p);
        }
        print_markdown(traces, results, n);
        print_ratios(traces, results, n);
        r = json_path ? write_json(json_path, traces, results, n) : 0;
        for (size_t i = 0; i < n; i++)
                free(traces[i]);
        if (r < 0) {
                fprintf(stderr, "Cannot write '%s'.\n", json_path);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

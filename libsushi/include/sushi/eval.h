/* SPDX-License-Identifier: MIT */
/*
 * sushi/eval.h - the offline evaluator: replays a query trace through a
 * policy on a modelled SushiAccel (one accelerator, or a fleet of them
 * with a router, queries served in arrival order) and reports DESIGN
 * D12's metrics; replays a given plan of
 * SubGraphs; the offline policies (best static SubGraph, the oracle: the
 * exact optimum of a stated objective over a stated plan space, or a
 * proven bound on it) and an upper bound for every PB policy; the trace
 * generators and the CSV trace format.  Needs no device.
 */
#ifndef SUSHI_EVAL_H
#define SUSHI_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "sushi/fleet.h"
#include "sushi/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct sushi_eval_stats - metrics of one replay
 * @queries: queries replayed (served or shed)
 * @served_accuracy: mean accuracy of the served SubNets (shed queries
 *	excluded)
 * @slo_attainment: fraction of all queries served within the ceiling at
 *	or above the floor (a shed query misses)
 * @lat_mean_ns: mean end-to-end latency (queueing + PB jobs + service) of
 *	the served queries
 * @lat_p50_ns: median latency (served queries)
 * @lat_p99_ns: 99th percentile latency (served queries)
 * @offchip_bytes_per_query: DRAM bytes per query, PB loads included
 * @energy_fj_per_query: energy per query, PB jobs included
 * @offchip_fj_per_query: off-chip energy per query, PB loads included
 * @pb_hit_fraction: weight bytes read from the PB / all weight bytes read
 * @pb_reloads: PB_LOAD jobs run
 * @pb_bytes_served: weight bytes read from the PB
 * @pb_bytes_loaded: off-chip bytes spent loading the PB
 * @fallbacks: queries where no SubNet met the ceiling
 * @acc_misses: queries served below their accuracy floor
 * @lat_misses: queries finished after their ceiling
 * @makespan_ns: when the last device finishes its last job
 * @offchip_bytes: all off-chip bytes: the SubNets' DRAM traffic plus the
 *	PB loads (@pb_bytes_loaded)
 * @offchip_weight_bytes: weight bytes the SubNets read from DRAM
 * @offchip_act_bytes: activation bytes the SubNets moved to and from DRAM
 *	(the rest of their traffic)
 * @offchip_epi_bytes: epilogue bytes the SubNets read from DRAM (0 when the
 *	space was not told them: then they count as activations)
 * @shed: queries not run (enum sushi_overload SHED, or admission)
 * @shed_admission: among @shed, those refused at admission (every device
 *	held &sushi_fleet_params.max_queue queries)
 * Per-query figures divide by @queries.
 */
struct sushi_eval_stats {
	uint64_t queries;
	double served_accuracy;
	double slo_attainment;
	double lat_mean_ns;
	uint64_t lat_p50_ns;
	uint64_t lat_p99_ns;
	double offchip_bytes_per_query;
	double energy_fj_per_query;
	double offchip_fj_per_query;
	double pb_hit_fraction;
	uint64_t pb_reloads;
	uint64_t pb_bytes_served;
	uint64_t pb_bytes_loaded;
	uint64_t fallbacks;
	uint64_t acc_misses;
	uint64_t lat_misses;
	uint64_t makespan_ns;
	uint64_t offchip_bytes;
	uint64_t offchip_weight_bytes;
	uint64_t offchip_act_bytes;
	uint64_t offchip_epi_bytes;
	uint64_t shed;
	uint64_t shed_admission;
};

/**
 * struct sushi_eval_record - one served query, for plots
 * @arrival_ns: arrival
 * @finish_ns: completion
 * @subnet: SubNet served
 * @subgraph: candidate pinned (~0u for LRU)
 * @n_loads: PB_LOAD jobs run for it (a reload when non-zero)
 * @slo_ok: met both its floor and its ceiling
 * @device: the device it went to (UINT32_MAX: shed at admission)
 * @shed: not run (@subnet is then UINT32_MAX)
 */
struct sushi_eval_record {
	uint64_t arrival_ns;
	uint64_t finish_ns;
	uint32_t subnet;
	uint32_t subgraph;
	uint32_t n_loads;
	uint8_t slo_ok;
	uint8_t shed;
	uint32_t device;
};

/**
 * sushi_eval_run() - replay @qs through policy @p
 * @rec: n records, or NULL
 * The offline policies first plan with the whole trace known:
 * SUSHI_POLICY_BEST_STATIC with sushi_eval_best_static(),
 * SUSHI_POLICY_ORACLE with sushi_eval_oracle() (default state budget),
 * both on p->objective; then their plan is replayed like any policy.
 * Queries must be in arrival order.  Returns 0, -EINVAL, -ENOMEM (or -EIO
 * if an offline plan's replay disagrees with its planned value: a bug).
 */
int sushi_eval_run(const struct sushi_sched_space *sp,
		   const struct sushi_sched_params *p,
		   const struct sushi_query *qs, size_t n,
		   struct sushi_eval_stats *st, struct sushi_eval_record *rec);

/**
 * sushi_eval_fleet() - replay @qs through online policy @p on the fleet
 * @fp: each of fp->n_devices devices runs its own scheduler with @p over
 * the one space @sp, queries reach them by fp->router (fleet.h), a device
 * serves its queries in arrival order on its own clock.  One device with
 * the LATE overload and no queue limit is exactly sushi_eval_run().
 * Returns 0; -EINVAL bad arguments (see struct sushi_fleet_params);
 * -EOPNOTSUPP an offline policy (they plan for one device); -ENOMEM.
 */
int sushi_eval_fleet(const struct sushi_sched_space *sp,
		     const struct sushi_sched_params *p,
		     const struct sushi_fleet_params *fp,
		     const struct sushi_query *qs, size_t n,
		     struct sushi_eval_stats *st, struct sushi_eval_record *rec);

/**
 * sushi_eval_objective() - the value of @st on objective @o, larger is
 * better: the off-chip byte saving (PB bytes served - PB bytes loaded),
 * or minus the off-chip bytes.  Exact (integers).
 */
int64_t sushi_eval_objective(const struct sushi_eval_stats *st,
			     enum sushi_objective o);

/**
 * sushi_eval_plan() - replay @qs with a plan of SubGraphs: candidate
 * @plan[k] pinned for queries [k Q, (k + 1) Q) (Q = p->q), switched before
 * query k Q (its PB jobs in that query's wait), from an empty PB; SubNets
 * chosen by the rule of p->select; p->policy is ignored
 * @n_plan: must be ceil(n / Q)
 * Returns 0, -EINVAL (a candidate out of range, wrong @n_plan) or -ENOMEM.
 */
int sushi_eval_plan(const struct sushi_sched_space *sp,
		    const struct sushi_sched_params *p, const uint32_t *plan,
		    size_t n_plan, const struct sushi_query *qs, size_t n,
		    struct sushi_eval_stats *st, struct sushi_eval_record *rec);

/**
 * sushi_eval_best_static() - the candidate SubGraph whose static plan (the
 * same candidate in every window, loaded before the first query) has the
 * best p->objective over @qs (ties: the lowest index), and that value
 * (exact: every candidate is replayed).  Returns 0, -EINVAL or -ENOMEM.
 */
int sushi_eval_best_static(const struct sushi_sched_space *sp,
			   const struct sushi_sched_params *p,
			   const struct sushi_query *qs, size_t n,
			   uint32_t *g, int64_t *value);

/**
 * struct sushi_oracle_info - what sushi_eval_oracle() proved
 * @value: p->objective of the plan returned (a plan of the space, so a
 *	lower bound on the optimum), equal to its replay's
 * @upper: an upper bound on the optimum over the plan space; equal to
 *	@value when @exact
 * @exact: @value is the optimum (no state was dropped by the budget)
 * @states: (candidate, free time) states expanded
 * @pruned: successors cut because their upper bound could not beat the
 *	best plan known (never changes the optimum)
 * @merged: states merged into free-time intervals by the state budget (a
 *	relaxation: then @upper may exceed @value)
 * @max_width: most states kept at one window boundary
 */
struct sushi_oracle_info {
	int64_t value;
	int64_t upper;
	bool exact;
	uint64_t states;
	uint64_t pruned;
	uint64_t merged;
	uint64_t max_width;
};

/** Default state budget of the oracle: states kept per window boundary. */
#define SUSHI_ORACLE_DEFAULT_STATES	256

/**
 * sushi_eval_oracle() - the best plan of the oracle's plan space for
 * p->objective, knowing the whole trace
 * @max_states: states kept per window boundary (0: the default); beyond it
 *	states of one candidate closest in free time are merged (their
 *	futures are then bounded, not enumerated) and @info says whether the
 *	result is still exact
 * @plan: ceil(n / p->q) candidates, filled (replay it with sushi_eval_plan())
 *
 * The plan space: one candidate SubGraph per window of p->q queries,
 * switched before the window's first query from an empty PB, SubNets
 * chosen per query by p->select, one accelerator with queueing exactly as
 * sushi_eval_run() replays.  Exact search over (candidate, accelerator
 * free time) states, pruned by a relaxation bound; Documentation/
 * sushisched.rst has the definition and the proof.
 * Returns 0, -EINVAL, -ENOMEM, or -EIO if the plan's replay disagrees with
 * the search (a bug).
 */
int sushi_eval_oracle(const struct sushi_sched_space *sp,
		      const struct sushi_sched_params *p,
		      const struct sushi_query *qs, size_t n,
		      uint64_t max_states, uint32_t *plan,
		      struct sushi_oracle_info *info);

/**
 * sushi_eval_universal_bound() - an upper bound on p->objective over @qs
 * for *every* PB policy (any PB content at any time, LRU included, any
 * window or plan), with SubNets chosen by p->select: each query is given
 * the best SubNet it could be served under any content with the least
 * wait any schedule allows, PB loads free.  Returns 0 or -EINVAL/-ENOMEM.
 */
int sushi_eval_universal_bound(const struct sushi_sched_space *sp,
			       const struct sushi_sched_params *p,
			       const struct sushi_query *qs, size_t n,
			       int64_t *bound);

/* ---------------------------------------------------------------- traces */

/**
 * enum sushi_trace_kind - synthetic demand patterns
 * @SUSHI_TRACE_UNIFORM: floor and ceiling drawn uniformly per query
 * @SUSHI_TRACE_PHASED: a demand centre that jumps every @phase queries
 * @SUSHI_TRACE_RANDOM_WALK: a demand centre moving a small step per query
 * @SUSHI_TRACE_BURSTY: uniform demand, arrivals alternating between bursts
 *	at 4x the mean rate and lulls at 4x the mean gap
 */
enum sushi_trace_kind {
	SUSHI_TRACE_UNIFORM = 0,
	SUSHI_TRACE_PHASED,
	SUSHI_TRACE_RANDOM_WALK,
	SUSHI_TRACE_BURSTY,
	SUSHI_TRACE_COUNT
};

/** sushi_trace_name() - the name of a trace kind ("phased", ...), or "unknown" */
const char *sushi_trace_name(enum sushi_trace_kind k);
/** sushi_trace_from_name() - the trace kind called @name, or -EINVAL */
int sushi_trace_from_name(const char *name);

/**
 * struct sushi_trace_params - a synthetic trace
 * @kind: the pattern
 * @n: queries
 * @seed: random seed (same seed, same trace)
 * @mean_gap_ns: mean inter-arrival time (Poisson arrivals)
 * @acc_lo: lowest accuracy floor
 * @acc_hi: highest accuracy floor
 * @lat_lo_ns: lowest latency ceiling
 * @lat_hi_ns: highest latency ceiling
 * @phase: queries per phase (PHASED)
 */
struct sushi_trace_params {
	enum sushi_trace_kind kind;
	size_t n;
	uint64_t seed;
	uint64_t mean_gap_ns;
	double acc_lo, acc_hi;
	uint64_t lat_lo_ns, lat_hi_ns;
	size_t phase;
};

/* arrival times and ceilings of every trace stay below this (about 208 days) */
#define SUSHI_TRACE_MAX_NS 18000000000000000ULL

/**
 * sushi_trace_generate() - fill @out with p->n queries; 0, -EINVAL (bad
 * parameters) or -EOVERFLOW (an arrival at or past SUSHI_TRACE_MAX_NS:
 * mean gap times queries too large)
 */
int sushi_trace_generate(const struct sushi_trace_params *p,
			 struct sushi_query *out);

/**
 * sushi_trace_parse_csv() - read the CSV trace format
 * (Documentation/sushisched.rst): a header line
 * "arrival_us,acc_floor,lat_ceiling_us", then one query per line.
 * @out: allocated array of *n queries (free()); @err: message on failure
 * Returns 0, -EINVAL (with the line in @err) or -ENOMEM.
 */
int sushi_trace_parse_csv(const char *text, size_t len,
			  struct sushi_query **out, size_t *n, char *err,
			  size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_EVAL_H */

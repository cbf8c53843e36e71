/* SPDX-License-Identifier: MIT */
/*
 * sushi/eval.h - the offline evaluator: replays a query trace through a
 * policy on a modelled SushiAccel (one accelerator, queries served in
 * arrival order) and reports DESIGN D12's metrics; and the trace
 * generators and the CSV trace format.  Needs no device.
 */
#ifndef SUSHI_EVAL_H
#define SUSHI_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "sushi/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct sushi_eval_stats - metrics of one replay
 * @queries: queries served
 * @served_accuracy: mean accuracy of the served SubNets
 * @slo_attainment: fraction served within the ceiling at or above the floor
 * @lat_mean_ns: mean end-to-end latency (queueing + PB jobs + service)
 * @lat_p50_ns: median latency
 * @lat_p99_ns: 99th percentile latency
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
 * @makespan_ns: finish time of the last query
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
};

/**
 * struct sushi_eval_record - one served query, for plots
 * @arrival_ns: arrival
 * @finish_ns: completion
 * @subnet: SubNet served
 * @subgraph: candidate pinned (~0u for LRU)
 * @n_loads: PB_LOAD jobs run for it (a reload when non-zero)
 * @slo_ok: met both its floor and its ceiling
 */
struct sushi_eval_record {
	uint64_t arrival_ns;
	uint64_t finish_ns;
	uint32_t subnet;
	uint32_t subgraph;
	uint32_t n_loads;
	uint8_t slo_ok;
};

/**
 * sushi_eval_run() - replay @qs through policy @p
 * @rec: n records, or NULL
 * SUSHI_POLICY_ORACLE runs the oracle (dynamic programming over windows of
 * p->q queries and the candidate SubGraphs, maximizing the PB bytes served
 * minus the bytes spent loading the PB), then replays its choices.
 * Queries must be in arrival order.  Returns 0, -EINVAL or -ENOMEM.
 */
int sushi_eval_run(const struct sushi_sched_space *sp,
		   const struct sushi_sched_params *p,
		   const struct sushi_query *qs, size_t n,
		   struct sushi_eval_stats *st, struct sushi_eval_record *rec);

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

/** sushi_trace_generate() - fill @out with p->n queries; 0 or -EINVAL */
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

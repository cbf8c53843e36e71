/* SPDX-License-Identifier: MIT */
/*
 * sushi/sched.h - SushiSched: per query, the SubNet to serve; every Q
 * queries, the SubGraph to keep in the Persistent Buffer (SubGraph
 * Stationary).  Also the baseline policies (no PB, static SubGraphs, LRU;
 * the offline best-static SubGraph and the oracle run in the evaluator,
 * sushi/eval.h), the per-query SubNet selection modes, the objectives the
 * offline policies optimise, and the cost tables they all decide on.
 * Documentation/sushisched.rst explains the rules.
 *
 * A scheduling *space* holds the SubNets (accuracy and the weight slice
 * each uses in every SuperNet weight layer), the candidate SubGraphs, and
 * tables of what every SubNet costs with every SubGraph pinned, computed
 * once from the model library (or measured on the device).  Deciding is
 * then table look-ups: no allocation, no model calls on the hot path.
 */
#ifndef SUSHI_SCHED_H
#define SUSHI_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sushi_model_cost.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct sushi_slice - a nested slice of one SuperNet weight layer: the
 * first @rows rows, the first @row_bytes bytes of each; {0, 0} is none.
 */
struct sushi_slice {
	uint32_t rows;
	uint32_t row_bytes;
};

/**
 * struct sushi_sched_cost_ops - how a space learns what work costs
 * @layer: cost of weight layer @layer of SubNet @subnet when @pinned of
 *	that layer is in the PB ({0,0}: nothing pinned); only called for
 *	layers the SubNet uses
 * @rest: cost of everything else of @subnet (layers without weights)
 * @load: cost of loading @slice of @layer into the PB (one PB_LOAD job);
 *	with @slice {0, 0}, the cost of invalidating the layer's entry (one
 *	PB_INVALIDATE job)
 */
struct sushi_sched_cost_ops {
	int (*layer)(void *ctx, uint32_t subnet, uint32_t layer,
		     const struct sushi_slice *pinned, struct sushi_cost *out);
	int (*rest)(void *ctx, uint32_t subnet, struct sushi_cost *out);
	int (*load)(void *ctx, uint32_t layer, const struct sushi_slice *slice,
		    struct sushi_cost *out);
};

struct sushi_sched_space;

/**
 * sushi_sched_space_new() - an empty space in *@out (NULL on failure)
 * Returns 0, -EINVAL (no SubNets or layers, more than
 * SUSHI_SCHED_MAX_SUBNETS / SUSHI_SCHED_MAX_LAYERS, @out NULL) or -ENOMEM.
 */
int sushi_sched_space_new(uint32_t n_subnets, uint32_t n_layers,
			  struct sushi_sched_space **out);
/** sushi_sched_space_free() - free a space (NULL is ignored) */
void sushi_sched_space_free(struct sushi_sched_space *sp);

/**
 * sushi_sched_space_subnet() - describe SubNet @s
 * @accuracy: its measured accuracy, in [0, 1]
 * @slices: n_layers slices ({0,0} for layers it does not use)
 * Returns 0 or -EINVAL.
 */
int sushi_sched_space_subnet(struct sushi_sched_space *sp, uint32_t s,
			     double accuracy,
			     const struct sushi_slice *slices);

/*
 * Limits: SubNets per space (more are refused, never dropped); candidate
 * SubGraphs per space.  The candidates are not capped: a space of S SubNets
 * has 2 S + 2 raw candidates (see sushi_sched_space_finish()), and
 * every one is kept (after deduplication), so SUSHI_SCHED_MAX_SUBGRAPHS is
 * that count for the largest space, not a cut-off.
 */
#define SUSHI_SCHED_MAX_SUBNETS		256
#define SUSHI_SCHED_MAX_SUBGRAPHS	(2 * SUSHI_SCHED_MAX_SUBNETS + 2)

/**
 * sushi_sched_space_finish() - build candidate SubGraphs and cost tables
 * @ops, @ctx: the cost source (model library or device profile)
 * @clock_hz: to turn cycles into nanoseconds
 * @pb_bytes: Persistent Buffer capacity the SubGraphs must fit in
 *
 * Candidates (deduplicated, none dropped): the empty SubGraph (index 0),
 * the intersection of all SubNets, each SubNet's own slices, and the
 * intersection of each pair of SubNets adjacent in accuracy; each fitted to
 * @pb_bytes by keeping the layers that save the most cycles per byte.
 * Returns 0 or a negative errno (the cost source's errors are passed
 * through).
 */
int sushi_sched_space_finish(struct sushi_sched_space *sp,
			     const struct sushi_sched_cost_ops *ops, void *ctx,
			     uint64_t clock_hz, uint64_t pb_bytes);

/**
 * sushi_sched_space_subnet_epilogue() - off-chip bytes of the epilogue
 * arrays (bias, requantization) SubNet @s reads per query; they do not
 * depend on the PB.  Optional, before sushi_sched_space_finish(): it only
 * splits the reported off-chip bytes into weights, activations and
 * epilogues (without it epilogues are counted with activations).
 * Returns 0 or -EINVAL.
 */
int sushi_sched_space_subnet_epilogue(struct sushi_sched_space *sp,
				      uint32_t s, uint64_t bytes);

/* The space's SubNets, weight layers, candidate SubGraphs; SubNet accuracy. */
uint32_t sushi_sched_space_subnets(const struct sushi_sched_space *sp);
uint32_t sushi_sched_space_layers(const struct sushi_sched_space *sp);
uint32_t sushi_sched_space_subgraphs(const struct sushi_sched_space *sp);
/**
 * sushi_sched_space_raw_candidates() - candidates built before
 * deduplication (2 S + 2 for S SubNets); sushi_sched_space_subgraphs() of
 * them are distinct after fitting, and none is ever dropped
 */
uint32_t sushi_sched_space_raw_candidates(const struct sushi_sched_space *sp);
/**
 * sushi_sched_space_subnet_subgraph() - the candidate made of SubNet @s's
 * own slices (fitted to the PB); every SubNet has one.  UINT32_MAX if @s is
 * out of range or the space is not finished.
 */
uint32_t sushi_sched_space_subnet_subgraph(const struct sushi_sched_space *sp,
					   uint32_t s);
double sushi_sched_space_accuracy(const struct sushi_sched_space *sp,
				  uint32_t s);
/** sushi_sched_space_subgraph() - the slices of SubGraph @g (n_layers) */
const struct sushi_slice *
sushi_sched_space_subgraph(const struct sushi_sched_space *sp, uint32_t g);
/** sushi_sched_space_subgraph_bytes() - PB bytes SubGraph @g occupies */
uint64_t sushi_sched_space_subgraph_bytes(const struct sushi_sched_space *sp,
					  uint32_t g);

/**
 * struct sushi_sched_cell - what SubNet s costs with SubGraph g pinned
 * @ns: service latency
 * @dram: off-chip bytes (read + written)
 * @pb: weight bytes read from the PB
 * @weights: weight bytes the SubNet reads (PB + DRAM)
 * @energy_fj: total energy
 * @offchip_fj: off-chip energy
 * @epi: off-chip bytes of epilogue arrays among @dram (0 when the space was
 *	not told, see sushi_sched_space_subnet_epilogue()); the weight bytes
 *	among @dram are @weights - @pb, the rest are activations
 */
struct sushi_sched_cell {
	uint64_t ns;
	uint64_t dram;
	uint64_t pb;
	uint64_t weights;
	uint64_t energy_fj;
	uint64_t offchip_fj;
	uint64_t epi;
};

/** sushi_sched_space_cell() - table entry for (@s, @g), NULL if out of range */
const struct sushi_sched_cell *
sushi_sched_space_cell(const struct sushi_sched_space *sp, uint32_t s,
		       uint32_t g);

/**
 * sushi_sched_space_cost() - cost of @s with an arbitrary PB content
 * @content: n_layers slices pinned
 * (sums the per-layer tables; the content's slices must be slices the
 * space knows: those of SubNets and candidate SubGraphs)
 */
int sushi_sched_space_cost(const struct sushi_sched_space *sp, uint32_t s,
			   const struct sushi_slice *content,
			   struct sushi_sched_cell *out);

/**
 * struct sushi_sched_net - one SubNet as the model library sees it
 * @accuracy: measured accuracy, [0, 1]
 * @layers: its host-order layer descriptors (a LAUNCH)
 * @n_layers: number of descriptors
 *
 * A CONV/FC descriptor belongs to the SuperNet weight layer whose w_addr
 * and w_stride it has; its slice is (out_c rows, (in_c/groups)*k*k bytes).
 */
struct sushi_sched_net {
	double accuracy;
	const struct sushi_hw_layer *layers;
	size_t n_layers;
};

/**
 * struct sushi_sched_wlayer - a SuperNet weight layer
 * @w_addr: device address of its first row
 * @w_stride: bytes between rows
 */
struct sushi_sched_wlayer {
	uint64_t w_addr;
	uint64_t w_stride;
};

/**
 * sushi_sched_space_from_model() - a finished space whose costs come from
 * the model library under @cfg (pins are accounted at the weight layers'
 * device addresses, exactly as the device would see them)
 * @cfg: the SushiAccel configuration (its PB size bounds the SubGraphs)
 * @wl, @n_wl: the SuperNet's weight layers
 * @nets, @n_nets: the SubNets
 * @out: the new space
 * Returns 0, -EINVAL (a descriptor invalid or naming no weight layer) or
 * -ENOMEM.
 */
int sushi_sched_space_from_model(const struct sushi_model_config *cfg,
				 const struct sushi_sched_wlayer *wl,
				 uint32_t n_wl,
				 const struct sushi_sched_net *nets,
				 uint32_t n_nets,
				 struct sushi_sched_space **out);

/* ------------------------------------------------------------ policies */

/**
 * enum sushi_policy - which scheduler decides
 * @SUSHI_POLICY_SUSHI: SushiSched (window-based SubGraph choice)
 * @SUSHI_POLICY_NO_PB: nothing is ever pinned
 * @SUSHI_POLICY_STATIC_SMALLEST: the smallest SubNet's slices, pinned once
 * @SUSHI_POLICY_STATIC_INTERSECT: the intersection of all SubNets, once
 * @SUSHI_POLICY_LRU: on every query, load the served SubNet's missing
 *	layer slices, evicting the least recently used layers
 * @SUSHI_POLICY_ORACLE: offline, knows the whole trace: the best plan of
 *	one candidate SubGraph per window of Q queries (sushi_eval_oracle())
 * @SUSHI_POLICY_STATIC_LARGEST: the largest SubNet's slices (most weight
 *	bytes), fitted to the PB, pinned once
 * @SUSHI_POLICY_BEST_STATIC: offline: the one candidate SubGraph that is
 *	best over the whole trace, pinned once (sushi_eval_best_static())
 *
 * (Numbered in the order they were added; ORACLE and BEST_STATIC are only
 * valid through the evaluator.)
 */
enum sushi_policy {
	SUSHI_POLICY_SUSHI = 0,
	SUSHI_POLICY_NO_PB,
	SUSHI_POLICY_STATIC_SMALLEST,
	SUSHI_POLICY_STATIC_INTERSECT,
	SUSHI_POLICY_LRU,
	SUSHI_POLICY_ORACLE,
	SUSHI_POLICY_STATIC_LARGEST,
	SUSHI_POLICY_BEST_STATIC,
	SUSHI_POLICY_COUNT
};

/** sushi_policy_name() - the name of a policy ("sushi", "no-pb", ...) */
const char *sushi_policy_name(enum sushi_policy p);
/** sushi_policy_from_name() - the policy called @name, or -EINVAL */
int sushi_policy_from_name(const char *name);
/** sushi_policy_offline() - true for the policies that need the whole trace */
bool sushi_policy_offline(enum sushi_policy p);

/**
 * sushi_sched_space_policy_subgraph() - the candidate a fixed-SubGraph
 * policy pins for the whole trace (NO_PB: 0; STATIC_SMALLEST,
 * STATIC_INTERSECT, STATIC_LARGEST).  Two policies with the same candidate
 * give the same replay.  Returns 0, or -EINVAL for any other policy
 * (BEST_STATIC depends on the trace: sushi_eval_best_static()).
 */
int sushi_sched_space_policy_subgraph(const struct sushi_sched_space *sp,
				      enum sushi_policy p, uint32_t *g);

/**
 * enum sushi_select - how the SubNet of a query is chosen
 * @SUSHI_SELECT_ACCURACY: the most accurate SubNet whose latency meets the
 *	ceiling (the default; the accuracy floor does not take part)
 * @SUSHI_SELECT_FLOOR: the cheapest SubNet (fewest off-chip bytes with the
 *	current PB content; ties: faster, then more accurate) that meets both
 *	the floor and the ceiling; if none meets both, as ACCURACY
 *
 * In both, a query no SubNet can serve within its ceiling gets the fastest
 * SubNet (a fallback).
 */
enum sushi_select {
	SUSHI_SELECT_ACCURACY = 0,
	SUSHI_SELECT_FLOOR,
	SUSHI_SELECT_COUNT
};

/** sushi_select_name() - "accuracy" or "floor" ("unknown" otherwise) */
const char *sushi_select_name(enum sushi_select s);
/** sushi_select_from_name() - the mode called @name, or -EINVAL */
int sushi_select_from_name(const char *name);

/**
 * enum sushi_objective - what the offline policies (BEST_STATIC, ORACLE)
 * optimise over a whole trace; integers, compared exactly
 * @SUSHI_OBJECTIVE_SAVING: maximise the off-chip byte saving: weight bytes
 *	read from the PB minus bytes spent loading the PB
 * @SUSHI_OBJECTIVE_OFFCHIP: minimise the off-chip bytes (SubNets' DRAM
 *	traffic plus PB loads; proportional to off-chip energy)
 */
enum sushi_objective {
	SUSHI_OBJECTIVE_SAVING = 0,
	SUSHI_OBJECTIVE_OFFCHIP,
	SUSHI_OBJECTIVE_COUNT
};

/** sushi_objective_name() - "saving" or "offchip" ("unknown" otherwise) */
const char *sushi_objective_name(enum sushi_objective o);
/** sushi_objective_from_name() - the objective called @name, or -EINVAL */
int sushi_objective_from_name(const char *name);

/**
 * struct sushi_sched_params - knobs of a scheduler
 * @policy: enum sushi_policy (ORACLE and BEST_STATIC are only valid
 *	through the evaluator)
 * @q: SubGraph decision period, in queries (>= 1)
 * @w: window of recent queries the SubGraph choice looks at (1..4096)
 * @select: per-query SubNet selection (0: SUSHI_SELECT_ACCURACY)
 * @objective: what BEST_STATIC and ORACLE optimise (0: SAVING)
 */
struct sushi_sched_params {
	enum sushi_policy policy;
	uint32_t q;
	uint32_t w;
	enum sushi_select select;
	enum sushi_objective objective;
};

/**
 * struct sushi_query - one inference request
 * @arrival_ns: arrival time
 * @acc_floor: lowest acceptable accuracy, [0, 1]
 * @lat_ceiling_ns: highest acceptable end-to-end latency
 */
struct sushi_query {
	uint64_t arrival_ns;
	double acc_floor;
	uint64_t lat_ceiling_ns;
};

/**
 * struct sushi_decision - what to run for one query
 * @subnet: the SubNet to serve
 * @subgraph: the candidate SubGraph pinned while it runs (LRU: ~0u)
 * @load_ns: PB jobs (invalidations, loads) to run before the query
 * @fill_ns: PB loads to run after it (LRU cache fills)
 * @load_dram: off-chip bytes of all those PB jobs
 * @load_energy_fj: energy of all those PB jobs
 * @load_offchip_fj: off-chip part of @load_energy_fj
 * @n_loads: PB_LOAD jobs among them (SubGraph switch or LRU fills)
 * @cell: cost of the SubNet with the pinned content
 * @fallback: no SubNet met the latency ceiling; the fastest was chosen
 */
struct sushi_decision {
	uint32_t subnet;
	uint32_t subgraph;
	uint64_t load_ns;
	uint64_t fill_ns;
	uint64_t load_dram;
	uint64_t load_energy_fj;
	uint64_t load_offchip_fj;
	uint32_t n_loads;
	struct sushi_sched_cell cell;
	bool fallback;
};

struct sushi_sched;

/**
 * sushi_sched_new() - a scheduler over a finished space, in *@out (NULL
 * on failure)
 * Returns 0, -EINVAL (an unfinished space, q = 0, w out of range, an
 * offline policy, an unknown select mode or objective, @out NULL) or
 * -ENOMEM.  The space must outlive the scheduler.
 */
int sushi_sched_new(const struct sushi_sched_space *sp,
		    const struct sushi_sched_params *p, struct sushi_sched **out);
/** sushi_sched_free() - free a scheduler (NULL is ignored) */
void sushi_sched_free(struct sushi_sched *s);

/**
 * sushi_sched_decide() - choose for one query (the hot path: no allocation)
 * @q: the query
 * @queue_ns: time it has waited before the accelerator is free for it
 * @d: the decision
 *
 * Every Q-th call may first switch the pinned SubGraph (reported in
 * @d->load_*).  The SubNet follows the select mode (enum sushi_select):
 * its service latency, after the wait and any PB load, meets the ceiling;
 * if no SubNet's does, the fastest (d->fallback).  Returns 0 or -EINVAL.
 */
int sushi_sched_decide(struct sushi_sched *s, const struct sushi_query *q,
		       uint64_t queue_ns, struct sushi_decision *d);

/** sushi_sched_force_subgraph() - pin @g from now on (oracle replay) */
int sushi_sched_force_subgraph(struct sushi_sched *s, uint32_t g,
			       struct sushi_decision *d);

/**
 * sushi_sched_pb_content() - what the PB holds now: n_layers slices into
 * @out ({0,0}: nothing of that layer).  Returns 0 or -EINVAL.
 */
int sushi_sched_pb_content(const struct sushi_sched *s, struct sushi_slice *out);

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_SCHED_H */

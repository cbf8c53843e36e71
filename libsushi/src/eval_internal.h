/* SPDX-License-Identifier: MIT */
/*
 * eval_internal.h - what the evaluator's files share: the objective's
 * value of a served query and of a PB switch, one window of a plan
 * simulated exactly as the replay serves it, and the least wait any
 * schedule allows.  Private to libsushi.
 */
#ifndef SUSHI_EVAL_INTERNAL_H
#define SUSHI_EVAL_INTERNAL_H

#include "fleet.h"
#include "sched_internal.h"
#include "sushi/eval.h"

/*
 * The metrics accumulator (eval.c) the evaluator and the runtime's replay
 * share: one outcome per query (a fleet_place whose decision carries the
 * costs as modelled, or as the device measured them), in arrival order.
 */
struct eval_acc {
	struct sushi_eval_stats st;
	double acc_sum, lat_sum;
	uint64_t slo_ok, makespan;
	unsigned __int128 dram, energy, offchip;
	uint64_t pb, weights, w_dram, epi;
	uint64_t *lat;		/* served queries' latencies */
	size_t n_lat, cap;
};

int eval_acc_init(struct eval_acc *a, size_t n_hint);
void eval_acc_fini(struct eval_acc *a);
int eval_acc_add(struct eval_acc *a, const struct sushi_sched_space *sp,
		 const struct sushi_query *q, const struct fleet_place *pl,
		 struct sushi_eval_record *rec);
/* the metrics so far into @out (sorts the latencies) */
void eval_acc_finish(struct eval_acc *a, struct sushi_eval_stats *out);

/* a served query's contribution to objective o (larger is better) */
static inline int64_t eval_cell_value(enum sushi_objective o,
				      const struct sushi_sched_cell *c)
{
	return o == SUSHI_OBJECTIVE_SAVING ? (int64_t)c->pb : -(int64_t)c->dram;
}

/* a PB switch's contribution: its off-chip bytes, in both objectives */
static inline int64_t eval_switch_value(const struct sched_switch *sw)
{
	return -(int64_t)sw->dram;
}

/*
 * Queries qs[0..len) with candidate h pinned; the first may start its
 * service at tau (its arrival or the accelerator's free time, plus the
 * switch's PB jobs), the others when they arrive or the accelerator frees
 * up.  *t_out: the free time after the last; *v_out: their value.  Exactly
 * the arithmetic of the replay (eval.c), so a plan's value is its replay's.
 */
void eval_window(const struct sushi_sched_space *sp,
		 const struct sushi_sched_params *p, uint32_t h,
		 const struct sushi_query *qs, size_t len, uint64_t tau,
		 uint64_t *t_out, int64_t *v_out);

/* the value of a whole plan by eval_window() (no replay) */
int64_t eval_plan_value(const struct sushi_sched_space *sp,
			const struct sushi_sched_params *p, const uint32_t *plan,
			const struct sushi_query *qs, size_t n);

/*
 * wlb[i]: a lower bound on query i's wait under every policy: the
 * accelerator cannot be free before the queries ahead ran at the shortest
 * service any SubNet has under any PB content (PB jobs only add time).
 * Returns a malloc'ed array of n, or NULL.
 */
uint64_t *eval_wait_lb(const struct sushi_sched_space *sp,
		       const struct sushi_query *qs, size_t n);

/* the shortest and longest service of SubNet s under any known content */
uint64_t eval_ns_min(const struct sushi_sched_space *sp, uint32_t s);
uint64_t eval_ns_max(const struct sushi_sched_space *sp, uint32_t s);

/*
 * Part of a window simulated for a range [l, u] of the first query's
 * service start tau (eval_pieces.c): the free time is tau + off (slope) or
 * off (the queue drained: no longer depends on tau), v the value so far.
 */
struct eval_piece {
	uint64_t l, u, off;
	bool slope;
	int64_t v;
};

/* scratch of eval_window_pieces(): pieces double-buffered, rule cuts */
struct eval_pieces {
	struct eval_piece *pa, *pb;
	size_t cap_pa, cap_pb;
	uint64_t *cuts;		/* [S + 1], allocated by the caller */
};

/*
 * Queries w[0..len) with candidate h for first-query starts tau in
 * [t0, t1]: the pieces the interval splits into, exactly the replay's
 * arithmetic for every tau; in s->pa[0..*n).  0 or -ENOMEM.
 */
int eval_window_pieces(struct eval_pieces *s, const struct sushi_sched_space *sp,
		       const struct sushi_sched_params *p, uint32_t h,
		       const struct sushi_query *w, size_t len, uint64_t t0,
		       uint64_t t1, size_t *n);

/* grow *p (of *cap elements) to hold @need: 0 or -ENOMEM */
int eval_grow(void **p, size_t *cap, size_t need, size_t elem);
/* qsort comparison of uint64_t */
int eval_cmp_u64(const void *a, const void *b);

/*
 * The oracle's search (eval_search.c): from the empty PB over every window,
 * pruning against @lb (the value of a known plan) with the relaxation
 * @togo, at most @budget states per boundary.  *best_v: the best final
 * value (the optimum of the paths not pruned when nothing was merged, an
 * upper bound on them otherwise), its plan in @plan; *found false when
 * every path was pruned.  0 or -ENOMEM.
 */
int eval_oracle_search(const struct sushi_sched_space *sp,
		       const struct sushi_sched_params *p,
		       const struct sushi_query *qs, size_t n, const int64_t *togo,
		       int64_t lb, uint64_t budget, uint32_t *plan, bool *found,
		       int64_t *best_v, struct sushi_oracle_info *info);

/* the replay of a plan (eval.c); value: its objective */
int eval_replay_plan(const struct sushi_sched_space *sp,
		     const struct sushi_sched_params *p, const uint32_t *plan,
		     const struct sushi_query *qs, size_t n,
		     struct sushi_eval_stats *st, struct sushi_eval_record *rec);

#endif /* SUSHI_EVAL_INTERNAL_H */

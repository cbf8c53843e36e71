/* SPDX-License-Identifier: MIT */
/*
 * eval_internal.h - what the evaluator's files share: the objective's
 * value of a served query and of a PB switch, one window of a plan
 * simulated exactly as the replay serves it, and the least wait any
 * schedule allows.  Private to libsushi.
 */
#ifndef SUSHI_EVAL_INTERNAL_H
#define SUSHI_EVAL_INTERNAL_H

#include "sched_internal.h"
#include "sushi/eval.h"

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

/* the replay of a plan (eval.c); value: its objective */
int eval_replay_plan(const struct sushi_sched_space *sp,
		     const struct sushi_sched_params *p, const uint32_t *plan,
		     const struct sushi_query *qs, size_t n,
		     struct sushi_eval_stats *st, struct sushi_eval_record *rec);

#endif /* SUSHI_EVAL_INTERNAL_H */

// SPDX-License-Identifier: MIT
/*
 * test_oracle.c - the offline policies checked by brute force: on small
 * hand-priced instances (a few candidates, a few windows, heavy queueing)
 * every plan of the oracle's plan space is replayed by the evaluator, and
 * the oracle must equal the best of them exactly (integers), for both
 * objectives and both select modes; with a state budget small enough to
 * force merging, its upper bound must still hold; best-static must equal
 * the best static plan; every policy of the plan space must be at or below
 * the optimum, and every policy (LRU included) at or below the universal
 * bound; SushiSched's decisions are a plan of the space.  Then the same
 * inequalities on a synthetic SuperNet priced by the model library.
 */
#include <errno.h>
#include <stdlib.h>

#include "mini.h"
#include "synth.h"
#include "tap.h"

static const enum sushi_policy in_space[] = {
	SUSHI_POLICY_SUSHI, SUSHI_POLICY_NO_PB, SUSHI_POLICY_STATIC_SMALLEST,
	SUSHI_POLICY_STATIC_INTERSECT, SUSHI_POLICY_STATIC_LARGEST,
	SUSHI_POLICY_BEST_STATIC, SUSHI_POLICY_ORACLE,
};

struct tally {
	unsigned instances, oracle_wrong, oracle_inexact, bound_broken,
		 best_static_wrong, replay_wrong, above_opt, above_universal,
		 sushi_not_in_space, q_not_monotone, dynamic_wins, coupled;
};

static int64_t value_of(const struct sushi_sched_space *sp,
			const struct sushi_sched_params *p, const uint32_t *plan,
			size_t nw, const struct sushi_query *qs, size_t n)
{
	struct sushi_eval_stats st;

	if (sushi_eval_plan(sp, p, plan, nw, qs, n, &st, NULL))
		return INT64_MIN;
	return sushi_eval_objective(&st, p->objective);
}

/* every plan of G^nw candidates: the best value, and the best static one */
static void brute(const struct sushi_sched_space *sp,
		  const struct sushi_sched_params *p, const struct sushi_query *qs,
		  size_t n, int64_t *best, int64_t *best_static)
{
	uint32_t G = sushi_sched_space_subgraphs(sp), plan[16] = { 0 };
	size_t nw = (n - 1) / p->q + 1;

	*best = *best_static = INT64_MIN;
	for (;;) {
		int64_t v = value_of(sp, p, plan, nw, qs, n);
		bool stat = true;
		size_t k;

		for (k = 1; k < nw; k++)
			stat &= plan[k] == plan[0];
		*best = v > *best ? v : *best;
		if (stat)
			*best_static = v > *best_static ? v : *best_static;
		for (k = 0; k < nw && ++plan[k] == G; k++)
			plan[k] = 0;
		if (k == nw)
			break;
	}
}

static void check_instance(const struct sushi_sched_space *sp,
			   const struct sushi_query *qs, size_t n, uint32_t q,
			   enum sushi_select sel, enum sushi_objective obj,
			   struct tally *t)
{
	struct sushi_sched_params p = { SUSHI_POLICY_ORACLE, q, 2, sel, obj };
	uint32_t plan[16], G = sushi_sched_space_subgraphs(sp);
	size_t nw = (n - 1) / q + 1;
	struct sushi_oracle_info info;
	struct sushi_eval_record rec[64];
	struct sushi_eval_stats st, again;
	int64_t opt, opt_static, v, ub, g_v;
	uint32_t g;

	t->instances++;
	brute(sp, &p, qs, n, &opt, &opt_static);
	t->dynamic_wins += opt > opt_static;
	/* exact, unlimited budget */
	if (sushi_eval_oracle(sp, &p, qs, n, UINT64_MAX, plan, &info) ||
	    !info.exact || info.value != opt || info.upper != opt)
		t->oracle_wrong++;
	else if (value_of(sp, &p, plan, nw, qs, n) != opt)
		t->replay_wrong++;
	t->coupled += info.max_width > G;
	/* a budget that forces merging: still a bound, exact only if proven */
	for (uint64_t b = 1; b <= 3; b++) {
		if (sushi_eval_oracle(sp, &p, qs, n, b, plan, &info) ||
		    info.upper < opt || info.value > opt ||
		    value_of(sp, &p, plan, nw, qs, n) != info.value ||
		    (info.exact && info.value != opt))
			t->bound_broken++;
		t->oracle_inexact += !info.exact;
	}
	if (sushi_eval_best_static(sp, &p, qs, n, &g, &g_v) || g_v != opt_static)
		t->best_static_wrong++;
	if (sushi_eval_universal_bound(sp, &p, qs, n, &ub) || opt > ub)
		t->above_universal++;
	/* every policy: in the plan space at or below the optimum */
	for (size_t i = 0; i < sizeof(in_space) / sizeof(in_space[0]); i++) {
		for (uint32_t w = 1; w <= (in_space[i] ? 1 : 4); w++) {
			p.policy = in_space[i];
			p.w = w;
			if (sushi_eval_run(sp, &p, qs, n, &st, rec))
				continue;
			v = sushi_eval_objective(&st, obj);
			t->above_opt += v > opt;
			t->above_universal += v > ub;
			if (in_space[i] != SUSHI_POLICY_SUSHI)
				continue;
			/* SushiSched's SubGraphs, window by window, are a plan */
			for (size_t k = 0; k < nw; k++)
				plan[k] = rec[k * q].subgraph;
			if (sushi_eval_plan(sp, &p, plan, nw, qs, n, &again, NULL) ||
			    sushi_eval_objective(&again, obj) != v ||
			    again.lat_mean_ns != st.lat_mean_ns ||
			    again.pb_reloads != st.pb_reloads)
				t->sushi_not_in_space++;
		}
	}
	p.policy = SUSHI_POLICY_LRU;
	p.w = 2;
	if (!sushi_eval_run(sp, &p, qs, n, &st, NULL))
		t->above_universal += sushi_eval_objective(&st, obj) > ub;
	/* a plan switching every 2Q is a plan switching every Q */
	if (2 * q <= n) {
		struct sushi_oracle_info coarse;

		p.q = 2 * q;
		if (sushi_eval_oracle(sp, &p, qs, n, UINT64_MAX, plan, &coarse) ||
		    coarse.value > opt)
			t->q_not_monotone++;
	}
}

static void brute_force(void)
{
	const unsigned per = tap_quick ? 10 : 40;
	struct tally t = { 0 };
	uint64_t seed = 42;

	for (unsigned i = 0; i < per; i++) {
		for (int sel = 0; sel < SUSHI_SELECT_COUNT; sel++) {
			for (int obj = 0; obj < SUSHI_OBJECTIVE_COUNT; obj++) {
				struct sushi_sched_space *sp;
				struct sushi_query qs[16];
				struct mini m;
				uint32_t q = 2 + i % 2, K = i % 5 == 4 ? 4 : 3;
				size_t n = q * K - (i % 3 == 2);	/* a short last window */

				mini_random(&m, 3, 2 + i % 2, &seed);
				if (mini_space(&m, &sp))
					continue;
				mini_trace(sp, qs, n, &seed);
				check_instance(sp, qs, n, q, (enum sushi_select)sel,
					       (enum sushi_objective)obj, &t);
				sushi_sched_space_free(sp);
			}
		}
	}
	ok(t.instances == per * 4, "%u brute-force instances (3 SubNets, 2-3 layers, "
	   "3-4 windows of 2-3 queries, both objectives and select modes)", t.instances);
	is_int(t.oracle_wrong, 0, "the oracle equals the best of every plan, exactly "
	       "(%u instances)", t.instances);
	is_int(t.replay_wrong, 0, "the oracle's plan replays to its value");
	is_int(t.bound_broken, 0, "with 1-3 states per boundary (merging) its upper "
	       "bound holds and its plan is worth what it says (%u of %u runs inexact)",
	       t.oracle_inexact, 3 * t.instances);
	ok(t.oracle_inexact > 0, "... and merging did make some runs inexact, so the "
	   "bound was exercised");
	is_int(t.best_static_wrong, 0, "best-static equals the best static plan");
	is_int(t.above_opt, 0, "no policy of the plan space (SushiSched with W 1-4, "
	       "no-pb, the static ones, best-static, oracle) beats the optimum");
	is_int(t.above_universal, 0, "no policy, LRU included, beats the universal bound");
	is_int(t.sushi_not_in_space, 0, "SushiSched's SubGraphs per window, replayed "
	       "as a plan, give SushiSched's results");
	is_int(t.q_not_monotone, 0, "the optimum with Q is at least the optimum with 2Q");
	ok(t.dynamic_wins > 0, "switching beats every static plan on %u instances "
	   "(the plan space is exercised)", t.dynamic_wins);
	ok(t.coupled > 0, "on %u instances a candidate was reached with several "
	   "free times (the queueing state a one-state-per-candidate DP drops)",
	   t.coupled);
}

/* the oracle's plan replays to the value it reports: 0, else 1 */
static unsigned eval_plan_check(const struct sushi_sched_space *sp,
				const struct sushi_sched_params *p,
				const uint32_t *plan, const struct sushi_query *qs,
				size_t n, const struct sushi_oracle_info *info)
{
	return value_of(sp, p, plan, (n - 1) / p->q + 1, qs, n) != info->value;
}

/* the model-priced synthetic SuperNet: inequalities on longer traces */
static void synthetic(void)
{
	struct sushi_model_config cfg;
	struct sushi_sched_space *sp = NULL;
	struct synth sy;
	const size_t n = tap_quick ? 400 : 1000;
	struct sushi_query *qs = calloc(n, sizeof(*qs));
	uint32_t *plan = calloc(n, sizeof(*plan));
	unsigned bad_in = 0, bad_all = 0, inexact = 0, runs = 0;

	sushi_model_config_default(&cfg);
	cfg.pb_bytes = 256 << 10;
	if (!qs || !plan || synth_build(&sy) ||
	    sushi_sched_space_from_model(&cfg, sy.wl, SY_WL, sy.nets, sy.n, &sp)) {
		ok(0, "synthetic SuperNet");
		free(qs);
		free(plan);
		return;
	}
	for (int kind = 0; kind < SUSHI_TRACE_COUNT; kind++) {
		struct sushi_trace_params tp = {
			.kind = (enum sushi_trace_kind)kind, .n = n, .seed = 7,
			.phase = 150, .acc_lo = 0.6, .acc_hi = 0.75,
			.lat_lo_ns = sushi_sched_space_cell(sp, 0, 0)->ns,
			.lat_hi_ns = sushi_sched_space_cell(sp, sy.n - 1, 0)->ns * 3 / 2,
			.mean_gap_ns = sushi_sched_space_cell(sp, sy.n / 2, 0)->ns,
		};

		sushi_trace_generate(&tp, qs);
		for (int obj = 0; obj < SUSHI_OBJECTIVE_COUNT; obj++) {
			struct sushi_sched_params p = { SUSHI_POLICY_ORACLE, 16, 32,
							SUSHI_SELECT_ACCURACY,
							(enum sushi_objective)obj };
			struct sushi_oracle_info info;
			struct sushi_eval_stats st;
			int64_t ub;

			if (sushi_eval_oracle(sp, &p, qs, n, 64, plan, &info) ||
			    sushi_eval_universal_bound(sp, &p, qs, n, &ub)) {
				bad_all++;
				continue;
			}
			runs++;
			inexact += !info.exact;
			bad_all += info.upper > ub || info.value > info.upper;
			for (int pol = 0; pol < SUSHI_POLICY_COUNT; pol++) {
				p.policy = (enum sushi_policy)pol;
				if (pol == SUSHI_POLICY_ORACLE)	/* its plan: */
					bad_in += eval_plan_check(sp, &p, plan, qs, n, &info);
				else if (sushi_eval_run(sp, &p, qs, n, &st, NULL)) {
					bad_all++;
					continue;
				}
				if (pol == SUSHI_POLICY_ORACLE)
					continue;
				if (pol != SUSHI_POLICY_LRU)
					bad_in += sushi_eval_objective(&st, p.objective) > info.upper;
				bad_all += sushi_eval_objective(&st, p.objective) > ub;
			}
		}
	}
	is_int(bad_in, 0, "synthetic SuperNet, %u runs (4 trace families x 2 "
	       "objectives, 64 states): every plan-space policy at or below the "
	       "oracle's upper bound (%u of them a bound, not exact)", runs, inexact);
	is_int(bad_all, 0, "... and every policy, LRU included, at or below the "
	       "universal bound, which is above the oracle's");
	sushi_sched_space_free(sp);
	synth_free(&sy);
	free(qs);
	free(plan);
}

static void errors(void)
{
	struct sushi_sched_space *sp = NULL;
	struct sushi_query qs[4];
	struct sushi_sched_params p = { SUSHI_POLICY_ORACLE, 2, 2, 0, 0 };
	struct sushi_oracle_info info;
	struct sushi_eval_stats st;
	uint32_t plan[2] = { 0, 0 };
	uint64_t seed = 1;
	struct mini m;
	int64_t v;

	mini_random(&m, 2, 2, &seed);
	if (mini_space(&m, &sp)) {
		ok(0, "mini space");
		return;
	}
	mini_trace(sp, qs, 4, &seed);
	is_int(sushi_eval_plan(sp, &p, plan, 1, qs, 4, &st, NULL), -EINVAL,
	       "a plan of the wrong length is refused");
	plan[1] = sushi_sched_space_subgraphs(sp);
	is_int(sushi_eval_plan(sp, &p, plan, 2, qs, 4, &st, NULL), -EINVAL,
	       "a plan naming no candidate is refused");
	p.objective = SUSHI_OBJECTIVE_COUNT;
	is_int(sushi_eval_oracle(sp, &p, qs, 4, 0, plan, &info), -EINVAL,
	       "an unknown objective is refused");
	is_int(sushi_eval_universal_bound(sp, &p, qs, 4, &v), -EINVAL,
	       "... by the universal bound too");
	p.objective = 0;
	p.select = SUSHI_SELECT_COUNT;
	is_int(sushi_eval_best_static(sp, &p, qs, 4, plan, &v), -EINVAL,
	       "an unknown select mode is refused");
	p.select = 0;
	qs[2].arrival_ns = 0;
	qs[1].arrival_ns = 5;
	is_int(sushi_eval_oracle(sp, &p, qs, 4, 0, plan, &info), -EINVAL,
	       "out-of-order arrivals are refused");
	sushi_sched_space_free(sp);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	brute_force();
	synthetic();
	errors();
	return tap_done();
}

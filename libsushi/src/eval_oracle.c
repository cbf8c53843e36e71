// SPDX-License-Identifier: MIT
/*
 * eval_oracle.c - the offline policies: the best static SubGraph, and the
 * oracle, the exact optimum of an objective over plans of one candidate
 * SubGraph per window of Q queries, with queueing: its relaxation bound,
 * the plan it starts from, the search (eval_search.c) and the proof it
 * returns, checked against the plan's replay.  Definition and proof:
 * Documentation/sushisched.rst, "The oracle".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"

static size_t n_windows(size_t n, uint32_t q)
{
	return (n - 1) / q + 1;
}

static size_t win_len(size_t n, uint32_t q, size_t k)
{
	return n - k * q < q ? n - k * q : q;
}

int sushi_eval_best_static(const struct sushi_sched_space *sp,
			   const struct sushi_sched_params *p,
			   const struct sushi_query *qs, size_t n,
			   uint32_t *g, int64_t *value)
{
	size_t nw;
	uint32_t *plan;

	if (!sp || !sp->finished || !p || !p->q || !qs || !n || !g || !value ||
	    (unsigned)p->select >= SUSHI_SELECT_COUNT ||
	    (unsigned)p->objective >= SUSHI_OBJECTIVE_COUNT)
		return -EINVAL;
	nw = n_windows(n, p->q);
	plan = malloc(nw * sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	for (uint32_t h = 0; h < sp->G; h++) {
		int64_t v;

		for (size_t k = 0; k < nw; k++)
			plan[k] = h;
		v = eval_plan_value(sp, p, plan, qs, n);
		if (!h || v > *value) {
			*value = v;
			*g = h;
		}
	}
	free(plan);
	return 0;
}

/*
 * The relaxation: togo[k * G + g] bounds the value of windows k.. of any
 * plan that had candidate g pinned before window k.  A query served under
 * candidate h gets a SubNet meeting its ceiling after at least the least
 * wait (any select mode), or h's fastest (a fallback); the bound gives it
 * the best of those, whatever the actual wait, and keeps the exact switch
 * costs.  Returns NULL on ENOMEM.
 */
static int64_t *relaxation(const struct sushi_sched_space *sp,
			   const struct sushi_sched_params *p,
			   const struct sushi_query *qs, size_t n)
{
	const uint32_t G = sp->G;
	size_t nw = n_windows(n, p->q);
	int64_t *togo = calloc((nw + 1) * G, sizeof(*togo));
	int64_t *win = calloc(G, sizeof(*win));
	uint64_t *wlb = eval_wait_lb(sp, qs, n);

	if (!togo || !win || !wlb) {
		free(togo);
		togo = NULL;
		goto out;
	}
	for (size_t k = nw; k-- > 0;) {
		for (uint32_t h = 0; h < G; h++) {
			win[h] = 0;
			for (size_t i = k * p->q; i < k * p->q + win_len(n, p->q, k); i++) {
				const struct sushi_query *q = &qs[i];
				uint32_t f = sp->fastest[h];
				int64_t best = eval_cell_value(p->objective,
							       sched_cell(sp, f, h));

				if (wlb[i] <= q->lat_ceiling_ns)
					for (uint32_t s = 0; s < sp->S; s++) {
						const struct sushi_sched_cell *c = sched_cell(sp, s, h);
						int64_t v = eval_cell_value(p->objective, c);

						if (c->ns <= q->lat_ceiling_ns - wlb[i] && v > best)
							best = v;
					}
				win[h] += best;
			}
		}
		for (uint32_t g = 0; g < G; g++) {
			int64_t best = INT64_MIN;

			for (uint32_t h = 0; h < G; h++) {
				int64_t v = eval_switch_value(sched_sw(sp, g, h)) + win[h] +
					    togo[(k + 1) * G + h];

				best = v > best ? v : best;
			}
			togo[k * G + g] = best;
		}
	}
out:
	free(win);
	free(wlb);
	return togo;
}

/*
 * A good plan to start from: per window and candidate, the best value so
 * far with the free time of the path reaching it (one state per
 * candidate: not exact, the queueing state is cut off).
 */
static int greedy_plan(const struct sushi_sched_space *sp,
		       const struct sushi_sched_params *p,
		       const struct sushi_query *qs, size_t n, uint32_t *plan)
{
	const uint32_t G = sp->G;
	size_t nw = n_windows(n, p->q);
	int64_t *cv = calloc(G, sizeof(*cv)), *nv = calloc(G, sizeof(*nv));
	uint64_t *ct = calloc(G, sizeof(*ct)), *nt = calloc(G, sizeof(*nt));
	uint32_t *back = calloc(nw * G, sizeof(*back)), g = 0;
	int ret = -ENOMEM;

	if (!cv || !nv || !ct || !nt || !back)
		goto out;
	for (size_t k = 0; k < nw; k++) {
		const struct sushi_query *w = &qs[k * p->q];

		for (uint32_t h = 0; h < G; h++) {
			uint32_t bp = 0;
			int64_t bv = INT64_MIN, wv;
			uint64_t bt = UINT64_MAX;

			for (uint32_t pv = 0; pv < (k ? G : 1); pv++) {
				int64_t v = cv[pv] + eval_switch_value(sched_sw(sp, pv, h));

				if (v > bv || (v == bv && ct[pv] < bt)) {
					bv = v;
					bt = ct[pv];
					bp = pv;
				}
			}
			bt = w->arrival_ns > bt ? w->arrival_ns : bt;
			eval_window(sp, p, h, w, win_len(n, p->q, k),
				    bt + sched_sw(sp, bp, h)->ns, &nt[h], &wv);
			nv[h] = bv + wv;
			back[k * G + h] = bp;
		}
		memcpy(cv, nv, G * sizeof(*cv));
		memcpy(ct, nt, G * sizeof(*ct));
	}
	for (uint32_t h = 1; h < G; h++)
		if (cv[h] > cv[g])
			g = h;
	for (size_t k = nw; k-- > 0;) {
		plan[k] = g;
		g = back[k * G + g];
	}
	ret = 0;
out:
	free(cv);
	free(nv);
	free(ct);
	free(nt);
	free(back);
	return ret;
}

int sushi_eval_oracle(const struct sushi_sched_space *sp,
		      const struct sushi_sched_params *p,
		      const struct sushi_query *qs, size_t n,
		      uint64_t max_states, uint32_t *plan,
		      struct sushi_oracle_info *info)
{
	struct sushi_eval_stats st;
	int64_t *togo = NULL, lb, v_static, best_v = 0;
	uint32_t *inc = NULL, g_static;
	size_t nw;
	bool found;
	int ret;

	if (!sp || !sp->finished || !p || !p->q || !qs || !n || !plan || !info ||
	    (unsigned)p->select >= SUSHI_SELECT_COUNT ||
	    (unsigned)p->objective >= SUSHI_OBJECTIVE_COUNT)
		return -EINVAL;
	for (size_t i = 1; i < n; i++)
		if (qs[i].arrival_ns < qs[i - 1].arrival_ns)
			return -EINVAL;
	memset(info, 0, sizeof(*info));
	if (!max_states)
		max_states = SUSHI_ORACLE_DEFAULT_STATES;
	nw = n_windows(n, p->q);
	inc = calloc(nw, sizeof(*inc));
	togo = relaxation(sp, p, qs, n);
	ret = -ENOMEM;
	if (!inc || !togo)
		goto out;
	/* the incumbent: the better of the greedy plan and the best static one */
	ret = greedy_plan(sp, p, qs, n, inc);
	if (ret)
		goto out;
	lb = eval_plan_value(sp, p, inc, qs, n);
	ret = sushi_eval_best_static(sp, p, qs, n, &g_static, &v_static);
	if (ret)
		goto out;
	if (v_static > lb) {
		lb = v_static;
		for (size_t k = 0; k < nw; k++)
			inc[k] = g_static;
	}
	ret = eval_oracle_search(sp, p, qs, n, togo, lb, max_states, plan, &found,
				 &best_v, info);
	if (ret)
		goto out;
	/*
	 * Every path the search cut was worth at most lb (the incumbent);
	 * every other one ends in a final state whose value is its own, or
	 * with merging at least its own.  So the optimum is max(lb, best_v)
	 * without merging, and at most that with it.
	 */
	info->upper = found && best_v > lb ? best_v : lb;
	if (found && best_v > lb)
		info->value = info->merged ? eval_plan_value(sp, p, plan, qs, n) : best_v;
	if (!found || best_v <= lb || info->value <= lb) {
		memcpy(plan, inc, nw * sizeof(*plan));
		info->value = lb;
	}
	info->exact = info->value == info->upper;
	/* the plan's replay must be worth exactly what the search says */
	ret = eval_replay_plan(sp, p, plan, qs, n, &st, NULL);
	if (!ret && sushi_eval_objective(&st, p->objective) != info->value)
		ret = -EIO;
out:
	free(inc);
	free(togo);
	return ret;
}

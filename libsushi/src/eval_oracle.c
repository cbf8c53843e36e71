// SPDX-License-Identifier: MIT
/*
 * eval_oracle.c - the offline policies: the best static SubGraph, and the
 * oracle, the exact optimum of an objective over plans of one candidate
 * SubGraph per window of Q queries, with queueing.  The search keeps every
 * distinct (candidate, accelerator free time) state at each window
 * boundary (the free time is what couples windows), merges only states
 * whose futures are identical, and prunes states whose relaxation bound
 * cannot beat a known plan; a state budget turns it into a proven bound.
 * Definition and proof: Documentation/sushisched.rst, "The oracle".
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

/* ------------------------------------------------------ the exact search */

/*
 * A state at a window boundary: the candidate pinned in the last window and
 * the accelerator's free time, which couples windows.  A state is exact
 * when lo == hi; when the state budget forces it, states of one candidate
 * are merged into their free-time hull [lo, hi] with the best value: the
 * merged state stands for "any free time in [lo, hi]", which can only do
 * better than each member, so what follows is an upper bound.
 */
struct node {
	uint64_t lo, hi;	/* free time (canonical: at least the next arrival) */
	int64_t v;		/* value of the windows so far */
	int64_t ub;		/* v + the relaxation of the rest */
	uint32_t g;		/* candidate pinned in the last window */
	uint32_t parent;	/* trail index of the state it came from */
};

struct trail {
	uint32_t parent;
	uint32_t g;
};

/*
 * Part of a window simulated for a range [l, u] of the first query's
 * service start tau: the free time is tau + off (slope) or off (the queue
 * drained: no longer depends on tau), v the value so far.
 */
struct piece {
	uint64_t l, u, off;
	bool slope;
	int64_t v;
};

struct search {
	struct node *cur, *nxt;
	size_t n_cur, n_nxt, cap_cur, cap_nxt;
	uint32_t *hash;		/* index + 1 into nxt, 0: empty */
	size_t hash_cap;
	struct trail *trail;
	size_t n_trail, cap_trail;
	struct piece *pa, *pb;	/* window pieces, double-buffered */
	size_t cap_pa, cap_pb;
	uint64_t *cuts;		/* [S + 1] */
	uint64_t *gaps;		/* merge thresholds */
	size_t cap_gaps;
};

static uint64_t mix(uint64_t a, uint64_t b, uint32_t g)
{
	uint64_t z = a * 0x9e3779b97f4a7c15ull ^ b * 0xc2b2ae3d27d4eb4full ^ g;

	z = (z ^ (z >> 29)) * 0xbf58476d1ce4e5b9ull;
	return z ^ (z >> 32);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 256;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int rehash(struct search *s, size_t want)
{
	size_t cap = 1024;

	while (cap < 2 * want)
		cap *= 2;
	if (cap != s->hash_cap) {
		uint32_t *h = realloc(s->hash, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		s->hash = h;
		s->hash_cap = cap;
	}
	memset(s->hash, 0, s->hash_cap * sizeof(*s->hash));
	for (size_t i = 0; i < s->n_nxt; i++) {
		const struct node *x = &s->nxt[i];
		size_t j = mix(x->lo, x->hi, x->g) & (s->hash_cap - 1);

		while (s->hash[j])
			j = (j + 1) & (s->hash_cap - 1);
		s->hash[j] = (uint32_t)i + 1;
	}
	return 0;
}

/*
 * A successor state: states with the same candidate and free times have
 * the same futures, so only the better value is kept (ties: the first).
 */
static int offer(struct search *s, const struct node *x)
{
	size_t j;

	if (2 * (s->n_nxt + 1) > s->hash_cap && rehash(s, s->n_nxt + 1))
		return -ENOMEM;
	j = mix(x->lo, x->hi, x->g) & (s->hash_cap - 1);
	while (s->hash[j]) {
		struct node *y = &s->nxt[s->hash[j] - 1];

		if (y->lo == x->lo && y->hi == x->hi && y->g == x->g) {
			if (x->v > y->v)
				*y = *x;
			return 0;
		}
		j = (j + 1) & (s->hash_cap - 1);
	}
	if (grow((void **)&s->nxt, &s->cap_nxt, s->n_nxt + 1, sizeof(*s->nxt)))
		return -ENOMEM;
	s->nxt[s->n_nxt] = *x;
	s->hash[j] = (uint32_t)++s->n_nxt;
	return 0;
}

static int push_piece(struct search *s, size_t *n, const struct piece *x)
{
	if (grow((void **)&s->pb, &s->cap_pb, *n + 1, sizeof(*s->pb)))
		return -ENOMEM;
	s->pb[(*n)++] = *x;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Query q served at a begin time given by piece x (sub-range [l, u]). */
static int serve_piece(struct search *s, const struct sushi_sched_space *sp,
		       const struct sushi_sched_params *p, uint32_t h,
		       const struct sushi_query *q, const struct piece *x,
		       size_t *n_out)
{
	const uint64_t c = q->lat_ceiling_ns, a = q->arrival_ns;
	/* spent = begin - a, begin = tau + off (slope) or off */
	uint64_t s_lo = (x->slope ? x->l : 0) + x->off - a;
	uint64_t s_hi = (x->slope ? x->u : 0) + x->off - a;
	size_t n_cuts = 0;
	uint64_t from = s_lo;

	/*
	 * the rule depends on spent only through which SubNets fit
	 * (ns <= c - spent) and whether spent > c: cut where that changes
	 */
	if (s_hi > s_lo) {
		for (uint32_t sn = 0; sn < sp->S; sn++) {
			uint64_t ns = sched_cell(sp, sn, h)->ns;

			if (ns <= c && c - ns >= s_lo && c - ns < s_hi)
				s->cuts[n_cuts++] = c - ns;
		}
		if (c >= s_lo && c < s_hi)
			s->cuts[n_cuts++] = c;
		qsort(s->cuts, n_cuts, sizeof(*s->cuts), cmp_u64);
	}
	for (size_t k = 0; k <= n_cuts; k++) {
		uint64_t to = k < n_cuts ? s->cuts[k] : s_hi;
		bool late = from > c, fb;
		uint32_t sn;
		const struct sushi_sched_cell *cell;
		struct piece y = *x;

		if (k < n_cuts && (to < from || (k && to == s->cuts[k - 1])))
			continue;	/* duplicate cut */
		sn = sched_pick(sp, h, late ? 0 : c - from, late, p->select,
				q->acc_floor, &fb);
		cell = sched_cell(sp, sn, h);
		if (x->slope) {
			y.l = from + a - x->off;
			y.u = to + a - x->off;
		}
		y.off = x->off + cell->ns;
		y.v = x->v + eval_cell_value(p->objective, cell);
		if (push_piece(s, n_out, &y))
			return -ENOMEM;
		from = to + 1;
	}
	return 0;
}

/*
 * Window k with candidate h for first-query starts tau in [t0, t1]: the
 * pieces it splits into (exactly the replay's arithmetic for every tau).
 * On return s->pa[0..*n) holds them.
 */
static int window_pieces(struct search *s, const struct sushi_sched_space *sp,
			 const struct sushi_sched_params *p, uint32_t h,
			 const struct sushi_query *w, size_t len, uint64_t t0,
			 uint64_t t1, size_t *n)
{
	size_t n_in = 1, n_out;

	if (grow((void **)&s->pa, &s->cap_pa, 1, sizeof(*s->pa)))
		return -ENOMEM;
	s->pa[0] = (struct piece){ .l = t0, .u = t1, .off = 0, .slope = true };
	for (size_t i = 0; i < len; i++) {
		const struct sushi_query *q = &w[i];

		n_out = 0;
		for (size_t j = 0; j < n_in; j++) {
			struct piece x = s->pa[j], lo_part, hi_part;

			if (!i) {	/* the first query begins at tau */
				if (serve_piece(s, sp, p, h, q, &x, &n_out))
					return -ENOMEM;
				continue;
			}
			/* begin = max(arrival, free time) */
			if (!x.slope) {
				x.off = x.off > q->arrival_ns ? x.off : q->arrival_ns;
				if (serve_piece(s, sp, p, h, q, &x, &n_out))
					return -ENOMEM;
				continue;
			}
			lo_part = hi_part = x;
			if (x.l + x.off <= q->arrival_ns) {	/* idle: begins at arrival */
				lo_part.u = q->arrival_ns - x.off < x.u ?
					    q->arrival_ns - x.off : x.u;
				lo_part.slope = false;
				lo_part.off = q->arrival_ns;
				if (serve_piece(s, sp, p, h, q, &lo_part, &n_out))
					return -ENOMEM;
			}
			if (x.u + x.off > q->arrival_ns) {
				if (x.l + x.off <= q->arrival_ns)
					hi_part.l = q->arrival_ns - x.off + 1;
				if (serve_piece(s, sp, p, h, q, &hi_part, &n_out))
					return -ENOMEM;
			}
		}
		{	/* the output pieces are the next query's input */
			struct piece *t = s->pa;
			size_t c = s->cap_pa;

			s->pa = s->pb;
			s->cap_pa = s->cap_pb;
			s->pb = t;
			s->cap_pb = c;
			n_in = n_out;
		}
	}
	*n = n_in;
	return 0;
}

static int cmp_g_lo(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	if (x->g != y->g)
		return x->g < y->g ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/*
 * More states than the budget: merge states of the same candidate that are
 * closest in free time (hull, best value, its parent) until it fits.
 */
static int merge(struct search *s, uint64_t budget,
		 struct sushi_oracle_info *info, const int64_t *togo_k, uint32_t G)
{
	size_t n = s->n_nxt, ng = 0, k, out = 0;
	uint64_t thr;

	(void)G;
	qsort(s->nxt, n, sizeof(*s->nxt), cmp_g_lo);
	if (grow((void **)&s->gaps, &s->cap_gaps, n, sizeof(*s->gaps)))
		return -ENOMEM;
	for (size_t i = 1; i < n; i++)
		if (s->nxt[i].g == s->nxt[i - 1].g)
			s->gaps[ng++] = s->nxt[i].lo > s->nxt[i - 1].hi ?
					s->nxt[i].lo - s->nxt[i - 1].hi : 0;
	k = n - budget;		/* merges needed */
	if (k > ng)		/* more candidates than the budget: one each */
		k = ng;
	if (!k)
		return 0;
	qsort(s->gaps, ng, sizeof(*s->gaps), cmp_u64);
	thr = s->gaps[k - 1];
	for (size_t i = 0; i < n; i++) {
		struct node *x = &s->nxt[i];

		if (out && s->nxt[out - 1].g == x->g &&
		    (x->lo > s->nxt[out - 1].hi ? x->lo - s->nxt[out - 1].hi : 0) <= thr) {
			struct node *y = &s->nxt[out - 1];

			if (x->hi > y->hi)
				y->hi = x->hi;
			if (x->v > y->v) {
				y->v = x->v;
				y->parent = x->parent;
			}
			y->ub = y->v + togo_k[y->g];
			info->merged++;
			continue;
		}
		s->nxt[out++] = *x;
	}
	s->n_nxt = out;
	return 0;
}

/* Move the successors to the frontier, within the budget; trail them. */
static int advance(struct search *s, uint64_t budget,
		   struct sushi_oracle_info *info, const int64_t *togo_k,
		   uint32_t G)
{
	struct node *tmp;
	size_t cap;

	if (s->n_nxt > budget && merge(s, budget, info, togo_k, G))
		return -ENOMEM;
	if (grow((void **)&s->trail, &s->cap_trail, s->n_trail + s->n_nxt,
		 sizeof(*s->trail)))
		return -ENOMEM;
	for (size_t i = 0; i < s->n_nxt; i++) {
		s->trail[s->n_trail] = (struct trail){ s->nxt[i].parent, s->nxt[i].g };
		s->nxt[i].parent = (uint32_t)s->n_trail++;
	}
	tmp = s->cur;
	s->cur = s->nxt;
	s->nxt = tmp;
	cap = s->cap_cur;
	s->cap_cur = s->cap_nxt;
	s->cap_nxt = cap;
	s->n_cur = s->n_nxt;
	s->n_nxt = 0;
	if (s->n_cur > info->max_width)
		info->max_width = s->n_cur;
	return 0;
}

/* Expand state x over window k with every candidate. */
static int expand(struct search *s, const struct sushi_sched_space *sp,
		  const struct sushi_sched_params *p, const struct node *x,
		  const struct sushi_query *w, size_t len, uint64_t next_arrival,
		  bool last, const int64_t *togo_next, int64_t lb,
		  struct sushi_oracle_info *info)
{
	uint64_t lo = w->arrival_ns > x->lo ? w->arrival_ns : x->lo;
	uint64_t hi = w->arrival_ns > x->hi ? w->arrival_ns : x->hi;

	for (uint32_t h = 0; h < sp->G; h++) {
		const struct sched_switch *sw = sched_sw(sp, x->g, h);
		size_t np;

		if (window_pieces(s, sp, p, h, w, len, lo + sw->ns, hi + sw->ns, &np))
			return -ENOMEM;
		for (size_t i = 0; i < np; i++) {
			const struct piece *y = &s->pa[i];
			struct node z = { .g = h, .parent = x->parent };

			z.lo = y->slope ? y->l + y->off : y->off;
			z.hi = y->slope ? y->u + y->off : y->off;
			z.v = x->v + eval_switch_value(sw) + y->v;
			z.ub = z.v + togo_next[h];
			info->states++;
			if (z.ub <= lb) {	/* cannot beat the known plan */
				info->pruned++;
				continue;
			}
			/* the future depends on the free time only through this */
			if (last) {
				z.lo = z.hi = 0;
			} else {
				z.lo = z.lo > next_arrival ? z.lo : next_arrival;
				z.hi = z.hi > next_arrival ? z.hi : next_arrival;
			}
			if (offer(s, &z))
				return -ENOMEM;
		}
	}
	return 0;
}

static void free_search(struct search *s)
{
	free(s->cur);
	free(s->nxt);
	free(s->hash);
	free(s->trail);
	free(s->pa);
	free(s->pb);
	free(s->cuts);
	free(s->gaps);
}

/*
 * The search; *best_v: the best final value (an upper bound on every plan
 * not pruned, the optimum when nothing was merged), its plan in @plan.
 * *found is false when every state was pruned (the incumbent is optimal).
 */
static int search(const struct sushi_sched_space *sp,
		  const struct sushi_sched_params *p,
		  const struct sushi_query *qs, size_t n, const int64_t *togo,
		  int64_t lb, uint64_t budget, uint32_t *plan, bool *found,
		  int64_t *best_v, struct sushi_oracle_info *info)
{
	const uint32_t G = sp->G;
	size_t nw = n_windows(n, p->q);
	struct search s = { 0 };
	int ret = -ENOMEM;

	*found = false;
	s.cuts = calloc(sp->S + 1, sizeof(*s.cuts));
	if (!s.cuts || grow((void **)&s.cur, &s.cap_cur, 1, sizeof(*s.cur)) ||
	    grow((void **)&s.trail, &s.cap_trail, 1, sizeof(*s.trail)))
		goto out;
	s.cur[0] = (struct node){ .g = 0, .parent = 0 };
	s.trail[0] = (struct trail){ UINT32_MAX, 0 };
	s.n_trail = 1;
	s.n_cur = 1;
	for (size_t k = 0; k < nw; k++) {
		const struct sushi_query *w = &qs[k * p->q];
		bool last = k + 1 == nw;
		uint64_t next_arrival = last ? 0 : qs[(k + 1) * p->q].arrival_ns;

		if (rehash(&s, s.n_cur * 4))
			goto out;
		for (size_t i = 0; i < s.n_cur; i++)
			if (expand(&s, sp, p, &s.cur[i], w, win_len(n, p->q, k),
				   next_arrival, last, &togo[(k + 1) * G], lb, info))
				goto out;
		if (advance(&s, budget, info, &togo[(k + 1) * G], G))
			goto out;
	}
	if (s.n_cur) {
		size_t best = 0;

		for (size_t i = 1; i < s.n_cur; i++)
			if (s.cur[i].v > s.cur[best].v)
				best = i;
		{
			uint32_t id = s.cur[best].parent;

			for (size_t k = nw; k-- > 0;) {
				plan[k] = s.trail[id].g;
				id = s.trail[id].parent;
			}
		}
		*best_v = s.cur[best].v;
		*found = true;
	}
	ret = 0;
out:
	free_search(&s);
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
	ret = search(sp, p, qs, n, togo, lb, max_states, plan, &found, &best_v,
		     info);
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

// SPDX-License-Identifier: MIT
/*
 * eval_search.c - the oracle's search over (candidate, accelerator free
 * time) states at window boundaries: every distinct state kept (the free
 * time is what couples windows), equal states merged (same future),
 * successors pruned by the relaxation bound against a known plan, and,
 * past the state budget, states of one candidate merged into free-time
 * intervals (an upper bound).  Documentation/sushisched.rst, "The oracle".
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

struct search {
	struct node *cur, *nxt;
	size_t n_cur, n_nxt, cap_cur, cap_nxt;
	uint32_t *hash;		/* index + 1 into nxt, 0: empty */
	size_t hash_cap;
	struct trail *trail;
	size_t n_trail, cap_trail;
	struct eval_pieces w;	/* window simulation scratch */
	uint64_t *gaps;		/* merge thresholds */
	size_t cap_gaps;
};

static uint64_t mix(uint64_t a, uint64_t b, uint32_t g)
{
	uint64_t z = a * 0x9e3779b97f4a7c15ull ^ b * 0xc2b2ae3d27d4eb4full ^ g;

	z = (z ^ (z >> 29)) * 0xbf58476d1ce4e5b9ull;
	return z ^ (z >> 32);
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
	if (eval_grow((void **)&s->nxt, &s->cap_nxt, s->n_nxt + 1, sizeof(*s->nxt)))
		return -ENOMEM;
	s->nxt[s->n_nxt] = *x;
	s->hash[j] = (uint32_t)++s->n_nxt;
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
		 struct sushi_oracle_info *info, const int64_t *togo_k)
{
	size_t n = s->n_nxt, ng = 0, k, out = 0;
	uint64_t thr;

	qsort(s->nxt, n, sizeof(*s->nxt), cmp_g_lo);
	if (eval_grow((void **)&s->gaps, &s->cap_gaps, n, sizeof(*s->gaps)))
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
	qsort(s->gaps, ng, sizeof(*s->gaps), eval_cmp_u64);
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
		   struct sushi_oracle_info *info, const int64_t *togo_k)
{
	struct node *tmp;
	size_t cap;

	if (s->n_nxt > budget && merge(s, budget, info, togo_k))
		return -ENOMEM;
	if (eval_grow((void **)&s->trail, &s->cap_trail, s->n_trail + s->n_nxt,
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

		if (eval_window_pieces(&s->w, sp, p, h, w, len, lo + sw->ns, hi + sw->ns,
				       &np))
			return -ENOMEM;
		for (size_t i = 0; i < np; i++) {
			const struct eval_piece *y = &s->w.pa[i];
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
	free(s->w.pa);
	free(s->w.pb);
	free(s->w.cuts);
	free(s->gaps);
}

int eval_oracle_search(const struct sushi_sched_space *sp,
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
	s.w.cuts = calloc(sp->S + 1, sizeof(*s.w.cuts));
	if (!s.w.cuts || eval_grow((void **)&s.cur, &s.cap_cur, 1, sizeof(*s.cur)) ||
	    eval_grow((void **)&s.trail, &s.cap_trail, 1, sizeof(*s.trail)))
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
		if (advance(&s, budget, info, &togo[(k + 1) * G]))
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

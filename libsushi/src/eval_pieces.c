// SPDX-License-Identifier: MIT
/*
 * eval_pieces.c - one window of a plan simulated for a whole interval of
 * start times at once, exactly: the interval is split wherever the rule's
 * outcome changes (a SubNet stops fitting the budget, a query becomes
 * late, the queue drains), so every start time in a piece is served as
 * the replay would serve it.  The oracle's merged states need it.
 */
#include <errno.h>
#include <stdlib.h>

#include "eval_internal.h"

int eval_grow(void **p, size_t *cap, size_t need, size_t elem)
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

static int push_piece(struct eval_pieces *s, size_t *n, const struct eval_piece *x)
{
	if (eval_grow((void **)&s->pb, &s->cap_pb, *n + 1, sizeof(*s->pb)))
		return -ENOMEM;
	s->pb[(*n)++] = *x;
	return 0;
}

int eval_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Query q served at a begin time given by piece x (sub-range [l, u]). */
static int serve_piece(struct eval_pieces *s, const struct sushi_sched_space *sp,
		       const struct sushi_sched_params *p, uint32_t h,
		       const struct sushi_query *q, const struct eval_piece *x,
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
		qsort(s->cuts, n_cuts, sizeof(*s->cuts), eval_cmp_u64);
	}
	for (size_t k = 0; k <= n_cuts; k++) {
		uint64_t to = k < n_cuts ? s->cuts[k] : s_hi;
		bool late = from > c, fb;
		uint32_t sn;
		const struct sushi_sched_cell *cell;
		struct eval_piece y = *x;

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

int eval_window_pieces(struct eval_pieces *s, const struct sushi_sched_space *sp,
			 const struct sushi_sched_params *p, uint32_t h,
			 const struct sushi_query *w, size_t len, uint64_t t0,
			 uint64_t t1, size_t *n)
{
	size_t n_in = 1, n_out;

	if (eval_grow((void **)&s->pa, &s->cap_pa, 1, sizeof(*s->pa)))
		return -ENOMEM;
	s->pa[0] = (struct eval_piece){ .l = t0, .u = t1, .off = 0, .slope = true };
	for (size_t i = 0; i < len; i++) {
		const struct sushi_query *q = &w[i];

		n_out = 0;
		for (size_t j = 0; j < n_in; j++) {
			struct eval_piece x = s->pa[j], lo_part, hi_part;

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
			struct eval_piece *t = s->pa;
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

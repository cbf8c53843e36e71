// SPDX-License-Identifier: MIT
/*
 * sched.c - the online policies: SushiSched (window-scored SubGraph every
 * Q queries), no PB, the static SubGraphs, LRU over layer slices, and the
 * forced SubGraph the evaluator replays offline plans with; the policy,
 * select-mode and objective names.  sushi_sched_decide() is the per-query
 * hot path: table look-ups, no allocation.  The rules are in
 * Documentation/sushisched.rst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"

#define SUSHI_SCHED_MAX_WINDOW 4096

struct sushi_sched {
	const struct sushi_sched_space *sp;
	struct sushi_sched_params p;
	uint64_t n;			/* decisions made */
	uint32_t cur;			/* pinned candidate SubGraph */
	uint32_t *win;			/* ring of the last w SubNets served */
	uint32_t win_n, win_head;
	uint64_t *win_pb;		/* [G] PB bytes the window read from g */
	struct sushi_sched_cell *lru_cells;	/* [S] costs with the LRU content */
	uint8_t *lru_have;		/* [S] lru_cells[s] computed */
	struct sushi_slice *content;	/* LRU: per layer slice */
	uint32_t *content_j;		/* LRU: its index among the layer's slices */
	uint64_t *stamp;		/* LRU: last use of each layer */
	uint64_t content_bytes;
};

static const char *const policy_names[SUSHI_POLICY_COUNT] = {
	[SUSHI_POLICY_SUSHI] = "sushi",
	[SUSHI_POLICY_NO_PB] = "no-pb",
	[SUSHI_POLICY_STATIC_SMALLEST] = "static-smallest",
	[SUSHI_POLICY_STATIC_INTERSECT] = "static-intersect",
	[SUSHI_POLICY_LRU] = "lru",
	[SUSHI_POLICY_ORACLE] = "oracle",
	[SUSHI_POLICY_STATIC_LARGEST] = "static-largest",
	[SUSHI_POLICY_BEST_STATIC] = "best-static",
};

static const char *const select_names[SUSHI_SELECT_COUNT] = {
	[SUSHI_SELECT_ACCURACY] = "accuracy",
	[SUSHI_SELECT_FLOOR] = "floor",
};

static const char *const objective_names[SUSHI_OBJECTIVE_COUNT] = {
	[SUSHI_OBJECTIVE_SAVING] = "saving",
	[SUSHI_OBJECTIVE_OFFCHIP] = "offchip",
};

static int find_name(const char *const *names, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -EINVAL;
}

const char *sushi_policy_name(enum sushi_policy p)
{
	return (unsigned)p < SUSHI_POLICY_COUNT ? policy_names[p] : "unknown";
}

int sushi_policy_from_name(const char *name)
{
	return find_name(policy_names, SUSHI_POLICY_COUNT, name);
}

bool sushi_policy_offline(enum sushi_policy p)
{
	return p == SUSHI_POLICY_ORACLE || p == SUSHI_POLICY_BEST_STATIC;
}

const char *sushi_select_name(enum sushi_select s)
{
	return (unsigned)s < SUSHI_SELECT_COUNT ? select_names[s] : "unknown";
}

int sushi_select_from_name(const char *name)
{
	return find_name(select_names, SUSHI_SELECT_COUNT, name);
}

const char *sushi_objective_name(enum sushi_objective o)
{
	return (unsigned)o < SUSHI_OBJECTIVE_COUNT ? objective_names[o] : "unknown";
}

int sushi_objective_from_name(const char *name)
{
	return find_name(objective_names, SUSHI_OBJECTIVE_COUNT, name);
}

int sushi_sched_new(const struct sushi_sched_space *sp,
		    const struct sushi_sched_params *p, struct sushi_sched **out)
{
	struct sushi_sched *s;

	if (out)
		*out = NULL;
	if (!out || !sp || !sp->finished || !p ||
	    (unsigned)p->policy >= SUSHI_POLICY_COUNT ||
	    sushi_policy_offline(p->policy) ||
	    (unsigned)p->select >= SUSHI_SELECT_COUNT ||
	    (unsigned)p->objective >= SUSHI_OBJECTIVE_COUNT ||
	    !p->q || !p->w || p->w > SUSHI_SCHED_MAX_WINDOW)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sp = sp;
	s->p = *p;
	s->win = calloc(p->w, sizeof(*s->win));
	s->win_pb = calloc(sp->G, sizeof(*s->win_pb));
	s->lru_cells = calloc(sp->S, sizeof(*s->lru_cells));
	s->lru_have = calloc(sp->S, 1);
	s->content = calloc(sp->L, sizeof(*s->content));
	s->content_j = calloc(sp->L, sizeof(*s->content_j));	/* 0: {0, 0} */
	s->stamp = calloc(sp->L, sizeof(*s->stamp));
	if (!s->win || !s->win_pb || !s->lru_cells || !s->lru_have || !s->content ||
	    !s->content_j || !s->stamp) {
		sushi_sched_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

void sushi_sched_free(struct sushi_sched *s)
{
	if (!s)
		return;
	free(s->win);
	free(s->win_pb);
	free(s->lru_cells);
	free(s->lru_have);
	free(s->content);
	free(s->content_j);
	free(s->stamp);
	free(s);
}

static void switch_to(struct sushi_sched *s, uint32_t g,
		      struct sushi_decision *d)
{
	const struct sched_switch *sw = sched_sw(s->sp, s->cur, g);

	d->load_ns += sw->ns;
	d->load_dram += sw->dram;
	d->load_energy_fj += sw->energy;
	d->load_offchip_fj += sw->offchip;
	d->n_loads += sw->n_loads;
	s->cur = g;
}

/*
 * SushiSched's SubGraph choice: the candidate maximizing the PB bytes the
 * last w queries would have read from it, scaled to the next Q queries,
 * minus the off-chip bytes of loading it.  Ties keep the current one.
 */
static uint32_t window_choice(const struct sushi_sched *s)
{
	const struct sushi_sched_space *sp = s->sp;
	uint32_t best = s->cur;
	__int128 best_v = (__int128)s->p.q * s->win_pb[s->cur];

	for (uint32_t g = 0; g < sp->G; g++) {
		__int128 v = (__int128)s->p.q * s->win_pb[g] -
			     (__int128)s->win_n * sched_sw(sp, s->cur, g)->dram;

		if (v > best_v) {
			best_v = v;
			best = g;
		}
	}
	return best;
}

static void window_push(struct sushi_sched *s, uint32_t subnet)
{
	const struct sushi_sched_space *sp = s->sp;

	if (s->win_n == s->p.w) {	/* drop the oldest */
		uint32_t old = s->win[s->win_head];

		for (uint32_t g = 0; g < sp->G; g++)
			s->win_pb[g] -= sched_cell(sp, old, g)->pb;
		s->win_n--;
	}
	s->win[s->win_head] = subnet;
	s->win_head = (s->win_head + 1) % s->p.w;
	s->win_n++;
	for (uint32_t g = 0; g < sp->G; g++)
		s->win_pb[g] += sched_cell(sp, subnet, g)->pb;
}

static void choose_pinned(const struct sushi_sched *s,
			  const struct sushi_query *q, uint64_t budget,
			  bool late, struct sushi_decision *d)
{
	d->subnet = sched_pick(s->sp, s->cur, budget, late, s->p.select,
			       q->acc_floor, &d->fallback);
	d->cell = *sched_cell(s->sp, d->subnet, s->cur);
}

/* LRU: what SubNet sn costs with the content (per layer, its slice index) */
static void lru_price(void *ctx, uint32_t sn, struct sushi_sched_cell *out)
{
	const struct sushi_sched *s = ctx;
	const struct sushi_sched_space *sp = s->sp;
	struct sched_lc sum = sp->rest[sn];

	for (uint32_t l = 0; l < sp->L; l++)
		if (sp->sn[(size_t)sn * sp->L + l].rows)
			sched_lc_add(&sum, sched_lc_at(sp, sn, l, s->content_j[l]));
	sched_fill_cell(sp, sn, &sum, out);
}

/* LRU: the same rule, pricing only the SubNets it looks at */
static void choose_lru(struct sushi_sched *s, const struct sushi_query *q,
		       uint64_t budget, bool late, struct sushi_decision *d)
{
	const struct sched_cells cs = {
		.fill = lru_price, .ctx = s, .scratch = s->lru_cells,
		.have = s->lru_have,
	};

	memset(s->lru_have, 0, s->sp->S);
	d->subnet = sched_rule(s->sp, &cs, budget, late, s->p.select,
			       q->acc_floor, &d->fallback);
	d->cell = *sched_cells_get(&cs, d->subnet);
}

/* LRU: layer l now holds slice x (a slice of a SubNet: the space knows it) */
static void lru_set(struct sushi_sched *s, uint32_t l, const struct sushi_slice *x)
{
	int j = sched_dist_index(s->sp, l, x);

	s->content[l] = *x;
	s->content_j[l] = j < 0 ? 0 : (uint32_t)j;
}

static bool covers(const struct sushi_slice *have, const struct sushi_slice *want)
{
	return have->rows >= want->rows && have->row_bytes >= want->row_bytes;
}

/* After serving sn, keep its layer slices, evicting the least recent. */
static void lru_fill(struct sushi_sched *s, uint32_t sn,
		     struct sushi_decision *d)
{
	const struct sushi_sched_space *sp = s->sp;
	const uint64_t now = s->n + 1;
	const struct sushi_slice empty = { 0, 0 };

	for (uint32_t l = 0; l < sp->L; l++)	/* sn's layers are in use now */
		if (sp->sn[(size_t)sn * sp->L + l].rows)
			s->stamp[l] = now;
	for (uint32_t l = 0; l < sp->L; l++) {
		const struct sushi_slice *mine = &sp->sn[(size_t)sn * sp->L + l];
		uint64_t need = (uint64_t)mine->rows * mine->row_bytes;
		uint64_t have = (uint64_t)s->content[l].rows * s->content[l].row_bytes;
		struct sushi_slice next = *mine;
		struct sched_switch sw;

		if (!mine->rows)
			continue;
		if (covers(&s->content[l], mine) || need > sp->pb_bytes)
			continue;
		while (s->content_bytes - have + need > sp->pb_bytes) {
			uint32_t victim = UINT32_MAX;

			for (uint32_t m = 0; m < sp->L; m++)
				if (m != l && s->content[m].rows &&
				    s->stamp[m] < now &&
				    (victim == UINT32_MAX ||
				     s->stamp[m] < s->stamp[victim]))
					victim = m;
			if (victim == UINT32_MAX)
				break;
			memset(&sw, 0, sizeof(sw));
			sched_layer_switch(sp, victim, &s->content[victim],
					   &empty, &sw);
			d->fill_ns += sw.ns;
			d->load_energy_fj += sw.energy;
			d->load_offchip_fj += sw.offchip;
			s->content_bytes -= (uint64_t)s->content[victim].rows *
					    s->content[victim].row_bytes;
			lru_set(s, victim, &empty);
		}
		if (s->content_bytes - have + need > sp->pb_bytes)
			continue;
		memset(&sw, 0, sizeof(sw));
		sched_layer_switch(sp, l, &s->content[l], &next, &sw);
		d->fill_ns += sw.ns;
		d->load_dram += sw.dram;
		d->load_energy_fj += sw.energy;
		d->load_offchip_fj += sw.offchip;
		d->n_loads += sw.n_loads;
		s->content_bytes += need - have;
		lru_set(s, l, &next);
	}
}

int sushi_sched_decide(struct sushi_sched *s, const struct sushi_query *q,
		       uint64_t queue_ns, struct sushi_decision *d)
{
	const struct sushi_sched_space *sp;
	uint64_t spent;
	uint32_t target;
	bool late;

	if (!s || !q || !d)
		return -EINVAL;
	sp = s->sp;
	memset(d, 0, sizeof(*d));
	target = s->cur;
	switch (s->p.policy) {
	case SUSHI_POLICY_NO_PB:
		target = 0;
		break;
	case SUSHI_POLICY_STATIC_SMALLEST:
		target = sp->sn_cand[sp->smallest];
		break;
	case SUSHI_POLICY_STATIC_INTERSECT:
		target = sp->intersect_g;
		break;
	case SUSHI_POLICY_STATIC_LARGEST:
		target = sp->sn_cand[sp->largest];
		break;
	case SUSHI_POLICY_SUSHI:
		if (s->n && s->n % s->p.q == 0 && s->win_n)
			target = window_choice(s);
		break;
	default:
		break;
	}
	if (s->p.policy != SUSHI_POLICY_LRU && target != s->cur)
		switch_to(s, target, d);

	spent = queue_ns + d->load_ns;
	late = spent > q->lat_ceiling_ns;
	if (s->p.policy == SUSHI_POLICY_LRU) {
		choose_lru(s, q, late ? 0 : q->lat_ceiling_ns - spent, late, d);
		d->subgraph = UINT32_MAX;
		lru_fill(s, d->subnet, d);
	} else {
		choose_pinned(s, q, late ? 0 : q->lat_ceiling_ns - spent, late, d);
		d->subgraph = s->cur;
	}
	window_push(s, d->subnet);
	s->n++;
	return 0;
}

int sched_preview(struct sushi_sched *s, const struct sushi_query *q,
		  uint64_t queue_ns, struct sushi_decision *d)
{
	bool late;

	if (!s || !q || !d)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	late = queue_ns > q->lat_ceiling_ns;
	if (s->p.policy == SUSHI_POLICY_LRU) {
		choose_lru(s, q, late ? 0 : q->lat_ceiling_ns - queue_ns, late, d);
		d->subgraph = UINT32_MAX;
	} else {
		choose_pinned(s, q, late ? 0 : q->lat_ceiling_ns - queue_ns, late, d);
		d->subgraph = s->cur;
	}
	return 0;
}

int sushi_sched_force_subgraph(struct sushi_sched *s, uint32_t g,
			       struct sushi_decision *d)
{
	if (!s || !d || g >= s->sp->G || s->p.policy == SUSHI_POLICY_LRU)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	switch_to(s, g, d);
	return 0;
}

int sushi_sched_pb_content(const struct sushi_sched *s, struct sushi_slice *out)
{
	if (!s || !out)
		return -EINVAL;
	if (s->p.policy == SUSHI_POLICY_LRU)
		memcpy(out, s->content, s->sp->L * sizeof(*out));
	else
		memcpy(out, sushi_sched_space_subgraph(s->sp, s->cur),
		       s->sp->L * sizeof(*out));
	return 0;
}

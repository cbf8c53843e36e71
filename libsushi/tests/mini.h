/* SPDX-License-Identifier: MIT */
/*
 * mini.h - small, hand-priced scheduling spaces for the brute-force tests:
 * a few SubNets with nested slices over a few weight layers, costs from a
 * seeded formula shaped like the model's (pinned weight bytes come off the
 * DRAM reads; a layer takes max(compute, DRAM) cycles plus an overhead; a
 * PB load streams its bytes), and random traces whose load and ceilings
 * make queueing matter.  The formulas are here, so a test can compute any
 * cost itself without the library's tables.
 */
#ifndef SUSHI_TEST_MINI_H
#define SUSHI_TEST_MINI_H

#include <stdlib.h>
#include <string.h>

#include "sushi/eval.h"

#define MINI_MAX_S 4
#define MINI_MAX_L 3
#define MINI_OVH 10		/* cycles per job */
#define MINI_BPC 4		/* DRAM bytes per cycle */
#define MINI_CLOCK 1000000000	/* 1 GHz: a cycle is a nanosecond */

struct mini {
	uint32_t S, L;
	double acc[MINI_MAX_S];
	struct sushi_slice sl[MINI_MAX_S][MINI_MAX_L];
	uint64_t comp[MINI_MAX_S][MINI_MAX_L];	/* compute cycles */
	uint64_t act[MINI_MAX_S][MINI_MAX_L];	/* activation DRAM bytes */
	uint64_t epi[MINI_MAX_S];
	uint64_t pb_bytes;
};

static inline uint64_t mini_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t mini_cdiv(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* bytes of s's slice at layer l that a pinned slice p covers (nesting) */
static inline uint64_t mini_covered(const struct sushi_slice *s,
				    const struct sushi_slice *p)
{
	uint64_t r = s->rows < p->rows ? s->rows : p->rows;
	uint64_t b = s->row_bytes < p->row_bytes ? s->row_bytes : p->row_bytes;

	return r * b;
}

/* the cost of SubNet s's layer l with @pinned in the PB */
static inline void mini_layer_cost(const struct mini *m, uint32_t s, uint32_t l,
				   const struct sushi_slice *pinned,
				   struct sushi_cost *c)
{
	const struct sushi_slice *mine = &m->sl[s][l];
	uint64_t w = (uint64_t)mine->rows * mine->row_bytes;
	uint64_t pb = mini_covered(mine, pinned);
	uint64_t dram = m->act[s][l] + w - pb;
	uint64_t dc = mini_cdiv(dram, MINI_BPC);

	memset(c, 0, sizeof(*c));
	c->dram_rd = dram;
	c->pb_rd = pb;
	c->cycles = MINI_OVH + (m->comp[s][l] > dc ? m->comp[s][l] : dc);
	c->offchip_fj = 7 * dram;
	c->energy_fj = c->offchip_fj + pb + c->cycles;
}

static inline int mini_op_layer(void *ctx, uint32_t s, uint32_t l,
				const struct sushi_slice *pinned,
				struct sushi_cost *out)
{
	mini_layer_cost(ctx, s, l, pinned, out);
	return 0;
}

static inline int mini_op_rest(void *ctx, uint32_t s, struct sushi_cost *out)
{
	const struct mini *m = ctx;

	memset(out, 0, sizeof(*out));
	out->dram_rd = m->epi[s];	/* the epilogues: PB-independent */
	out->cycles = MINI_OVH;
	out->offchip_fj = 7 * m->epi[s];
	out->energy_fj = out->offchip_fj + out->cycles;
	return 0;
}

/* a PB job: load @slice (bytes streamed from DRAM) or invalidate ({0,0}) */
static inline void mini_load_cost(const struct sushi_slice *slice,
				  struct sushi_cost *out)
{
	uint64_t b = (uint64_t)slice->rows * slice->row_bytes;

	memset(out, 0, sizeof(*out));
	out->dram_rd = b;
	out->pb_wr = b;
	out->cycles = MINI_OVH + mini_cdiv(b, MINI_BPC);
	out->offchip_fj = 7 * b;
	out->energy_fj = out->offchip_fj + b + out->cycles;
}

static inline int mini_op_load(void *ctx, uint32_t l,
			       const struct sushi_slice *slice,
			       struct sushi_cost *out)
{
	(void)ctx;
	(void)l;
	mini_load_cost(slice, out);
	return 0;
}

static const struct sushi_sched_cost_ops mini_ops = {
	.layer = mini_op_layer, .rest = mini_op_rest, .load = mini_op_load,
};

/*
 * mini_pair() - the hand-priced two-SubNet space of test_rules and
 * test_fleet: A (0, accuracy 0.8) uses a 4x16 slice of layer 0 and
 * computes @comp_a ns there, B (1, 0.7) a 2x8 slice of layer 1 and 5 ns;
 * activations 40 and 8 bytes, epilogues 12 and 24; a 64-byte PB
 */
static inline void mini_pair(struct mini *m, uint64_t comp_a)
{
	memset(m, 0, sizeof(*m));
	m->S = 2;
	m->L = 2;
	m->acc[0] = 0.8;
	m->acc[1] = 0.7;
	m->sl[0][0] = (struct sushi_slice){ 4, 16 };
	m->sl[1][1] = (struct sushi_slice){ 2, 8 };
	m->comp[0][0] = comp_a;
	m->act[0][0] = 40;
	m->comp[1][1] = 5;
	m->act[1][1] = 8;
	m->epi[0] = 12;
	m->epi[1] = 24;
	m->pb_bytes = 64;
}

/*
 * A random instance of S SubNets over L layers: SubNet i is nested in
 * i + 1 (more rows and bytes per layer, more accurate); the PB holds
 * about half of the largest SubNet's weights.
 */
static inline void mini_random(struct mini *m, uint32_t S, uint32_t L,
			       uint64_t *seed)
{
	uint64_t total = 0;

	memset(m, 0, sizeof(*m));
	m->S = S;
	m->L = L;
	for (uint32_t l = 0; l < L; l++) {
		uint32_t rows = 0, rb = 0;

		for (uint32_t s = 0; s < S; s++) {
			rows += 1 + mini_rand(seed) % 4;
			rb += 8 + 8 * (mini_rand(seed) % 4);
			m->sl[s][l].rows = rows;
			m->sl[s][l].row_bytes = rb;
			m->comp[s][l] = 20 + mini_rand(seed) % (60 * (s + 1));
			m->act[s][l] = 16 + mini_rand(seed) % 200;
		}
	}
	for (uint32_t s = 0; s < S; s++) {
		m->acc[s] = 0.5 + 0.1 * s + 0.01 * (double)(mini_rand(seed) % 5);
		m->epi[s] = 12 * (1 + mini_rand(seed) % 8);
	}
	for (uint32_t l = 0; l < L; l++)
		total += (uint64_t)m->sl[S - 1][l].rows * m->sl[S - 1][l].row_bytes;
	m->pb_bytes = total / 2 + mini_rand(seed) % (total / 2 + 1);
}

/* a scheduler, or NULL: for tests whose subject is not its creation */
static inline struct sushi_sched *mini_sched(const struct sushi_sched_space *sp,
					    const struct sushi_sched_params *p)
{
	struct sushi_sched *s;

	return sushi_sched_new(sp, p, &s) ? NULL : s;
}

static inline int mini_space(struct mini *m, struct sushi_sched_space **out)
{
	struct sushi_sched_space *sp;
	int ret = sushi_sched_space_new(m->S, m->L, &sp);

	for (uint32_t s = 0; !ret && s < m->S; s++) {
		ret = sushi_sched_space_subnet(sp, s, m->acc[s], m->sl[s]);
		if (!ret)
			ret = sushi_sched_space_subnet_epilogue(sp, s, m->epi[s]);
	}
	if (!ret)
		ret = sushi_sched_space_finish(sp, &mini_ops, m, MINI_CLOCK,
					       m->pb_bytes);
	if (ret) {
		sushi_sched_space_free(sp);
		sp = NULL;
	}
	*out = sp;
	return ret;
}

/*
 * A random trace of n queries: gaps between 0 and the mean service
 * (heavy load: queues form and drain), ceilings from the fastest service
 * to 3 x the slowest, floors across the accuracies.
 */
static inline void mini_trace(const struct sushi_sched_space *sp,
			      struct sushi_query *qs, size_t n, uint64_t *seed)
{
	uint32_t S = sushi_sched_space_subnets(sp);
	uint64_t fast = UINT64_MAX, slow = 0, t = 0;
	double lo = 1, hi = 0;

	for (uint32_t s = 0; s < S; s++) {
		uint64_t ns = sushi_sched_space_cell(sp, s, 0)->ns;
		double a = sushi_sched_space_accuracy(sp, s);

		fast = ns < fast ? ns : fast;
		slow = ns > slow ? ns : slow;
		lo = a < lo ? a : lo;
		hi = a > hi ? a : hi;
	}
	for (size_t i = 0; i < n; i++) {
		t += mini_rand(seed) % ((fast + slow) / 2 + 1);
		qs[i].arrival_ns = t;
		qs[i].lat_ceiling_ns = fast + mini_rand(seed) % (slow * 3);
		qs[i].acc_floor = lo + (hi - lo) * (double)(mini_rand(seed) % 101) / 100;
	}
}

#endif /* SUSHI_TEST_MINI_H */

// SPDX-License-Identifier: MIT
/*
 * test_rules.c - the scheduling rules on a two-SubNet space small enough to
 * compute by hand from mini.h's cost formulas (1 GHz: a cycle is 1 ns):
 *
 *   A: layer 0 only, 4 rows x 16 B = 64 weight bytes, 40 activation bytes,
 *      10 compute cycles, 12 epilogue bytes, accuracy 0.8;
 *   B: layer 1 only, 2 rows x 8 B = 16 weight bytes, 8 activation bytes,
 *      5 compute cycles, 24 epilogue bytes, accuracy 0.7;
 *   a PB of 64 bytes: A's or B's slice, never both.
 *
 * Each SubNet costs its layer, 10 + max(compute, ceil(DRAM / 4)) cycles,
 * plus 10 cycles for the rest: A 10 + 26 + 10 = 46 ns unpinned and
 * 10 + 10 + 10 = 30 ns pinned; B 10 + 6 + 10 = 26 ns unpinned, 25 ns
 * pinned.  Loading A's slice takes 10 + 16 = 26 ns, B's 10 + 4 = 14 ns;
 * an invalidation 10 ns.  The candidates: 0 empty, A's, B's.
 */
#include <errno.h>
#include <stdlib.h>

#include "mini.h"
#include "tap.h"

static struct mini m;
static uint32_t cand_a, cand_b;

enum { A = 0, B = 1 };

static struct sushi_sched_space *build(void)
{
	struct sushi_sched_space *sp = NULL;

	mini_pair(&m, 10);
	if (mini_space(&m, &sp))
		return NULL;
	cand_a = sushi_sched_space_subnet_subgraph(sp, A);
	cand_b = sushi_sched_space_subnet_subgraph(sp, B);
	return sp;
}

static void tables(const struct sushi_sched_space *sp)
{
	is_int(sushi_sched_space_subgraphs(sp), 3, "3 distinct candidates (empty, A, B)");
	is_int(sushi_sched_space_raw_candidates(sp), 6, "of 2 S + 2 = 6 raw ones");
	ok(cand_a && cand_b && cand_a != cand_b, "A and B have their own candidates");
	is_u64(sushi_sched_space_cell(sp, A, 0)->ns, 46, "A unpinned: 46 ns");
	is_u64(sushi_sched_space_cell(sp, A, cand_a)->ns, 30, "A pinned: 30 ns");
	is_u64(sushi_sched_space_cell(sp, B, 0)->ns, 26, "B unpinned: 26 ns");
	is_u64(sushi_sched_space_cell(sp, B, cand_b)->ns, 25, "B pinned: 25 ns");
	is_u64(sushi_sched_space_cell(sp, A, cand_a)->dram, 40 + 12,
	       "A pinned moves its activations and epilogues only");
	is_u64(sushi_sched_space_cell(sp, A, cand_b)->pb, 0, "B's slice serves A nothing");
}

static void evaluator(const struct sushi_sched_space *sp)
{
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_NO_PB, .q = 1, .w = 1 };
	struct sushi_query q[2] = { { 0, 0.0, 1000 }, { 0, 0.0, 1000 } };
	struct sushi_eval_record rec[2];
	struct sushi_eval_stats st;
	uint32_t plan[2] = { cand_a, cand_a };

	/* two queries at t = 0, no PB: A then A, queued */
	sushi_eval_run(sp, &p, q, 2, &st, rec);
	ok(rec[0].subnet == A && rec[0].finish_ns == 46 && rec[1].finish_ns == 92,
	   "no PB: A finishes at 46 ns, the queued A at 92 (%llu, %llu)",
	   (unsigned long long)rec[0].finish_ns, (unsigned long long)rec[1].finish_ns);
	is_u64(st.offchip_bytes, 2 * (40 + 64 + 12), "off-chip bytes: 2 x (40 + 64 + 12)");
	ok(st.slo_attainment == 1.0 && st.pb_hit_fraction == 0.0,
	   "both within their ceilings and floors: SLO 100%%; nothing from the PB");
	q[0].acc_floor = q[1].acc_floor = 0.9;
	sushi_eval_run(sp, &p, q, 2, &st, rec);
	ok(st.slo_attainment == 0.0 && st.acc_misses == 2 && st.lat_misses == 0,
	   "floors of 0.9 that A (0.8) misses: SLO 0%%, 2 accuracy misses");
	q[0].acc_floor = q[1].acc_floor = 0.0;
	ok(st.offchip_weight_bytes == 128 && st.offchip_act_bytes == 80 &&
	   st.offchip_epi_bytes == 24, "split: 128 weight, 80 activation, 24 epilogue bytes");
	/* pinning A before the first query: its load occupies the accelerator */
	sushi_eval_plan(sp, &p, plan, 2, q, 2, &st, rec);
	ok(rec[0].finish_ns == 26 + 30 && rec[1].finish_ns == 56 + 30,
	   "A pinned: the load (26 ns) runs before the first query: 56 and 86 ns "
	   "(%llu, %llu)", (unsigned long long)rec[0].finish_ns,
	   (unsigned long long)rec[1].finish_ns);
	ok(st.pb_reloads == 1 && st.pb_bytes_loaded == 64 && st.pb_bytes_served == 128,
	   "one load of 64 bytes, 128 bytes served from the PB");
	is_u64(st.offchip_bytes, 64 + 2 * (40 + 12), "off-chip bytes: the load + 2 x (40 + 12)");
	is_int(sushi_eval_objective(&st, SUSHI_OBJECTIVE_SAVING), 128 - 64,
	       "saving objective: served - loaded");
	is_int(sushi_eval_objective(&st, SUSHI_OBJECTIVE_OFFCHIP), -(64 + 2 * 52),
	       "off-chip objective: minus the off-chip bytes");
	/* the load counts in the wait: ceiling 50, load 26 leaves 24 < 30 */
	q[0].lat_ceiling_ns = 50;
	sushi_eval_plan(sp, &p, plan, 2, q, 2, &st, rec);
	ok(rec[0].subnet == B && st.fallbacks >= 1,
	   "ceiling 50 ns after a 26 ns load: A (30 ns) no longer fits, nor B "
	   "(26 ns unpinned): the fastest, B, as a fallback");
	plan[0] = plan[1] = 0;
	sushi_eval_plan(sp, &p, plan, 2, q, 2, &st, rec);
	ok(rec[0].subnet == A && rec[0].finish_ns == 46,
	   "ceiling 50 ns, nothing to load: A (46 ns) fits and is served");
}

static void select_floor(const struct sushi_sched_space *sp)
{
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_NO_PB, .q = 1, .w = 1 };
	struct sushi_query q = { 0, 0.75, 1000 };
	struct sushi_decision d;
	struct sushi_sched *s = mini_sched(sp, &p);

	sushi_sched_decide(s, &q, 0, &d);
	is_int(d.subnet, A, "accuracy mode: A, the most accurate within the ceiling");
	sushi_sched_free(s);
	p.select = SUSHI_SELECT_FLOOR;
	s = mini_sched(sp, &p);
	q.acc_floor = 0.6;
	sushi_sched_decide(s, &q, 0, &d);
	is_int(d.subnet, B, "floor mode, floor 0.6: B, cheaper and meets it");
	q.acc_floor = 0.75;
	sushi_sched_decide(s, &q, 0, &d);
	is_int(d.subnet, A, "floor mode, floor 0.75: A, the only one meeting it");
	q.acc_floor = 0.9;
	sushi_sched_decide(s, &q, 0, &d);
	ok(d.subnet == A && !d.fallback, "floor 0.9, met by none: as accuracy mode, A");
	q.lat_ceiling_ns = 30;
	q.acc_floor = 0.75;
	sushi_sched_decide(s, &q, 0, &d);
	ok(d.subnet == B && !d.fallback,
	   "floor 0.75, ceiling 30 ns: A (46) is too slow, B within the ceiling");
	sushi_sched_free(s);
	p.select = SUSHI_SELECT_COUNT;
	{
		struct sushi_sched *x = (struct sushi_sched *)1;

		is_int(sushi_sched_new(sp, &p, &x), -EINVAL, "an unknown select mode is refused (-EINVAL)");
		ok(x == NULL, "and *out is NULL");
	}
	is_int(sushi_select_from_name("floor"), SUSHI_SELECT_FLOOR, "select mode by name");
	is_int(sushi_objective_from_name("offchip"), SUSHI_OBJECTIVE_OFFCHIP,
	       "objective by name");
}

/*
 * Serve n queries with ceiling c through s (*i: queries it served so far);
 * count loads and loads not before a multiple of q; the last SubGraph.
 */
static uint32_t serve(struct sushi_sched *s, uint64_t *i, int n, uint64_t c,
		      uint32_t *loads, uint32_t *loads_off_q, uint32_t q)
{
	struct sushi_query qq = { 0, 0.0, c };
	struct sushi_decision d = { 0 };

	for (int k = 0; k < n; k++, (*i)++) {
		sushi_sched_decide(s, &qq, 0, &d);
		*loads += d.n_loads;
		if (d.n_loads && *i % q)
			(*loads_off_q)++;
	}
	return d.subgraph;
}

static void sushisched(const struct sushi_sched_space *sp)
{
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_SUSHI, .q = 1, .w = 4 };
	struct sushi_sched *s = mini_sched(sp, &p);
	uint32_t loads = 0, off_q = 0, g;
	uint64_t i = 0;

	/* Q = 1: a SubGraph saves at most its own bytes in one query, its
	 * load costs all of them: never worth it */
	serve(s, &i, 40, 1000, &loads, &off_q, 1);
	is_int(loads, 0, "Q = 1: SushiSched never reloads (one query cannot pay a load)");
	sushi_sched_free(s);

	p.q = 4;
	s = mini_sched(sp, &p);
	loads = 0;
	i = 0;
	g = serve(s, &i, 64, 1000, &loads, &off_q, 4);
	ok(g == cand_a && loads == 1, "Q = 4, A demanded: A's slice pinned, loaded once "
	   "(candidate %u, %u loads)", g, loads);
	is_int(off_q, 0, "switches happen only before every Q-th query");
	/* ceiling 28 ns: A (30 pinned) no longer fits, B (26 unpinned) does */
	g = serve(s, &i, 4, 28, &loads, &off_q, 4);
	is_int(g, cand_a, "after 4 queries for B the window (W = 4) is not yet full "
	       "of B at a boundary: still A");
	g = serve(s, &i, 4, 28, &loads, &off_q, 4);
	is_int(g, cand_b, "4 more: the window forgot A, SushiSched pins B");
	is_int(off_q, 0, "still only at Q boundaries");
	sushi_sched_free(s);
}

static void lru(const struct sushi_sched_space *sp)
{
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_LRU, .q = 1, .w = 1 };
	struct sushi_sched *s = mini_sched(sp, &p);
	struct sushi_slice c[2];
	struct sushi_decision d;
	unsigned over = 0;

	for (int i = 0; i < 6; i++) {
		struct sushi_query q = { 0, 0.0, i % 2 ? 28 : 1000 };	/* A, B, A, .. */

		sushi_sched_decide(s, &q, 0, &d);
		sushi_sched_pb_content(s, c);
		over += (uint64_t)c[0].rows * c[0].row_bytes +
			(uint64_t)c[1].rows * c[1].row_bytes > m.pb_bytes;
		if (i == 1)
			ok(d.subnet == B && d.fill_ns == 10 + 14 && d.n_loads == 1 &&
			   !c[0].rows && c[1].rows == 2,
			   "LRU after B: A's slice invalidated (10 ns), B's loaded (14 ns) "
			   "after the query (fill %llu ns)", (unsigned long long)d.fill_ns);
	}
	is_int(over, 0, "LRU never holds more than the PB");
	sushi_sched_free(s);
	{
		/* its fills run after the query and hold up the next one */
		struct sushi_query q[2] = { { 0, 0.0, 1000 }, { 0, 0.0, 1000 } };
		struct sushi_eval_record rec[2];
		struct sushi_eval_stats st;

		sushi_eval_run(sp, &p, q, 2, &st, rec);
		ok(rec[0].subnet == A && rec[0].finish_ns == 46 &&
		   rec[1].finish_ns == 46 + 26 + 30,
		   "LRU: A at 46 ns, then its 26 ns fill, then A pinned (30 ns): "
		   "%llu ns", (unsigned long long)rec[1].finish_ns);
	}
}

static void statics(const struct sushi_sched_space *sp)
{
	uint32_t g;

	ok(!sushi_sched_space_policy_subgraph(sp, SUSHI_POLICY_STATIC_LARGEST, &g) &&
	   g == cand_a, "static-largest pins A's slice (64 bytes, the most)");
	for (int pol = SUSHI_POLICY_NO_PB; pol <= SUSHI_POLICY_STATIC_LARGEST; pol++) {
		struct sushi_sched_params p = { .policy = (enum sushi_policy)pol, .q = 4, .w = 4 };
		struct sushi_query q = { 0, 0.0, 1000 };
		struct sushi_decision d;
		struct sushi_sched *s;
		uint32_t want;

		if (pol == SUSHI_POLICY_LRU || pol == SUSHI_POLICY_ORACLE)
			continue;
		sushi_sched_space_policy_subgraph(sp, (enum sushi_policy)pol, &want);
		s = mini_sched(sp, &p);
		sushi_sched_decide(s, &q, 0, &d);
		ok(d.subgraph == want && d.n_loads == (want ? 1u : 0u),
		   "%s pins candidate %u before its first query",
		   sushi_policy_name((enum sushi_policy)pol), want);
		sushi_sched_free(s);
	}
	ok(!sushi_sched_space_policy_subgraph(sp, SUSHI_POLICY_STATIC_SMALLEST, &g) &&
	   g == cand_b, "static-smallest pins B's slice (16 bytes)");
	ok(!sushi_sched_space_policy_subgraph(sp, SUSHI_POLICY_STATIC_INTERSECT, &g) &&
	   g == 0, "static-intersect pins nothing (A and B share no layer)");
	is_int(sushi_sched_space_policy_subgraph(sp, SUSHI_POLICY_BEST_STATIC, &g),
	       -EINVAL, "best-static depends on the trace: no fixed candidate");
	ok(sushi_policy_offline(SUSHI_POLICY_BEST_STATIC) &&
	   sushi_policy_offline(SUSHI_POLICY_ORACLE) &&
	   !sushi_policy_offline(SUSHI_POLICY_STATIC_LARGEST), "offline policies");
}

/*
 * With an 80-byte PB both SubNets' slices fit together: their union (A's
 * 64 bytes of layer 0 and B's 16 of layer 1) is a candidate of its own,
 * the only one that serves both from the PB.
 */
static void union_candidate(void)
{
	struct sushi_sched_space *sp = NULL;
	uint32_t G, found = 0;

	m.pb_bytes = 80;
	if (!ok(mini_space(&m, &sp) == 0, "the space with an 80-byte PB"))
		return;
	G = sushi_sched_space_subgraphs(sp);
	is_int(G, 4, "4 distinct candidates: empty, A, B, A and B");
	for (uint32_t g = 0; g < G; g++)
		found += sushi_sched_space_subgraph_bytes(sp, g) == 80;
	is_int(found, 1, "one candidate pins A's and B's slices: 80 bytes");
	sushi_sched_space_free(sp);
	m.pb_bytes = 64;
}

int main(int argc, char **argv)
{
	struct sushi_sched_space *sp;

	tap_init(argc, argv);
	sp = build();
	ok(sp != NULL, "the hand-priced space builds");
	if (!sp)
		return tap_done();
	tables(sp);
	evaluator(sp);
	select_floor(sp);
	sushisched(sp);
	lru(sp);
	statics(sp);
	sushi_sched_space_free(sp);
	union_candidate();
	return tap_done();
}

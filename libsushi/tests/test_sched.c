// SPDX-License-Identifier: MIT
/*
 * test_sched.c - the scheduling space and the policies on a synthetic
 * SuperNet priced by the model library: the tables equal the model run on
 * each SubNet's whole LAUNCH with the SubGraph pinned; no candidate is
 * dropped and every SubNet has its own; decisions follow the documented
 * rule in both select modes (checked by brute force); SushiSched moves to
 * the SubGraph its window asks for; LRU stays within the PB and decides on
 * its real content; bad arguments are refused.
 */
#include <errno.h>

#include "mini.h"
#include "sushi_model.h"
#include "synth.h"
#include "tap.h"

static struct sushi_model_config cfg;
static struct synth sy;

/* Cost of net s's LAUNCH with SubGraph g pinned, straight from the model. */
static uint64_t launch_ns(const struct sushi_sched_space *sp, uint32_t s,
			  uint32_t g, uint64_t *pb_bytes)
{
	const struct sushi_slice *sg = sushi_sched_space_subgraph(sp, g);
	struct sushi_pb *pb = sushi_pb_new(cfg.pb_bytes, SY_WL, false);
	struct sushi_cost tot;
	uint64_t off = 0;

	for (uint32_t l = 0; l < SY_WL; l++) {
		struct sushi_pb_range r = {
			.dva = sy.wl[l].w_addr, .row_stride = sy.wl[l].w_stride,
			.row_bytes = sg[l].row_bytes, .rows = sg[l].rows,
			.pb_offset = off,
		};

		if (!sg[l].rows)
			continue;
		off += (uint64_t)r.rows * r.row_bytes;
		if (sushi_pb_insert(pb, &r, NULL))
			return 0;
	}
	sushi_model_layers_cost(&cfg, pb, sy.nets[s].layers, sy.nets[s].n_layers,
				&tot, NULL, NULL);
	sushi_pb_free(pb);
	*pb_bytes = tot.pb_rd;
	return sushi_model_cycles_to_ns(&cfg, tot.cycles);
}

static void tables(const struct sushi_sched_space *sp)
{
	uint32_t G = sushi_sched_space_subgraphs(sp), bad = 0, checked = 0;
	uint32_t S = sushi_sched_space_subnets(sp);

	ok(G >= 3 && G <= sushi_sched_space_raw_candidates(sp), "%u candidate SubGraphs", G);
	is_int(sushi_sched_space_raw_candidates(sp), 2 * S + 2,
	       "2 S + 2 raw candidates: none dropped");
	is_u64(sushi_sched_space_subgraph_bytes(sp, 0), 0, "candidate 0 is empty");
	for (uint32_t s = 0; s < S; s++) {
		uint32_t g = sushi_sched_space_subnet_subgraph(sp, s);
		uint64_t w = sushi_sched_space_cell(sp, s, 0)->weights;

		if (g >= G) {
			bad++;
			continue;
		}
		/* fitting the SubNet: all of it, or as much as the PB holds */
		if (w <= cfg.pb_bytes)
			bad += sushi_sched_space_subgraph_bytes(sp, g) != w ||
			       sushi_sched_space_cell(sp, s, g)->pb != w;
		else
			bad += sushi_sched_space_cell(sp, s, g)->pb !=
			       sushi_sched_space_subgraph_bytes(sp, g) ||
			       !sushi_sched_space_subgraph_bytes(sp, g);
	}
	is_int(bad, 0, "every SubNet has its own candidate: its slices, fitted");
	ok(sushi_sched_space_subnet_subgraph(sp, S) == UINT32_MAX,
	   "a SubNet out of range has none");
	bad = 0;
	for (uint32_t g = 0; g < G; g++)
		if (sushi_sched_space_subgraph_bytes(sp, g) > cfg.pb_bytes)
			bad++;
	is_int(bad, 0, "every candidate fits in the PB");
	bad = 0;
	for (uint32_t s = 0; s < S; s++) {
		for (uint32_t g = 0; g < G; g++) {
			uint64_t pb = 0, ns = launch_ns(sp, s, g, &pb);
			const struct sushi_sched_cell *c = sushi_sched_space_cell(sp, s, g);
			uint64_t want_ns = ns;

			/* the table converts the summed cycles once, like a launch */
			bad += c->ns != want_ns || c->pb != pb;
			checked++;
		}
	}
	is_int(bad, 0, "all %u table cells equal the model's whole-LAUNCH cost", checked);
	ok(sushi_sched_space_cell(sp, S, 0) == NULL, "cell out of range is NULL");
	{
		const struct sushi_sched_cell *e = sushi_sched_space_cell(sp, S - 1, 0);
		uint32_t best = 0;

		for (uint32_t g = 1; g < G; g++)
			if (sushi_sched_space_cell(sp, S - 1, g)->ns <
			    sushi_sched_space_cell(sp, S - 1, best)->ns)
				best = g;
		ok(sushi_sched_space_cell(sp, S - 1, best)->ns < e->ns,
		   "pinning makes the biggest SubNet faster (%llu < %llu ns)",
		   (unsigned long long)sushi_sched_space_cell(sp, S - 1, best)->ns,
		   (unsigned long long)e->ns);
	}
}

/* brute force of the rule: most accurate within budget, else fastest */
static uint32_t expect_pick(const struct sushi_sched_space *sp, uint32_t g,
			    uint64_t budget)
{
	uint32_t S = sushi_sched_space_subnets(sp), best = UINT32_MAX, fast = 0;

	for (uint32_t s = 0; s < S; s++) {
		const struct sushi_sched_cell *c = sushi_sched_space_cell(sp, s, g);

		if (c->ns < sushi_sched_space_cell(sp, fast, g)->ns)
			fast = s;
		if (c->ns <= budget &&
		    (best == UINT32_MAX ||
		     sushi_sched_space_accuracy(sp, s) > sushi_sched_space_accuracy(sp, best)))
			best = s;
	}
	return best == UINT32_MAX ? fast : best;
}

/* brute force of the floor mode: cheapest meeting floor and ceiling */
static uint32_t expect_floor(const struct sushi_sched_space *sp, uint32_t g,
			     uint64_t budget, double floor)
{
	uint32_t S = sushi_sched_space_subnets(sp), acc = expect_pick(sp, g, budget);
	uint32_t best = UINT32_MAX;

	if (sushi_sched_space_cell(sp, acc, g)->ns > budget ||
	    sushi_sched_space_accuracy(sp, acc) < floor)
		return acc;
	for (uint32_t s = 0; s < S; s++) {
		const struct sushi_sched_cell *c = sushi_sched_space_cell(sp, s, g), *b;

		if (c->ns > budget || sushi_sched_space_accuracy(sp, s) < floor)
			continue;
		if (best == UINT32_MAX) {
			best = s;
			continue;
		}
		b = sushi_sched_space_cell(sp, best, g);
		if (c->dram < b->dram || (c->dram == b->dram && (c->ns < b->ns ||
		    (c->ns == b->ns && sushi_sched_space_accuracy(sp, s) >
				       sushi_sched_space_accuracy(sp, best)))))
			best = s;
	}
	return best;
}

static void floor_mode(const struct sushi_sched_space *sp)
{
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_STATIC_LARGEST, .q = 8,
					.w = 16, .select = SUSHI_SELECT_FLOOR };
	struct sushi_sched *s = mini_sched(sp, &p);
	struct sushi_decision d;
	uint64_t seed = 5;
	int bad = 0, cheaper = 0;

	for (int i = 0; i < 500; i++) {
		struct sushi_query q = { .arrival_ns = 0,
					 .acc_floor = 0.55 + (double)(tap_rand(&seed) % 300) / 1000,
					 .lat_ceiling_ns = tap_rand(&seed) % 3000000 };
		uint32_t want;

		sushi_sched_decide(s, &q, 0, &d);
		want = expect_floor(sp, d.subgraph, q.lat_ceiling_ns, q.acc_floor);
		bad += d.subnet != want;
		cheaper += want != expect_pick(sp, d.subgraph, q.lat_ceiling_ns);
	}
	is_int(bad, 0, "500 random decisions in floor mode (static-largest pinned) "
	       "follow the rule (brute force)");
	ok(cheaper > 0, "... and %d of them differ from accuracy mode", cheaper);
	sushi_sched_free(s);
}

/*
 * Floor mode on hand-priced random spaces, where the SubNet moving the
 * fewest bytes is often not the fastest: every candidate pinned in turn.
 */
static void floor_mini(void)
{
	uint64_t seed = 77;
	int bad = 0, by_bytes = 0, n = 0;

	for (int k = 0; k < 30; k++) {
		struct sushi_sched_space *sp;
		struct mini m;

		mini_random(&m, 4, 3, &seed);
		if (mini_space(&m, &sp)) {
			bad++;
			continue;
		}
		for (uint32_t g = 0; g < sushi_sched_space_subgraphs(sp); g++) {
			struct sushi_sched_params p = { .policy = SUSHI_POLICY_SUSHI, .q = 1000,
							.w = 1, .select = SUSHI_SELECT_FLOOR };
			struct sushi_sched *s = mini_sched(sp, &p);
			struct sushi_decision d;

			sushi_sched_force_subgraph(s, g, &d);
			for (int i = 0; i < 40; i++) {
				struct sushi_query q = {
					.acc_floor = 0.5 + (double)(mini_rand(&seed) % 40) / 100,
					.lat_ceiling_ns = mini_rand(&seed) % 2000 };
				uint32_t want = expect_floor(sp, g, q.lat_ceiling_ns, q.acc_floor);
				uint32_t f = want;

				sushi_sched_decide(s, &q, 0, &d);
				bad += d.subnet != want;
				n++;
				/* would the fastest qualifying SubNet have been another? */
				for (uint32_t x = 0; x < sushi_sched_space_subnets(sp); x++) {
					const struct sushi_sched_cell *c = sushi_sched_space_cell(sp, x, g);

					if (c->ns <= q.lat_ceiling_ns &&
					    sushi_sched_space_accuracy(sp, x) >= q.acc_floor &&
					    c->ns < sushi_sched_space_cell(sp, f, g)->ns)
						f = x;
				}
				by_bytes += f != want;
			}
			sushi_sched_free(s);
		}
		sushi_sched_space_free(sp);
	}
	is_int(bad, 0, "floor mode on 30 hand-priced spaces, every candidate pinned, "
	       "%d decisions: the rule (brute force)", n);
	ok(by_bytes > 0, "... %d of them where the cheapest in bytes is not the fastest",
	   by_bytes);
}

static void decisions(const struct sushi_sched_space *sp)
{
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_NO_PB, .q = 8, .w = 16 };
	struct sushi_sched *s = mini_sched(sp, &p), *s2;
	struct sushi_decision d;
	uint64_t seed = 3;
	int bad = 0;

	for (int i = 0; i < 500; i++) {
		struct sushi_query q = { .arrival_ns = 0, .acc_floor = 0.5,
					 .lat_ceiling_ns = tap_rand(&seed) % 3000000 };
		uint64_t wait = tap_rand(&seed) % 100000;
		uint32_t want = expect_pick(sp, 0, q.lat_ceiling_ns >= wait ?
					    q.lat_ceiling_ns - wait : 0);

		if (q.lat_ceiling_ns < wait)
			want = expect_pick(sp, 0, 0);
		sushi_sched_decide(s, &q, wait, &d);
		bad += d.subnet != want;
	}
	is_int(bad, 0, "500 random decisions follow the rule (brute force)");
	{
		struct sushi_query q = { 0, 0.0, 1 };

		sushi_sched_decide(s, &q, 0, &d);
		ok(d.fallback, "an impossible ceiling falls back to the fastest");
	}
	is_int(sushi_sched_decide(s, NULL, 0, &d), -EINVAL, "NULL query refused");
	sushi_sched_free(s);

	p.q = 0;
	s2 = (struct sushi_sched *)1;
	is_int(sushi_sched_new(sp, &p, &s2), -EINVAL, "Q = 0 refused");
	ok(s2 == NULL, "and *out is NULL");
	p.q = 4;
	p.w = 0;
	is_int(sushi_sched_new(sp, &p, &s2), -EINVAL, "W = 0 refused");
	p.w = 8;
	p.policy = SUSHI_POLICY_ORACLE;
	is_int(sushi_sched_new(sp, &p, &s2), -EINVAL, "the oracle is not an online policy");
	is_int(sushi_sched_new(sp, &p, NULL), -EINVAL, "a NULL out refused");
	is_int(sushi_policy_from_name("lru"), SUSHI_POLICY_LRU, "policy by name");
	is_int(sushi_policy_from_name("nope"), -EINVAL, "unknown policy name");
}

static void sushi_follows_demand(const struct sushi_sched_space *sp)
{
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_SUSHI, .q = 4, .w = 8 };
	struct sushi_sched *s = mini_sched(sp, &p);
	struct sushi_query q = { .arrival_ns = 0, .acc_floor = 0,
				 .lat_ceiling_ns = UINT64_MAX / 4 };
	struct sushi_decision d;
	uint32_t loads = 0, first = 0;

	for (int i = 0; i < 12; i++) {
		sushi_sched_decide(s, &q, 0, &d);
		loads += d.n_loads;
		if (i == 0)
			first = d.subgraph;
	}
	is_int(first, 0, "SushiSched starts with an empty PB");
	ok(d.subgraph != 0 && d.cell.pb > 0,
	   "after Q queries for the biggest SubNet it pins a SubGraph it reads (%llu PB bytes)",
	   (unsigned long long)d.cell.pb);
	ok(loads > 0, "the switch was paid for with PB loads (%u)", loads);
	sushi_sched_free(s);
}

static void lru(const struct sushi_sched_space *sp)
{
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_LRU, .q = 1, .w = 1 };
	struct sushi_sched *s = mini_sched(sp, &p);
	struct sushi_decision d;
	uint64_t seed = 11, served_pb = 0;
	int bad = 0;

	struct sushi_slice *content = calloc(SY_WL, sizeof(*content));
	int over = 0, wrong_cost = 0;

	for (int i = 0; i < 300; i++) {
		struct sushi_query q = { 0, 0, tap_rand(&seed) % 2000000 };
		struct sushi_sched_cell c;
		uint64_t used = 0;

		sushi_sched_pb_content(s, content);
		sushi_sched_decide(s, &q, 0, &d);
		sushi_sched_space_cost(sp, d.subnet, content, &c);
		wrong_cost += c.ns != d.cell.ns || c.pb != d.cell.pb || c.dram != d.cell.dram;
		served_pb += d.cell.pb;
		bad += d.subgraph != UINT32_MAX;
		bad += d.cell.pb > d.cell.weights;
		sushi_sched_pb_content(s, content);
		for (uint32_t l = 0; l < SY_WL; l++)
			used += (uint64_t)content[l].rows * content[l].row_bytes;
		over += used > cfg.pb_bytes;
	}
	free(content);
	is_int(bad, 0, "LRU reports slices, never more PB bytes than weights");
	is_int(over, 0, "LRU never holds more than the PB");
	is_int(wrong_cost, 0, "LRU's decisions are priced on the content it holds");
	ok(served_pb > 0, "LRU serves weights from the PB (%llu bytes)",
	   (unsigned long long)served_pb);
	sushi_sched_free(s);
}

static void space_errors(void)
{
	struct sushi_slice sl[2] = { { 1, 0 }, { 0, 0 } };
	struct sushi_sched_space *sp = NULL, *bad = (struct sushi_sched_space *)1;
	struct sushi_sched_space *out = NULL;

	is_int(sushi_sched_space_new(1, 2, &sp), 0, "a 1 x 2 space");
	is_int(sushi_sched_space_new(0, 2, &bad), -EINVAL, "zero SubNets refused (-EINVAL)");
	ok(bad == NULL, "and *out is NULL");
	is_int(sushi_sched_space_new(1, 0, &bad), -EINVAL, "zero layers refused (-EINVAL)");
	is_int(sushi_sched_space_new(1, 2, NULL), -EINVAL, "a NULL out refused");
	is_int(sushi_sched_space_subnet(sp, 0, 0.5, sl), -EINVAL,
	       "a slice with rows but no bytes is refused");
	sl[0].row_bytes = 4;
	is_int(sushi_sched_space_subnet(sp, 0, 1.5, sl), -EINVAL,
	       "accuracy above 1 is refused");
	is_int(sushi_sched_space_subnet(sp, 1, 0.5, sl), -EINVAL,
	       "SubNet index out of range is refused");
	is_int(sushi_sched_space_finish(sp, NULL, NULL, 1000000, 0), -EINVAL,
	       "finish without cost ops is refused");
	sushi_sched_space_free(sp);
	{
		struct sushi_hw_layer l = sy.nets[0].layers[0];
		struct sushi_sched_net n = { 0.5, &l, 1 };

		l.w_addr += 1;	/* names no weight layer */
		is_int(sushi_sched_space_from_model(&cfg, sy.wl, SY_WL, &n, 1, &out),
		       -EINVAL, "a descriptor naming no weight layer is refused");
		ok(out == NULL, "no space on error");
	}
}

int main(int argc, char **argv)
{
	struct sushi_sched_space *sp = NULL;
	int ret;

	tap_init(argc, argv);
	sushi_model_config_default(&cfg);
	cfg.pb_bytes = 256 << 10;	/* smaller than the biggest SubNet */
	if (synth_build(&sy))
		return 1;
	ret = sushi_sched_space_from_model(&cfg, sy.wl, SY_WL, sy.nets, sy.n, &sp);
	is_int(ret, 0, "space from the model: %u SubNets, %u weight layers", sy.n, SY_WL);
	if (!ret) {
		tables(sp);
		decisions(sp);
		floor_mode(sp);
		sushi_follows_demand(sp);
		lru(sp);
	}
	floor_mini();
	space_errors();
	sushi_sched_space_free(sp);
	synth_free(&sy);
	return tap_done();
}

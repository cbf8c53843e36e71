// SPDX-License-Identifier: MIT
/*
 * libsushi_netdev_test.c - in-guest TAP test of a SuperNet on the device
 * (sushi/netdev.h) with the shipped Fashion-MNIST SuperNet: every SubNet's
 * outputs equal the model library's compute byte for byte and its job
 * statistics the model's cost (unpinned and with another SubNet pinned);
 * the device-profiled scheduling space equals the model-priced one cell by
 * cell, and every cell equals a real pinned launch; the error paths; and
 * `sushictl run --json` against the model and a direct run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "guest_tap.h"
#include "guest_util.h"
#include "sushi/device.h"
#include "sushi/netdev.h"
#include "sushi/supernet.h"
#include "sushi_model.h"

#define SUPERNET	"/data/fmnist-supernet.safetensors"
#define IMAGES		"/data/fmnist-test-1000-images.idx"
#define SUSHICTL	"/bin/sushictl"
#define N_IMAGES	3
#define MAX_OUT		4096

struct ctx {
	struct sushi_device *dev;
	struct sushi_supernet *sn;
	struct sushi_supernet_info info;
	struct sushi_supernet_map map;
	struct sushi_model_config cfg;
	struct sushi_caps caps;
	struct sushi_netdev *nd;
	uint8_t *images;	/* IDX pixels */
	uint32_t n_images;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The image sample: 0 or -1. */
static int load_images(struct ctx *c)
{
	FILE *f = fopen(IMAGES, "rb");
	uint8_t h[16];
	size_t n;

	if (!f || fread(h, 1, 16, f) != 16 || be32(h) != 0x803 ||
	    be32(h + 8) != c->info.in_h || be32(h + 12) != c->info.in_w) {
		if (f)
			fclose(f);
		return -1;
	}
	c->n_images = be32(h + 4);
	n = (size_t)c->n_images * c->info.in_h * c->info.in_w;
	c->images = malloc(n);
	if (!c->images || fread(c->images, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* int8ref.images_to_input: pixel - 128 */
static void image_input(const struct ctx *c, uint32_t i, int8_t *in)
{
	const size_t n = (size_t)c->info.in_h * c->info.in_w;

	for (size_t k = 0; k < n; k++)
		in[k] = (int8_t)((int)c->images[i * n + k] - 128);
}

/* The model library's compute of SubNet @s on @in, on the host: 0 or -errno. */
static int host_run(const struct ctx *c, uint32_t s, const int8_t *in,
		    int8_t *out)
{
	return ref_subnet(c->sn, &c->map, s, in, out);
}

/* The model's cost of SubNet @s with SubGraph @sg pinned (NULL: none). */
static int model_cost(const struct ctx *c, uint32_t s,
		      const struct sushi_slice *sg, struct sushi_cost *cost)
{
	struct sushi_pb_range r[256];
	struct sushi_subnet_info si;
	struct sushi_subnet_io io;
	struct sushi_hw_layer *l;
	struct sushi_pb *pb;
	uint32_t n = 0;
	uint64_t bytes;
	int ret = sushi_supernet_subnet(c->sn, s, &si);

	if (ret || c->info.n_weight_layers > 256)
		return ret ? ret : -E2BIG;
	l = calloc(si.n_layers, sizeof(*l));
	pb = sushi_pb_new(c->cfg.pb_bytes, c->cfg.pb_entries, false);
	ret = (!l || !pb) ? -ENOMEM :
	      sushi_supernet_layers(c->sn, s, &c->map, l, &io);
	if (!ret && sg)
		ret = sushi_supernet_subgraph_ranges(c->sn, sg, &c->map, r, &n,
						     &bytes);
	for (uint32_t i = 0; !ret && i < n; i++)
		ret = sushi_pb_insert(pb, &r[i], NULL);
	if (!ret)
		ret = sushi_model_layers_cost(&c->cfg, pb, l, si.n_layers, cost,
					      NULL, NULL);
	sushi_pb_free(pb);
	free(l);
	return ret;
}

static int stats_eq(const struct sushi_job_stats *st,
		    const struct sushi_cost *m)
{
	return st->status == SUSHI_JOB_OK && st->cycles == m->cycles &&
	       st->macs == m->macs && st->dram_rd == m->dram_rd &&
	       st->dram_wr == m->dram_wr && st->pb_rd == m->pb_rd &&
	       st->energy_fj == m->energy_fj &&
	       st->offchip_fj == m->offchip_fj;
}

static void print_diff(const struct sushi_job_stats *st,
		       const struct sushi_cost *m)
{
	printf("#   device cycles %llu dram %llu/%llu pb %llu energy %llu; "
	       "model %llu dram %llu/%llu pb %llu energy %llu\n",
	       (unsigned long long)st->cycles, (unsigned long long)st->dram_rd,
	       (unsigned long long)st->dram_wr, (unsigned long long)st->pb_rd,
	       (unsigned long long)st->energy_fj, (unsigned long long)m->cycles,
	       (unsigned long long)m->dram_rd, (unsigned long long)m->dram_wr,
	       (unsigned long long)m->pb_rd, (unsigned long long)m->energy_fj);
}

/* Every SubNet on N_IMAGES images, unpinned, then with SubNet s+1 pinned. */
static void test_subnets(struct ctx *c)
{
	const uint32_t S = c->info.n_subnets;
	struct sushi_slice *sg = calloc(c->info.n_weight_layers, sizeof(*sg));
	int8_t in[4096], dev_out[MAX_OUT], ref[MAX_OUT];

	OK(S >= 2, "the shipped SuperNet has %u SubNets (at least 2)", S);
	if (!sg || (uint64_t)c->info.in_h * c->info.in_w * c->info.in_c > sizeof(in))
		return;
	for (uint32_t s = 0; s < S; s++) {
		struct sushi_subnet_info si;
		struct sushi_subnet_io io;
		struct sushi_job_stats st;
		struct sushi_cost m;
		uint32_t p = (s + 1) % S, set = 0;
		int bytes_ok = 1, cost_ok = 1, ret = 0;

		sushi_supernet_subnet(c->sn, s, &si);
		sushi_netdev_io(c->nd, s, &io);
		if (io.out_bytes > MAX_OUT || model_cost(c, s, NULL, &m)) {
			OK(0, "%s: its output fits and the model prices it", si.id);
			continue;
		}
		for (uint32_t i = 0; i < N_IMAGES && !ret; i++) {
			image_input(c, i, in);
			ret = sushi_netdev_run(c->nd, s, 0, in, io.in_bytes,
					       dev_out, sizeof(dev_out), &st);
			if (ret || host_run(c, s, in, ref))
				break;
			bytes_ok &= !memcmp(dev_out, ref, io.out_bytes);
			if (!stats_eq(&st, &m)) {
				if (cost_ok)
					print_diff(&st, &m);
				cost_ok = 0;
			}
		}
		EQ(0, ret, "%s: runs on the device", si.id);
		OK(!ret && bytes_ok, "%s: %u images, %llu class scores each, equal "
		   "to the model library's compute byte for byte", si.id,
		   N_IMAGES, (unsigned long long)io.out_bytes);
		OK(!ret && cost_ok, "%s: cycles %llu, DRAM %llu/%llu B, energy "
		   "equal to the model's cost", si.id,
		   (unsigned long long)m.cycles, (unsigned long long)m.dram_rd,
		   (unsigned long long)m.dram_wr);

		/* with another SubNet's slices pinned: same bytes, PB reads */
		sushi_supernet_slices(c->sn, p, sg);
		ret = sushi_netdev_pin(c->nd, sg, &set, NULL);
		if (!ret)
			ret = model_cost(c, s, sg, &m);
		image_input(c, s, in);
		if (!ret)
			ret = sushi_netdev_run(c->nd, s, set, in, io.in_bytes,
					       dev_out, sizeof(dev_out), &st);
		if (!ret)
			ret = host_run(c, s, in, ref);
		if (!ret && !stats_eq(&st, &m))
			print_diff(&st, &m);
		OK(!ret && !memcmp(dev_out, ref, io.out_bytes) &&
		   stats_eq(&st, &m) && m.pb_rd > 0,
		   "%s with sn%02u's slices pinned: same scores as the model, "
		   "%llu PB bytes read and the cost the model predicts", si.id,
		   p, (unsigned long long)m.pb_rd);
		if (set)
			EQ(0, sushi_netdev_unpin(c->nd, set), "%s: unpin", si.id);
	}
	free(sg);
}

static int slices_eq(const struct sushi_slice *a, const struct sushi_slice *b,
		     uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i].rows != b[i].rows || a[i].row_bytes != b[i].row_bytes)
			return 0;
	return 1;
}

/* The device-profiled space equals the model-priced one, cell by cell. */
static void compare_spaces(struct ctx *c, uint64_t pb_bytes, const char *what)
{
	struct sushi_sched_space *dev_sp = NULL, *mod_sp = NULL;
	struct sushi_model_config cfg = c->cfg;
	uint32_t G, S = c->info.n_subnets, L = c->info.n_weight_layers;
	uint32_t bad_sg = 0, bad_cell = 0, pinned_sg = 0;
	double t0 = now_s();
	int ret;

	ret = sushi_netdev_sched_space(c->nd, pb_bytes, &dev_sp);
	EQ(0, ret, "%s: device-profiled space built (%.2f s)", what,
	   now_s() - t0);
	cfg.pb_bytes = pb_bytes;
	EQ(0, sushi_supernet_sched_space(c->sn, &cfg, &c->map, &mod_sp),
	   "%s: model-priced space built", what);
	if (ret || !mod_sp)
		goto out;
	G = sushi_sched_space_subgraphs(mod_sp);
	EQ(G, sushi_sched_space_subgraphs(dev_sp), "%s: %u candidate SubGraphs "
	   "in both", what, G);
	if (G != sushi_sched_space_subgraphs(dev_sp))
		goto out;
	for (uint32_t g = 0; g < G; g++) {
		uint64_t b = sushi_sched_space_subgraph_bytes(dev_sp, g);

		if (!slices_eq(sushi_sched_space_subgraph(dev_sp, g),
			       sushi_sched_space_subgraph(mod_sp, g), L) ||
		    b != sushi_sched_space_subgraph_bytes(mod_sp, g))
			bad_sg++;
		if (b > 0 && b <= pb_bytes)
			pinned_sg++;
		for (uint32_t s = 0; s < S; s++) {
			const struct sushi_sched_cell *x = sushi_sched_space_cell(dev_sp, s, g);
			const struct sushi_sched_cell *y = sushi_sched_space_cell(mod_sp, s, g);

			if (!x || !y || memcmp(x, y, sizeof(*x))) {
				if (!bad_cell && x && y)
					printf("#   T[%u][%u]: device ns %llu dram %llu pb "
					       "%llu energy %llu, model ns %llu dram %llu pb "
					       "%llu energy %llu\n", s, g,
					       (unsigned long long)x->ns,
					       (unsigned long long)x->dram,
					       (unsigned long long)x->pb,
					       (unsigned long long)x->energy_fj,
					       (unsigned long long)y->ns,
					       (unsigned long long)y->dram,
					       (unsigned long long)y->pb,
					       (unsigned long long)y->energy_fj);
				bad_cell++;
			}
		}
	}
	EQ(0, bad_sg, "%s: the same SubGraphs (slices and bytes)", what);
	EQ(0, bad_cell, "%s: T[SubNet][SubGraph] equal in all %u x %u cells "
	   "(ns, DRAM, PB, weights, energy, off-chip)", what, S, G);
	OK(pinned_sg + 1 >= G && G > 1, "%s: %u SubGraphs of up to %llu PB "
	   "bytes really pinned", what, pinned_sg,
	   (unsigned long long)pb_bytes);

	/* each cell is also a real launch of the SubNet with g pinned */
	if (pb_bytes == c->caps.pb_bytes) {
		uint32_t bad = 0, runs = 0;
		int8_t in[4096], out[MAX_OUT];

		image_input(c, 0, in);
		for (uint32_t g = 0; g < G; g++) {
			uint32_t set = 0;

			if (sushi_sched_space_subgraph_bytes(dev_sp, g) &&
			    sushi_netdev_pin(c->nd, sushi_sched_space_subgraph(dev_sp, g),
					     &set, NULL)) {
				bad++;
				continue;
			}
			for (uint32_t s = 0; s < S; s++) {
				const struct sushi_sched_cell *x = sushi_sched_space_cell(dev_sp, s, g);
				struct sushi_subnet_io io;
				struct sushi_job_stats st;

				sushi_netdev_io(c->nd, s, &io);
				runs++;
				if (sushi_netdev_run(c->nd, s, set, in, io.in_bytes,
						     out, sizeof(out), &st) ||
				    sushi_model_cycles_to_ns(&c->cfg, st.cycles) != x->ns ||
				    st.dram_rd + st.dram_wr != x->dram ||
				    st.pb_rd != x->pb || st.energy_fj != x->energy_fj ||
				    st.offchip_fj != x->offchip_fj)
					bad++;
			}
			if (set)
				sushi_netdev_unpin(c->nd, set);
		}
		EQ(0, bad, "%s: all %u whole-SubNet launches with the SubGraph "
		   "pinned cost what their cell says", what, runs);
	}
out:
	sushi_sched_space_free(dev_sp);
	sushi_sched_space_free(mod_sp);
}

static void test_spaces(struct ctx *c)
{
	struct sushi_subnet_info si;
	uint64_t biggest = 0;

	compare_spaces(c, c->caps.pb_bytes, "device PB");
	/* a PB smaller than the largest SubNet: SubGraphs get fitted */
	for (uint32_t s = 0; s < c->info.n_subnets; s++)
		if (!sushi_supernet_subnet(c->sn, s, &si) && si.weight_bytes > biggest)
			biggest = si.weight_bytes;
	compare_spaces(c, biggest / 2, "half the largest SubNet's PB bytes");
}

/*
 * Several runs in flight: four slots, four SubNets submitted before any is
 * finished, each slot's scores the model's; the slot rules' errors.
 */
static void test_slots(struct ctx *c)
{
	const uint32_t S = c->info.n_subnets, K = 4;
	int8_t in[K][4096], out[MAX_OUT], ref[MAX_OUT];
	struct sushi_subnet_io io;
	uint32_t right = 0, sub[4];
	int ret;

	EQ(-EINVAL, sushi_netdev_slots(c->nd, 0), "slots: 0 refused");
	EQ(-EINVAL, sushi_netdev_slots(c->nd, SUSHI_NETDEV_MAX_SLOTS + 1),
	   "slots: more than SUSHI_NETDEV_MAX_SLOTS refused");
	EQ(-EINVAL, sushi_netdev_slots(NULL, 2), "slots: NULL netdev");
	EQ(0, sushi_netdev_slots(c->nd, K), "four activation arenas");
	sushi_netdev_io(c->nd, 0, &io);
	image_input(c, 0, in[0]);
	EQ(-EINVAL, sushi_netdev_submit(c->nd, K, 0, 0, in[0], io.in_bytes),
	   "submit: a slot the netdev does not have");
	EQ(-EINVAL, sushi_netdev_submit(c->nd, 0, 0, 0, in[0], io.in_bytes - 1),
	   "submit: a short input");
	EQ(-ENOENT, sushi_netdev_submit(c->nd, 0, S, 0, in[0], io.in_bytes),
	   "submit: no such SubNet");
	EQ(-EINVAL, sushi_netdev_finish(c->nd, 1, out, sizeof(out), NULL),
	   "finish: nothing submitted in the slot");
	for (uint32_t k = 0; k < K; k++) {
		sub[k] = (k * 5 + 2) % S;
		image_input(c, k + 7, in[k]);
		EQ(0, sushi_netdev_submit(c->nd, k, sub[k], 0, in[k], io.in_bytes),
		   "submit SubNet %u in slot %u without waiting", sub[k], k);
	}
	/* the same run again: -EBUSY, or 0 if the first already finished */
	ret = sushi_netdev_submit(c->nd, 0, sub[0], 0, in[0], io.in_bytes);
	OK(ret == -EBUSY || ret == 0, "submit on a busy slot: -EBUSY unless its "
	   "run has finished (%d)", ret);
	for (uint32_t k = K; k-- > 0;) {	/* finished out of order */
		struct sushi_subnet_io sio;

		sushi_netdev_io(c->nd, sub[k], &sio);
		if (!sushi_netdev_finish(c->nd, k, out, sizeof(out), NULL) &&
		    !host_run(c, sub[k], in[k], ref) &&
		    !memcmp(out, ref, sio.out_bytes))
			right++;
	}
	EQ(K, right, "each slot's class scores are the model's for its SubNet "
	   "and image");
	EQ(-EINVAL, sushi_netdev_finish(c->nd, 2, out, sizeof(out), NULL),
	   "finish: the slot's run was already finished");
}

static void test_errors(struct ctx *c)
{
	const uint32_t L = c->info.n_weight_layers;
	struct sushi_slice *sg = calloc(L, sizeof(*sg));
	struct sushi_weight_layer_info w;
	struct sushi_netdev **nds = NULL, *nd = NULL;
	struct sushi_sched_space *sp = NULL;
	struct sushi_pb_info before, after;
	struct sushi_subnet_io io;
	struct sushi_cost cost;
	uint32_t set = 0, *sets = NULL, set2, n_max;
	int8_t in[4096] = { 0 }, out[MAX_OUT];
	uint64_t full = 0;
	int k, ret = 0;

	if (!sg)
		return;
	sushi_netdev_io(c->nd, 0, &io);
	EQ(-EINVAL, sushi_netdev_create(NULL, c->sn, &nd), "create: NULL device");
	EQ(-EINVAL, sushi_netdev_create(c->dev, NULL, &nd), "create: NULL SuperNet");
	EQ(-EINVAL, sushi_netdev_create(c->dev, c->sn, NULL), "create: NULL out");
	EQ(-ENOENT, sushi_netdev_run(c->nd, c->info.n_subnets, 0, in, io.in_bytes,
				     out, sizeof(out), NULL),
	   "run: SubNet index %u (one past the catalog)", c->info.n_subnets);
	EQ(-ENOENT, sushi_netdev_run(c->nd, UINT32_MAX, 0, in, io.in_bytes, out,
				     sizeof(out), NULL), "run: SubNet index ~0");
	EQ(-ENOENT, sushi_netdev_io(c->nd, c->info.n_subnets, &io),
	   "io: bad SubNet index");
	{
		struct sushi_job_stats st, zero = { 0 };

		memset(&st, 0xa5, sizeof(st));
		OK(sushi_netdev_run(c->nd, 0, 0x7fffffff, in, io.in_bytes, out,
				    sizeof(out), &st) < 0 && !memcmp(&st, &zero, sizeof(st)),
		   "run: a launch refused (unknown pin set) leaves the stats zeroed, "
		   "not uninitialised");
		memset(&st, 0xa5, sizeof(st));
		OK(sushi_netdev_run(c->nd, UINT32_MAX, 0, in, io.in_bytes, out,
				    sizeof(out), &st) == -ENOENT && !memcmp(&st, &zero, sizeof(st)),
		   "run: a bad SubNet index leaves the stats zeroed");
	}
	EQ(-EINVAL, sushi_netdev_run(NULL, 0, 0, in, io.in_bytes, out,
				     sizeof(out), NULL), "run: NULL netdev");
	EQ(-EINVAL, sushi_netdev_run(c->nd, 0, 0, NULL, io.in_bytes, out,
				     sizeof(out), NULL), "run: NULL input");
	EQ(-EINVAL, sushi_netdev_run(c->nd, 0, 0, in, io.in_bytes, NULL,
				     sizeof(out), NULL), "run: NULL output");
	EQ(-EINVAL, sushi_netdev_run(c->nd, 0, 0, in, io.in_bytes - 1, out,
				     sizeof(out), NULL), "run: short input");
	EQ(-EINVAL, sushi_netdev_run(c->nd, 0, 0, in, io.in_bytes, out,
				     io.out_bytes - 1, NULL), "run: short output");
	EQ(-ENOENT, sushi_netdev_run(c->nd, 0, 4242, in, io.in_bytes, out,
				     sizeof(out), NULL), "run: unknown pin set");
	EQ(-EINVAL, sushi_netdev_pin(NULL, sg, &set, NULL), "pin: NULL netdev");
	EQ(-EINVAL, sushi_netdev_pin(c->nd, NULL, &set, NULL), "pin: NULL SubGraph");
	EQ(-EINVAL, sushi_netdev_pin(c->nd, sg, NULL, NULL), "pin: NULL handle");
	EQ(-EINVAL, sushi_netdev_pin(c->nd, sg, &set, NULL), "pin: empty SubGraph");
	sushi_supernet_weight_layer(c->sn, 0, &w);
	sg[0].rows = w.rows_max + 1;
	sg[0].row_bytes = 1;
	EQ(-EINVAL, sushi_netdev_pin(c->nd, sg, &set, NULL),
	   "pin: a slice with more rows than its layer");
	EQ(-EINVAL, sushi_netdev_unpin(NULL, 1), "unpin: NULL netdev");
	EQ(-ENOENT, sushi_netdev_unpin(c->nd, 4242), "unpin: unknown pin set");
	EQ(-EINVAL, sushi_netdev_model_cost(NULL, 0, NULL, &cost), "model_cost: NULL");
	EQ(-ENOENT, sushi_netdev_model_cost(c->nd, c->info.n_subnets, NULL, &cost),
	   "model_cost: bad SubNet");
	EQ(-EINVAL, sushi_netdev_sched_space(c->nd, c->caps.pb_bytes + 1, &sp),
	   "sched_space: more PB bytes than the device has");
	EQ(-EINVAL, sushi_netdev_sched_space(NULL, 0, &sp), "sched_space: NULL");
	EQ(-EINVAL, sushi_netdev_cost_ops()->layer(c->nd, c->info.n_subnets, 0, sg,
						&cost), "cost ops: bad SubNet");
	EQ(-EINVAL, sushi_netdev_cost_ops()->rest(NULL, 0, &cost), "cost ops: NULL ctx");

	/* the whole SuperNet: pinned once, a second time overlaps */
	for (uint32_t l = 0; l < L; l++) {
		sushi_supernet_weight_layer(c->sn, l, &w);
		sg[l].rows = w.rows_max;
		sg[l].row_bytes = (uint32_t)w.row_stride;
		full += (uint64_t)w.rows_max * w.row_stride;
	}
	EQ(0, sushi_pb_query(c->dev, &before, NULL, 0), "pb_query");
	EQ(0, sushi_netdev_pin(c->nd, sg, &set, NULL), "pin the whole SuperNet "
	   "(%llu bytes)", (unsigned long long)full);
	EQ(-EEXIST, sushi_netdev_pin(c->nd, sg, &set2, NULL),
	   "pin it again on the same netdev: -EEXIST");
	EQ(0, sushi_netdev_wait_unpinned(c->nd, 1000), "nothing unpinned: no wait");
	EQ(0, sushi_netdev_unpin(c->nd, set), "unpin it");
	EQ(0, sushi_netdev_wait_unpinned(c->nd, SUSHI_NETDEV_TIMEOUT_NS),
	   "wait until its space is free");
	EQ(0, sushi_pb_query(c->dev, &after, NULL, 0), "pb_query");
	EQ(before.used, after.used, "the space is free once the wait returns");
	EQ(-EINVAL, sushi_netdev_wait_unpinned(NULL, 0), "wait: NULL netdev");

	/* more SuperNet copies pinned than the PB holds: -ENOSPC */
	n_max = (uint32_t)((before.capacity - before.used) / full + 2);
	nds = calloc(n_max, sizeof(*nds));
	sets = calloc(n_max, sizeof(*sets));
	if (!nds || !sets)
		n_max = 0;
	for (k = 0; k < (int)n_max; k++) {
		ret = sushi_netdev_create(c->dev, c->sn, &nds[k]);
		if (ret)
			break;
		ret = sushi_netdev_pin(nds[k], sg, &sets[k], NULL);
		if (ret)
			break;
	}
	EQ(-ENOSPC, ret, "pinning the whole SuperNet from %d netdevs: -ENOSPC "
	   "after %d (%llu of %llu PB bytes were free)", k + 1, k,
	   (unsigned long long)(before.capacity - before.used),
	   (unsigned long long)before.capacity);
	OK(ret != -ENOSPC || (uint64_t)(k + 1) * full > before.capacity - before.used,
	   "-ENOSPC only when the bytes really exceed the free PB");
	for (uint32_t i = 0; i < n_max; i++) {
		if (sets[i])
			sushi_netdev_unpin(nds[i], sets[i]);
		sushi_netdev_destroy(nds[i]);
	}
	/* the PB bytes are free once the device has forgotten the ranges */
	for (int tries = 0; tries < 500; tries++) {
		if (sushi_pb_query(c->dev, &after, NULL, 0) ||
		    after.used == before.used)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	EQ(before.used, after.used, "PB bytes used back to %llu after the unpins",
	   (unsigned long long)before.used);
	free(nds);
	free(sets);
	free(sg);
}

static unsigned long long jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (unsigned long long)v->valuedouble : ~0ull;
}

static void test_sushictl(struct ctx *c, uint32_t s, int pin)
{
	static char buf[65536];
	struct sushi_slice sg[256];
	struct sushi_subnet_info si;
	struct sushi_subnet_io io;
	struct sushi_job_stats st;
	struct sushi_cost m;
	int8_t in[4096], out[MAX_OUT], ref[MAX_OUT];
	const cJSON *sc, *job, *mod;
	uint32_t best = 0, set = 0;
	char cmd[512];
	cJSON *j;
	int rc, same = 1;

	sushi_supernet_subnet(c->sn, s, &si);
	sushi_netdev_io(c->nd, s, &io);
	snprintf(cmd, sizeof(cmd), SUSHICTL " run --supernet " SUPERNET
		 " --input " IMAGES " --index 0 --subnet %s%s --json", si.id,
		 pin ? " --pin 0" : "");
	rc = run_cmd(cmd, buf, sizeof(buf));
	EQ(0, rc, "sushictl run --subnet %s%s --json exits 0", si.id,
	   pin ? " --pin 0" : "");
	j = cJSON_Parse(buf);
	OK(j != NULL, "its output is JSON");
	image_input(c, 0, in);
	if (c->info.n_weight_layers > 256 || host_run(c, s, in, ref))
		return;
	if (pin)
		sushi_supernet_slices(c->sn, 0, sg);
	EQ(0, model_cost(c, s, pin ? sg : NULL, &m), "model cost");
	if (pin)
		EQ(0, sushi_netdev_pin(c->nd, sg, &set, NULL), "pin sn00 directly");
	EQ(0, sushi_netdev_run(c->nd, s, set, in, io.in_bytes, out, sizeof(out),
			       &st), "direct netdev run");
	if (set)
		sushi_netdev_unpin(c->nd, set);
	sc = cJSON_GetObjectItemCaseSensitive(j, "scores");
	EQ(io.out_bytes, cJSON_GetArraySize(sc), "%llu scores",
	   (unsigned long long)io.out_bytes);
	for (uint32_t i = 0; i < io.out_bytes; i++) {
		const cJSON *v = cJSON_GetArrayItem(sc, (int)i);

		if (!cJSON_IsNumber(v) || (int)v->valuedouble != ref[i] ||
		    ref[i] != out[i])
			same = 0;
		if (ref[i] > ref[best])
			best = i;
	}
	OK(same, "scores equal the model's compute and the direct run");
	EQ(best, jnum(j, "class"), "predicted class = the model's argmax");
	job = cJSON_GetObjectItemCaseSensitive(j, "job");
	mod = cJSON_GetObjectItemCaseSensitive(j, "model");
	OK(jnum(job, "cycles") == m.cycles && jnum(job, "cycles") == st.cycles &&
	   jnum(job, "dram_rd") == st.dram_rd && jnum(job, "dram_wr") == st.dram_wr &&
	   jnum(job, "pb_rd") == st.pb_rd && jnum(job, "macs") == m.macs &&
	   jnum(job, "energy_fj") == st.energy_fj,
	   "job stats (%llu cycles, %llu PB bytes) equal the model's and the "
	   "direct run's", (unsigned long long)st.cycles,
	   (unsigned long long)st.pb_rd);
	OK(jnum(mod, "cycles") == m.cycles && jnum(mod, "dram_rd") == m.dram_rd &&
	   jnum(mod, "pb_rd") == m.pb_rd && jnum(mod, "energy_fj") == m.energy_fj,
	   "its model prediction is the model library's cost");
	EQ(sushi_model_cycles_to_ns(&c->cfg, m.cycles), jnum(job, "time_ns"),
	   "time at the device clock");
	cJSON_Delete(j);
}

static void test_sushictl_errors(void)
{
	static char buf[4096];
	char *line, *save;
	int rc;

	rc = run_cmd(SUSHICTL " run --supernet " SUPERNET " --input " IMAGES
		     " --index 1 --subnet sn10 --pin sn10", buf, sizeof(buf));
	OK(rc == 0 && strstr(buf, "class:") && strstr(buf, "cycles") &&
	   strstr(buf, "PB read"), "sushictl run (table) exits 0 and prints "
	   "the class and the statistics (%d):", rc);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("#   %s\n", line);

	rc = run_cmd(SUSHICTL " run --supernet " SUPERNET " --input " IMAGES
		     " --subnet sn99 2>&1", buf, sizeof(buf));
	OK(rc == 1 && strstr(buf, "sn99"), "sushictl run: unknown SubNet exits 1 "
	   "naming it (%d)", rc);
	rc = run_cmd(SUSHICTL " run --supernet " SUPERNET " --input " SUPERNET
		     " --subnet sn00 2>&1", buf, sizeof(buf));
	OK(rc == 3 && strstr(buf, "IDX"), "sushictl run: a bad input file exits 3 (%d)",
	   rc);
	rc = run_cmd(SUSHICTL " run --supernet " SUPERNET " --input " IMAGES
		     " --subnet sn00 --device /dev/null 2>&1", buf, sizeof(buf));
	OK(rc == 2 && strstr(buf, "/dev/null"), "sushictl run: a non-SushiAccel "
	   "--device exits 2 (%d)", rc);
}

int main(void)
{
	struct ctx c;
	char err[256];
	double t0 = now_s();

	memset(&c, 0, sizeof(c));
	printf("TAP version 13\n");
	if (sushi_device_open(NULL, &c.dev) ||
	    sushi_supernet_open(SUPERNET, &c.sn, err, sizeof(err))) {
		printf("not ok 1 - open the device and " SUPERNET "\n1..1\n");
		return 1;
	}
	sushi_supernet_info(c.sn, &c.info);
	sushi_device_caps(c.dev, &c.caps);
	sushi_caps_model_config(&c.caps, &c.cfg);
	sushi_netdev_map(&c.caps, &c.map);
	OK(c.map.data_base == 0 && c.map.act_base > c.info.data_bytes,
	   "address map: data at 0, arena at 0x%llx",
	   (unsigned long long)c.map.act_base);
	if (!OK(load_images(&c) == 0 && c.n_images >= N_IMAGES, "load " IMAGES) ||
	    !OK(sushi_netdev_create(c.dev, c.sn, &c.nd) == 0,
		"load %s (%llu data bytes) on the device", c.info.name,
		(unsigned long long)c.info.data_bytes))
		goto out;
	test_subnets(&c);
	test_spaces(&c);
	test_slots(&c);
	test_errors(&c);
	test_sushictl(&c, 3, 0);
	test_sushictl(&c, c.info.n_subnets - 1, 1);
	test_sushictl_errors();
out:
	sushi_netdev_destroy(c.nd);
	sushi_supernet_close(c.sn);
	sushi_device_close(c.dev);
	free(c.images);
	printf("# %.2f s\n1..%d\n# %d passed, %d failed\n", now_s() - t0, n_test,
	       n_test - n_fail, n_fail);
	return n_fail ? 1 : 0;
}

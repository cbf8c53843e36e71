// SPDX-License-Identifier: MIT
/*
 * demo.c - runs a small built-in ResNet-style network (stem, one bottleneck
 * block with its residual add, global pooling, classifier) through the
 * model library: computes it with the fastest kernels, checks the result
 * against the reference kernels, and prints each layer's modelled cost
 * without and with the block's weights pinned in the Persistent Buffer.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sushi_model.h"

#define N_LAYERS 7
#define ARENA (1u << 20)

/* device address map of the demo: tensors, weights, epilogues */
enum { T_IN, T_STEM, T_A, T_B, T_C, T_SUM, T_GAP, T_OUT, N_T };

struct demo {
	struct sushi_hw_layer l[N_LAYERS];
	const char *name[N_LAYERS];
	uint8_t *mem;		/* flat "DRAM": device address = offset */
	uint64_t next;
};

static uint64_t rng = 0x5eed;

static uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

static uint64_t alloc(struct demo *d, uint64_t bytes)
{
	uint64_t a = d->next;

	d->next = (d->next + bytes + 63) & ~63ull;
	return a;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void conv(struct demo *d, int i, const char *name, uint64_t in,
		 uint64_t out, uint32_t c, uint32_t hw, uint32_t k_out,
		 uint32_t k, uint32_t stride)
{
	struct sushi_hw_layer *l = &d->l[i];
	uint32_t pad = k / 2, o = (hw + 2 * pad - k) / stride + 1;
	uint64_t row = (uint64_t)c * k * k;

	*l = (struct sushi_hw_layer){
		.op = SUSHI_OP_CONV, .in_c = c, .in_h = hw, .in_w = hw,
		.out_c = k_out, .out_h = o, .out_w = o, .kernel = k,
		.stride = stride, .pad = pad, .groups = 1,
		.in_zp = (uint32_t)-3, .out_zp = (uint32_t)-128,
		.act_min = (uint32_t)-128, .act_max = 127,
		.in_addr = in, .out_addr = out, .w_stride = row,
	};
	l->w_addr = alloc(d, row * k_out);
	l->epi_addr = alloc(d, 12ull * k_out);
	for (uint64_t b = 0; b < row * k_out; b++)
		d->mem[l->w_addr + b] = rnd8() % 64 - 32;
	for (uint32_t oc = 0; oc < k_out; oc++) {
		uint8_t *e = d->mem + l->epi_addr + 12ull * oc;

		put32(e, (uint32_t)(int32_t)(rnd8() % 200 - 100));
		put32(e + 4, 1u << 30);
		put32(e + 8, 40);
	}
	d->name[i] = name;
}

static void build(struct demo *d)
{
	uint64_t t[N_T];

	t[T_IN] = alloc(d, 32 * 32 * 3);
	t[T_STEM] = alloc(d, 16 * 16 * 32);
	t[T_A] = alloc(d, 16 * 16 * 16);
	t[T_B] = alloc(d, 16 * 16 * 16);
	t[T_C] = alloc(d, 16 * 16 * 32);
	t[T_SUM] = alloc(d, 16 * 16 * 32);
	t[T_GAP] = alloc(d, 32);
	t[T_OUT] = alloc(d, 10);
	for (int b = 0; b < 32 * 32 * 3; b++)
		d->mem[t[T_IN] + b] = rnd8();
	conv(d, 0, "stem conv3x3 s2", t[T_IN], t[T_STEM], 3, 32, 32, 3, 2);
	conv(d, 1, "block conv1x1", t[T_STEM], t[T_A], 32, 16, 16, 1, 1);
	conv(d, 2, "block conv3x3", t[T_A], t[T_B], 16, 16, 16, 3, 1);
	conv(d, 3, "block conv1x1", t[T_B], t[T_C], 16, 16, 32, 1, 1);
	d->l[4] = (struct sushi_hw_layer){
		.op = SUSHI_OP_ADD, .in_c = 32, .in_h = 16, .in_w = 16,
		.out_c = 32, .out_h = 16, .out_w = 16, .stride = 1,
		.groups = 1, .in_zp = (uint32_t)-128, .in2_zp = (uint32_t)-128,
		.out_zp = (uint32_t)-128, .act_min = (uint32_t)-128,
		.act_max = 127, .add_shift = 31, .add_mult_a = 1u << 30,
		.add_mult_b = 1u << 30, .in_addr = t[T_C],
		.in2_addr = t[T_STEM], .out_addr = t[T_SUM],
	};
	d->name[4] = "residual add";
	d->l[5] = (struct sushi_hw_layer){
		.op = SUSHI_OP_GAP, .in_c = 32, .in_h = 16, .in_w = 16,
		.out_c = 32, .out_h = 1, .out_w = 1, .stride = 1, .groups = 1,
		.in_zp = (uint32_t)-128, .out_zp = (uint32_t)-128,
		.act_min = (uint32_t)-128, .act_max = 127,
		.in_addr = t[T_SUM], .out_addr = t[T_GAP],
	};
	d->name[5] = "global avg pool";
	conv(d, 6, "classifier fc", t[T_GAP], t[T_OUT], 32, 1, 10, 1, 1);
	d->l[6].op = SUSHI_OP_FC;
}

static int run(struct demo *d, enum sushi_isa isa)
{
	for (int i = 0; i < N_LAYERS; i++) {
		const struct sushi_hw_layer *l = &d->l[i];
		struct sushi_layer_io io = {
			.in = (int8_t *)d->mem + l->in_addr,
			.in2 = l->in2_addr ? (int8_t *)d->mem + l->in2_addr : NULL,
			.w = (int8_t *)d->mem + l->w_addr,
			.w_stride = (size_t)l->w_stride,
			.epi = d->mem + l->epi_addr,
			.out = (int8_t *)d->mem + l->out_addr,
		};
		int ret = sushi_layer_compute(l, &io, isa);

		if (ret)
			return ret;
	}
	return 0;
}

static void print_costs(const struct sushi_model_config *cfg,
			const struct demo *d, const struct sushi_pb *pb,
			const char *title)
{
	struct sushi_cost per[N_LAYERS], tot;

	if (sushi_model_layers_cost(cfg, pb, d->l, N_LAYERS, &tot, per, NULL))
		return;
	printf("\n%s\n%-18s %10s %10s %10s %10s %12s\n", title, "layer",
	       "cycles", "MACs", "DRAM B", "PB B", "energy nJ");
	for (int i = 0; i < N_LAYERS; i++)
		printf("%-18s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
		       " %12.2f\n", d->name[i], per[i].cycles, per[i].macs,
		       per[i].dram_rd + per[i].dram_wr, per[i].pb_rd,
		       per[i].energy_fj / 1e6);
	printf("%-18s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
	       " %12.2f   latency %" PRIu64 " ns, off-chip %.2f nJ\n", "total",
	       tot.cycles, tot.macs, tot.dram_rd + tot.dram_wr, tot.pb_rd,
	       tot.energy_fj / 1e6, sushi_model_cycles_to_ns(cfg, tot.cycles),
	       tot.offchip_fj / 1e6);
}

int main(void)
{
	struct sushi_model_config cfg;
	struct demo d = { 0 };
	struct sushi_pb *pb;
	uint8_t out_fast[10];
	int ret;

	sushi_model_config_default(&cfg);
	d.mem = calloc(1, ARENA);
	d.next = 0x1000;
	if (!d.mem)
		return 2;
	build(&d);
	ret = run(&d, SUSHI_ISA_AUTO);
	memcpy(out_fast, d.mem + d.l[6].out_addr, 10);
	if (!ret)
		ret = run(&d, SUSHI_ISA_REF);
	if (ret) {
		fprintf(stderr, "demo: compute failed: %s\n", strerror(-ret));
		return 2;
	}
	printf("SushiAccel model: K%u_C%u DPE array, %.0f MHz, %u B/cycle DRAM, "
	       "%.2f MiB PB\n", cfg.pe_k, cfg.pe_c, cfg.clock_hz / 1e6,
	       cfg.dram_bytes_per_cycle, cfg.pb_bytes / 1048576.0);
	printf("kernels: %s; classifier output (int8):", sushi_isa_name(sushi_isa_best()));
	for (int i = 0; i < 10; i++)
		printf(" %d", (int8_t)out_fast[i]);
	printf("\n%s kernels equal the reference: %s\n", sushi_isa_name(sushi_isa_best()),
	       memcmp(out_fast, d.mem + d.l[6].out_addr, 10) ? "NO" : "yes");

	print_costs(&cfg, &d, NULL, "cost with an empty Persistent Buffer:");
	pb = sushi_pb_new(cfg.pb_bytes, cfg.pb_entries, false);
	for (int i = 1; i <= 3 && pb; i++) {	/* pin the block's weights */
		struct sushi_layer_geom g;
		struct sushi_pb_range r;

		sushi_layer_check(&d.l[i], &g);
		r = (struct sushi_pb_range){
			.dva = d.l[i].w_addr, .row_stride = d.l[i].w_stride,
			.row_bytes = (uint32_t)g.w_row_bytes,
			.rows = (uint32_t)g.w_rows, .pb_offset = sushi_pb_used(pb),
		};
		if (sushi_pb_insert(pb, &r, NULL))
			break;
	}
	print_costs(&cfg, &d, pb, "cost with the bottleneck block's weights pinned (SGS):");
	sushi_pb_free(pb);
	free(d.mem);
	return 0;
}

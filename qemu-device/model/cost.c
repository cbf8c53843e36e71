// SPDX-License-Identifier: MIT
/*
 * cost.c - the timing and energy model (DESIGN D2, D3): per layer compute
 * cycles on the Kp x Cp x 3x3 DPE array, off-chip and PB bytes, total
 * cycles with or without DRAM/compute overlap, and energy in femtojoules.
 * Integer arithmetic only, so the device and the offline evaluator agree
 * exactly.  Equations: Documentation/hardware/model.rst ("Timing").
 */
#include <errno.h>

#include "sushi_model.h"
#include "sushi_sat.h"

#define WINDOW_TAPS 9	/* one 3x3 window per input-channel lane */

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* 3x3 passes a k x k window needs: ceil(k / 3)^2 */
static uint64_t passes(uint32_t k)
{
	uint64_t p = ceil_div(k ? k : 1, 3);

	return p * p;
}

static uint64_t compute_cycles(const struct sushi_model_config *cfg,
			       const struct sushi_hw_layer *l)
{
	const uint64_t kp = cfg->pe_k, cp = cfg->pe_c;
	const uint64_t ohw = (uint64_t)l->out_h * l->out_w;
	uint64_t cg, kg, ceff;

	switch (l->op) {
	case SUSHI_OP_CONV:
	case SUSHI_OP_FC:
		cg = l->in_c / l->groups;
		kg = l->out_c / l->groups;
		if (l->groups > 1 && cg == 1 && kg == 1)	/* depthwise */
			return ceil_div(l->out_c, kp) * passes(l->kernel) * ohw;
		/* a 1x1 window lets the 9 taps carry 9 more input channels */
		ceff = l->kernel == 1 ? cp * WINDOW_TAPS : cp;
		return l->groups * ceil_div(kg, kp) * ceil_div(cg, ceff) *
		       passes(l->kernel) * ohw;
	case SUSHI_OP_ADD:
		return ceil_div(l->out_c, kp) * ohw;
	case SUSHI_OP_GAP:
		return ceil_div(l->out_c, kp) *
		       ceil_div((uint64_t)l->in_h * l->in_w, WINDOW_TAPS);
	default:	/* AVGPOOL, MAXPOOL: one 3x3 window per lane a cycle */
		return ceil_div(l->out_c, kp) * passes(l->kernel) * ohw;
	}
}

/* energy = e_mac MACs + e_dram DRAM + e_pb (PB + SRAM) + e_buf buffer + P t */
static void finish(const struct sushi_model_config *cfg, struct sushi_cost *c)
{
	unsigned __int128 st;
	uint64_t dram = sushi_sat_add(c->dram_rd, c->dram_wr);
	uint64_t e;

	/* P[uW] * cycles / f[Hz] seconds = P * cycles * 1e9 / f fJ */
	st = (unsigned __int128)cfg->p_static_uw * c->cycles * 1000000000u;
	st /= cfg->clock_hz;
	c->offchip_fj = sushi_sat_mul(cfg->e_dram_fj, dram);
	e = sushi_sat_mul(cfg->e_mac_fj, c->macs);
	e = sushi_sat_add(e, c->offchip_fj);
	e = sushi_sat_add(e, sushi_sat_mul(cfg->e_pb_fj,
			       sushi_sat_add(sushi_sat_add(c->pb_rd, c->pb_wr),
				       c->sram_bytes)));
	e = sushi_sat_add(e, sushi_sat_mul(cfg->e_buf_fj, c->buf_bytes));
	e = sushi_sat_add(e, st > UINT64_MAX ? UINT64_MAX : (uint64_t)st);
	c->energy_fj = e;
}

int sushi_model_layer_cost(const struct sushi_model_config *cfg,
			   const struct sushi_pb *pb,
			   const struct sushi_hw_layer *l,
			   struct sushi_cost *cost)
{
	struct sushi_layer_geom g;
	struct sushi_cost c = { 0 };
	uint64_t dram_cycles, in_rd, out_wr;
	int ret;

	ret = sushi_model_config_check(cfg);
	if (ret)
		return ret;
	ret = sushi_layer_check_sram(l, cfg->act_sram_bytes, &g);
	if (ret)
		return ret;

	if (g.w_rows && pb)
		c.pb_rd = sushi_pb_covered(pb, l->w_addr, l->w_stride,
					   g.w_row_bytes, g.w_rows);
	c.macs = g.macs;
	c.compute_cycles = compute_cycles(cfg, l);
	/* tensors in the activation SRAM never cross the chip boundary */
	in_rd = (l->flags & SUSHI_LAYER_F_IN_SRAM ? 0 : g.in_bytes) +
		(l->flags & SUSHI_LAYER_F_IN2_SRAM ? 0 : g.in2_bytes);
	out_wr = l->flags & SUSHI_LAYER_F_OUT_SRAM ? 0 : g.out_bytes;
	c.sram_bytes = g.in_bytes + g.in2_bytes + g.out_bytes - in_rd - out_wr;
	c.w_dram = g.w_bytes - c.pb_rd;
	c.epi_dram = g.epi_bytes;
	c.act_dram = in_rd + out_wr;
	c.dram_rd = in_rd + c.w_dram + c.epi_dram;
	c.dram_wr = out_wr;
	c.buf_bytes = c.dram_rd + c.dram_wr;
	dram_cycles = ceil_div(c.dram_rd + c.dram_wr, cfg->dram_bytes_per_cycle);
	if (cfg->overlap)
		c.cycles = c.compute_cycles > dram_cycles ?
			   c.compute_cycles : dram_cycles;
	else
		c.cycles = c.compute_cycles + dram_cycles;
	c.cycles += cfg->overhead_cycles;
	finish(cfg, &c);
	*cost = c;
	return 0;
}

int sushi_model_layers_cost(const struct sushi_model_config *cfg,
			    const struct sushi_pb *pb,
			    const struct sushi_hw_layer *layers, size_t n,
			    struct sushi_cost *total,
			    struct sushi_cost *per_layer, size_t *bad_layer)
{
	struct sushi_cost sum = { 0 }, c;

	if (!layers || !n || !total)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int ret = sushi_model_layer_cost(cfg, pb, &layers[i], &c);

		if (ret) {
			if (bad_layer)
				*bad_layer = i;
			return ret;
		}
		if (per_layer)
			per_layer[i] = c;
		sushi_cost_add(&sum, &c);
	}
	*total = sum;
	return 0;
}

void sushi_model_pb_load_cost(const struct sushi_model_config *cfg,
			      uint64_t bytes, struct sushi_cost *cost)
{
	struct sushi_cost c = { 0 };

	c.dram_rd = bytes;
	c.w_dram = bytes;
	c.pb_wr = bytes;
	c.cycles = sushi_sat_add(cfg->overhead_cycles,
			   ceil_div(bytes, cfg->dram_bytes_per_cycle));
	finish(cfg, &c);
	*cost = c;
}

void sushi_model_simple_job_cost(const struct sushi_model_config *cfg,
				 struct sushi_cost *cost)
{
	struct sushi_cost c = { 0 };

	c.cycles = cfg->overhead_cycles;
	finish(cfg, &c);
	*cost = c;
}

uint64_t sushi_model_cycles_to_ns(const struct sushi_model_config *cfg,
				  uint64_t cycles)
{
	unsigned __int128 ns = (unsigned __int128)cycles * 1000000000u;

	ns = (ns + cfg->clock_hz - 1) / cfg->clock_hz;
	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

void sushi_cost_add(struct sushi_cost *acc, const struct sushi_cost *c)
{
	acc->compute_cycles = sushi_sat_add(acc->compute_cycles, c->compute_cycles);
	acc->cycles = sushi_sat_add(acc->cycles, c->cycles);
	acc->macs = sushi_sat_add(acc->macs, c->macs);
	acc->dram_rd = sushi_sat_add(acc->dram_rd, c->dram_rd);
	acc->dram_wr = sushi_sat_add(acc->dram_wr, c->dram_wr);
	acc->pb_rd = sushi_sat_add(acc->pb_rd, c->pb_rd);
	acc->pb_wr = sushi_sat_add(acc->pb_wr, c->pb_wr);
	acc->sram_bytes = sushi_sat_add(acc->sram_bytes, c->sram_bytes);
	acc->w_dram = sushi_sat_add(acc->w_dram, c->w_dram);
	acc->act_dram = sushi_sat_add(acc->act_dram, c->act_dram);
	acc->epi_dram = sushi_sat_add(acc->epi_dram, c->epi_dram);
	acc->buf_bytes = sushi_sat_add(acc->buf_bytes, c->buf_bytes);
	acc->energy_fj = sushi_sat_add(acc->energy_fj, c->energy_fj);
	acc->offchip_fj = sushi_sat_add(acc->offchip_fj, c->offchip_fj);
}

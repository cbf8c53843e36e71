// SPDX-License-Identifier: MIT
/*
 * test_cost.c - the timing and energy equations (DESIGN D2/D3) on
 * hand-computed cases, with the hand computation written next to each
 * expectation; and the configuration check.
 */
#include <errno.h>

#include "layers.h"
#include "tap.h"

static struct sushi_model_config cfg;

static void conv3x3(void)
{
	struct sushi_hw_layer l = t_conv(64, 56, 56, 64, 3, 1, 1, 1);
	struct sushi_cost c;

	is_int(sushi_model_layer_cost(&cfg, NULL, &l, &c), 0, "conv3x3 cost");
	/* ceil(64/16)=4 K-tiles * ceil(64/9)=8 C-tiles * 56*56=3136 px */
	is_u64(c.compute_cycles, 4 * 8 * 3136, "conv3x3 compute = 100352");
	/* in 56*56*64=200704 + w 64*576=36864 + epi 64*12=768 */
	is_u64(c.dram_rd, 200704 + 36864 + 768, "conv3x3 DRAM read = 238336");
	is_u64(c.dram_wr, 200704, "conv3x3 DRAM write = 200704");
	/* DRAM 439040/16 = 27440 < 100352: compute bound, + 32 overhead */
	is_u64(c.cycles, 100352 + 32, "conv3x3 cycles = 100384 (overlap)");
	is_u64(c.macs, 3136ull * 64 * 576, "conv3x3 MACs = 115605504");
	is_u64(c.pb_rd, 0, "nothing pinned: no PB bytes");
	/* 300 fJ * 115605504 + (160000 + 1250) fJ * 439040 */
	is_u64(c.energy_fj, 300ull * 115605504 + 161250ull * 439040,
	       "conv3x3 energy = e_mac MACs + (e_dram + e_buf) bytes");
	is_u64(c.offchip_fj, 160000ull * 439040, "off-chip = e_dram * DRAM bytes");
	is_u64(sushi_model_cycles_to_ns(&cfg, c.cycles), 1003840,
	       "100384 cycles at 100 MHz = 1003840 ns");
}

/*
 * The activation SRAM: a tensor there costs no DRAM bytes (and no DRAM
 * cycles) but large-SRAM energy; the off-chip split adds up.
 */
static void sram_placement(void)
{
	struct sushi_hw_layer l = t_conv(256, 28, 28, 64, 1, 1, 0, 1);
	struct sushi_cost c;

	l.flags = SUSHI_LAYER_F_IN_SRAM | SUSHI_LAYER_F_OUT_SRAM;
	l.in_addr = 0;
	l.out_addr = 200704;
	is_int(sushi_model_layer_cost(&cfg, NULL, &l, &c), 0,
	       "conv1x1 with input and output in the SRAM");
	/* w 64*256=16384 + epi 768 from DRAM; in 200704 + out 50176 on chip */
	is_u64(c.dram_rd, 16384 + 768, "only weights and epilogues read");
	is_u64(c.dram_wr, 0, "nothing written off chip");
	is_u64(c.sram_bytes, 200704 + 50176, "SRAM bytes = in + out");
	is_u64(c.w_dram, 16384, "weights of the DRAM bytes");
	is_u64(c.epi_dram, 768, "epilogues of the DRAM bytes");
	is_u64(c.act_dram, 0, "no activation crosses the chip boundary");
	/* 17152 / 16 = 1072 < compute 12544: compute bound now */
	is_u64(c.cycles, 12544 + 32, "conv1x1 becomes compute bound: 12576");
	/* MACs + (e_dram + e_buf) DRAM + e_pb SRAM */
	is_u64(c.energy_fj, 300ull * 784 * 64 * 256 + 161250ull * 17152 +
	       12500ull * 250880, "energy charges SRAM bytes at e_pb");
	l.flags = SUSHI_LAYER_F_IN_SRAM;
	l.out_addr = 1 << 20;
	is_int(sushi_model_layer_cost(&cfg, NULL, &l, &c), 0, "output in DRAM");
	is_u64(c.act_dram, 50176, "the output is the activation traffic");
	is_u64(c.dram_rd + c.dram_wr, c.w_dram + c.act_dram + c.epi_dram,
	       "DRAM bytes = weights + activations + epilogues");
	/* the same layer in a configuration whose SRAM it does not fit */
	{
		struct sushi_model_config small = cfg;

		small.act_sram_bytes = 200703;
		is_int(sushi_model_layer_cost(&small, NULL, &l, &c), -EINVAL,
		       "an input past the configured SRAM is refused");
		small.act_sram_bytes = 0;
		l.flags = 0;
		is_int(sushi_model_layer_cost(&small, NULL, &l, &c), 0,
		       "SRAM 0: an all-DRAM layer is fine");
		is_u64(c.sram_bytes, 0, "SRAM 0: no SRAM bytes");
	}
}

static void conv1x1_fc_dw(void)
{
	struct sushi_hw_layer l = t_conv(256, 28, 28, 64, 1, 1, 0, 1);
	struct sushi_cost c;

	sushi_model_layer_cost(&cfg, NULL, &l, &c);
	/* 1x1: C-tile is 9*9=81 channels: ceil(64/16)=4 * ceil(256/81)=4 * 784 */
	is_u64(c.compute_cycles, 4 * 4 * 784, "conv1x1 compute = 12544");
	/* in 200704 + w 16384 + epi 768 + out 50176 = 268032 / 16 = 16752 */
	is_u64(c.cycles, 16752 + 32, "conv1x1 is DRAM bound: 16784 cycles");

	l = t_conv(144, 28, 28, 144, 3, 1, 1, 144);
	sushi_model_layer_cost(&cfg, NULL, &l, &c);
	/* depthwise: channels on the K lanes: ceil(144/16)=9 * 784 */
	is_u64(c.compute_cycles, 9 * 784, "depthwise compute = 7056");

	l = t_fc(1280, 1000);
	sushi_model_layer_cost(&cfg, NULL, &l, &c);
	/* ceil(1000/16)=63 * ceil(1280/81)=16 */
	is_u64(c.compute_cycles, 63 * 16, "fc compute = 1008");
	/* in 1280 + w 1280000 + epi 12000 + out 1000 = 1294280 / 16 = 80892.5 */
	is_u64(c.cycles, 80893 + 32, "fc is DRAM bound: ceil(1294280/16)+32");

	l = t_conv(8, 10, 10, 16, 5, 1, 2, 1);
	sushi_model_layer_cost(&cfg, NULL, &l, &c);
	/* 5x5 = ceil(5/3)^2 = 4 passes: 1 * 1 * 4 * 100 */
	is_u64(c.compute_cycles, 400, "conv5x5 compute = 4 passes * 100 px");
	l = t_conv(3, 16, 16, 16, 7, 2, 3, 1);
	sushi_model_layer_cost(&cfg, NULL, &l, &c);
	/* 7x7 = 9 passes, out 8x8: 1 * 1 * 9 * 64 */
	is_u64(c.compute_cycles, 576, "conv7x7 s2 compute = 9 passes * 64 px");
	l = t_conv(32, 8, 8, 64, 3, 1, 1, 4);
	sushi_model_layer_cost(&cfg, NULL, &l, &c);
	/* grouped: 4 groups * ceil(16/16)=1 * ceil(8/9)=1 * 64 px */
	is_u64(c.compute_cycles, 256, "grouped conv compute = 256");
}

static void other_ops(void)
{
	struct sushi_hw_layer l = t_add(64, 14, 14);
	struct sushi_cost c;

	sushi_model_layer_cost(&cfg, NULL, &l, &c);
	/* add: ceil(64/16)=4 * 196 px; DRAM 3 * 12544 = 37632 / 16 = 2352 */
	is_u64(c.compute_cycles, 784, "add compute = 784");
	is_u64(c.cycles, 2352 + 32, "add is DRAM bound: 2384");
	is_u64(c.macs, 0, "add has no MACs");
	l = t_pool(SUSHI_OP_GAP, 64, 7, 7, 0, 1, 0);
	sushi_model_layer_cost(&cfg, NULL, &l, &c);
	/* gap: 4 lanes-tiles * ceil(49/9)=6 */
	is_u64(c.compute_cycles, 24, "gap compute = 24");
	l = t_pool(SUSHI_OP_MAXPOOL, 32, 9, 9, 3, 2, 1);
	sushi_model_layer_cost(&cfg, NULL, &l, &c);
	/* maxpool 3x3 s2 p1: out 5x5; 2 * 1 pass * 25 */
	is_u64(c.compute_cycles, 50, "maxpool compute = 50");
}

static void no_overlap_and_static(void)
{
	struct sushi_model_config c2 = cfg;
	struct sushi_hw_layer l = t_conv(64, 56, 56, 64, 3, 1, 1, 1);
	struct sushi_cost c;

	c2.overlap = false;
	sushi_model_layer_cost(&c2, NULL, &l, &c);
	is_u64(c.cycles, 100352 + 27440 + 32, "no overlap: compute + DRAM + overhead");
	c2 = cfg;
	c2.p_static_uw = 1000000;	/* 1 W */
	sushi_model_simple_job_cost(&c2, &c);
	/* 32 cycles at 100 MHz = 320 ns; 1 W * 320 ns = 320 nJ = 3.2e8 fJ */
	is_u64(c.energy_fj, 320000000, "static: 1 W for 320 ns = 320 nJ");
	sushi_model_pb_load_cost(&cfg, 36864, &c);
	/* 32 + 36864/16 = 2336 cycles; energy (160000 + 12500) fJ/B */
	is_u64(c.cycles, 2336, "PB load of 36864 bytes = 2336 cycles");
	is_u64(c.energy_fj, 172500ull * 36864, "PB load energy = (e_dram + e_pb) B");
	c2 = cfg;
	c2.clock_hz = 7000;
	is_u64(sushi_model_cycles_to_ns(&c2, 3), 428572,
	       "3 cycles at 7 kHz = ceil(428571.4) ns");
}

static void pinned(void)
{
	struct sushi_hw_layer l = t_conv(64, 56, 56, 64, 3, 1, 1, 1);
	struct sushi_pb *pb = sushi_pb_new(cfg.pb_bytes, cfg.pb_entries, false);
	struct sushi_pb_range half = {
		.dva = l.w_addr, .row_stride = 576, .row_bytes = 288, .rows = 32,
	};
	struct sushi_cost c;

	is_int(sushi_pb_insert(pb, &half, NULL), 0, "pin half of 32 rows");
	sushi_model_layer_cost(&cfg, pb, &l, &c);
	is_u64(c.pb_rd, 32 * 288, "PB bytes = the pinned 9216 bytes");
	is_u64(c.dram_rd, 238336 - 9216, "DRAM read drops by the PB bytes");
	is_u64(c.energy_fj, 300ull * 115605504 + 161250ull * (439040 - 9216) +
			    12500ull * 9216, "energy moves from DRAM to PB rates");
	sushi_pb_free(pb);
}

static void list_and_config(void)
{
	struct sushi_hw_layer ls[3] = {
		t_conv(64, 56, 56, 64, 3, 1, 1, 1),
		t_add(64, 56, 56),
		t_conv(64, 56, 56, 64, 3, 1, 1, 1),
	};
	struct sushi_cost tot, per[3], one;
	struct sushi_model_config bad;
	size_t badi = 99;

	is_int(sushi_model_layers_cost(&cfg, NULL, ls, 3, &tot, per, NULL), 0,
	       "layer list cost");
	sushi_model_layer_cost(&cfg, NULL, &ls[1], &one);
	is_u64(tot.cycles, 2 * 100384 + one.cycles, "list cycles = sum of layers");
	is_u64(per[1].cycles, one.cycles, "per-layer cost reported");
	ls[2].stride = 3;
	is_int(sushi_model_layers_cost(&cfg, NULL, ls, 3, &tot, NULL, &badi),
	       -EINVAL, "an invalid layer fails the list");
	is_u64(badi, 2, "the failing layer index is reported");

	is_int(sushi_model_config_check(&cfg), 0, "default config is valid");
	bad = cfg; bad.clock_hz = 0;
	is_int(sushi_model_config_check(&bad), -EINVAL, "zero clock rejected");
	bad = cfg; bad.pe_k = 0;
	is_int(sushi_model_config_check(&bad), -EINVAL, "zero PE rows rejected");
	bad = cfg; bad.pe_c = SUSHI_CFG_MAX_PE + 1;
	is_int(sushi_model_config_check(&bad), -EINVAL, "too many PE columns rejected");
	bad = cfg; bad.dram_bytes_per_cycle = 0;
	is_int(sushi_model_config_check(&bad), -EINVAL, "zero DRAM bandwidth rejected");
	bad = cfg; bad.pb_bytes = (1ull << SUSHI_MMU_VA_BITS) + 1;
	is_int(sushi_model_config_check(&bad), -EINVAL, "PB larger than the address space rejected");
	bad = cfg; bad.pb_entries = 0;
	is_int(sushi_model_config_check(&bad), -EINVAL, "zero PB entries rejected");
	bad = cfg; bad.act_sram_bytes = SUSHI_CFG_MAX_ACT_SRAM + 1;
	is_int(sushi_model_config_check(&bad), -EINVAL,
	       "an activation SRAM above 256 MiB rejected");
	is_u64(cfg.act_sram_bytes, 1441792,
	       "default activation SRAM: 27 Mb of URAM - 2 MiB PB = 1.375 MiB");
	bad = cfg; bad.e_dram_fj = SUSHI_CFG_MAX_ENERGY + 1;
	is_int(sushi_model_config_check(&bad), -EINVAL, "absurd energy constant rejected");
	bad = cfg; bad.clock_hz = 0;
	is_int(sushi_model_layer_cost(&bad, NULL, &ls[0], &one), -EINVAL,
	       "cost refuses an invalid config");
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	sushi_model_config_default(&cfg);
	conv3x3();
	conv1x1_fc_dw();
	sram_placement();
	other_ops();
	no_overlap_and_static();
	pinned();
	list_and_config();
	return tap_done();
}

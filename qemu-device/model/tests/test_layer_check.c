// SPDX-License-Identifier: MIT
/*
 * test_layer_check.c - sushi_layer_check(): the derived geometry of valid
 * layers, and one rejected field per case with its documented errno.
 */
#include <errno.h>

#include "layers.h"
#include "tap.h"

#define BAD(expr_setup, err, name)                                       \
	do {                                                             \
		struct sushi_hw_layer l_ = base;                         \
		struct sushi_hw_layer *l = &l_;                          \
		expr_setup;                                              \
		is_int(sushi_layer_check(l, NULL), err, "%s", name);     \
	} while (0)

static void geometry(void)
{
	struct sushi_hw_layer l = t_conv(64, 56, 56, 64, 3, 1, 1, 1);
	struct sushi_layer_geom g;

	l.w_stride = 1000;
	is_int(sushi_layer_check(&l, &g), 0, "conv3x3 64->64 56x56 is valid");
	is_u64(g.in_bytes, 56 * 56 * 64, "in_bytes = H*W*C");
	is_u64(g.out_bytes, 56 * 56 * 64, "out_bytes = OH*OW*K (pad 1 keeps 56)");
	is_u64(g.w_rows, 64, "one weight row per output channel");
	is_u64(g.w_row_bytes, 64 * 9, "row = C*k*k bytes");
	is_u64(g.w_bytes, 64 * 576, "w_bytes = rows * row bytes");
	is_u64(g.w_span, 63 * 1000 + 576, "w_span = (rows-1)*stride + row");
	is_u64(g.epi_bytes, 64 * 12, "12-byte epilogue per output channel");
	is_u64(g.macs, 56ull * 56 * 64 * 576, "MACs = OH*OW*K*C*k*k");

	l = t_conv(32, 15, 15, 32, 3, 2, 1, 32);
	is_int(sushi_layer_check(&l, &g), 0, "depthwise stride 2 is valid");
	is_u64(l.out_h, 8, "depthwise out = (15+2-3)/2+1 = 8");
	is_u64(g.w_row_bytes, 9, "depthwise row = k*k");
	is_u64(g.macs, 8ull * 8 * 32 * 9, "depthwise MACs = OH*OW*C*k*k");

	l = t_add(19, 7, 5);
	is_int(sushi_layer_check(&l, &g), 0, "add is valid");
	is_u64(g.in2_bytes, 7 * 5 * 19, "add reads a second tensor");
	is_u64(g.w_rows + g.macs, 0, "add has no weights and no MACs");

	l = t_pool(SUSHI_OP_GAP, 33, 7, 7, 0, 1, 0);
	is_int(sushi_layer_check(&l, &g), 0, "gap is valid");
	is_u64(g.out_bytes, 33, "gap writes C bytes");
	l = t_fc(1280, 1000);
	is_int(sushi_layer_check(&l, &g), 0, "fc is valid");
	is_u64(g.macs, 1280000, "fc MACs = C*K");
}

static void rejected(void)
{
	struct sushi_hw_layer base = t_conv(16, 8, 8, 16, 3, 1, 1, 1);

	is_int(sushi_layer_check(&base, NULL), 0, "base conv is valid");
	BAD(l->op = 0, -EINVAL, "op 0");
	BAD(l->op = SUSHI_OP_COUNT, -EINVAL, "op past the last");
	BAD(l->flags = 8, -EINVAL, "reserved flag bit 3 set");
	BAD(l->flags = 0x80000000u, -EINVAL, "reserved flag bit 31 set");
	BAD(l->flags = SUSHI_LAYER_F_IN2_SRAM, -EINVAL, "IN2_SRAM on a conv");
	BAD(l->in_zp = 128, -EINVAL, "in_zp 128");
	BAD(l->out_zp = (uint32_t)-129, -EINVAL, "out_zp -129");
	BAD((l->act_min = 10, l->act_max = 9), -EINVAL, "act_min > act_max");
	BAD(l->act_max = 128, -EINVAL, "act_max 128");
	BAD(l->in_c = 0, -EINVAL, "zero input channels");
	BAD((l->in_h = SUSHI_HW_MAX_DIM + 1, l->out_h = SUSHI_HW_MAX_DIM + 1),
	    -EINVAL, "height over the limit");
	BAD(l->out_c = SUSHI_HW_MAX_CHANNELS + 1, -EINVAL, "channels over the limit");
	BAD((l->kernel = 2, l->pad = 0, l->out_h = 7, l->out_w = 7), -EINVAL,
	    "conv kernel 2");
	BAD(l->kernel = 9, -EINVAL, "conv kernel 9");
	BAD(l->stride = 3, -EINVAL, "conv stride 3");
	BAD(l->pad = 3, -EINVAL, "pad >= kernel");
	BAD(l->groups = 0, -EINVAL, "zero groups");
	BAD(l->groups = 3, -EINVAL, "channels not a multiple of groups");
	BAD(l->out_h = 7, -EINVAL, "out_h disagrees with the window");
	BAD(l->out_w = 9, -EINVAL, "out_w disagrees with the window");
	BAD((l->in_c = 8192, l->w_stride = 8192 * 9), -EINVAL,
	    "reduction over 65536");
	BAD(l->w_stride = 143, -EINVAL, "weight stride shorter than a row");
	/* the per-layer work limit: 2^16 x 2^16 x 2x2 = 2^34 MACs is the last */
	{
		struct sushi_hw_layer w = t_conv(65536, 2, 2, 65536, 1, 1, 0, 1);
		struct sushi_layer_geom g;

		is_int(sushi_layer_check(&w, &g), 0, "a layer of 2^34 MACs");
		is_int((long long)(g.macs == SUSHI_HW_MAX_LAYER_MACS), 1,
		       "its MACs are the limit");
		w = t_conv(65536, 2, 3, 65536, 1, 1, 0, 1);
		is_int(sushi_layer_check(&w, &g), -EINVAL,
		       "a layer of 1.5 x 2^34 MACs");
	}
	BAD(l->in2_addr = 0x1000, -EINVAL, "conv with a second input");
	BAD(l->add_mult_a = 1, -EINVAL, "conv with an add multiplier");
	BAD(l->in2_zp = 1, -EINVAL, "conv with in2_zp");
	BAD(l->w_stride = 1ull << 62, -EOVERFLOW, "weight span overflows 64 bits");
	BAD(l->in_addr = UINT64_MAX - 100, -EOVERFLOW, "input range wraps");
	BAD(l->out_addr = UINT64_MAX - 10, -EOVERFLOW, "output range wraps");
	BAD(l->epi_addr = UINT64_MAX - 100, -EOVERFLOW, "epilogue range wraps");

	base = t_fc(100, 10);
	BAD(l->in_h = 2, -EINVAL, "fc with a 2-pixel input");
	BAD((l->kernel = 3, l->w_stride = 900), -EINVAL, "fc with kernel 3");
	BAD(l->groups = 2, -EINVAL, "fc with groups");

	base = t_add(8, 4, 4);
	is_int(sushi_layer_check(&base, NULL), 0, "base add is valid");
	BAD(l->out_c = 9, -EINVAL, "add changing channels");
	BAD(l->add_shift = 63, -EINVAL, "add shift 63");
	BAD(l->w_addr = 0x1000, -EINVAL, "add with weights");
	BAD(l->kernel = 1, -EINVAL, "add with a kernel");

	base = t_pool(SUSHI_OP_MAXPOOL, 8, 9, 9, 3, 2, 1);
	is_int(sushi_layer_check(&base, NULL), 0, "base maxpool is valid");
	BAD((l->kernel = 9, l->pad = 0), -EINVAL, "pool kernel 9");
	BAD(l->stride = 9, -EINVAL, "pool stride 9");
	BAD(l->out_c = 4, -EINVAL, "pool changing channels");
	BAD(l->epi_addr = 0x1000, -EINVAL, "pool with an epilogue");

	base = t_pool(SUSHI_OP_GAP, 8, 9, 9, 0, 1, 0);
	BAD(l->out_h = 2, -EINVAL, "gap with a 2-row output");
	BAD(l->kernel = 3, -EINVAL, "gap with a kernel");
}

/* Activation SRAM tensors: inside the SRAM, exactly to its last byte. */
static void sram(void)
{
	struct sushi_hw_layer l = t_conv(8, 4, 4, 8, 3, 1, 1, 1);	/* 128 B */
	struct sushi_layer_geom g;

	l.flags = SUSHI_LAYER_F_IN_SRAM | SUSHI_LAYER_F_OUT_SRAM;
	l.in_addr = 0;
	l.out_addr = 128;
	is_int(sushi_layer_check_sram(&l, 256, &g), 0,
	       "in [0,128) and out [128,256) in a 256-byte SRAM");
	is_int(sushi_layer_check_sram(&l, 255, &g), -EINVAL,
	       "out one byte past a 255-byte SRAM");
	is_int(sushi_layer_check_sram(&l, 0, &g), -EINVAL, "no SRAM at all");
	l.flags = SUSHI_LAYER_F_IN_SRAM;
	l.in_addr = 200;
	is_int(sushi_layer_check_sram(&l, 256, &g), -EINVAL,
	       "in [200,328) past a 256-byte SRAM");
	l.in_addr = UINT64_MAX - 64;
	is_int(sushi_layer_check(&l, &g), -EOVERFLOW,
	       "an SRAM offset whose range wraps");
	/* the DRAM address of a DRAM tensor is not bound by the SRAM */
	l.flags = SUSHI_LAYER_F_OUT_SRAM;
	l.in_addr = 1ull << 40;
	l.out_addr = 0;
	is_int(sushi_layer_check_sram(&l, 128, &g), 0,
	       "a DRAM input anywhere, the output filling a 128-byte SRAM");
	l = t_add(8, 4, 4);
	l.flags = SUSHI_LAYER_F_IN2_SRAM;
	l.in2_addr = 0;
	is_int(sushi_layer_check_sram(&l, 128, &g), 0, "add: in2 in the SRAM");
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	geometry();
	rejected();
	sram();
	return tap_done();
}

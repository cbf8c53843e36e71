// SPDX-License-Identifier: MIT
/*
 * test_compute.c - the int8 ops: hand-computed results of the arithmetic
 * (rounding ties, clamps, padding), the error paths of
 * sushi_layer_compute(), and every kernel family forced in turn against
 * the reference on random shapes of every op (odd sizes, channel counts
 * that are not multiples of the vector width, borders, strides, groups).
 */
#include <errno.h>
#include <stdlib.h>

#include "random_layer.h"
#include "isa_note.h"
#include "tap.h"

/* 1x1 conv, one channel: out = rshift((x - zp) * w + bias) * mult, shift) */
static int8_t one_mac(int8_t x, int32_t zp, int8_t w, int32_t bias,
		      int32_t mult, uint32_t shift, enum sushi_isa isa)
{
	struct sushi_hw_layer l = t_conv(1, 1, 1, 1, 1, 1, 0, 1);
	uint8_t epi[12];
	int8_t out = 0;
	struct sushi_layer_io io = { .in = &x, .w = &w, .w_stride = 1,
				     .epi = epi, .out = &out };

	l.in_zp = (uint32_t)zp;
	t_set_epi(epi, bias, mult, shift);
	if (sushi_layer_compute(&l, &io, isa))
		return 99;
	return out;
}

static void arithmetic(void)
{
	/* (3 - 1) * 5 = 10; 10 * 1 / 2^2 = 2.5 -> 3 (ties away from zero) */
	is_int(one_mac(3, 1, 5, 0, 1, 2, SUSHI_ISA_REF), 3, "2.5 rounds to 3");
	/* (-1 - 1) * 5 = -10 -> -2.5 -> -3 */
	is_int(one_mac(-1, 1, 5, 0, 1, 2, SUSHI_ISA_REF), -3, "-2.5 rounds to -3");
	/* 10 / 4 with bias 1: 11 / 4 = 2.75 -> 3; bias -1: 9/4 = 2.25 -> 2 */
	is_int(one_mac(3, 1, 5, -1, 1, 2, SUSHI_ISA_REF), 2, "2.25 rounds to 2");
	/* shift 0: (acc + bias) * mult exactly; clamps at 127 */
	is_int(one_mac(100, 0, 100, 0, 1, 0, SUSHI_ISA_REF), 127, "clamped to 127");
	is_int(one_mac(-100, 0, 100, 0, 1, 0, SUSHI_ISA_REF), -128, "clamped to -128");
	/* negative multiplier: 10 * -3 / 2^1 = -15 */
	is_int(one_mac(3, 1, 5, 0, -3, 1, SUSHI_ISA_REF), -15, "negative multiplier");
	/* extreme: acc -255*... mult -2^31 shift 62 */
	is_int(one_mac(127, -128, -128, 0, INT32_MIN, 62, SUSHI_ISA_REF), 0,
	       "255*-128*-2^31 / 2^62 = 0.0149 -> 0");
	is_int(one_mac(0, 0, 0, 5, 1, 63, SUSHI_ISA_REF), 99,
	       "epilogue shift 63 is refused");
}

static void padding_and_pools(void)
{
	/* 3x3 conv over a 2x2 input with pad 1: all taps weight 1, zp 10 */
	struct sushi_hw_layer l = t_conv(1, 2, 2, 1, 3, 1, 1, 1);
	int8_t in[4] = { 11, 12, 13, 14 }, w[9], out[4];
	uint8_t epi[12];
	struct sushi_layer_io io = { .in = in, .w = w, .w_stride = 9,
				     .epi = epi, .out = out };

	for (int i = 0; i < 9; i++)
		w[i] = 1;
	l.in_zp = 10;
	t_set_epi(epi, 0, 1, 0);
	sushi_layer_compute(&l, &io, SUSHI_ISA_REF);
	/* every output sees all four inputs: 1 + 2 + 3 + 4 = 10 */
	ok(out[0] == 10 && out[1] == 10 && out[2] == 10 && out[3] == 10,
	   "padding contributes zero (value = zero point)");

	l = t_pool(SUSHI_OP_AVGPOOL, 1, 2, 2, 3, 1, 1);
	l.in_zp = 10;
	l.out_zp = (uint32_t)-5;
	sushi_layer_compute(&l, &io, SUSHI_ISA_REF);
	/* window = all 4 inputs: (1+2+3+4)/4 = 2.5 -> 3, + out_zp -5 = -2 */
	is_int(out[0], -2, "avgpool excludes padding, rounds 2.5 to 3");
	l = t_pool(SUSHI_OP_MAXPOOL, 1, 2, 2, 2, 2, 1);
	l.in_zp = 10;
	l.out_zp = 0;
	sushi_layer_compute(&l, &io, SUSHI_ISA_REF);
	/* out 2x2; window (0,0) holds only in[0] = 11 -> 11 - 10 + 0 = 1 */
	ok(out[0] == 1 && out[3] == 4, "maxpool ignores padding: %d %d", out[0], out[3]);
	l = t_add(1, 2, 2);
	io.in2 = in;
	l.in_zp = 10;
	l.in2_zp = 11;
	l.add_shift = 1;
	l.add_mult_a = 1;
	l.add_mult_b = (uint32_t)-1;
	sushi_layer_compute(&l, &io, SUSHI_ISA_REF);
	/* ((x-10) - (x-11)) / 2 = 0.5 -> 1 */
	is_int(out[2], 1, "add: 0.5 rounds away from zero");
}

static void errors(void)
{
	struct sushi_hw_layer l = t_conv(4, 4, 4, 4, 3, 1, 1, 1);
	int8_t buf[256] = { 0 };
	uint8_t epi[48] = { 0 };
	struct sushi_layer_io io = { .in = buf, .w = buf, .w_stride = 36,
				     .epi = epi, .out = buf + 128 };
	struct sushi_layer_io bad;

	is_int(sushi_layer_compute(&l, &io, SUSHI_ISA_REF), 0, "valid conv computes");
	is_int(sushi_layer_compute(NULL, &io, SUSHI_ISA_REF), -EINVAL, "no layer");
	bad = io; bad.in = NULL;
	is_int(sushi_layer_compute(&l, &bad, SUSHI_ISA_REF), -EINVAL, "no input");
	bad = io; bad.w = NULL;
	is_int(sushi_layer_compute(&l, &bad, SUSHI_ISA_REF), -EINVAL, "no weights");
	bad = io; bad.w_stride = 35;
	is_int(sushi_layer_compute(&l, &bad, SUSHI_ISA_REF), -EINVAL, "short host stride");
	is_int(sushi_layer_compute(&l, &io, (enum sushi_isa)7), -ENOTSUP, "unknown family");
	l.stride = 3;
	is_int(sushi_layer_compute(&l, &io, SUSHI_ISA_REF), -EINVAL, "invalid layer");
	l = t_add(4, 4, 4);
	is_int(sushi_layer_compute(&l, &io, SUSHI_ISA_REF), -EINVAL, "add without in2");
}

/* ---- random layers, every family against the reference ---- */

static struct t_rand rng = { .seed = 7, .max_hw = 19, .max_c = 70,
			     .max_group_c = 20 };

static uint32_t rnd(uint32_t lo, uint32_t hi)
{
	return t_rnd(&rng, lo, hi);
}

static void fill(void *p, size_t n)
{
	t_fill(&rng, p, n);
}

static void families(void)
{
	static const char *const names[] = {
		[SUSHI_OP_CONV] = "conv", [SUSHI_OP_FC] = "fc",
		[SUSHI_OP_ADD] = "add", [SUSHI_OP_AVGPOOL] = "avgpool",
		[SUSHI_OP_MAXPOOL] = "maxpool", [SUSHI_OP_GAP] = "gap",
	};
	int per_op = tap_quick ? 8 : 120;

	for (int isa = SUSHI_ISA_AVX2; isa <= SUSHI_ISA_AVX512; isa++) {
		if (!sushi_isa_supported(isa)) {
			printf("ok %d - # SKIP %s not supported by this CPU\n",
			       ++tap_n, sushi_isa_name(isa));
			continue;
		}
		for (uint32_t op = SUSHI_OP_CONV; op < SUSHI_OP_COUNT; op++) {
			int bad = 0, errs = 0;

			for (int t = 0; t < per_op; t++) {
				struct sushi_hw_layer l = t_random_layer(&rng, op);
				struct sushi_layer_geom g;
				int8_t *in, *in2, *w, *o1, *o2;
				uint8_t *epi;

				if (sushi_layer_check(&l, &g)) {
					errs++;
					continue;
				}
				in = malloc(g.in_bytes);
				in2 = malloc(g.in2_bytes + 1);
				w = malloc(g.w_rows * l.w_stride + 1);
				epi = malloc(g.epi_bytes + 1);
				o1 = malloc(g.out_bytes);
				o2 = malloc(g.out_bytes);
				fill(in, g.in_bytes);
				fill(in2, g.in2_bytes);
				fill(w, g.w_rows * l.w_stride);
				for (uint64_t i = 0; i < g.w_rows; i++)
					t_set_epi(epi + 12 * i,
						(int32_t)(tap_rand(&rng.seed) % 200001) - 100000,
						(int32_t)tap_rand(&rng.seed),
						rnd(28, 44));
				{
					struct sushi_layer_io io = {
						.in = in, .in2 = g.in2_bytes ? in2 : NULL,
						.w = w, .w_stride = l.w_stride,
						.epi = epi, .out = o1,
					};

					errs += sushi_layer_compute(&l, &io, SUSHI_ISA_REF) != 0;
					io.out = o2;
					errs += sushi_layer_compute(&l, &io, isa) != 0;
					bad += memcmp(o1, o2, g.out_bytes) != 0;
				}
				free(in);
				free(in2);
				free(w);
				free(epi);
				free(o1);
				free(o2);
			}
			ok(!bad && !errs, "%s %s equals ref on %d random layers (%d differ, %d errors)",
			   sushi_isa_name(isa), names[op], per_op, bad, errs);
		}
	}
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	isa_note_avx512("test_compute");
	arithmetic();
	padding_and_pools();
	errors();
	families();
	return tap_done();
}

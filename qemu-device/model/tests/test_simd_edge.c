// SPDX-License-Identifier: MIT
/*
 * test_simd_edge.c - edge cases of the fast kernel families (AVX2, AVX-512
 * VNNI) against the reference: every op on random shapes biased towards
 * vector-width tails, all paddings and strides, grouped / depthwise /
 * channel-multiplier convs, extreme zero points, weights, multipliers and
 * shifts, and the largest accumulator the layer rules allow.  Every output
 * byte of each family must equal the reference's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sushi_model.h"
#include "isa_note.h"
#include "tap.h"

static uint64_t seed = 0x5eed5eed12345ull;

/* per group of cases: how many ran, failed per family, invalid layers */
static int g_cases, g_bad[SUSHI_ISA_AUTO], g_invalid;

/*
 * Epilogues of the depthwise cases (dw_case()): 0 the usual mix; 1 shifts
 * 33..45 (the kernels' high-dword form); 2 shifts 24..32 (their 64-bit
 * form); both with |bias| <= 2^20, so that every channel fits the 32-bit
 * lanes of simd_dw.h and the fast kernels (not their reference fallback)
 * run.  g_dw_neg: multipliers of both signs (else positive only).
 */
static int g_dw_epi, g_dw_neg;

static void group_start(void)
{
	g_cases = g_invalid = 0;
	memset(g_bad, 0, sizeof(g_bad));
}

static void group_end(const char *name)
{
	ok(g_invalid == 0, "%s: %d random layers valid", name, g_cases);
	for (int isa = SUSHI_ISA_REF; isa <= SUSHI_ISA_AVX512; isa++) {
		if (isa != SUSHI_ISA_REF && !sushi_isa_supported(isa))
			continue;
		if (isa == SUSHI_ISA_REF)
			ok(g_bad[isa] == 0, "%s: reference runs on %d layers (%d fail)",
			   name, g_cases, g_bad[isa]);
		else
			ok(g_bad[isa] == 0, "%s: %s equals ref on %d layers (%d differ)",
			   name, sushi_isa_name(isa), g_cases, g_bad[isa]);
	}
}

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(tap_rand(&seed) >> 33) % n;
}

static int32_t rs8(void)
{
	static const int32_t ext[] = { -128, 127, 0, -1, 1 };

	return rnd(4) ? (int32_t)rnd(256) - 128 : ext[rnd(5)];
}

static int32_t rs32(void)
{
	static const int32_t ext[] = { INT32_MIN, INT32_MAX, 0, 1, -1, 1 << 30 };

	switch (rnd(4)) {
	case 0:
		return ext[rnd(6)];
	case 1:
		return (int32_t)rnd(1u << 16) - (1 << 15);
	default:
		return (int32_t)(uint32_t)tap_rand(&seed);
	}
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

struct bufs {
	int8_t *in, *in2, *w, *ref, *out;
	uint8_t *epi;
	size_t w_stride;
};

static void free_bufs(struct bufs *b)
{
	free(b->in);
	free(b->in2);
	free(b->w);
	free(b->ref);
	free(b->out);
	free(b->epi);
}

static void fill(int8_t *p, size_t n, int mode)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (int8_t)(mode == 1 || mode == 3 ? 127 : mode == 2 ? -128 : rs8());
}

/* runs every supported family on @l and counts the ones that differ */
static void check(struct sushi_hw_layer *l, int mode, const char *what)
{
	struct sushi_layer_geom g;
	struct sushi_layer_io io = { 0 };
	struct bufs b = { 0 };
	int ret = sushi_layer_check(l, &g);
	int typical;

	g_cases++;
	if (ret) {
		printf("# %s: invalid layer (%d)\n", what, ret);
		g_invalid++;
		return;
	}
	typical = mode == 0 && rnd(2);
	b.in = malloc(g.in_bytes);
	b.in2 = g.in2_bytes ? malloc(g.in2_bytes) : NULL;
	b.ref = malloc(g.out_bytes);
	b.out = malloc(g.out_bytes);
	fill(b.in, g.in_bytes, mode);
	if (b.in2)
		fill(b.in2, g.in2_bytes, 0);
	if (g.w_rows) {
		b.w_stride = l->w_stride;
		b.w = malloc((g.w_rows - 1) * b.w_stride + g.w_row_bytes);
		fill(b.w, (g.w_rows - 1) * b.w_stride + g.w_row_bytes,
		     mode ? 2 : 0);
		if (mode == 3)	/* a few positive weights: both signs of acc */
			for (uint64_t i = 0; i < g.w_rows; i += 2)
				memset(b.w + i * b.w_stride, 127, g.w_row_bytes);
		b.epi = malloc(g.epi_bytes);
		for (uint64_t i = 0; i < g.w_rows; i++) {
			static const uint32_t xs[] = { 62, 61, 40, 0 };
			uint8_t *e = b.epi + 12 * i;

			if (mode == 3) {	/* |(acc + bias) * mult| near 2^63 */
				put_le32(e, (uint32_t)(rnd(2) ? INT32_MIN : INT32_MAX));
				put_le32(e + 4, (uint32_t)(rnd(2) ? INT32_MIN : INT32_MAX));
				put_le32(e + 8, xs[rnd(4)]);
				continue;
			}
			if (g_dw_epi) {
				int32_t mu = (int32_t)(rnd(1u << 31) | 1);

				put_le32(e, (uint32_t)((int32_t)rnd(1u << 21) - (1 << 20)));
				put_le32(e + 4, (uint32_t)(g_dw_neg && rnd(2) ? -mu : mu));
				put_le32(e + 8, g_dw_epi == 1 ? 33 + rnd(13) : 24 + rnd(9));
				continue;
			}
			if (typical) {	/* what a quantizer emits: the fast paths */
				put_le32(e, (uint32_t)((int32_t)rnd(1u << 21) - (1 << 20)));
				put_le32(e + 4, (uint32_t)((int32_t)rnd(1u << 31) - (rnd(8) ? 0 : INT32_MAX)));
				put_le32(e + 8, rnd(8) ? 25 + rnd(20) : rnd(63));
				continue;
			}
			put_le32(e, (uint32_t)rs32());
			put_le32(e + 4, (uint32_t)(mode ? 1 : rs32()));
			put_le32(e + 8, mode ? 0 : rnd(4) ? 20 + rnd(24) : rnd(63));
		}
	}
	io.in = b.in;
	io.in2 = b.in2;
	io.w = b.w;
	io.w_stride = b.w_stride;
	io.epi = b.epi;
	io.out = b.ref;
	ret = sushi_layer_compute(l, &io, SUSHI_ISA_REF);
	if (ret) {
		printf("# %s: reference failed (%d)\n", what, ret);
		g_bad[SUSHI_ISA_REF]++;
	}
	for (int isa = SUSHI_ISA_AVX2; isa <= SUSHI_ISA_AVX512 && !ret; isa++) {
		int r;

		if (!sushi_isa_supported(isa))
			continue;
		memset(b.out, 0x55, g.out_bytes);
		io.out = b.out;
		r = sushi_layer_compute(l, &io, isa);
		if (r == 0 && !memcmp(b.out, b.ref, g.out_bytes))
			continue;
		g_bad[isa]++;
		for (uint64_t i = 0; i < g.out_bytes; i++) {
			if (b.out[i] != b.ref[i] || r) {
				printf("#   %s: %s: ret %d, first diff at %llu: %d vs %d\n",
				       what, sushi_isa_name(isa), r,
				       (unsigned long long)i, b.out[i], b.ref[i]);
				break;
			}
		}
	}
	free_bufs(&b);
}

static void common(struct sushi_hw_layer *l)
{
	int32_t a = rs8(), c = rs8();

	l->in_zp = (uint32_t)rs8();
	l->out_zp = (uint32_t)rs8();
	if (rnd(2)) {
		a = -128;
		c = 127;
	}
	l->act_min = (uint32_t)(a < c ? a : c);
	l->act_max = (uint32_t)(a < c ? c : a);
}

static uint32_t out_dim(uint32_t in, uint32_t k, uint32_t s, uint32_t p)
{
	return (in + 2 * p - k) / s + 1;
}

static void conv_case(int kind, int i)
{
	static const uint32_t ks[] = { 1, 3, 5, 7 };
	struct sushi_hw_layer l = { .op = SUSHI_OP_CONV };
	uint32_t cg, kg, groups;
	char what[96];

	l.kernel = ks[rnd(4)];
	l.stride = 1 + rnd(2);
	l.pad = rnd(l.kernel);
	l.in_h = 1 + rnd(12);
	l.in_w = 1 + rnd(12);
	if (l.in_h + 2 * l.pad < l.kernel)
		l.in_h = l.kernel;
	if (l.in_w + 2 * l.pad < l.kernel)
		l.in_w = l.kernel + rnd(3);
	switch (kind) {
	case 0:		/* dense, channel counts around the vector widths */
		groups = 1;
		cg = 1 + rnd(rnd(2) ? 80 : 9);
		kg = 1 + rnd(rnd(2) ? 80 : 20);
		break;
	case 1:		/* grouped */
		groups = 2 + rnd(4);
		cg = 1 + rnd(12);
		kg = 1 + rnd(40);
		break;
	case 2:		/* depthwise, maybe with a channel multiplier */
		groups = 1 + rnd(70);
		cg = 1;
		kg = rnd(2) ? 1 : 1 + rnd(20);
		break;
	default:	/* big reduction, dense */
		groups = 1;
		cg = 100 + rnd(400);
		kg = 1 + rnd(70);
		l.in_h = l.kernel + rnd(3);
		l.in_w = l.kernel + rnd(3);
		break;
	}
	l.groups = groups;
	l.in_c = cg * groups;
	l.out_c = kg * groups;
	l.out_h = out_dim(l.in_h, l.kernel, l.stride, l.pad);
	l.out_w = out_dim(l.in_w, l.kernel, l.stride, l.pad);
	l.w_stride = cg * l.kernel * l.kernel + (rnd(2) ? rnd(70) : 0);
	common(&l);
	snprintf(what, sizeof(what), "conv#%d k%u s%u p%u %ux%ux%u->%u g%u",
		 i, l.kernel, l.stride, l.pad, l.in_h, l.in_w, l.in_c, l.out_c,
		 l.groups);
	check(&l, 0, what);
}

/*
 * Depthwise with a channel multiplier on the fast kernels' own ground:
 * output channels around their blocks (16, 32, 64), multipliers 1..20,
 * odd widths, every padding, strides 1 and 2, kernel sizes 1..7, extreme and
 * saturating data (mode: fill of check()).
 */
static void dw_case(int i, int mode)
{
	static const uint32_t ks[] = { 3, 3, 3, 1, 5, 7 };
	static const uint32_t outs[] = { 15, 16, 17, 31, 32, 33, 63, 64, 65,
					 144, 192, 200 };
	struct sushi_hw_layer l = { .op = SUSHI_OP_CONV };
	uint32_t m = rnd(3) ? 1 + rnd(20) : 1, oc = outs[rnd(12)];
	char what[96];

	l.kernel = ks[rnd(6)];
	l.stride = 1 + rnd(2);
	l.pad = rnd(l.kernel);
	l.in_h = l.kernel + rnd(9);
	l.in_w = l.kernel + rnd(rnd(2) ? 40 : 6);
	l.groups = (oc + m - 1) / m;
	l.in_c = l.groups;
	l.out_c = l.groups * m;
	l.out_h = out_dim(l.in_h, l.kernel, l.stride, l.pad);
	l.out_w = out_dim(l.in_w, l.kernel, l.stride, l.pad);
	l.w_stride = l.kernel * l.kernel + (rnd(2) ? rnd(9) : 0);
	common(&l);
	snprintf(what, sizeof(what), "dw#%d k%u s%u p%u %ux%ux%u m%u epi%d%s",
		 i, l.kernel, l.stride, l.pad, l.in_h, l.in_w, l.in_c, m,
		 g_dw_epi, g_dw_neg ? " neg" : "");
	check(&l, mode, what);
}

static void conv_extreme(int i)
{
	struct sushi_hw_layer l = { .op = SUSHI_OP_CONV, .kernel = 3, .stride = 1,
				    .pad = 1, .groups = 1, .in_h = 3, .in_w = 3,
				    .out_h = 3, .out_w = 3 };
	char what[64];

	l.in_c = 7281;			/* 7281 * 9 = 65529 <= 65536 */
	l.out_c = 1 + rnd(40);
	l.w_stride = l.in_c * 9;
	l.in_zp = (uint32_t)-128;
	l.out_zp = (uint32_t)rs8();
	l.act_min = (uint32_t)-128;
	l.act_max = 127;
	snprintf(what, sizeof(what), "conv extreme#%d ->%u", i, l.out_c);
	check(&l, 3, what);
}

static void fc_case(int i, uint32_t in_c, uint32_t out_c, int mode)
{
	struct sushi_hw_layer l = { .op = SUSHI_OP_FC, .kernel = 1, .stride = 1,
				    .groups = 1, .in_h = 1, .in_w = 1,
				    .out_h = 1, .out_w = 1 };
	char what[64];

	l.in_c = in_c;
	l.out_c = out_c;
	l.w_stride = in_c + (rnd(2) ? rnd(100) : 0);
	common(&l);
	if (mode)
		l.in_zp = (uint32_t)-128;
	snprintf(what, sizeof(what), "fc#%d %u->%u%s", i, in_c, out_c,
		 mode ? " extreme" : "");
	check(&l, mode, what);
}

static void add_case(int i)
{
	struct sushi_hw_layer l = { .op = SUSHI_OP_ADD, .stride = 1, .groups = 1 };
	char what[64];

	l.in_c = l.out_c = 1 + rnd(100);
	l.in_h = l.out_h = 1 + rnd(9);
	l.in_w = l.out_w = 1 + rnd(9);
	common(&l);
	l.in2_zp = (uint32_t)rs8();
	l.add_mult_a = (uint32_t)rs32();
	l.add_mult_b = (uint32_t)rs32();
	l.add_shift = rnd(2) ? 20 + rnd(20) : rnd(63);
	snprintf(what, sizeof(what), "add#%d %u elems shift %u", i,
		 l.in_c * l.in_h * l.in_w, l.add_shift);
	check(&l, 0, what);
}

static void pool_case(int i, uint32_t op)
{
	struct sushi_hw_layer l = { .op = op, .groups = 1 };
	char what[80];

	l.in_c = l.out_c = 1 + rnd(rnd(2) ? 150 : 20);
	l.in_h = 1 + rnd(14);
	l.in_w = 1 + rnd(14);
	if (op == SUSHI_OP_GAP) {
		l.stride = 1;
		l.out_h = l.out_w = 1;
	} else {
		l.kernel = 1 + rnd(8);
		l.stride = 1 + rnd(8);
		l.pad = rnd(l.kernel);
		if (l.in_h + 2 * l.pad < l.kernel)
			l.in_h = l.kernel;
		if (l.in_w + 2 * l.pad < l.kernel)
			l.in_w = l.kernel;
		l.out_h = out_dim(l.in_h, l.kernel, l.stride, l.pad);
		l.out_w = out_dim(l.in_w, l.kernel, l.stride, l.pad);
	}
	common(&l);
	snprintf(what, sizeof(what), "pool%u#%d k%u s%u p%u %ux%ux%u", op, i,
		 l.kernel, l.stride, l.pad, l.in_h, l.in_w, l.in_c);
	check(&l, 0, what);
}

int main(int argc, char **argv)
{
	int n;

	tap_init(argc, argv);
	isa_note_avx512("test_simd_edge");
	n = tap_quick ? 6 : 60;
	if (!sushi_isa_supported(SUSHI_ISA_AVX2))
		printf("# AVX2 not supported here: only the reference runs\n");
	for (int kind = 0; kind < 4; kind++) {
		static const char *const names[] = {
			"conv dense", "conv grouped", "conv depthwise",
			"conv big reduction",
		};

		group_start();
		for (int i = 0; i < n; i++)
			conv_case(kind, i);
		group_end(names[kind]);
	}
	group_start();
	for (int i = 0; i < n; i++)
		fc_case(i, 1 + rnd(rnd(2) ? 3000 : 130), 1 + rnd(40), 0);
	group_end("fc");
	/* depthwise fast paths: both requantization forms, both signs */
	for (int f = 1; f <= 2; f++) {
		for (int neg = 0; neg <= 1; neg++) {
			char name[64];

			g_dw_epi = f;
			g_dw_neg = neg;
			group_start();
			for (int i = 0; i < n; i++)
				dw_case(i, rnd(4) ? 0 : 1 + (int)rnd(2));
			snprintf(name, sizeof(name), "depthwise, shifts %s, %s multipliers",
				 f == 1 ? "33..45" : "24..32", neg ? "signed" : "positive");
			group_end(name);
		}
	}
	g_dw_epi = g_dw_neg = 0;
	/* largest reduction: |acc| = 255 * 128 * 65536, just below 2^31 */
	group_start();
	fc_case(n, 65536, 3, 1);
	fc_case(n + 1, 65536, 9, 3);
	group_end("fc extreme accumulator");
	/* conv reductions of 65529 taps, extreme data and epilogues */
	group_start();
	for (int i = 0; i < (tap_quick ? 1 : 3); i++)
		conv_extreme(i);
	group_end("conv extreme accumulator");
	group_start();
	for (int i = 0; i < n; i++)
		add_case(i);
	group_end("add");
	group_start();
	for (int i = 0; i < n; i++)
		pool_case(i, SUSHI_OP_AVGPOOL);
	group_end("avgpool");
	group_start();
	for (int i = 0; i < n; i++)
		pool_case(i, SUSHI_OP_MAXPOOL);
	group_end("maxpool");
	group_start();
	for (int i = 0; i < n; i++)
		pool_case(i, SUSHI_OP_GAP);
	group_end("gap");
	if (!tap_quick) {
		/* more than 2^23 pixels: the kernels' int32 partial sums flush */
		struct sushi_hw_layer l = { .op = SUSHI_OP_GAP, .stride = 1,
					    .groups = 1, .in_c = 3, .out_c = 3,
					    .in_h = 4100, .in_w = 2050,
					    .out_h = 1, .out_w = 1,
					    .act_min = (uint32_t)-128, .act_max = 127 };

		group_start();
		l.in_zp = 127;
		check(&l, 2, "gap 4100x2050x3 all -128");
		l.in_zp = (uint32_t)-128;
		check(&l, 1, "gap 4100x2050x3 all 127");
		check(&l, 0, "gap 4100x2050x3 random");
		group_end("gap over 2^23 pixels");
	}
	return tap_done();
}

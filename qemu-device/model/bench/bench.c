// SPDX-License-Identifier: MIT
/*
 * bench.c - single-threaded benchmark of the model library's int8 kernels
 * (make model-bench / make bench).  For six layers (3x3 conv C=K=64 at
 * 56x56, 1x1 conv C=256 K=64 at 28x28, 3x3 depthwise C=144 at 28x28, 3x3
 * depthwise C=32 with channel multiplier 6 (K=192) at 28x28 with stride 1
 * and 2, FC 1280->1000) it times every supported kernel family, checks once that each
 * fast family gives the reference's bytes (exit 1 if not), measures the
 * core's int8 peak with tight multiply-add loops (VNNI vpdpbusd: 64 MACs
 * per zmm instruction; AVX2 vpmaddwd: 16 MACs per ymm instruction), prints
 * a table, and ends with one line per kernel for scripts:
 *   bench <kernel> <GMAC/s> <percent of peak>%
 * (best fast family; peak = the VNNI peak, or the AVX2 one without VNNI),
 * and lines for bench/side_by_side.py (make bench: our flags beside QEMU's):
 *   peak <family> <GMAC/s>
 *   fam <kernel> <family> <GMAC/s>
 * Rates (and the peaks) are the best of several >= 0.03 s batches: the
 * cores are shared, and the best batch is the one least disturbed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sushi_model.h"

#define NFAM 3

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd32(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 32);
}

/* --------------------------------------------------------- peak loops */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define PEAK_ACC 16

__attribute__((target("avx512f,avx512bw,avx512vnni"), noinline))
static int32_t peak_vnni_loop(long n)
{
	__m512i a[PEAK_ACC], x = _mm512_set1_epi32(0x01020304);
	__m512i y = _mm512_set1_epi32(0x05060708), s;

	for (int j = 0; j < PEAK_ACC; j++)
		a[j] = _mm512_set1_epi32(j);
	for (long i = 0; i < n; i++) {
#pragma GCC unroll 16
		for (int j = 0; j < PEAK_ACC; j++)
			a[j] = _mm512_dpbusd_epi32(a[j], x, y);
		__asm__ volatile("" : "+v"(x), "+v"(y));
	}
	s = a[0];
	for (int j = 1; j < PEAK_ACC; j++)
		s = _mm512_add_epi32(s, a[j]);
	{
		/* not _mm512_reduce_add_epi32: GCC 12's header trips QEMU's
		 * -Winit-self (the bench is also built with QEMU's flags) */
		int32_t v[16], r = 0;

		_mm512_storeu_si512(v, s);
		for (int j = 0; j < 16; j++)
			r += v[j];
		return r;
	}
}

#define PEAK2_ACC 10

/*
 * 10 independent vpmaddwd + vpaddd per iteration, written in asm: with
 * intrinsics the compiler either merges the identical products or spills
 * (AVX2 has 16 registers).
 */
#define MADD(a, t) "vpmaddwd %[y], %[x], %[" t "]\n\t" \
		   "vpaddd %[" t "], %[" a "], %[" a "]\n\t"

__attribute__((target("avx2"), noinline))
static int32_t peak_avx2_loop(long n)
{
	__m256i a0 = _mm256_set1_epi32(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
	__m256i a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, t0, t1, s;
	__m256i x = _mm256_set1_epi32(0x01020304), y = _mm256_set1_epi32(0x05060708);

	for (long i = 0; i < n; i++)
		__asm__ volatile(MADD("a0", "t0") MADD("a1", "t1") MADD("a2", "t0")
				 MADD("a3", "t1") MADD("a4", "t0") MADD("a5", "t1")
				 MADD("a6", "t0") MADD("a7", "t1") MADD("a8", "t0")
				 MADD("a9", "t1")
				 : [a0] "+x"(a0), [a1] "+x"(a1), [a2] "+x"(a2),
				   [a3] "+x"(a3), [a4] "+x"(a4), [a5] "+x"(a5),
				   [a6] "+x"(a6), [a7] "+x"(a7), [a8] "+x"(a8),
				   [a9] "+x"(a9), [t0] "=&x"(t0), [t1] "=&x"(t1)
				 : [x] "x"(x), [y] "x"(y));
	s = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3)),
			     _mm256_add_epi32(_mm256_add_epi32(a4, a5), _mm256_add_epi32(a6, a7)));
	s = _mm256_add_epi32(s, _mm256_add_epi32(a8, a9));
	return _mm256_extract_epi32(s, 0) + _mm256_extract_epi32(s, 7);
}

/* best GMAC/s over a few 0.1 s runs; 0 when the CPU lacks the ISA */
static double peak(enum sushi_isa isa)
{
	const double macs_per_iter = isa == SUSHI_ISA_AVX512 ?
		PEAK_ACC * 64.0 : PEAK2_ACC * 16.0;
	volatile int32_t sink;
	double best = 0;
	long n = 100000;

	if (!sushi_isa_supported(isa))
		return 0;
	for (int r = 0; r < 12; r++) {
		double t = now(), dt;

		sink = isa == SUSHI_ISA_AVX512 ? peak_vnni_loop(n) : peak_avx2_loop(n);
		dt = now() - t;
		(void)sink;
		if (dt < 0.03) {
			n *= 4;
			r--;
			continue;
		}
		if (macs_per_iter * n / dt / 1e9 > best)
			best = macs_per_iter * n / dt / 1e9;
	}
	return best;
}
#else
static double peak(enum sushi_isa isa)
{
	(void)isa;
	return 0;
}
#endif

/* -------------------------------------------------------------- layers */

struct bench_layer {
	const char *name;
	struct sushi_hw_layer l;
	struct sushi_layer_geom g;
	int8_t *in, *w, *ref, *out;
	uint8_t *epi;
	double gmacs[NFAM];
};

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int setup(struct bench_layer *b)
{
	struct sushi_hw_layer *l = &b->l;
	int ret = sushi_layer_check(l, &b->g);

	if (ret) {
		fprintf(stderr, "bench: %s: invalid layer (%d)\n", b->name, ret);
		return ret;
	}
	b->in = malloc(b->g.in_bytes);
	b->w = malloc(b->g.w_span);
	b->epi = malloc(b->g.epi_bytes);
	b->ref = malloc(b->g.out_bytes);
	b->out = malloc(b->g.out_bytes);
	if (!b->in || !b->w || !b->epi || !b->ref || !b->out)
		return -ENOMEM;
	for (uint64_t i = 0; i < b->g.in_bytes; i++)
		b->in[i] = (int8_t)rnd32();
	for (uint64_t i = 0; i < b->g.w_span; i++)
		b->w[i] = (int8_t)rnd32();
	for (uint64_t i = 0; i < b->g.w_rows; i++) {
		put_le32(b->epi + 12 * i, rnd32() % 20001 - 10000);	/* bias */
		put_le32(b->epi + 12 * i + 4, (1u << 30) + rnd32() % (1u << 29));
		put_le32(b->epi + 12 * i + 8, 38 + rnd32() % 4);		/* shift */
	}
	return 0;
}

static int run(struct bench_layer *b, int8_t *out, enum sushi_isa isa)
{
	struct sushi_layer_io io = {
		.in = b->in, .w = b->w, .w_stride = b->l.w_stride,
		.epi = b->epi, .out = out,
	};

	return sushi_layer_compute(&b->l, &io, isa);
}

/* the streamed variant, memory-backed callbacks (tile > 0: streamed) */
static int mem_read(void *opaque, int which, uint64_t off, uint64_t len,
		    int8_t *dst)
{
	const struct bench_layer *b = opaque;

	(void)which;
	memcpy(dst, b->in + off, len);
	return 0;
}

static int mem_write(void *opaque, uint64_t off, uint64_t len,
		     const int8_t *src)
{
	struct bench_layer *b = opaque;

	memcpy(b->out + off, src, len);
	return 0;
}

static uint64_t stream_tile;

static int run_streamed(struct bench_layer *b, int8_t *out, enum sushi_isa isa)
{
	struct sushi_stream_io io = {
		.read = mem_read, .write = mem_write, .opaque = b,
		.w = b->w, .w_stride = b->l.w_stride, .epi = b->epi,
	};

	if (!stream_tile)
		return run(b, out, isa);
	return sushi_layer_compute_streamed(&b->l, &io, stream_tile, isa);
}

/* GMAC/s: best of batches of >= 0.03 s, >= @total seconds in all */
static double timeit(struct bench_layer *b, enum sushi_isa isa, double total)
{
	double best = 0, spent = 0;
	long reps = 1;

	if (run_streamed(b, b->out, isa))	/* warm-up */
		return -1;
	while (spent < total) {
		double t = now(), dt;

		for (long r = 0; r < reps; r++)
			run_streamed(b, b->out, isa);
		dt = now() - t;
		spent += dt;
		if (dt < 0.03) {
			reps *= 2;
			continue;
		}
		if ((double)b->g.macs * reps / dt / 1e9 > best)
			best = (double)b->g.macs * reps / dt / 1e9;
	}
	return best;
}

/*
 * sushi_layer_compute_streamed() with 64 KiB tiles on the best family
 * against the whole-tensor call (comment lines: side_by_side.py skips them)
 */
static int bench_streamed(struct bench_layer *bl, int n)
{
	const enum sushi_isa isa = sushi_isa_best();
	int bad = 0;

	for (int i = 0; i < n; i++) {
		struct bench_layer *b = &bl[i];
		double whole, streamed;

		stream_tile = 0;
		whole = timeit(b, isa, 0.3);
		stream_tile = 64 << 10;
		memset(b->out, 0x5a, b->g.out_bytes);
		if (run_streamed(b, b->out, isa) ||
		    memcmp(b->out, b->ref, b->g.out_bytes)) {
			fprintf(stderr, "bench: %s: streamed output differs\n", b->name);
			bad = 1;
		}
		streamed = timeit(b, isa, 0.3);
		printf("# streamed %-22s %s tile 64 KiB: band %7llu bytes (whole %8llu), %7.2f GMAC/s (whole %7.2f)\n",
		       b->name, sushi_isa_name(isa),
		       (unsigned long long)sushi_stream_band_bytes(&b->l, stream_tile),
		       (unsigned long long)(b->g.in_bytes + b->g.out_bytes),
		       streamed, whole);
	}
	stream_tile = 0;
	return bad;
}

#define CONVS(nm, c, hw, k_, kout, p_, grp, s_)                              \
	{ .name = nm, .l = { .op = SUSHI_OP_CONV, .in_c = c, .in_h = hw,     \
			     .in_w = hw, .out_c = kout,                      \
			     .out_h = (hw + 2 * p_ - k_) / s_ + 1,            \
			     .out_w = (hw + 2 * p_ - k_) / s_ + 1,            \
			     .kernel = k_, .stride = s_,                     \
			     .pad = p_, .groups = grp, .in_zp = (uint32_t)-3, \
			     .out_zp = 5, .act_min = 0, .act_max = 127,      \
			     .w_stride = (c / grp) * k_ * k_ } }
#define CONV(nm, c, hw, k_, kout, p_, grp) CONVS(nm, c, hw, k_, kout, p_, grp, 1)

int main(void)
{
	struct bench_layer bl[] = {
		CONV("conv3x3_c64_56", 64, 56, 3, 64, 1, 1),
		CONV("conv1x1_c256_k64_28", 256, 28, 1, 64, 0, 1),
		CONV("dw3x3_c144_28", 144, 28, 3, 144, 1, 144),
		CONVS("dw3x3_c32m6_28_s1", 32, 28, 3, 192, 1, 32, 1),
		CONVS("dw3x3_c32m6_28_s2", 32, 28, 3, 192, 1, 32, 2),
		{ .name = "fc_1280_1000",
		  .l = { .op = SUSHI_OP_FC, .in_c = 1280, .in_h = 1, .in_w = 1,
			 .out_c = 1000, .out_h = 1, .out_w = 1, .kernel = 1,
			 .stride = 1, .groups = 1, .in_zp = 7, .out_zp = (uint32_t)-2,
			 .act_min = (uint32_t)-128, .act_max = 127,
			 .w_stride = 1280 } },
	};
	const int n = (int)(sizeof(bl) / sizeof(bl[0]));
	double pk_vnni, pk_avx2, pk, load[3] = { -1, -1, -1 };
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	printf("# SushiAccel model kernels, single thread; load average %.2f %.2f %.2f\n",
	       load[0], load[1], load[2]);
	pk_vnni = peak(SUSHI_ISA_AVX512);
	pk_avx2 = peak(SUSHI_ISA_AVX2);

	for (int i = 0; i < n; i++) {
		struct bench_layer *b = &bl[i];

		if (setup(b))
			return 1;
		if (run(b, b->ref, SUSHI_ISA_REF)) {
			fprintf(stderr, "bench: %s: reference failed\n", b->name);
			return 1;
		}
		for (int f = 0; f < NFAM; f++) {
			b->gmacs[f] = 0;
			if (!sushi_isa_supported((enum sushi_isa)f))
				continue;
			if (f != SUSHI_ISA_REF) {
				memset(b->out, 0x5a, b->g.out_bytes);
				if (run(b, b->out, (enum sushi_isa)f) ||
				    memcmp(b->out, b->ref, b->g.out_bytes)) {
					fprintf(stderr, "bench: %s: %s output differs from the reference\n",
						b->name, sushi_isa_name((enum sushi_isa)f));
					bad = 1;
					continue;
				}
			}
			b->gmacs[f] = timeit(b, (enum sushi_isa)f,
					     f == SUSHI_ISA_REF ? 0.3 : 0.6);
		}
	}

	/* again after the kernels: the best of both, less disturbed */
	pk = peak(SUSHI_ISA_AVX512);
	pk_vnni = pk > pk_vnni ? pk : pk_vnni;
	pk = peak(SUSHI_ISA_AVX2);
	pk_avx2 = pk > pk_avx2 ? pk : pk_avx2;
	pk = pk_vnni > 0 ? pk_vnni : pk_avx2;
	printf("# int8 peak: VNNI vpdpbusd zmm %.1f GMAC/s, AVX2 vpmaddwd ymm %.1f GMAC/s\n",
	       pk_vnni, pk_avx2);
	printf("# %-22s %10s %9s %9s %12s %9s %9s\n", "kernel", "MACs", "ref",
	       "avx2", "avx512-vnni", "best/ref", "%peak");
	for (int i = 0; i < n; i++) {
		struct bench_layer *b = &bl[i];
		double best = b->gmacs[1] > b->gmacs[2] ? b->gmacs[1] : b->gmacs[2];

		printf("# %-22s %10llu %9.2f %9.2f %12.2f %8.1fx %8.1f%%\n", b->name,
		       (unsigned long long)b->g.macs, b->gmacs[0], b->gmacs[1],
		       b->gmacs[2], b->gmacs[0] > 0 ? best / b->gmacs[0] : 0,
		       pk > 0 ? 100 * best / pk : 0);
	}
	printf("# (GMAC/s; %%peak of the best fast family against the %s peak)\n",
	       pk_vnni > 0 ? "VNNI" : "AVX2");
	bad |= bench_streamed(bl, n);
	printf("peak avx512-vnni %.2f\npeak avx2 %.2f\n", pk_vnni, pk_avx2);
	for (int i = 0; i < n; i++)
		for (int f = 0; f < NFAM; f++)
			printf("fam %s %s %.3f\n", bl[i].name,
			       sushi_isa_name((enum sushi_isa)f), bl[i].gmacs[f]);
	for (int i = 0; i < n; i++) {
		struct bench_layer *b = &bl[i];
		double best = b->gmacs[1] > b->gmacs[2] ? b->gmacs[1] : b->gmacs[2];

		if (best <= 0)
			best = b->gmacs[0];
		printf("bench %s %.2f %.1f%%\n", b->name, best,
		       pk > 0 ? 100 * best / pk : 0);
		free(b->in);
		free(b->w);
		free(b->epi);
		free(b->ref);
		free(b->out);
	}
	return bad;
}

// SPDX-License-Identifier: MIT
/*
 * test_stream.c - sushi_layer_compute_streamed(): on random valid layers of
 * every op (kernels 1..8, strides, paddings, groups and depthwise with
 * channel multipliers, odd sizes, saturating zero points and clamps),
 * rows wider and taller than a padded band may be, tile sizes from 0 to
 * more than the tensors, and every family this CPU runs, the streamed
 * output equals sushi_layer_compute() on the whole tensors byte for byte,
 * and memory-backed callbacks check the streaming: reads are whole input
 * rows inside the input, no row is read by more than ceil(k / s) + 1
 * bands, output rows are written once each in order, and a band's reads
 * plus writes stay within sushi_stream_band_bytes().  Also the errors:
 * refused arguments, and a callback's error returned with no callback
 * after it.
 */
#include <errno.h>
#include <stdlib.h>

#include "random_layer.h"
#include "isa_note.h"
#include "tap.h"

/* ------------------------------------------------ memory-backed callbacks */

struct mem {
	const struct sushi_hw_layer *l;
	const int8_t *in[2];
	int8_t *out;
	uint64_t in_row, out_row, out_bytes;
	/* instrumentation */
	uint32_t *row_reads;	/* per input row (in only): calls reading it */
	uint64_t next_out;	/* where the next write must start */
	uint64_t band, band_max;	/* bytes read + written by a band */
	int writing;		/* last call was a write: the next read starts a band */
	int read_is_band;	/* GAP: every read is a band (sums, no output rows) */
	int bands, bad_read, bad_write;
	/* errors: fail the call with this index (0-based), -1: never */
	int calls, fail_at, calls_after_fail;
	int failed;
};

static int mem_read(void *opaque, int which, uint64_t off, uint64_t len,
		    int8_t *dst)
{
	struct mem *m = opaque;
	uint64_t in_bytes = m->in_row * m->l->in_h;

	if (m->failed)
		m->calls_after_fail++;
	if (m->calls++ == m->fail_at) {
		m->failed = 1;
		return -EIO;
	}
	if (which < 0 || which > 1 || (which && !m->in[1]) || !len ||
	    off % m->in_row || len % m->in_row || off > in_bytes ||
	    len > in_bytes - off) {
		m->bad_read++;
		return -ERANGE;
	}
	if (m->writing || !m->bands || m->read_is_band) {
		m->writing = 0;
		m->bands++;
		m->band = 0;
	}
	m->band += len;
	if (m->band > m->band_max)
		m->band_max = m->band;
	if (!which)
		for (uint64_t r = off / m->in_row; r < (off + len) / m->in_row; r++)
			m->row_reads[r]++;
	memcpy(dst, m->in[which] + off, len);
	return 0;
}

static int mem_write(void *opaque, uint64_t off, uint64_t len,
		     const int8_t *src)
{
	struct mem *m = opaque;

	if (m->failed)
		m->calls_after_fail++;
	if (m->calls++ == m->fail_at) {
		m->failed = 1;
		return -ENOSPC;
	}
	if (off != m->next_out || !len || len % m->out_row ||
	    len > m->out_bytes - off) {
		m->bad_write++;
		return -ERANGE;
	}
	m->writing = 1;
	m->band += len;
	if (m->band > m->band_max)
		m->band_max = m->band;
	m->next_out += len;
	memcpy(m->out + off, src, len);
	return 0;
}

/* ------------------------------------------------------------ test layers */

static struct t_rand rng = { .seed = 13, .max_hw = 23, .max_c = 40,
			     .max_group_c = 12 };

static uint32_t rnd(uint32_t lo, uint32_t hi)
{
	return t_rnd(&rng, lo, hi);
}

static void fill(void *p, size_t n)
{
	t_fill(&rng, p, n);
}

/* ---------------------------------------------------- one layer, checked */

struct tensors {
	struct sushi_layer_geom g;
	int8_t *in, *in2, *w, *want;
	uint8_t *epi;
};

static int tensors_make(const struct sushi_hw_layer *l, struct tensors *t)
{
	memset(t, 0, sizeof(*t));
	if (sushi_layer_check(l, &t->g))
		return -1;
	t->in = malloc(t->g.in_bytes);
	t->in2 = t->g.in2_bytes ? malloc(t->g.in2_bytes) : NULL;
	t->w = malloc(t->g.w_rows * l->w_stride + 1);
	t->epi = malloc(t->g.epi_bytes + 1);
	t->want = malloc(t->g.out_bytes);
	fill(t->in, t->g.in_bytes);
	fill(t->in2, t->g.in2_bytes);
	fill(t->w, t->g.w_rows * l->w_stride);
	for (uint64_t i = 0; i < t->g.w_rows; i++)
		t_set_epi(t->epi + 12 * i,
			(int32_t)(tap_rand(&rng.seed) % 200001) - 100000,
			(int32_t)tap_rand(&rng.seed), rnd(24, 44));
	return 0;
}

static void tensors_free(struct tensors *t)
{
	free(t->in);
	free(t->in2);
	free(t->w);
	free(t->epi);
	free(t->want);
}

static int whole(const struct sushi_hw_layer *l, const struct tensors *t,
		 int8_t *out, enum sushi_isa isa)
{
	struct sushi_layer_io io = {
		.in = t->in, .in2 = t->in2, .w = t->w, .w_stride = l->w_stride,
		.epi = t->epi, .out = out,
	};

	return sushi_layer_compute(l, &io, isa);
}

static void mem_init(struct mem *m, const struct sushi_hw_layer *l,
		     const struct tensors *t, int8_t *out)
{
	memset(m, 0, sizeof(*m));
	m->l = l;
	m->in[0] = t->in;
	m->in[1] = t->in2;
	m->out = out;
	m->in_row = (uint64_t)l->in_w * l->in_c;
	m->out_row = (uint64_t)l->out_w * l->out_c;
	m->out_bytes = t->g.out_bytes;
	m->row_reads = calloc(l->in_h, sizeof(*m->row_reads));
	m->fail_at = -1;
	m->read_is_band = l->op == SUSHI_OP_GAP;
}

static int streamed(const struct sushi_hw_layer *l, const struct tensors *t,
		    struct mem *m, uint64_t tile, enum sushi_isa isa)
{
	struct sushi_stream_io io = {
		.read = mem_read, .write = mem_write, .opaque = m,
		.w = t->w, .w_stride = l->w_stride, .epi = t->epi,
	};

	return sushi_layer_compute_streamed(l, &io, tile, isa);
}

/* the most bands that may read one input row */
static uint32_t max_row_reads(const struct sushi_hw_layer *l)
{
	if (l->op == SUSHI_OP_CONV || l->op == SUSHI_OP_AVGPOOL ||
	    l->op == SUSHI_OP_MAXPOOL)
		return (l->kernel + l->stride - 1) / l->stride + 1;
	return 1;
}

/* what went wrong with one streamed run, as a bit mask (0: all fine) */
enum {
	E_RET = 1, E_BYTES = 2, E_READ = 4, E_WRITE = 8, E_ROWS = 16,
	E_MEM = 32, E_TILE = 64, E_BANDS = 128, E_INVALID = 256,
};

static int check_run(const struct sushi_hw_layer *l, const struct tensors *t,
		     uint64_t tile, enum sushi_isa isa)
{
	const uint64_t bb = sushi_stream_band_bytes(l, tile);
	const uint64_t bb1 = sushi_stream_band_bytes(l, 0);
	int8_t *out = malloc(t->g.out_bytes);
	struct mem m;
	int err = 0;

	memset(out, 0x5a, t->g.out_bytes);
	mem_init(&m, l, t, out);
	if (streamed(l, t, &m, tile, isa))
		err |= E_RET;
	if (memcmp(out, t->want, t->g.out_bytes))
		err |= E_BYTES;
	if (m.bad_read)
		err |= E_READ;
	if (m.bad_write || m.next_out != t->g.out_bytes)
		err |= E_WRITE;
	for (uint32_t r = 0; r < l->in_h; r++)
		if (m.row_reads[r] > max_row_reads(l))
			err |= E_ROWS;
	if (!bb || m.band_max > bb)
		err |= E_MEM;
	if (bb > (tile > bb1 ? tile : bb1))
		err |= E_TILE;
	/* one band when everything fits; one output row per band at tile 0 */
	if (tile == UINT64_MAX && m.bands != 1 && l->in_h + 2 * l->pad <= SUSHI_HW_MAX_DIM)
		err |= E_BANDS;
	if (!tile && l->op != SUSHI_OP_GAP && m.bands != (int)l->out_h)
		err |= E_BANDS;
	free(m.row_reads);
	free(out);
	return err;
}

static const char *const names[] = {
	[SUSHI_OP_CONV] = "conv", [SUSHI_OP_FC] = "fc",
	[SUSHI_OP_ADD] = "add", [SUSHI_OP_AVGPOOL] = "avgpool",
	[SUSHI_OP_MAXPOOL] = "maxpool", [SUSHI_OP_GAP] = "gap",
};

/* the tiles one layer runs with: 0, 1, around one band, between, all */
static void tiles_of(const struct sushi_hw_layer *l, uint64_t tiles[5])
{
	uint64_t b1 = sushi_stream_band_bytes(l, 0);
	uint64_t all = sushi_stream_band_bytes(l, UINT64_MAX);

	tiles[0] = 0;
	tiles[1] = b1 + tap_rand(&rng.seed) % 3 - 1;	/* b1 - 1 .. b1 + 1 */
	tiles[2] = b1 + tap_rand(&rng.seed) % (all - b1 + 1);
	tiles[3] = all - 1;
	tiles[4] = UINT64_MAX;
}

/* every supported family, each tile: streamed == whole, properties hold */
static int check_layer(const struct sushi_hw_layer *l, int *errs)
{
	struct tensors t;
	uint64_t tiles[5];
	int bad = 0;

	if (tensors_make(l, &t)) {
		(*errs)++;
		return E_INVALID;
	}
	tiles_of(l, tiles);
	for (int isa = SUSHI_ISA_REF; isa <= SUSHI_ISA_AVX512; isa++) {
		if (!sushi_isa_supported(isa))
			continue;
		if (whole(l, &t, t.want, isa)) {
			(*errs)++;
			continue;
		}
		for (int i = 0; i < 5; i++) {
			int e = check_run(l, &t, tiles[i], isa);

			if (e && !bad)
				printf("# %s %ux%ux%u -> %ux%ux%u k%u s%u p%u g%u %s tile %llu: error mask 0x%x\n",
				       names[l->op], l->in_h, l->in_w, l->in_c,
				       l->out_h, l->out_w, l->out_c, l->kernel,
				       l->stride, l->pad, l->groups,
				       sushi_isa_name(isa),
				       (unsigned long long)tiles[i], e);
			bad |= e;
		}
	}
	tensors_free(&t);
	return bad;
}

static void random_layers(void)
{
	int per_op = tap_quick ? 6 : 60;

	for (uint32_t op = SUSHI_OP_CONV; op < SUSHI_OP_COUNT; op++) {
		int bad = 0, errs = 0, mask = 0;

		for (int i = 0; i < per_op; i++) {
			struct sushi_hw_layer l = t_random_layer(&rng, op);
			int e = check_layer(&l, &errs);

			bad += !!e;
			mask |= e;
		}
		ok(!bad && !errs, "%s: %d random layers x 5 tiles x families: streamed equals whole, streaming properties hold (%d bad, mask 0x%x, %d errors)",
		   names[op], per_op, bad, mask, errs);
	}
}

/* shapes the random ones miss: padded rows past SUSHI_HW_MAX_DIM, ties */
static void edge_layers(void)
{
	struct sushi_hw_layer l;
	int errs = 0;

	/* in_w + 2 pad > 16384: column strips */
	l = t_conv(2, 5, SUSHI_HW_MAX_DIM, 3, 3, 1, 1, 1);
	l.in_zp = 7;
	is_int(check_layer(&l, &errs), 0, "conv 5x16384x2 k3 p1: padded rows wider than 16384 (strips)");
	l = t_conv(3, 9, SUSHI_HW_MAX_DIM - 3, 3, 7, 2, 3, 3);
	l.in_zp = (uint32_t)-3;
	is_int(check_layer(&l, &errs), 0, "depthwise 9x16381x3 k7 s2 p3: strips with stride 2");
	l = t_pool(SUSHI_OP_MAXPOOL, 2, 4, SUSHI_HW_MAX_DIM - 1, 8, 3, 7);
	is_int(check_layer(&l, &errs), 0, "maxpool 4x16383x2 k8 s3 p7: strips, mostly padding windows");
	l = t_pool(SUSHI_OP_AVGPOOL, 2, 4, SUSHI_HW_MAX_DIM, 5, 2, 4);
	is_int(check_layer(&l, &errs), 0, "avgpool 4x16384x2 k5 s2 p4: wide rows");
	/* in_h + 2 pad > 16384: band rows capped */
	l = t_conv(2, SUSHI_HW_MAX_DIM, 2, 2, 3, 1, 1, 1);
	is_int(check_layer(&l, &errs), 0, "conv 16384x2x2 k3 p1: band rows capped at 16384 padded rows");
	l = t_pool(SUSHI_OP_GAP, 3, SUSHI_HW_MAX_DIM, 3, 0, 1, 0);
	l.in_zp = 127;
	is_int(check_layer(&l, &errs), 0, "gap 16384x3x3: long sums");
	is_int(errs, 0, "edge layers made and computed");
}

/* ----------------------------------------------------------------- errors */

static void errors(void)
{
	struct sushi_hw_layer l = t_conv(4, 9, 5, 4, 3, 1, 1, 1);
	struct tensors t;
	struct mem m;
	struct sushi_stream_io io;
	int8_t *out;
	int calls;

	tensors_make(&l, &t);
	out = malloc(t.g.out_bytes);
	mem_init(&m, &l, &t, out);
	io = (struct sushi_stream_io){ .read = mem_read, .write = mem_write,
				       .opaque = &m, .w = t.w,
				       .w_stride = l.w_stride, .epi = t.epi };

	is_int(sushi_layer_compute_streamed(NULL, &io, 0, SUSHI_ISA_REF), -EINVAL, "no layer");
	is_int(sushi_layer_compute_streamed(&l, NULL, 0, SUSHI_ISA_REF), -EINVAL, "no io");
	is_int(sushi_layer_compute_streamed(&l, &io, 0, (enum sushi_isa)7), -ENOTSUP, "unknown family");
	io.read = NULL;
	is_int(sushi_layer_compute_streamed(&l, &io, 0, SUSHI_ISA_REF), -EINVAL, "no read callback");
	io.read = mem_read;
	io.write = NULL;
	is_int(sushi_layer_compute_streamed(&l, &io, 0, SUSHI_ISA_REF), -EINVAL, "no write callback");
	io.write = mem_write;
	io.w = NULL;
	is_int(sushi_layer_compute_streamed(&l, &io, 0, SUSHI_ISA_REF), -EINVAL, "no weights");
	io.w = t.w;
	io.w_stride = l.w_stride - 1;
	is_int(sushi_layer_compute_streamed(&l, &io, 0, SUSHI_ISA_REF), -EINVAL, "short host stride");
	io.w_stride = l.w_stride;
	t_set_epi(t.epi + 12 * 3, 0, 1, 63);
	is_int(sushi_layer_compute_streamed(&l, &io, 0, SUSHI_ISA_REF), -EINVAL, "epilogue shift 63");
	t_set_epi(t.epi + 12 * 3, 0, 1, 30);
	is_int(m.calls, 0, "refused before any callback");
	l.stride = 3;
	is_int(sushi_layer_compute_streamed(&l, &io, 0, SUSHI_ISA_REF), -EINVAL, "invalid layer");
	is_u64(sushi_stream_band_bytes(&l, 1000), 0, "band bytes of an invalid layer");
	l.stride = 1;

	/* count the calls of a tile-0 run, then fail each call in turn */
	is_int(streamed(&l, &t, &m, 0, SUSHI_ISA_REF), 0, "valid layer streams");
	calls = m.calls;
	ok(calls > 2 * (int)l.out_h, "one write and reads per output row (%d calls)", calls);
	{
		int wrong = 0;

		for (int f = 0; f < calls; f++) {
			int ret;

			free(m.row_reads);
			mem_init(&m, &l, &t, out);
			m.fail_at = f;
			ret = streamed(&l, &t, &m, 0, SUSHI_ISA_REF);
			if ((ret != -EIO && ret != -ENOSPC) || m.calls_after_fail ||
			    m.calls != f + 1)
				wrong++;
		}
		is_int(wrong, 0, "each of %d calls failed in turn: its error returned (-EIO read, -ENOSPC write), no call after it", calls);
	}
	free(m.row_reads);
	free(out);
	tensors_free(&t);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	isa_note_avx512("test_stream");
	for (int isa = SUSHI_ISA_AVX2; isa <= SUSHI_ISA_AVX512; isa++)
		if (!sushi_isa_supported(isa))
			printf("# %s not supported here: streamed with the others only\n",
			       sushi_isa_name(isa));
	errors();
	edge_layers();
	random_layers();
	return tap_done();
}

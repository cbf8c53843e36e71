// SPDX-License-Identifier: MIT
/*
 * test_pb.c - the Persistent Buffer: exact strided overlap counting against
 * a byte-map brute force, PB loads and their errors, invalidation, reset,
 * and gathering weights from the SRAM snapshot plus DRAM.
 */
#include <errno.h>
#include <stdlib.h>

#include "sushi_model.h"
#include "tap.h"

#define SPACE 4096

static void mark(uint8_t *m, uint64_t a, uint64_t st, uint64_t len,
		 uint64_t rows)
{
	for (uint64_t r = 0; r < rows; r++)
		for (uint64_t i = 0; i < len; i++)
			m[a + r * st + i] = 1;
}

static void overlap_brute_force(void)
{
	uint64_t seed = 42;
	int bad = 0, n = tap_quick ? 300 : 3000;

	is_u64(sushi_range_overlap(0, 300, 100, 16, 0, 300, 200, 32), 1600,
	       "SubNet prefix inside a SuperNet slice: 16 rows * 100");
	is_u64(sushi_range_overlap(0, 300, 100, 16, 50, 300, 200, 32), 800,
	       "shifted by 50: 16 rows * 50");
	is_u64(sushi_range_overlap(10, 0, 5, 1, 12, 0, 100, 1), 3,
	       "two plain intervals");
	for (int t = 0; t < n; t++) {
		uint8_t ma[SPACE] = { 0 }, mb[SPACE] = { 0 };
		uint64_t al = 1 + tap_rand(&seed) % 40, bl = 1 + tap_rand(&seed) % 40;
		uint64_t as = al + tap_rand(&seed) % 50, bs = bl + tap_rand(&seed) % 50;
		uint64_t ar = 1 + tap_rand(&seed) % 20, br = 1 + tap_rand(&seed) % 20;
		uint64_t a = tap_rand(&seed) % 1000, b = tap_rand(&seed) % 1000;
		uint64_t want = 0;

		mark(ma, a, as, al, ar);
		mark(mb, b, bs, bl, br);
		for (int i = 0; i < SPACE; i++)
			want += ma[i] & mb[i];
		if (sushi_range_overlap(a, as, al, ar, b, bs, bl, br) != want ||
		    sushi_range_overlap(b, bs, bl, br, a, as, al, ar) != want)
			bad++;
	}
	is_int(bad, 0, "%d random strided pairs equal the byte-map count", n);
}

static void loads(void)
{
	struct sushi_pb *pb = sushi_pb_new(1024, 3, false);
	struct sushi_pb_range r = { .dva = 0x1000, .row_stride = 64,
				    .row_bytes = 32, .rows = 8, .pb_offset = 0 };
	struct sushi_pb_range q;

	ok(sushi_pb_new(1024, 0, false) == NULL, "a PB with no entries is refused");
	ok(sushi_pb_new((1ull << SUSHI_MMU_VA_BITS) + 1, 4, false) == NULL,
	   "a PB larger than the address space is refused");
	is_int(sushi_pb_insert(pb, &r, NULL), 0, "load 8 rows of 32 bytes");
	is_u64(sushi_pb_used(pb), 256, "used = 256");
	q = r; q.rows = 0;
	is_int(sushi_pb_check_load(pb, &q), -EINVAL, "zero rows: EINVAL");
	q = r; q.row_bytes = 0;
	is_int(sushi_pb_check_load(pb, &q), -EINVAL, "zero row bytes: EINVAL");
	q = r; q.row_stride = 16;
	is_int(sushi_pb_check_load(pb, &q), -EINVAL, "rows overlapping each other: EINVAL");
	q = r; q.dva = UINT64_MAX - 100;
	is_int(sushi_pb_check_load(pb, &q), -EOVERFLOW, "range wraps: EOVERFLOW");
	q = r; q.dva = 0x9000; q.pb_offset = 900;
	is_int(sushi_pb_check_load(pb, &q), -ENOSPC, "past the capacity: ENOSPC");
	q = r; q.dva = 0x9000; q.pb_offset = UINT64_MAX - 10;
	is_int(sushi_pb_check_load(pb, &q), -ENOSPC, "offset wraps: ENOSPC");
	q = r; q.dva = 0x9000; q.pb_offset = 128;
	is_int(sushi_pb_check_load(pb, &q), -EEXIST, "PB bytes overlap: EEXIST");
	q = r; q.dva = 0x1000 + 31; q.rows = 1; q.pb_offset = 512;
	is_int(sushi_pb_check_load(pb, &q), -EEXIST, "one DVA byte overlaps: EEXIST");
	q = r; q.dva = 0x1000 + 32; q.pb_offset = 512;
	is_int(sushi_pb_insert(pb, &q, NULL), 0, "interleaved rows in the gaps fit");
	q.dva = 0x4000; q.pb_offset = 768;
	is_int(sushi_pb_insert(pb, &q, NULL), 0, "third entry");
	q.dva = 0x8000; q.pb_offset = 1023; q.rows = 1; q.row_bytes = 1;
	is_int(sushi_pb_check_load(pb, &q), -ENFILE, "table full: ENFILE");
	is_u64(sushi_pb_covered(pb, 0x1000, 64, 64, 8), 512,
	       "two interleaved entries cover 8 full 64-byte rows");
	is_int(sushi_pb_invalidate(pb, 0x1000 + 40, 1), 1,
	       "invalidating one byte drops the entry holding it");
	is_u64(sushi_pb_count(pb), 2, "two entries left");
	is_u64(sushi_pb_covered(pb, 0x1000, 64, 64, 8), 256, "half the rows remain");
	is_int(sushi_pb_entry(pb, 5, &q), -ENOENT, "entry index out of range: ENOENT");
	is_int(sushi_pb_invalidate(pb, 0, UINT64_MAX), 2, "invalidate all");
	is_u64(sushi_pb_used(pb), 0, "nothing used after invalidating all");
	sushi_pb_free(pb);
}

struct mem {
	uint8_t *bytes;
	uint64_t base;
	int reads;
};

static int mem_read(void *opaque, uint64_t dva, uint64_t len, uint8_t *dst)
{
	struct mem *m = opaque;

	m->reads++;
	if (dva < m->base || dva + len > m->base + 8192)
		return -EFAULT;
	for (uint64_t i = 0; i < len; i++)
		dst[i] = m->bytes[dva - m->base + i];
	return 0;
}

static void gather(void)
{
	struct sushi_pb *pb = sushi_pb_new(4096, 16, true);
	uint8_t *dram = malloc(8192), *stage = malloc(8192), out[16 * 40];
	struct mem m = { dram, 0x10000, 0 };
	struct sushi_pb_range r = { .dva = 0x10000 + 100, .row_stride = 50,
				    .row_bytes = 20, .rows = 10, .pb_offset = 7 };
	int bad = 0;

	for (int i = 0; i < 8192; i++)
		dram[i] = (uint8_t)(i * 7 + 3);
	/* an empty PB: every byte from DRAM (no piece list at all) */
	is_int(sushi_pb_gather(pb, 0x10000 + 90, 50, 40, 16, out, mem_read, &m,
			       NULL), 0, "gather with nothing pinned");
	for (uint64_t row = 0; row < 16; row++)
		for (uint64_t i = 0; i < 40; i++)
			bad += out[row * 40 + i] !=
			       (uint8_t)((90 + row * 50 + i) * 7 + 3);
	is_int(bad, 0, "an empty PB gathers DRAM's bytes");
	/* the device stages the rows, then installs them */
	for (uint32_t j = 0; j < r.rows; j++)
		mem_read(&m, r.dva + j * r.row_stride, r.row_bytes, stage + j * 20);
	is_int(sushi_pb_insert(pb, &r, stage), 0, "load a strided range with data");
	for (int i = 0; i < 8192; i++)	/* DRAM changes after the pin */
		dram[i] = (uint8_t)~dram[i];
	/* a layer reading 16 rows of 40 bytes at stride 50 from 0x10000+90 */
	is_int(sushi_pb_gather(pb, 0x10000 + 90, 50, 40, 16, out, mem_read, &m, NULL),
	       0, "gather a layer's weights");
	for (uint64_t row = 0; row < 16; row++) {
		for (uint64_t i = 0; i < 40; i++) {
			uint64_t a = 0x10000 + 90 + row * 50 + i, off = a - 0x10000;
			int pinned = a >= r.dva && (a - r.dva) / 50 < 10 &&
				     (a - r.dva) % 50 < 20;
			uint8_t want = pinned ? (uint8_t)(off * 7 + 3) :
					       (uint8_t)~(off * 7 + 3);

			bad += out[row * 40 + i] != want;
		}
	}
	is_int(bad, 0, "pinned bytes come from the snapshot, the rest from DRAM");
	m.base = 0x20000;	/* every DRAM read now faults */
	is_int(sushi_pb_gather(pb, 0x10000 + 90, 50, 40, 16, out, mem_read, &m, NULL),
	       -EFAULT, "a failing DRAM read is returned");
	is_int(sushi_pb_gather(pb, r.dva, 50, 20, 10, out, mem_read, &m, NULL), 0,
	       "a fully pinned read needs no DRAM");
	m.base = 0x10000;
	{
		uint64_t left = 1000, need;

		is_int(sushi_pb_gather(pb, 0x10000 + 90, 50, 40, 16, out,
				       mem_read, &m, &left), 0,
		       "gather within a piece budget");
		need = 1000 - left;
		/* 16 rows: one read each, up to one pinned piece + read more */
		ok(need >= 16 && need <= 48, "pieces counted per row (%llu)",
		   (unsigned long long)need);
		left = need;
		is_int(sushi_pb_gather(pb, 0x10000 + 90, 50, 40, 16, out,
				       mem_read, &m, &left), 0,
		       "a budget of exactly the pieces suffices");
		is_u64(left, 0, "and is used up");
		left = need - 1;
		is_int(sushi_pb_gather(pb, 0x10000 + 90, 50, 40, 16, out,
				       mem_read, &m, &left), -E2BIG,
		       "one piece less stops the gather with -E2BIG");
	}
	sushi_pb_reset(pb);
	is_u64(sushi_pb_count(pb) + sushi_pb_used(pb), 0, "reset empties the PB");
	sushi_pb_free(pb);
	free(dram);
	free(stage);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	overlap_brute_force();
	loads();
	gather();
	return tap_done();
}

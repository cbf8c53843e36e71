// SPDX-License-Identifier: MIT
/*
 * pb.c - the Persistent Buffer: an on-chip SRAM of fixed capacity and a
 * table of pinned strided device-address ranges (SubGraph Stationary).
 * Owns the exact overlap count of strided ranges (which weight bytes of a
 * layer come from the PB), PB loads, invalidation, and the gather of a
 * layer's weights from the SRAM snapshot and DRAM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sushi_model.h"

struct sushi_pb {
	uint64_t capacity;
	uint64_t used;
	uint32_t max_entries;
	uint32_t count;
	struct sushi_pb_range *e;
	uint8_t *sram;		/* NULL for an accounting-only PB */
};

struct sushi_pb *sushi_pb_new(uint64_t capacity, uint32_t max_entries,
			      bool with_storage)
{
	struct sushi_pb *pb;

	if (!max_entries || max_entries > SUSHI_CFG_MAX_PB_ENTRIES ||
	    capacity > (1ull << SUSHI_MMU_VA_BITS))
		return NULL;
	pb = calloc(1, sizeof(*pb));
	if (!pb)
		return NULL;
	pb->capacity = capacity;
	pb->max_entries = max_entries;
	pb->e = calloc(max_entries, sizeof(*pb->e));
	if (with_storage && capacity)
		pb->sram = calloc(1, capacity);
	if (!pb->e || (with_storage && capacity && !pb->sram)) {
		sushi_pb_free(pb);
		return NULL;
	}
	return pb;
}

void sushi_pb_free(struct sushi_pb *pb)
{
	if (!pb)
		return;
	free(pb->e);
	free(pb->sram);
	free(pb);
}

/*
 * The rows [*jlo, *jhi] of a strided range (rows not overlapping each
 * other: stride >= len, or a single row) that intersect [x0, x1).
 */
static bool row_window(uint64_t x0, uint64_t x1, uint64_t b, uint64_t stride,
		       uint64_t len, uint64_t rows, uint64_t *jlo,
		       uint64_t *jhi)
{
	if (x1 <= b || x0 >= x1)
		return false;
	if (rows == 1) {
		*jlo = *jhi = 0;
		return x0 < b + len;
	}
	/* first row ending after x0, last row starting before x1 */
	*jlo = x0 < b + len ? 0 : (x0 - (b + len)) / stride + 1;
	*jhi = (x1 - 1 - b) / stride;
	if (*jhi > rows - 1)
		*jhi = rows - 1;
	return *jlo <= *jhi;
}

static uint64_t clip(uint64_t x0, uint64_t x1, uint64_t s, uint64_t len)
{
	uint64_t a = x0 > s ? x0 : s, e = x1 < s + len ? x1 : s + len;

	return e > a ? e - a : 0;
}

/* Bytes of [x0, x1) covered by the rows of a strided range. */
static uint64_t interval_cover(uint64_t x0, uint64_t x1, uint64_t b,
			       uint64_t stride, uint64_t len, uint64_t rows)
{
	uint64_t jlo, jhi, total;

	if (!row_window(x0, x1, b, stride, len, rows, &jlo, &jhi))
		return 0;
	total = clip(x0, x1, b + jlo * stride, len);
	if (jhi > jlo)
		total += clip(x0, x1, b + jhi * stride, len);
	/* rows strictly between jlo and jhi lie wholly inside [x0, x1) */
	if (jhi > jlo + 1)
		total += (jhi - jlo - 1) * len;
	return total;
}

uint64_t sushi_range_overlap(uint64_t a, uint64_t a_stride, uint64_t a_len,
			     uint64_t a_rows, uint64_t b, uint64_t b_stride,
			     uint64_t b_len, uint64_t b_rows)
{
	uint64_t total = 0;

	if (!a_len || !a_rows || !b_len || !b_rows)
		return 0;
	/* walk the range with fewer rows, count the other's cover */
	if (a_rows > b_rows) {
		uint64_t t;

		t = a; a = b; b = t;
		t = a_stride; a_stride = b_stride; b_stride = t;
		t = a_len; a_len = b_len; b_len = t;
		t = a_rows; a_rows = b_rows; b_rows = t;
	}
	for (uint64_t i = 0; i < a_rows; i++) {
		uint64_t x0 = a + i * a_stride;

		total += interval_cover(x0, x0 + a_len, b, b_stride, b_len,
					b_rows);
	}
	return total;
}

static uint64_t range_overlap_e(const struct sushi_pb_range *e, uint64_t dva,
				uint64_t stride, uint64_t len, uint64_t rows)
{
	return sushi_range_overlap(dva, stride, len, rows, e->dva,
				   e->row_stride, e->row_bytes, e->rows);
}

static int range_valid(const struct sushi_pb_range *r, uint64_t *size)
{
	uint64_t span, end;

	if (!r->row_bytes || !r->rows)
		return -EINVAL;
	if (r->rows > 1 && r->row_stride < r->row_bytes)
		return -EINVAL;
	if (__builtin_mul_overflow((uint64_t)r->rows - 1, r->row_stride, &span) ||
	    __builtin_add_overflow(span, r->row_bytes, &span) ||
	    __builtin_add_overflow(r->dva, span, &end))
		return -EOVERFLOW;
	*size = (uint64_t)r->rows * r->row_bytes;
	return 0;
}

int sushi_pb_check_load(const struct sushi_pb *pb,
			const struct sushi_pb_range *r)
{
	uint64_t size, end;
	int ret;

	if (!pb || !r)
		return -EINVAL;
	ret = range_valid(r, &size);
	if (ret)
		return ret;
	if (__builtin_add_overflow(r->pb_offset, size, &end) ||
	    end > pb->capacity)
		return -ENOSPC;
	if (pb->count == pb->max_entries)
		return -ENFILE;
	for (uint32_t i = 0; i < pb->count; i++) {
		const struct sushi_pb_range *e = &pb->e[i];
		uint64_t esz = (uint64_t)e->rows * e->row_bytes;

		if (r->pb_offset < e->pb_offset + esz && e->pb_offset < end)
			return -EEXIST;
		if (range_overlap_e(e, r->dva, r->row_stride, r->row_bytes,
				    r->rows))
			return -EEXIST;
	}
	return 0;
}

int sushi_pb_insert(struct sushi_pb *pb, const struct sushi_pb_range *r,
		    const uint8_t *data)
{
	uint64_t size = (uint64_t)r->rows * r->row_bytes;
	int ret = sushi_pb_check_load(pb, r);

	if (ret)
		return ret;
	if (pb->sram) {
		if (!data)
			return -EINVAL;
		memcpy(pb->sram + r->pb_offset, data, size);
	}
	pb->e[pb->count++] = *r;
	pb->used += size;
	return 0;
}

uint32_t sushi_pb_invalidate(struct sushi_pb *pb, uint64_t dva, uint64_t len)
{
	uint32_t removed = 0, i = 0;

	if (!pb || !len)
		return 0;
	if (dva + len < dva)	/* clip to the address space */
		len = UINT64_MAX - dva;
	while (i < pb->count) {
		struct sushi_pb_range *e = &pb->e[i];

		if (range_overlap_e(e, dva, len, len, 1)) {
			uint64_t size = (uint64_t)e->rows * e->row_bytes;

			if (pb->sram)
				memset(pb->sram + e->pb_offset, 0, size);
			pb->used -= size;
			*e = pb->e[--pb->count];
			removed++;
		} else {
			i++;
		}
	}
	return removed;
}

void sushi_pb_reset(struct sushi_pb *pb)
{
	if (!pb)
		return;
	if (pb->sram)
		memset(pb->sram, 0, pb->capacity);
	pb->count = 0;
	pb->used = 0;
}

uint64_t sushi_pb_capacity(const struct sushi_pb *pb)
{
	return pb ? pb->capacity : 0;
}

uint64_t sushi_pb_used(const struct sushi_pb *pb)
{
	return pb ? pb->used : 0;
}

uint32_t sushi_pb_count(const struct sushi_pb *pb)
{
	return pb ? pb->count : 0;
}

int sushi_pb_entry(const struct sushi_pb *pb, uint32_t i,
		   struct sushi_pb_range *r)
{
	if (!pb || i >= pb->count)
		return -ENOENT;
	*r = pb->e[i];
	return 0;
}

uint64_t sushi_pb_covered(const struct sushi_pb *pb, uint64_t dva,
			  uint64_t row_stride, uint64_t row_bytes,
			  uint64_t rows)
{
	uint64_t total = 0;

	if (!pb)
		return 0;
	for (uint32_t i = 0; i < pb->count; i++)
		total += range_overlap_e(&pb->e[i], dva, row_stride,
					 row_bytes, rows);
	return total;
}

/* A piece of one weight row that the PB holds. */
struct piece {
	uint64_t start;		/* device address */
	uint64_t len;
	const uint8_t *src;	/* in the SRAM */
};

static int cmp_piece(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Collect the pinned pieces of [x0, x1) from entry e into p[]. */
static size_t entry_pieces(const struct sushi_pb *pb,
			   const struct sushi_pb_range *e, uint64_t x0,
			   uint64_t x1, struct piece *p, size_t n)
{
	uint64_t jlo, jhi;

	if (!row_window(x0, x1, e->dva, e->row_stride, e->row_bytes, e->rows,
			&jlo, &jhi))
		return n;
	for (uint64_t j = jlo; j <= jhi; j++) {
		uint64_t rs = e->dva + j * e->row_stride;
		uint64_t s = x0 > rs ? x0 : rs;
		uint64_t t = x1 < rs + e->row_bytes ? x1 : rs + e->row_bytes;

		if (t <= s)
			continue;
		p[n].start = s;
		p[n].len = t - s;
		p[n].src = pb->sram + e->pb_offset + j * e->row_bytes +
			   (s - rs);
		n++;
	}
	return n;
}

int sushi_pb_gather(const struct sushi_pb *pb, uint64_t dva,
		    uint64_t row_stride, uint64_t row_bytes, uint64_t rows,
		    uint8_t *dst, sushi_read_fn read, void *opaque,
		    uint64_t *pieces_left)
{
	struct piece *p = NULL;
	size_t cap = 0;
	int ret = 0;

	for (uint64_t r = 0; r < rows && !ret; r++) {
		uint64_t x0 = dva + r * row_stride, x1 = x0 + row_bytes;
		uint64_t at = x0;
		size_t n = 0;

		for (uint32_t i = 0; pb && pb->sram && i < pb->count; i++) {
			const struct sushi_pb_range *e = &pb->e[i];
			uint64_t jlo, jhi;

			if (!row_window(x0, x1, e->dva, e->row_stride,
					e->row_bytes, e->rows, &jlo, &jhi))
				continue;
			if (n + (jhi - jlo + 1) > cap) {
				size_t ncap = (n + (jhi - jlo + 1)) * 2;
				struct piece *np = realloc(p, ncap * sizeof(*p));

				if (!np) {
					ret = -ENOMEM;
					break;
				}
				p = np;
				cap = ncap;
			}
			n = entry_pieces(pb, e, x0, x1, p, n);
		}
		if (ret)
			break;
		/* n pinned pieces and at most n + 1 reads between them */
		if (pieces_left) {
			if (2 * (uint64_t)n + 1 > *pieces_left) {
				ret = -E2BIG;
				break;
			}
			*pieces_left -= 2 * (uint64_t)n + 1;
		}
		if (n > 1)	/* p is NULL while no entry has pieces */
			qsort(p, n, sizeof(*p), cmp_piece);
		for (size_t i = 0; i <= n && !ret; i++) {
			uint64_t next = i < n ? p[i].start : x1;

			if (next > at)
				ret = read(opaque, at, next - at,
					   dst + (at - x0));
			if (i < n) {
				memcpy(dst + (p[i].start - x0), p[i].src,
				       p[i].len);
				at = p[i].start + p[i].len;
			}
		}
		dst += row_bytes;
	}
	free(p);
	return ret;
}

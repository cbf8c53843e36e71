// SPDX-License-Identifier: MIT
/*
 * sched_cand.c - the candidate SubGraphs of a scheduling space: the raw
 * candidates (empty, intersection of all SubNets, each SubNet's slices,
 * intersections of SubNets adjacent in accuracy), the SubNets' accuracy
 * order, and the fitting of a candidate larger than the PB (keep the layers
 * that save the defining SubNet the most cycles per pinned byte).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"

static struct sushi_slice slice_min(const struct sushi_slice *a,
				    const struct sushi_slice *b)
{
	struct sushi_slice r = {
		a->rows < b->rows ? a->rows : b->rows,
		a->row_bytes < b->row_bytes ? a->row_bytes : b->row_bytes,
	};

	if (!r.rows || !r.row_bytes)
		r.rows = r.row_bytes = 0;
	return r;
}

struct fit_item {
	uint32_t layer;
	uint64_t bytes;
	uint64_t saved;		/* cycles the owner SubNet saves */
};

static int cmp_fit(const void *a, const void *b)
{
	const struct fit_item *x = a, *y = b;
	/* saved/bytes descending, compared by cross-multiplication */
	unsigned __int128 l = (unsigned __int128)x->saved * y->bytes;
	unsigned __int128 r = (unsigned __int128)y->saved * x->bytes;

	if (l != r)
		return l > r ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? -1 : 1;
	return x->layer < y->layer ? -1 : x->layer > y->layer;
}

/* Keep the layers of g that save @owner the most cycles per byte. */
int sched_fit(struct sushi_sched_space *sp, struct sushi_slice *g,
	      uint32_t owner, uint64_t cap)
{
	const struct sushi_slice none = { 0, 0 };
	struct fit_item *items;
	uint64_t total = 0, used = 0;
	uint32_t n = 0;

	for (uint32_t l = 0; l < sp->L; l++)
		total += slice_bytes(&g[l]);
	if (total <= cap)
		return 0;
	items = calloc(sp->L, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (uint32_t l = 0; l < sp->L; l++) {
		int j = sched_dist_index(sp, l, &g[l]);
		int j0 = sched_dist_index(sp, l, &none);
		uint64_t before, after;

		if (!g[l].rows)
			continue;
		items[n].layer = l;
		items[n].bytes = slice_bytes(&g[l]);
		items[n].saved = 0;
		if (sp->sn[(size_t)owner * sp->L + l].rows && j >= 0 && j0 >= 0) {
			before = sched_lc_at(sp, owner, l, (uint32_t)j0)->cycles;
			after = sched_lc_at(sp, owner, l, (uint32_t)j)->cycles;
			items[n].saved = before > after ? before - after : 0;
		}
		n++;
	}
	qsort(items, n, sizeof(*items), cmp_fit);
	for (uint32_t i = 0; i < n; i++) {
		if (used + items[i].bytes <= cap)
			used += items[i].bytes;
		else
			g[items[i].layer].rows = g[items[i].layer].row_bytes = 0;
	}
	free(items);
	return 0;
}

/* SubNets by accuracy, most accurate first (ties: lower index first). */
void sched_sort_by_accuracy(struct sushi_sched_space *sp)
{
	for (uint32_t i = 0; i < sp->S; i++)
		sp->order[i] = i;
	for (uint32_t i = 1; i < sp->S; i++) {
		uint32_t v = sp->order[i], j = i;

		while (j > 0 && sp->acc[sp->order[j - 1]] < sp->acc[v]) {
			sp->order[j] = sp->order[j - 1];
			j--;
		}
		sp->order[j] = v;
	}
}

static struct sushi_slice slice_max(const struct sushi_slice *a,
				    const struct sushi_slice *b)
{
	struct sushi_slice r = {
		a->rows > b->rows ? a->rows : b->rows,
		a->row_bytes > b->row_bytes ? a->row_bytes : b->row_bytes,
	};

	return r;
}

/*
 * Raw candidates into raw[2 S + 2][L] (owner: the SubNet each is fitted
 * for): empty, intersection of all, each SubNet (most accurate first),
 * intersections of adjacent pairs, and the union of all (per layer the
 * most rows and row bytes any SubNet reads: the whole SuperNet the catalog
 * uses, for a PB that holds it).  Returns how many: 2 + S + (S - 1) + 1.
 */
uint32_t sched_raw_candidates(struct sushi_sched_space *sp,
			      struct sushi_slice *raw, uint32_t *owner)
{
	const uint32_t L = sp->L, max = 2 * sp->S + 2;
	uint32_t n = 0;

	memset(raw, 0, (size_t)max * L * sizeof(*raw));
	owner[n++] = sp->order[0];			/* empty */
	for (uint32_t l = 0; l < L; l++) {		/* intersection of all */
		raw[(size_t)n * L + l] = sp->sn[l];
		for (uint32_t s = 1; s < sp->S; s++)
			raw[(size_t)n * L + l] =
				slice_min(&raw[(size_t)n * L + l],
					  &sp->sn[(size_t)s * L + l]);
	}
	owner[n++] = sp->order[0];
	for (uint32_t i = 0; i < sp->S; i++) {		/* each SubNet */
		uint32_t s = sp->order[i];

		memcpy(&raw[(size_t)n * L], &sp->sn[(size_t)s * L], L * sizeof(*raw));
		owner[n++] = s;
	}
	for (uint32_t i = 0; i + 1 < sp->S; i++) {	/* adjacent pairs */
		uint32_t a = sp->order[i], b = sp->order[i + 1];

		for (uint32_t l = 0; l < L; l++)
			raw[(size_t)n * L + l] = slice_min(&sp->sn[(size_t)a * L + l],
							   &sp->sn[(size_t)b * L + l]);
		owner[n++] = a;
	}
	for (uint32_t l = 0; l < L; l++)			/* union of all */
		for (uint32_t s = 0; s < sp->S; s++)
			raw[(size_t)n * L + l] =
				slice_max(&raw[(size_t)n * L + l],
					  &sp->sn[(size_t)s * L + l]);
	owner[n++] = sp->order[0];
	return n;
}

/* SPDX-License-Identifier: MIT */
/*
 * supernet_place.c - where a SubNet's activations live: the placement plan
 * of sushi_supernet_layers().  Every layer output is a tensor; the network
 * input and the final output stay in the DRAM arena (the caller reads and
 * writes them), and every other tensor goes to the on-chip activation SRAM
 * when it fits there for its whole live range, else it is spilled to its
 * own DRAM arena slot.  The rule (Documentation/libsushi.rst, "Activation
 * placement"):
 *
 *  - a tensor is live from the layer that writes it to the last layer that
 *    reads it (a residual input stays live until its ADD);
 *  - layers are planned in order; a tensor gets the lowest SRAM offset
 *    (64-byte aligned) where it overlaps no tensor whose live range meets
 *    its own, so a layer's output never shares bytes with its inputs;
 *  - a tensor that fits nowhere is spilled to DRAM (no earlier tensor is
 *    moved: first fit in program order).
 */
#include <errno.h>
#include <stdlib.h>

#include "supernet_internal.h"

#define PLACE_ALIGN 64

static uint64_t place_align(uint64_t v)
{
	return (v + PLACE_ALIGN - 1) & ~(uint64_t)(PLACE_ALIGN - 1);
}

static uint64_t layer_out_bytes(const struct sn_layer *L)
{
	return (uint64_t)L->d.out_h * L->d.out_w * L->d.out_c;
}

/*
 * The lowest offset of an aligned block of @size in [0, @sram) that
 * overlaps none of the SRAM tensors of layers [0, @j) live at @j or later
 * (their last reader is at or after @j): UINT64_MAX when none exists.
 * Candidate offsets are 0 and the end of every such tensor.
 */
static uint64_t first_fit(const struct sn_place *p, const int32_t *last,
			  uint32_t j, uint64_t size, uint64_t sram)
{
	uint64_t best = UINT64_MAX;

	for (uint32_t c = 0; c <= j; c++) {
		uint64_t off;
		bool ok = true;

		if (c == j) {
			off = 0;
		} else if (p[c].sram && last[c] >= (int32_t)j) {
			off = place_align(p[c].off + p[c].bytes);
		} else {
			continue;
		}
		if (off >= best || off > sram || size > sram - off)
			continue;
		for (uint32_t k = 0; k < j && ok; k++)
			if (p[k].sram && last[k] >= (int32_t)j &&
			    off < p[k].off + p[k].bytes && p[k].off < off + size)
				ok = false;
		if (ok)
			best = off;
	}
	return best;
}

int sn_place(const struct sushi_supernet *sn, uint32_t i, uint64_t sram,
	     struct sn_place *p, uint64_t *arena_bytes)
{
	const struct sn_subnet *s = &sn->subnets[i];
	uint64_t off, in_bytes = (uint64_t)sn->in_h * sn->in_w * sn->in_c;
	int32_t *last = malloc(s->n_layers * sizeof(*last));

	if (!last)
		return -ENOMEM;
	/* the last reader of each layer's output (-1: none) */
	for (uint32_t j = 0; j < s->n_layers; j++)
		last[j] = -1;
	for (uint32_t j = 0; j < s->n_layers; j++)
		for (int k = 0; k < 2; k++) {
			int32_t src = s->layers[j].in[k];

			if (src >= 0 && (k == 0 || s->layers[j].d.op == SUSHI_OP_ADD))
				last[src] = (int32_t)j;
		}
	off = place_align(in_bytes);
	for (uint32_t j = 0; j < s->n_layers; j++) {
		uint64_t bytes = layer_out_bytes(&s->layers[j]);
		uint64_t at = UINT64_MAX;

		p[j] = (struct sn_place){ .bytes = bytes };
		/* the final output and an output nobody reads stay in DRAM */
		if (sram && j + 1 < s->n_layers && last[j] > (int32_t)j)
			at = first_fit(p, last, j, bytes, sram);
		if (at != UINT64_MAX) {
			p[j].sram = true;
			p[j].off = at;
		} else {
			p[j].off = off;
			off = place_align(off + bytes);
		}
	}
	*arena_bytes = off;
	free(last);
	return 0;
}

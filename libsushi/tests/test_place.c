// SPDX-License-Identifier: MIT
/*
 * test_place.c - activation placement (supernet_place.c) on the SuperNet
 * files given on the command line: for several activation SRAM sizes,
 * every SubNet's layers are valid hardware for that SRAM; the network
 * input and output stay in DRAM; SRAM 0 places nothing in the SRAM; no two
 * SRAM tensors that are live at the same time share a byte; and (for
 * SuperNets small enough to compute here) running the layer list through
 * the model library with the SRAM and the DRAM arena as separate memories
 * gives exactly the bytes of the all-DRAM plan, so no live tensor is ever
 * overwritten.  Off-chip bytes never grow with the SRAM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "supernet_internal.h"
#include "sushi_model.h"
#include "tap.h"

#define DATA_BASE	0x1000ull
#define ACT_BASE	0x20000000ull
/* compute SubNets functionally only below this many MACs (ASan build) */
#define COMPUTE_MAX_MACS	(20ull << 20)

/* The two memories of a run: DRAM (data section + arena) and the SRAM. */
struct mem {
	const uint8_t *data;
	uint64_t data_len;
	uint8_t *arena;
	uint64_t arena_len;
	uint8_t *sram;
	uint64_t sram_len;
};

/* @len bytes at @addr (SRAM offset when @sram), or NULL if outside. */
static uint8_t *at(struct mem *m, bool sram, uint64_t addr, uint64_t len)
{
	if (sram)
		return addr <= m->sram_len && len <= m->sram_len - addr ?
		       m->sram + addr : NULL;
	if (addr >= ACT_BASE && addr - ACT_BASE <= m->arena_len &&
	    len <= m->arena_len - (addr - ACT_BASE))
		return m->arena + (addr - ACT_BASE);
	if (addr >= DATA_BASE && addr - DATA_BASE <= m->data_len &&
	    len <= m->data_len - (addr - DATA_BASE))
		return (uint8_t *)m->data + (addr - DATA_BASE);
	return NULL;
}

/* Run @n layers; the output of the last one lands in @out. */
static int run(struct mem *m, const struct sushi_hw_layer *L, uint32_t n,
	       const struct sushi_subnet_io *io, uint8_t *out)
{
	for (uint32_t j = 0; j < n; j++) {
		const struct sushi_hw_layer *l = &L[j];
		struct sushi_layer_geom g;
		struct sushi_layer_io lio = { 0 };
		int8_t *tmp;
		uint8_t *dst;
		int ret;

		if (sushi_layer_check_sram(l, m->sram_len, &g))
			return -EINVAL;
		lio.in = (const int8_t *)at(m, l->flags & SUSHI_LAYER_F_IN_SRAM,
					    l->in_addr, g.in_bytes);
		if (g.in2_bytes)
			lio.in2 = (const int8_t *)at(m, l->flags &
						     SUSHI_LAYER_F_IN2_SRAM,
						     l->in2_addr, g.in2_bytes);
		if (g.w_rows) {
			lio.w = (const int8_t *)at(m, false, l->w_addr,
						   g.w_span);
			lio.w_stride = l->w_stride;
			lio.epi = at(m, false, l->epi_addr, g.epi_bytes);
		}
		dst = at(m, l->flags & SUSHI_LAYER_F_OUT_SRAM, l->out_addr,
			 g.out_bytes);
		if (!lio.in || (g.in2_bytes && !lio.in2) || !dst ||
		    (g.w_rows && (!lio.w || !lio.epi)))
			return -EFAULT;
		/* the whole input is read before the output is written */
		tmp = malloc(g.out_bytes);
		if (!tmp)
			return -ENOMEM;
		lio.out = tmp;
		ret = sushi_layer_compute(l, &lio, SUSHI_ISA_REF);
		memcpy(dst, tmp, g.out_bytes);
		free(tmp);
		if (ret)
			return ret;
	}
	memcpy(out, m->arena + io->out_off, io->out_bytes);
	return 0;
}

/* SubNet @i at SRAM @sram: layers, places, io; NULL on error. */
static struct sushi_hw_layer *plan(const struct sushi_supernet *sn,
				   uint32_t i, uint64_t sram,
				   struct sushi_subnet_io *io)
{
	struct sushi_supernet_map map = { DATA_BASE, ACT_BASE, sram };
	struct sushi_hw_layer *L = calloc(sn->subnets[i].n_layers, sizeof(*L));

	if (L && sushi_supernet_layers(sn, i, &map, L, io)) {
		free(L);
		L = NULL;
	}
	return L;
}

/* No two SRAM tensors live at the same time overlap (from sn_place). */
static int live_overlaps(const struct sushi_supernet *sn, uint32_t i,
			 uint64_t sram)
{
	const struct sn_subnet *s = &sn->subnets[i];
	struct sn_place *p = calloc(s->n_layers, sizeof(*p));
	int32_t *last = malloc(s->n_layers * sizeof(*last));
	uint64_t arena;
	int bad = 0;

	if (!p || !last || sn_place(sn, i, sram, p, &arena)) {
		free(p);
		free(last);
		return 1;
	}
	for (uint32_t j = 0; j < s->n_layers; j++)
		last[j] = (int32_t)j;
	for (uint32_t j = 0; j < s->n_layers; j++)
		for (int k = 0; k < 2; k++)
			if (s->layers[j].in[k] >= 0 &&
			    (!k || s->layers[j].d.op == SUSHI_OP_ADD))
				last[s->layers[j].in[k]] = (int32_t)j;
	for (uint32_t a = 0; a < s->n_layers; a++)
		for (uint32_t b = a + 1; b < s->n_layers; b++)
			if (p[a].sram && p[b].sram && last[a] >= (int32_t)b &&
			    p[a].off < p[b].off + p[b].bytes &&
			    p[b].off < p[a].off + p[a].bytes)
				bad++;
	free(p);
	free(last);
	return bad;
}

static void placement(const char *path)
{
	static const uint64_t srams[] = {
		0, 1441792, 65536, 8192, 1000,
	};
	struct sushi_supernet *sn = NULL;
	struct sushi_supernet_info info;
	struct sushi_model_config cfg;
	char err[256] = "";
	int bad_valid = 0, bad_io = 0, bad_zero = 0, bad_live = 0;
	int bad_bytes = 0, bad_offchip = 0, computed = 0, in_sram = 0;

	if (!ok(sushi_supernet_open(path, &sn, err, sizeof(err)) == 0,
		"%s loads (%s)", path, err))
		return;
	sushi_supernet_info(sn, &info);
	sushi_model_config_default(&cfg);
	for (uint32_t i = 0; i < info.n_subnets; i++) {
		const struct sn_subnet *s = &sn->subnets[i];
		uint32_t n = s->n_layers;
		struct sushi_subnet_io io0;
		struct sushi_hw_layer *L0 = plan(sn, i, 0, &io0);
		struct mem m = { .data = sn->data, .data_len = sn->data_len };
		uint8_t *want = NULL, *got = NULL;
		uint64_t dram0 = UINT64_MAX;
		bool compute = s->macs <= COMPUTE_MAX_MACS && !tap_quick;
		uint64_t old_arena = 0;

		if (!L0) {
			bad_valid++;
			continue;
		}
		if (compute) {
			want = malloc(io0.out_bytes);
			got = malloc(io0.out_bytes);
			m.arena = calloc(1, io0.arena_bytes);
			m.arena_len = io0.arena_bytes;
			for (uint64_t b = 0; m.arena && b < io0.in_bytes; b++)
				m.arena[b] = (uint8_t)(b * 131 + i * 7);
			if (!want || !got || !m.arena ||
			    run(&m, L0, n, &io0, want))
				bad_bytes++;
			free(m.arena);
		}
		for (size_t k = 0; k < sizeof(srams) / sizeof(srams[0]); k++) {
			struct sushi_subnet_io io;
			struct sushi_hw_layer *L = plan(sn, i, srams[k], &io);
			struct sushi_cost c;

			if (!L) {
				bad_valid++;
				continue;
			}
			cfg.act_sram_bytes = srams[k];
			if (sushi_model_layers_cost(&cfg, NULL, L, n, &c, NULL,
						    NULL))
				bad_valid++;
			/* the network's input and output stay in the arena */
			if ((L[0].flags & SUSHI_LAYER_F_IN_SRAM) ||
			    (L[n - 1].flags & SUSHI_LAYER_F_OUT_SRAM) ||
			    io.in_off || io.out_bytes != io0.out_bytes)
				bad_io++;
			for (uint32_t j = 0; j < n; j++) {
				if (!srams[k] && L[j].flags)
					bad_zero++;
				in_sram += !!(L[j].flags &
					      SUSHI_LAYER_F_OUT_SRAM);
			}
			/* SRAM 0: every output in its own arena slot, as before */
			if (!srams[k]) {
				old_arena = (io.in_bytes + 63) & ~63ull;
				for (uint32_t j = 0; j < n; j++)
					old_arena += ((uint64_t)L[j].out_c *
						      L[j].out_h * L[j].out_w +
						      63) & ~63ull;
				bad_zero += io.arena_bytes != old_arena;
			}
			bad_live += live_overlaps(sn, i, srams[k]);
			if (!k)
				dram0 = c.dram_rd + c.dram_wr;
			else if (c.dram_rd + c.dram_wr > dram0)
				bad_offchip++;
			if (compute && srams[k]) {
				m.arena = calloc(1, io.arena_bytes);
				m.arena_len = io.arena_bytes;
				m.sram = malloc(srams[k]);
				m.sram_len = srams[k];
				for (uint64_t b = 0; m.arena && b < io.in_bytes;
				     b++)
					m.arena[b] = (uint8_t)(b * 131 + i * 7);
				/* stale bytes a plan must never read */
				if (m.sram)
					memset(m.sram, 0x5a, srams[k]);
				if (!m.arena || !m.sram ||
				    run(&m, L, n, &io, got) ||
				    memcmp(got, want, io.out_bytes))
					bad_bytes++;
				else
					computed++;
				free(m.arena);
				free(m.sram);
			}
			free(L);
		}
		free(L0);
		free(want);
		free(got);
	}
	ok(!bad_valid, "%s: every SubNet's plan is valid hardware for SRAMs "
	   "of 0, 1.375 MiB, 64 KiB, 8 KiB, 1000 bytes", path);
	ok(!bad_io, "%s: the network input and output stay in DRAM", path);
	ok(!bad_zero, "%s: SRAM 0 gives the all-DRAM layer lists", path);
	ok(!bad_live, "%s: no two SRAM tensors live at once share a byte",
	   path);
	ok(!bad_offchip, "%s: off-chip bytes never grow with an SRAM", path);
	ok(in_sram > 0, "%s: %d intermediate tensors placed in the SRAM",
	   path, in_sram);
	if (computed || bad_bytes)
		ok(!bad_bytes, "%s: %d SRAM plans computed equal the all-DRAM "
		   "run byte for byte (SubNets up to %llu MACs)", path,
		   computed, (unsigned long long)COMPUTE_MAX_MACS);
	else
		ok(1, "%s: SRAM plans computed # SKIP no SubNet below %llu "
		   "MACs to compute here%s", path,
		   (unsigned long long)COMPUTE_MAX_MACS,
		   tap_quick ? " (--quick)" : "");
	sushi_supernet_close(sn);
}

#define SHIPPED "tools/supernet/data/fmnist-supernet.safetensors"

int main(int argc, char **argv)
{
	int files = 0;

	tap_init(argc, argv);
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-') {
			placement(argv[i]);
			files++;
		}
	/* run from the checkout's root by make libsushi-test */
	if (!files)
		placement(SHIPPED);
	return tap_done();
}

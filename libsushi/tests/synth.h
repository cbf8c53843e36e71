/* SPDX-License-Identifier: MIT */
/*
 * synth.h - a synthetic weight-shared SuperNet for the scheduler tests:
 * a chain of 1x1 and 3x3 convolutions at SuperNet widths, SubNets that take
 * the first d blocks at a width fraction (nested slices at the SuperNet's
 * row strides), a pooled classifier; accuracy grows with MACs.
 */
#ifndef SUSHI_TEST_SYNTH_H
#define SUSHI_TEST_SYNTH_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sushi/sched.h"

#define SY_BLOCKS 6			/* each: conv1x1 then conv3x3 */
#define SY_WL (2 * SY_BLOCKS + 1)	/* weight layers, + classifier */
#define SY_C 192			/* SuperNet width */
#define SY_HW 7
#define SY_CLASSES 10

struct synth {
	struct sushi_sched_wlayer wl[SY_WL];
	struct sushi_sched_net *nets;
	struct sushi_hw_layer *layers;	/* all nets' descriptors */
	uint32_t n;
};

static inline void sy_conv(struct sushi_hw_layer *l, uint32_t c, uint32_t k_out,
			   uint32_t k, uint64_t w_addr, uint64_t w_stride)
{
	memset(l, 0, sizeof(*l));
	l->op = SUSHI_OP_CONV;
	l->in_c = c;
	l->out_c = k_out;
	l->in_h = l->in_w = l->out_h = l->out_w = SY_HW;
	l->kernel = k;
	l->stride = 1;
	l->pad = k / 2;
	l->groups = 1;
	l->act_min = (uint32_t)-128;
	l->act_max = 127;
	l->in_addr = 0x10000000;
	l->out_addr = 0x11000000;
	l->w_addr = w_addr;
	l->w_stride = w_stride;
	l->epi_addr = 0x12000000;
}

/*
 * SubNets: depth d in {SY_BLOCKS - n_depth + 1 .. SY_BLOCKS} blocks, width
 * in {1, 2, .., n_width} / n_width of SY_C.
 */
static inline int synth_build_n(struct synth *sy, uint32_t n_depth,
				uint32_t n_width)
{
	uint64_t a = 0x100000;
	uint32_t s = 0, max_layers = SY_WL + 1;

	for (uint32_t i = 0; i < SY_WL; i++) {
		uint32_t k = i == SY_WL - 1 ? 1 : (i % 2 ? 3 : 1);

		sy->wl[i].w_addr = a;
		sy->wl[i].w_stride = (uint64_t)SY_C * k * k;
		a += sy->wl[i].w_stride * SY_C + 4096;
	}
	sy->n = n_depth * n_width;
	sy->nets = calloc(sy->n, sizeof(*sy->nets));
	sy->layers = calloc((size_t)sy->n * max_layers, sizeof(*sy->layers));
	if (!sy->nets || !sy->layers)
		return -1;
	for (uint32_t d = SY_BLOCKS - n_depth + 1; d <= SY_BLOCKS; d++) {
		for (uint32_t wq = 1; wq <= n_width; wq++, s++) {
			struct sushi_hw_layer *L = &sy->layers[(size_t)s * max_layers];
			uint32_t w = SY_C * wq / n_width, n = 0;
			double macs = 0;

			for (uint32_t b = 0; b < d; b++) {
				sy_conv(&L[n++], w, w, 1, sy->wl[2 * b].w_addr,
					sy->wl[2 * b].w_stride);
				sy_conv(&L[n++], w, w, 3, sy->wl[2 * b + 1].w_addr,
					sy->wl[2 * b + 1].w_stride);
				macs += (double)SY_HW * SY_HW * w * w * 10;
			}
			memset(&L[n], 0, sizeof(L[n]));
			L[n].op = SUSHI_OP_GAP;
			L[n].in_c = L[n].out_c = w;
			L[n].in_h = L[n].in_w = SY_HW;
			L[n].out_h = L[n].out_w = 1;
			L[n].stride = L[n].groups = 1;
			L[n].act_min = (uint32_t)-128;
			L[n].act_max = 127;
			L[n].in_addr = 0x10000000;
			L[n].out_addr = 0x11000000;
			n++;
			sy_conv(&L[n], w, SY_CLASSES, 1, sy->wl[SY_WL - 1].w_addr,
				sy->wl[SY_WL - 1].w_stride);
			L[n].op = SUSHI_OP_FC;
			L[n].in_h = L[n].in_w = L[n].out_h = L[n].out_w = 1;
			L[n].pad = 0;
			n++;
			sy->nets[s].layers = L;
			sy->nets[s].n_layers = n;
			sy->nets[s].accuracy = 0.70 + 0.02 * log(macs) / log(2) / 3 -
					       0.15;
			if (sy->nets[s].accuracy > 0.99)
				sy->nets[s].accuracy = 0.99;
		}
	}
	return 0;
}

/* the default test SuperNet: 5 depths x 4 widths = 20 SubNets */
static inline int synth_build(struct synth *sy)
{
	return synth_build_n(sy, 5, 4);
}

static inline void synth_free(struct synth *sy)
{
	free(sy->nets);
	free(sy->layers);
}

#endif /* SUSHI_TEST_SYNTH_H */

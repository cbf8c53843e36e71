/* SPDX-License-Identifier: MIT */
/*
 * random_layer.h - seeded random valid layers of every op for the model
 * tests (compute families against the reference, streamed against whole):
 * kernels 1/3/5/7 (pools 1..8), strides, paddings, dense, grouped,
 * depthwise with and without a channel multiplier, random zero points,
 * clamps and ADD requantization.  Sizes within the caller's limits.
 */
#ifndef SUSHI_TEST_RANDOM_LAYER_H
#define SUSHI_TEST_RANDOM_LAYER_H

#include "layers.h"
#include "tap.h"

/**
 * struct t_rand - a generator and its limits
 * @seed: tap_rand() state
 * @max_hw: largest input height and width
 * @max_c: largest channel count (dense, depthwise)
 * @max_group_c: largest channels per group of a grouped convolution
 */
struct t_rand {
	uint64_t seed;
	uint32_t max_hw;
	uint32_t max_c;
	uint32_t max_group_c;
};

static inline uint32_t t_rnd(struct t_rand *r, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(tap_rand(&r->seed) % (hi - lo + 1));
}

static inline void t_fill(struct t_rand *r, void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)tap_rand(&r->seed);
}

/* A padding below the kernel, the input grown until one window fits. */
static inline uint32_t t_rand_pad(struct t_rand *r, uint32_t k, uint32_t *h,
				  uint32_t *w)
{
	uint32_t p = t_rnd(r, 0, k - 1);

	if (*h + 2 * p < k)
		*h = k;
	if (*w + 2 * p < k)
		*w = k;
	return p;
}

static inline struct sushi_hw_layer t_random_conv(struct t_rand *r,
						  uint32_t h, uint32_t w)
{
	static const uint32_t ks[] = { 1, 3, 5, 7 };
	uint32_t k = ks[t_rnd(r, 0, 3)], s = t_rnd(r, 1, 2);
	uint32_t c = t_rnd(r, 1, r->max_c), g = 1, kout = t_rnd(r, 1, r->max_c);
	uint32_t p = t_rand_pad(r, k, &h, &w);
	struct sushi_hw_layer l;

	switch (t_rnd(r, 0, 3)) {
	case 0:		/* depthwise */
		g = c;
		kout = c;
		break;
	case 1:		/* depthwise with channel multiplier */
		g = c;
		kout = c * t_rnd(r, 2, 3);
		break;
	case 2:		/* grouped */
		g = t_rnd(r, 1, 4);
		c = g * t_rnd(r, 1, r->max_group_c);
		kout = g * t_rnd(r, 1, r->max_group_c);
		break;
	}
	l = t_conv(c, h, w, kout, k, s, p, g);
	l.w_stride += t_rnd(r, 0, 9);
	return l;
}

static inline struct sushi_hw_layer t_random_layer(struct t_rand *r,
						   uint32_t op)
{
	uint32_t h = t_rnd(r, 1, r->max_hw), w = t_rnd(r, 1, r->max_hw);
	uint32_t c = t_rnd(r, 1, r->max_c), k, p;
	struct sushi_hw_layer l;

	switch (op) {
	case SUSHI_OP_CONV:
		l = t_random_conv(r, h, w);
		break;
	case SUSHI_OP_FC:
		l = t_fc(t_rnd(r, 1, 600), t_rnd(r, 1, 80));
		l.w_stride += t_rnd(r, 0, 5);
		break;
	case SUSHI_OP_ADD:
		l = t_add(c, h, w);
		l.add_shift = t_rnd(r, 0, 40);
		l.add_mult_a = (uint32_t)tap_rand(&r->seed);
		l.add_mult_b = (uint32_t)tap_rand(&r->seed);
		l.in2_zp = (uint32_t)((int32_t)t_rnd(r, 0, 255) - 128);
		break;
	case SUSHI_OP_GAP:
		l = t_pool(op, c, h, w, 0, 1, 0);
		break;
	default:
		k = t_rnd(r, 1, 8);
		p = t_rand_pad(r, k, &h, &w);
		l = t_pool(op, c, h, w, k, t_rnd(r, 1, 8), p);
		break;
	}
	l.in_zp = (uint32_t)((int32_t)t_rnd(r, 0, 255) - 128);
	l.out_zp = (uint32_t)((int32_t)t_rnd(r, 0, 255) - 128);
	if (t_rnd(r, 0, 1)) {
		l.act_min = l.out_zp;
	} else {
		int32_t lo = (int32_t)t_rnd(r, 0, 200) - 128;

		l.act_min = (uint32_t)lo;
		l.act_max = (uint32_t)(lo + (int32_t)t_rnd(r, 0,
							   (uint32_t)(127 - lo)));
	}
	return l;
}

#endif /* SUSHI_TEST_RANDOM_LAYER_H */

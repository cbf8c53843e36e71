/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sushi_net.h - small test networks for the SUSHI kselftests: a 4-layer
 * network (3x3 CONV, depthwise 3x3 stride-2 CONV, GAP, FC; weight rows at
 * a stride longer than the row, as in a SuperNet) with random inputs,
 * weights and epilogues, its reference output and cost from the model
 * library; and a slow program (~0.4 s of modelled time per layer, little
 * host work) for tests that need a job in flight.
 */
#ifndef SUSHI_NET_H
#define SUSHI_NET_H

#include "sushi_util.h"

#define NET_LAYERS	4
#define NET_ACT_SIZE	20480
#define NET_WT_SIZE	28672

struct tnet {
	struct sbo act;		/* activations: input, intermediates, output */
	struct sbo wt;		/* weights and epilogues (device read-only) */
	struct drm_sushi_layer l[NET_LAYERS];
	__u32 prog;
	unsigned char ref[NET_ACT_SIZE];	/* expected activations */
	struct sushi_cost cost;			/* expected cost */
};

static inline void net_conv(struct drm_sushi_layer *l, __u32 in_c, __u32 hw,
			    __u32 out_c, __u32 k, __u32 stride, __u32 groups)
{
	memset(l, 0, sizeof(*l));
	l->op = SUSHI_OP_CONV;
	l->in_c = in_c;
	l->in_h = hw;
	l->in_w = hw;
	l->out_c = out_c;
	l->kernel = k;
	l->stride = stride;
	l->padding = k / 2;
	l->out_h = (hw + 2 * l->padding - k) / stride + 1;
	l->out_w = l->out_h;
	l->groups = groups;
	l->in_zp = -3;
	l->out_zp = 5;
	l->act_min = 5;		/* ReLU */
	l->act_max = 127;
}

static inline void net_epilogue(unsigned char *p, __u32 n, __u32 shift,
				__u32 seed)
{
	__u32 i, v[3];

	srand(seed);
	for (i = 0; i < n; i++) {
		v[0] = (__u32)(rand() % 2001 - 1000);
		v[1] = (1u << 30) + (__u32)rand() % (1u << 30);
		v[2] = shift;
		memcpy(p + 12 * i, v, sizeof(v));
	}
}

/* Compute the reference activations and the expected cost. */
static inline int net_reference(struct tnet *n,
				const struct sushi_model_config *cfg)
{
	struct sushi_hw_layer hl[NET_LAYERS];
	int i, ret;

	memcpy(n->ref, n->act.map, NET_ACT_SIZE);
	for (i = 0; i < NET_LAYERS; i++) {
		const struct drm_sushi_layer *u = &n->l[i];
		struct sushi_layer_io io = {
			.in = (const int8_t *)n->ref + u->in.offset,
			.out = (int8_t *)n->ref + u->out.offset,
			.w = (const int8_t *)n->wt.map + u->w.offset,
			.w_stride = u->w_stride,
			.epi = n->wt.map + u->epi.offset,
		};

		sushi_layer_to_model(u, &hl[i]);
		ret = sushi_layer_compute(&hl[i], &io, SUSHI_ISA_REF);
		if (ret)
			return ret;
	}
	memset(&n->cost, 0, sizeof(n->cost));
	return sushi_model_layers_cost(cfg, NULL, hl, NET_LAYERS, &n->cost,
				       NULL, NULL);
}

/* Build the network on @fd with data from @seed; 0 or -errno. */
static inline int net_build(int fd, const struct drm_sushi_caps *caps,
			    struct tnet *n, __u32 seed)
{
	struct sushi_model_config cfg;
	int ret;

	memset(n, 0, sizeof(*n));
	ret = sbo_create(fd, NET_ACT_SIZE, 0, &n->act);
	if (!ret)
		ret = sbo_create(fd, NET_WT_SIZE,
				 DRM_SUSHI_BO_DEVICE_READ_ONLY, &n->wt);
	if (ret)
		return ret;
	/* 8x8x16 -> conv 3x3 -> 8x8x32 (rows of 144 bytes, 160 apart) */
	net_conv(&n->l[0], 16, 8, 32, 3, 1, 1);
	n->l[0].w_stride = 160;
	n->l[0].in = sref(&n->act, 0);
	n->l[0].out = sref(&n->act, 4096);
	n->l[0].w = sref(&n->wt, 0);
	n->l[0].epi = sref(&n->wt, 8192);
	/* depthwise 3x3 stride 2 -> 4x4x32 (rows of 9 bytes, 16 apart) */
	net_conv(&n->l[1], 32, 8, 32, 3, 2, 32);
	n->l[1].in_zp = 5;
	n->l[1].w_stride = 16;
	n->l[1].in = sref(&n->act, 4096);
	n->l[1].out = sref(&n->act, 8192);
	n->l[1].w = sref(&n->wt, 12288);
	n->l[1].epi = sref(&n->wt, 16384);
	/* global average pooling -> 1x1x32 */
	memset(&n->l[2], 0, sizeof(n->l[2]));
	n->l[2].op = SUSHI_OP_GAP;
	n->l[2].in_c = 32;
	n->l[2].in_h = 4;
	n->l[2].in_w = 4;
	n->l[2].out_c = 32;
	n->l[2].out_h = 1;
	n->l[2].out_w = 1;
	n->l[2].stride = 1;
	n->l[2].groups = 1;
	n->l[2].in_zp = 5;
	n->l[2].out_zp = 5;
	n->l[2].act_min = -128;
	n->l[2].act_max = 127;
	n->l[2].in = sref(&n->act, 8192);
	n->l[2].out = sref(&n->act, 12288);
	/* fully connected 32 -> 10 */
	memset(&n->l[3], 0, sizeof(n->l[3]));
	n->l[3].op = SUSHI_OP_FC;
	n->l[3].in_c = 32;
	n->l[3].in_h = 1;
	n->l[3].in_w = 1;
	n->l[3].out_c = 10;
	n->l[3].out_h = 1;
	n->l[3].out_w = 1;
	n->l[3].kernel = 1;
	n->l[3].stride = 1;
	n->l[3].groups = 1;
	n->l[3].in_zp = 5;
	n->l[3].out_zp = -7;
	n->l[3].act_min = -128;
	n->l[3].act_max = 127;
	n->l[3].w_stride = 32;
	n->l[3].in = sref(&n->act, 12288);
	n->l[3].out = sref(&n->act, 16384);
	n->l[3].w = sref(&n->wt, 20480);
	n->l[3].epi = sref(&n->wt, 24576);

	sushi_fill_random(n->act.map, 1024, seed);
	sushi_fill_random(n->wt.map, 5120, seed * 3 + 1);
	sushi_fill_random(n->wt.map + 12288, 512, seed * 5 + 2);
	sushi_fill_random(n->wt.map + 20480, 320, seed * 7 + 3);
	net_epilogue(n->wt.map + 8192, 32, 40, seed);
	net_epilogue(n->wt.map + 16384, 32, 37, seed + 1);
	net_epilogue(n->wt.map + 24576, 10, 38, seed + 2);

	sushi_caps_config(caps, &cfg);
	ret = net_reference(n, &cfg);
	if (ret)
		return ret;
	return sushi_program_create(fd, n->l, NET_LAYERS, &n->prog);
}

/* Clear the outputs the device will write (so stale bytes cannot pass). */
static inline void net_clear_outputs(struct tnet *n)
{
	memset(n->act.map + 4096, 0x55, NET_ACT_SIZE - 4096);
}

/* Does every layer's output on the device equal the reference? */
static inline int net_check(const struct tnet *n)
{
	int i;

	for (i = 0; i < NET_LAYERS; i++) {
		const struct drm_sushi_layer *u = &n->l[i];
		size_t off = u->out.offset;
		size_t len = (size_t)u->out_c * u->out_h * u->out_w;

		if (memcmp(n->act.map + off, n->ref + off, len))
			return 0;
	}
	return 1;
}

static inline void net_free(int fd, struct tnet *n)
{
	sushi_program_destroy(fd, n->prog);
	sbo_close(fd, &n->act);
	sbo_close(fd, &n->wt);
}

#define NET_PINS	3

/* The weight rows of the network's CONV, depthwise CONV and FC layers. */
static inline void net_pins(const struct tnet *n, struct drm_sushi_pb_range *r)
{
	static const int layer[NET_PINS] = { 0, 1, 3 };
	int i;

	for (i = 0; i < NET_PINS; i++) {
		const struct drm_sushi_layer *l = &n->l[layer[i]];

		memset(&r[i], 0, sizeof(r[i]));
		r[i].handle = l->w.handle;
		r[i].offset = l->w.offset;
		r[i].rows = l->out_c;
		r[i].row_bytes = l->in_c / l->groups * l->kernel * l->kernel;
		r[i].row_stride = l->w_stride;
	}
}

/* ---------------------------------------------------------- slow program */

#define SLOW_LAYERS	8
#define SLOW_MAX_HW	2048

/*
 * The device model computes a whole job before the guest runs again and
 * only then lets the modelled latency pass, so a job is visibly in flight
 * only when its modelled time is well above the host's time to compute it.
 * The slow-job tests therefore need a slow device clock (guest-test boots
 * one with clock-hz=1000000) and skip on a fast one.
 */
#define SLOW_MAX_CLOCK_HZ	10000000ull

struct tslow {
	struct sbo src;		/* read-only input */
	struct sbo act;		/* two tensors the layers ping-pong between */
	__u32 prog;
	__u32 hw;		/* tensor height and width */
	__u64 cycles;		/* modelled cycles */
};

/*
 * A job of about @ms milliseconds of modelled time that is cheap for the
 * host: 1x1 max pooling of one channel costs one cycle and one comparison
 * per pixel.  Returns 0 or -errno.
 */
static inline int slow_build(int fd, const struct drm_sushi_caps *caps,
			     struct tslow *s, __u64 ms)
{
	struct drm_sushi_layer l[SLOW_LAYERS];
	struct sushi_hw_layer hl[SLOW_LAYERS];
	struct sushi_model_config cfg;
	struct sushi_cost cost;
	__u64 per_layer, tensor;
	int i, ret;

	memset(s, 0, sizeof(*s));
	per_layer = caps->clock_hz / 1000 * ms / SLOW_LAYERS;
	while ((__u64)(s->hw + 1) * (s->hw + 1) <= per_layer &&
	       s->hw < SLOW_MAX_HW)
		s->hw++;
	if (s->hw < 16)
		s->hw = 16;
	tensor = (__u64)s->hw * s->hw;
	ret = sbo_create(fd, tensor, DRM_SUSHI_BO_DEVICE_READ_ONLY, &s->src);
	if (!ret)
		ret = sbo_create(fd, 2 * tensor, 0, &s->act);
	if (ret)
		return ret;
	sushi_fill_random(s->src.map, tensor, 99);
	memset(l, 0, sizeof(l));
	for (i = 0; i < SLOW_LAYERS; i++) {
		l[i].op = SUSHI_OP_MAXPOOL;
		l[i].in_c = 1;
		l[i].in_h = s->hw;
		l[i].in_w = s->hw;
		l[i].out_c = 1;
		l[i].out_h = s->hw;
		l[i].out_w = s->hw;
		l[i].kernel = 1;
		l[i].stride = 1;
		l[i].groups = 1;
		l[i].act_min = -128;
		l[i].act_max = 127;
		l[i].in = i ? sref(&s->act, (i % 2) * tensor) :
			      sref(&s->src, 0);
		l[i].out = sref(&s->act, ((i + 1) % 2) * tensor);
		sushi_layer_to_model(&l[i], &hl[i]);
	}
	sushi_caps_config(caps, &cfg);
	ret = sushi_model_layers_cost(&cfg, NULL, hl, SLOW_LAYERS, &cost,
				      NULL, NULL);
	if (ret)
		return ret;
	s->cycles = cost.cycles;
	return sushi_program_create(fd, l, SLOW_LAYERS, &s->prog);
}

static inline void slow_free(int fd, struct tslow *s)
{
	sushi_program_destroy(fd, s->prog);
	sbo_close(fd, &s->src);
	sbo_close(fd, &s->act);
}

#endif /* SUSHI_NET_H */

/* SPDX-License-Identifier: MIT */
/*
 * layers.h - host-order layer descriptors for the model tests: a valid
 * layer of each op, built from its shape, with plausible device addresses.
 */
#ifndef SUSHI_TEST_LAYERS_H
#define SUSHI_TEST_LAYERS_H

#include <string.h>

#include "sushi_model.h"

static inline uint32_t t_out(uint32_t in, uint32_t k, uint32_t s, uint32_t p)
{
	return (in + 2 * p - k) / s + 1;
}

static inline struct sushi_hw_layer
t_conv(uint32_t c, uint32_t h, uint32_t w, uint32_t k_out, uint32_t k,
       uint32_t s, uint32_t p, uint32_t g)
{
	struct sushi_hw_layer l;

	memset(&l, 0, sizeof(l));
	l.op = SUSHI_OP_CONV;
	l.in_c = c;
	l.in_h = h;
	l.in_w = w;
	l.out_c = k_out;
	l.out_h = t_out(h, k, s, p);
	l.out_w = t_out(w, k, s, p);
	l.kernel = k;
	l.stride = s;
	l.pad = p;
	l.groups = g;
	l.act_min = (uint32_t)-128;
	l.act_max = 127;
	l.in_addr = 0x100000;
	l.out_addr = 0x200000;
	l.w_addr = 0x300000;
	l.w_stride = (uint64_t)(c / g) * k * k;
	l.epi_addr = 0x400000;
	return l;
}

static inline struct sushi_hw_layer t_fc(uint32_t c, uint32_t k_out)
{
	struct sushi_hw_layer l = t_conv(c, 1, 1, k_out, 1, 1, 0, 1);

	l.op = SUSHI_OP_FC;
	return l;
}

static inline struct sushi_hw_layer t_add(uint32_t c, uint32_t h, uint32_t w)
{
	struct sushi_hw_layer l;

	memset(&l, 0, sizeof(l));
	l.op = SUSHI_OP_ADD;
	l.in_c = l.out_c = c;
	l.in_h = l.out_h = h;
	l.in_w = l.out_w = w;
	l.stride = 1;
	l.groups = 1;
	l.act_min = (uint32_t)-128;
	l.act_max = 127;
	l.add_shift = 30;
	l.add_mult_a = 1u << 29;
	l.add_mult_b = 1u << 29;
	l.in_addr = 0x100000;
	l.in2_addr = 0x180000;
	l.out_addr = 0x200000;
	return l;
}

static inline struct sushi_hw_layer
t_pool(uint32_t op, uint32_t c, uint32_t h, uint32_t w, uint32_t k,
       uint32_t s, uint32_t p)
{
	struct sushi_hw_layer l;

	memset(&l, 0, sizeof(l));
	l.op = op;
	l.in_c = l.out_c = c;
	l.in_h = h;
	l.in_w = w;
	l.groups = 1;
	if (op == SUSHI_OP_GAP) {
		l.stride = 1;
		l.out_h = l.out_w = 1;
	} else {
		l.kernel = k;
		l.stride = s;
		l.pad = p;
		l.out_h = t_out(h, k, s, p);
		l.out_w = t_out(w, k, s, p);
	}
	l.act_min = (uint32_t)-128;
	l.act_max = 127;
	l.in_addr = 0x100000;
	l.out_addr = 0x200000;
	return l;
}

/* A little-endian 32-bit field of guest-format data. */
static inline void t_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* One 12-byte epilogue record (struct sushi_hw_epilogue) at @e. */
static inline void t_set_epi(uint8_t *e, int32_t bias, int32_t mult,
			     uint32_t shift)
{
	t_put32(e, (uint32_t)bias);
	t_put32(e + 4, (uint32_t)mult);
	t_put32(e + 8, shift);
}

#endif /* SUSHI_TEST_LAYERS_H */

/* SPDX-License-Identifier: MIT */
/*
 * guest_util.h - helpers of the in-guest libsushi and sushictl tests:
 * run_cmd() runs a shell command and keeps its output; ref_subnet() runs
 * a SubNet of a loaded SuperNet through the model library on the host side
 * of the test (the reference the device is compared with); fill_trace()
 * completes trace parameters the way `sushictl eval` and `serve` do.
 */
#ifndef SUSHI_GUEST_UTIL_H
#define SUSHI_GUEST_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "sushi/eval.h"
#include "sushi/supernet.h"
#include "sushi_model.h"

/* Run @cmd, its stdout into @buf; the exit status, or -1. */
static inline int run_cmd(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	if (!p)
		return -1;
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * ref_subnet() - SubNet @s of @sn at @dev_map computed by the model
 * library, every tensor in a host arena (no activation SRAM: the reference
 * does not depend on the placement the device runs with): @in (the
 * SubNet's input bytes) to @out (its output bytes).  0 or -errno.
 */
static inline int ref_subnet(const struct sushi_supernet *sn,
			     const struct sushi_supernet_map *dev_map,
			     uint32_t s, const int8_t *in, int8_t *out)
{
	struct sushi_supernet_map dram = *dev_map, *map = &dram;
	const uint8_t *data = sushi_supernet_data(sn);
	struct sushi_subnet_info si;
	struct sushi_subnet_io io;
	struct sushi_hw_layer *l;
	int8_t *a = NULL;
	int ret = sushi_supernet_subnet(sn, s, &si);

	if (ret)
		return ret;
	dram.act_sram_bytes = 0;
	l = calloc(si.n_layers, sizeof(*l));
	ret = l ? sushi_supernet_layers(sn, s, map, l, &io) : -ENOMEM;
	if (!ret && !(a = calloc(io.arena_bytes, 1)))
		ret = -ENOMEM;
	if (!ret)
		memcpy(a + io.in_off, in, io.in_bytes);
	for (uint32_t i = 0; !ret && i < si.n_layers; i++) {
		const struct sushi_hw_layer *d = &l[i];
		struct sushi_layer_io x = {
			.in = a + (d->in_addr - map->act_base),
			.out = a + (d->out_addr - map->act_base),
		};

		if (d->op == SUSHI_OP_ADD)
			x.in2 = a + (d->in2_addr - map->act_base);
		if (d->op == SUSHI_OP_CONV || d->op == SUSHI_OP_FC) {
			x.w = (const int8_t *)data + (d->w_addr - map->data_base);
			x.w_stride = d->w_stride;
			x.epi = data + (d->epi_addr - map->data_base);
		}
		ret = sushi_layer_compute(d, &x, SUSHI_ISA_AUTO);
	}
	if (!ret)
		memcpy(out, a + io.out_off, io.out_bytes);
	free(a);
	free(l);
	return ret;
}

/*
 * The trace eval and serve generate: unset ranges from the catalog, as
 * eval_fill_trace() in tools/sushictl/cmd_eval.c fills them (the serve
 * test checks its own replay reproduces eval's figures).
 */
static inline void fill_trace(const struct sushi_sched_space *sp,
			      struct sushi_trace_params *t)
{
	uint64_t fast = UINT64_MAX, slow = 0;
	double lo = 1, hi = 0;

	for (uint32_t s = 0; s < sushi_sched_space_subnets(sp); s++) {
		uint64_t ns = sushi_sched_space_cell(sp, s, 0)->ns;
		double a = sushi_sched_space_accuracy(sp, s);

		fast = ns < fast ? ns : fast;
		slow = ns > slow ? ns : slow;
		lo = a < lo ? a : lo;
		hi = a > hi ? a : hi;
	}
	t->acc_lo = lo;
	t->acc_hi = hi;
	t->lat_lo_ns = fast;
	t->lat_hi_ns = slow + slow / 5;
	t->mean_gap_ns = (fast + slow) / 2 * 5 / 4;
}

#endif /* SUSHI_GUEST_UTIL_H */

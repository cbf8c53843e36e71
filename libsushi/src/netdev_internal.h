/* SPDX-License-Identifier: MIT */
/*
 * netdev_internal.h - private layout of struct sushi_netdev, shared by
 * netdev.c (load, run, pin) and netdev_cost.c (device-profiled costs).
 */
#ifndef SUSHI_NETDEV_INTERNAL_H
#define SUSHI_NETDEV_INTERNAL_H

#include "sushi_model.h"
#include "sushi/netdev.h"

struct netdev_cost;

struct sushi_netdev {
	struct sushi_device *dev;
	const struct sushi_supernet *sn;
	struct sushi_supernet_info info;
	struct sushi_caps caps;
	struct sushi_bo *data;		/* data section, device read-only */
	struct sushi_bo *arena;		/* activations, mapped at @act */
	uint8_t *act;
	struct sushi_hw_layer **layers;	/* [subnet] host-order descriptors */
	struct sushi_subnet_io *io;	/* [subnet] */
	uint32_t *n_layers;		/* [subnet] */
	uint32_t *prog;			/* [subnet] program, 0: not yet */
	struct netdev_cost *cost;	/* profiling state, NULL: none yet */
	uint32_t unpinned;		/* syncobj: last unpin's space free */
	bool unpin_pending;		/* @unpinned holds a fence */
};

/*
 * netdev_program() - a program of @n of SubNet descriptors (any subset of
 * a layer list) with their addresses turned into BO places: 0 or -errno.
 */
int netdev_program(struct sushi_netdev *nd, const struct sushi_hw_layer *l,
		   uint32_t n, uint32_t *prog);

/* netdev_launch() - launch @prog (pin set or 0), wait, stats: 0 or -errno */
int netdev_launch(struct sushi_netdev *nd, uint32_t prog, uint32_t pin_set,
		  struct sushi_job_stats *st);

/* netdev_stats_cost() - a job's statistics as a model cost */
void netdev_stats_cost(const struct sushi_job_stats *st,
		       struct sushi_cost *c);

/* netdev_cost_free() - drop the profiling state (netdev_cost.c) */
void netdev_cost_free(struct sushi_netdev *nd);

#endif /* SUSHI_NETDEV_INTERNAL_H */

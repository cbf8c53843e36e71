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

/* one activation arena and the programs bound to it (a run in flight) */
struct netdev_slot {
	struct sushi_bo *arena;		/* activations, mapped at @act */
	uint8_t *act;
	uint32_t *prog;			/* [subnet] program, 0: not yet */
	bool busy;			/* a run submitted, not finished */
	uint32_t subnet;		/* its SubNet */
	uint64_t job;			/* its job id */
};

struct sushi_netdev {
	struct sushi_device *dev;
	const struct sushi_supernet *sn;
	struct sushi_supernet_info info;
	struct sushi_caps caps;
	struct sushi_bo *data;		/* data section, device read-only */
	uint64_t arena_bytes;		/* one arena: the largest SubNet's */
	struct netdev_slot slot[SUSHI_NETDEV_MAX_SLOTS];
	uint32_t n_slots;
	struct sushi_hw_layer **layers;	/* [subnet] host-order descriptors */
	struct sushi_subnet_io *io;	/* [subnet] */
	uint32_t *n_layers;		/* [subnet] */
	struct netdev_cost *cost;	/* profiling state, NULL: none yet */
	uint32_t unpinned;		/* syncobj: last unpin's space free */
	bool unpin_pending;		/* @unpinned holds a fence */
};

/*
 * netdev_program() - a program of @n of SubNet descriptors (any subset of
 * a layer list) with their addresses turned into BO places, activations
 * in slot @slot's arena: 0 or -errno.
 */
int netdev_program(struct sushi_netdev *nd, uint32_t slot,
		   const struct sushi_hw_layer *l, uint32_t n, uint32_t *prog);

/* netdev_launch() - launch @prog (pin set or 0), wait, stats: 0 or -errno */
int netdev_launch(struct sushi_netdev *nd, uint32_t prog, uint32_t pin_set,
		  struct sushi_job_stats *st);

/* netdev_stats_cost() - a job's statistics as a model cost */
void netdev_stats_cost(const struct sushi_job_stats *st,
		       struct sushi_cost *c);

/* netdev_cost_free() - drop the profiling state (netdev_cost.c) */
void netdev_cost_free(struct sushi_netdev *nd);

#endif /* SUSHI_NETDEV_INTERNAL_H */

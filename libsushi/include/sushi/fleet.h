/* SPDX-License-Identifier: MIT */
/*
 * sushi/fleet.h - several SushiAccel devices serving one query stream:
 * how a query is routed to a device (join-shortest-queue or SGS-aware),
 * how many queries a device may hold (admission), and what happens to a
 * query no SubNet can still serve within its ceiling (serve it late with
 * the fastest SubNet, or shed it).  The offline evaluator
 * (sushi_eval_fleet(), eval.h) and the serving runtime (runtime.h) take
 * the same parameters and run the same routing code.
 * Guide: Documentation/serving.rst.
 */
#ifndef SUSHI_FLEET_H
#define SUSHI_FLEET_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** SUSHI_FLEET_MAX_DEVICES - most devices one fleet drives */
#define SUSHI_FLEET_MAX_DEVICES	64

/**
 * enum sushi_router - which device a query goes to
 * @SUSHI_ROUTER_JSQ: join-shortest-queue: the device holding the fewest
 *	queries (queued or in service); ties: the one free soonest (every
 *	idle device is free at the arrival), then the lowest index
 * @SUSHI_ROUTER_SGS: SGS-aware: the device whose resident SubGraph serves
 *	the query best, as each device's SushiSched would choose for it after
 *	that device's queueing delay: first a SubNet that meets the SLO
 *	(the ceiling; with SUSHI_SELECT_FLOOR also the floor), then one
 *	within the ceiling, then (select mode ACCURACY) the most accurate,
 *	then the fewest off-chip bytes, then the earliest finish, then the
 *	lowest index
 */
enum sushi_router {
	SUSHI_ROUTER_JSQ = 0,
	SUSHI_ROUTER_SGS,
	SUSHI_ROUTER_COUNT
};

/**
 * enum sushi_overload - a query that no SubNet can serve within its
 * latency ceiling once it reaches its device
 * @SUSHI_OVERLOAD_LATE: serve it late with the fastest SubNet (a fallback)
 * @SUSHI_OVERLOAD_SHED: shed it: it is not run and counts as an SLO miss
 *	(a SubGraph switch its scheduler decided at that query still runs)
 */
enum sushi_overload {
	SUSHI_OVERLOAD_LATE = 0,
	SUSHI_OVERLOAD_SHED,
	SUSHI_OVERLOAD_COUNT
};

/**
 * struct sushi_fleet_params - the devices and how queries reach them
 * @size: sizeof(struct sushi_fleet_params) as the caller was built (the
 *	struct may grow; fields past @size read as zero)
 * @n_devices: 1..SUSHI_FLEET_MAX_DEVICES identical devices, each with its
 *	own Persistent Buffer and its own scheduler
 * @router: enum sushi_router
 * @overload: enum sushi_overload
 * @max_queue: most queries one device may hold (queued or in service);
 *	a query arriving when every device holds that many is shed at
 *	admission.  0: no limit.
 */
struct sushi_fleet_params {
	uint32_t size;
	uint32_t n_devices;
	enum sushi_router router;
	enum sushi_overload overload;
	uint32_t max_queue;
};

/** sushi_router_name() - "jsq" or "sgs" ("unknown" otherwise) */
const char *sushi_router_name(enum sushi_router r);
/** sushi_router_from_name() - the router called @name, or -EINVAL */
int sushi_router_from_name(const char *name);
/** sushi_overload_name() - "late" or "shed" ("unknown" otherwise) */
const char *sushi_overload_name(enum sushi_overload o);
/** sushi_overload_from_name() - the mode called @name, or -EINVAL */
int sushi_overload_from_name(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* SUSHI_FLEET_H */

/* SPDX-License-Identifier: MIT */
/*
 * fleet.h - the routing core the evaluator and the serving runtime share:
 * N devices, each with its own SushiSched over one scheduling space; the
 * router (join-shortest-queue, SGS-aware), admission and shedding; and
 * the virtual-clock model of the devices (when each is free, which
 * queries it holds) that replays a trace.  Private to libsushi.
 */
#ifndef SUSHI_FLEET_INTERNAL_H
#define SUSHI_FLEET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sushi/fleet.h"
#include "sushi/sched.h"

/* one device of the virtual-clock model */
struct fleet_dev {
	struct sushi_sched *s;
	uint64_t t_free;	/* when its last PB job or query finishes */
	uint64_t *fin;		/* finish times of the queries it holds (FIFO) */
	size_t fin_head, fin_n, fin_cap;
};

struct fleet {
	const struct sushi_sched_space *sp;
	struct sushi_sched_params p;
	struct sushi_fleet_params fp;
	struct fleet_dev *dev;	/* [fp.n_devices] */
};

/* why a query was not run */
enum fleet_shed {
	FLEET_RUN = 0,
	FLEET_SHED_ADMISSION,	/* every device held max_queue queries */
	FLEET_SHED_DEADLINE,	/* no SubNet met the ceiling (overload SHED) */
};

/* where and how one query is served on the virtual clock */
struct fleet_place {
	uint32_t device;	/* UINT32_MAX: shed at admission */
	enum fleet_shed shed;
	uint64_t start;		/* the device starts its PB jobs, then the query */
	uint64_t finish;	/* the query completes (start + load + service) */
	struct sushi_decision d;
};

/* what the router sees of device k */
struct fleet_view {
	uint32_t held;		/* queries queued or in service */
	uint64_t wait_ns;	/* how long a query arriving now would wait */
	uint64_t free_at;	/* when it is free (a tie-break) */
};

/*
 * fleet_params_get() - @in (of in->size bytes) as this library's struct:
 * 0, or -EINVAL (NULL, a size too small for @n_devices, non-zero bytes
 * past the struct this library knows, a field out of range)
 */
int fleet_params_get(const struct sushi_fleet_params *in,
		     struct sushi_fleet_params *out);

/* fleet_init() - n_devices schedulers with params @p, empty PBs (0, -E) */
int fleet_init(struct fleet *f, const struct sushi_sched_space *sp,
	       const struct sushi_sched_params *p,
	       const struct sushi_fleet_params *fp);
void fleet_fini(struct fleet *f);

/*
 * fleet_route() - the device @q goes to given what each device looks like
 * (@v, n_devices entries), or UINT32_MAX if admission refuses it.  The SGS
 * router previews each device's scheduler (nothing is recorded).
 */
uint32_t fleet_route(struct fleet *f, const struct sushi_query *q,
		     const struct fleet_view *v);

/*
 * fleet_decide() - device @k's scheduler decides @q after @queue_ns of
 * waiting; *@shed says whether the overload mode sheds it (a fallback
 * under SUSHI_OVERLOAD_SHED).  0 or the scheduler's error.
 */
int fleet_decide(struct fleet *f, uint32_t k, const struct sushi_query *q,
		 uint64_t queue_ns, struct sushi_decision *d,
		 enum fleet_shed *shed);

/*
 * fleet_place() - serve @q on the virtual clock: route it (each device's
 * held queries are those finishing after the arrival), decide on the
 * chosen device at the time it is free, and advance that device's clock.
 * Arrivals must not decrease.  0, -ENOMEM or the scheduler's error.
 */
int fleet_place(struct fleet *f, const struct sushi_query *q,
		struct fleet_place *out);

#endif /* SUSHI_FLEET_INTERNAL_H */

/* SPDX-License-Identifier: MIT */
/*
 * runtime_internal.h - the serving runtime's state, shared by its front
 * (runtime.c: create, submit, routing, completions, stats) and its device
 * workers (runtime_worker.c).  One mutex guards everything but the device
 * I/O each worker does alone.  Private to libsushi.
 */
#ifndef SUSHI_RUNTIME_INTERNAL_H
#define SUSHI_RUNTIME_INTERNAL_H

#include <pthread.h>

#include "eval_internal.h"
#include "fleet.h"
#include "rt_pb.h"
#include "sushi/runtime.h"

/* one accepted query */
struct rt_job {
	struct rt_job *next;
	uint64_t seq;			/* submission order */
	uint64_t tag;
	struct sushi_query q;		/* arrival on the runtime's clock */
	bool decided;			/* REPLAY: @pl holds the decision */
	struct fleet_place pl;
	int8_t in[];			/* the input tensor */
};

/* a launch in flight on a device (slot: its index in the ring) */
struct rt_flight {
	struct rt_job *job;
	struct sushi_rt_completion c;
};

/* a device and its worker */
struct rt_dev {
	struct sushi_rt *rt;
	uint32_t k;
	pthread_t th;
	bool started;
	pthread_cond_t cv;		/* a job queued, or exit */
	struct rt_job *head, *tail;	/* its FIFO */
	struct sushi_netdev *nd;
	struct rt_pb pb;
	uint32_t cur;			/* SubGraph pinned (UINT32_MAX: unknown) */
	int8_t *out;			/* class scores */
	uint32_t depth;			/* launches in flight at most */
	struct rt_flight fl[SUSHI_NETDEV_MAX_SLOTS];	/* the worker's */
	uint32_t fl_head, fl_n;
	uint64_t ewma_ns;		/* LIVE: recent service time (locked) */
	struct sushi_rt_device_stats st;
};

/* REPLAY: one query's outcome, in submission order, for the metrics */
struct rt_outcome {
	struct sushi_query q;
	struct fleet_place pl;
	bool done, failed;
};

struct sushi_rt {
	pthread_mutex_t lock;
	pthread_cond_t idle_cv;		/* every accepted query delivered */
	enum sushi_rt_clock clock;
	const struct sushi_supernet *sn;
	struct sushi_sched_space *sp;
	struct sushi_model_config cfg;
	struct fleet f;			/* schedulers, router, virtual clock */
	uint32_t n;
	struct rt_dev *dev;
	size_t in_bytes, out_bytes;
	sushi_rt_complete_fn complete;
	void *complete_arg;
	bool stopping, exiting;
	uint64_t last_arrival;
	uint64_t submitted, delivered;
	struct sushi_rt_stats st;	/* counters (eval filled on demand) */
	/* completions waiting for sushi_rt_reap() (no callback) */
	struct sushi_rt_completion *cq;
	size_t cq_head, cq_n, cq_cap;
	int efd;
	/* REPLAY */
	struct rt_outcome *oc;
	size_t oc_cap;
};

/* runtime_worker.c */
void *rt_worker(void *arg);
/* runtime.c: deliver @c of @job (on device @d, or NULL) and free @job */
void rt_deliver(struct sushi_rt *rt, struct rt_dev *d, struct rt_job *job,
		struct sushi_rt_completion *c);
uint64_t rt_now_ns(void);

#endif /* SUSHI_RUNTIME_INTERNAL_H */

// SPDX-License-Identifier: MIT
/*
 * runtime.c - the serving runtime's front: building it over N devices
 * (the SuperNet loaded on each, the scheduling space priced by the model
 * under their caps, one worker thread per device), accepting queries
 * (REPLAY: routed and decided at once on the fleet's virtual clock; LIVE:
 * routed on the devices' queues, decided by the worker), delivering
 * completions (callback, or a queue behind an eventfd), draining, the
 * counters and the replay's metrics, and teardown.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "abi_in.h"
#include "runtime_internal.h"

static const char *const status_names[SUSHI_RT_STATUS_COUNT] = {
	[SUSHI_RT_SERVED] = "served",
	[SUSHI_RT_LATE] = "late",
	[SUSHI_RT_SHED] = "shed",
	[SUSHI_RT_FAILED] = "failed",
};

const char *sushi_rt_status_name(enum sushi_rt_status s)
{
	return (unsigned)s < SUSHI_RT_STATUS_COUNT ? status_names[s] : "unknown";
}

uint64_t rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* the SuperNet's input size (the same for every SubNet) and largest output */
static int io_sizes(struct sushi_rt *rt)
{
	uint32_t S = sushi_sched_space_subnets(rt->sp);

	for (uint32_t s = 0; s < S; s++) {
		struct sushi_subnet_io io;
		int ret = sushi_netdev_io(rt->dev[0].nd, s, &io);

		if (ret)
			return ret;
		if (s && io.in_bytes != rt->in_bytes)
			return -EINVAL;
		rt->in_bytes = io.in_bytes;
		if (io.out_bytes > rt->out_bytes)
			rt->out_bytes = io.out_bytes;
	}
	return rt->in_bytes && rt->out_bytes ? 0 : -EINVAL;
}

/* every device has the first one's caps; the space priced under them */
static int build_space(struct sushi_rt *rt, struct sushi_device *const *devs)
{
	struct sushi_supernet_map map;
	struct sushi_caps c0, c;

	memset(&c0, 0, sizeof(c0));
	sushi_device_caps(devs[0], &c0);
	for (uint32_t k = 1; k < rt->n; k++) {
		memset(&c, 0, sizeof(c));
		sushi_device_caps(devs[k], &c);
		if (memcmp(&c, &c0, sizeof(c)))
			return -EINVAL;
	}
	sushi_caps_model_config(&c0, &rt->cfg);
	sushi_netdev_map(&c0, &map);
	return sushi_supernet_sched_space(rt->sn, &rt->cfg, &map, &rt->sp);
}

static int dev_init(struct sushi_rt *rt, struct rt_dev *d,
		    struct sushi_device *dev)
{
	struct sushi_supernet_info info;
	int ret = sushi_netdev_create(dev, rt->sn, &d->nd);

	if (ret)
		return ret;
	ret = sushi_supernet_info(rt->sn, &info);
	if (!ret)
		ret = sushi_netdev_slots(d->nd, d->depth);
	if (ret)
		return ret;
	return rt_pb_init(&d->pb, d->nd, info.n_weight_layers, &rt->cfg);
}

static int start_workers(struct sushi_rt *rt)
{
	for (uint32_t k = 0; k < rt->n; k++) {
		struct rt_dev *d = &rt->dev[k];

		d->out = malloc(rt->out_bytes);
		if (!d->out)
			return -ENOMEM;
		if (pthread_create(&d->th, NULL, rt_worker, d))
			return -EAGAIN;
		d->started = true;
	}
	return 0;
}

static int check_config(const struct sushi_rt_config *c)
{
	if ((unsigned)c->clock >= SUSHI_RT_CLOCK_COUNT || !c->sn || !c->devices ||
	    c->inflight > SUSHI_NETDEV_MAX_SLOTS ||
	    c->sched.policy == SUSHI_POLICY_LRU ||
	    sushi_policy_offline(c->sched.policy) ||
	    (unsigned)c->sched.policy >= SUSHI_POLICY_COUNT)
		return -EINVAL;
	for (uint32_t k = 0; k < c->fleet.n_devices; k++)
		if (!c->devices[k])
			return -EINVAL;
	return 0;
}

int sushi_rt_create(const struct sushi_rt_config *cfg, struct sushi_rt **out)
{
	struct sushi_rt_config c;
	struct sushi_rt *rt;
	int ret;

	if (!out || !cfg ||
	    abi_copy_in(&c, sizeof(c), cfg, cfg->size,
			offsetof(struct sushi_rt_config, inflight)))
		return -EINVAL;
	*out = NULL;
	ret = fleet_params_get(&cfg->fleet, &c.fleet);
	if (!ret)
		ret = check_config(&c);
	if (ret)
		return ret;
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	pthread_mutex_init(&rt->lock, NULL);
	pthread_cond_init(&rt->idle_cv, NULL);
	rt->efd = -1;
	rt->clock = c.clock;
	rt->sn = c.sn;
	rt->n = c.fleet.n_devices;
	rt->complete = c.complete;
	rt->complete_arg = c.complete_arg;
	rt->st.n_devices = rt->n;
	rt->dev = calloc(rt->n, sizeof(*rt->dev));
	if (!rt->dev) {
		ret = -ENOMEM;
		goto fail;
	}
	for (uint32_t k = 0; k < rt->n; k++) {
		rt->dev[k].rt = rt;
		rt->dev[k].k = k;
		rt->dev[k].cur = UINT32_MAX;
		rt->dev[k].depth = c.inflight ? c.inflight : 2;
		pthread_cond_init(&rt->dev[k].cv, NULL);
	}
	ret = build_space(rt, c.devices);
	if (!ret)
		ret = fleet_init(&rt->f, rt->sp, &c.sched, &c.fleet);
	for (uint32_t k = 0; !ret && k < rt->n; k++)
		ret = dev_init(rt, &rt->dev[k], c.devices[k]);
	if (!ret)
		ret = io_sizes(rt);
	if (!ret && !rt->complete) {
		rt->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (rt->efd < 0)
			ret = -errno;
	}
	if (!ret)
		ret = start_workers(rt);
	if (ret)
		goto fail;
	*out = rt;
	return 0;
fail:
	sushi_rt_destroy(rt);
	return ret;
}

/* room for one more completion in the reap queue and outcome (locked) */
static int reserve(struct sushi_rt *rt)
{
	if (!rt->complete && rt->cq_head + rt->cq_n + 1 > rt->cq_cap) {
		size_t cap = rt->cq_cap ? 2 * rt->cq_cap : 64;
		struct sushi_rt_completion *n;

		if (rt->cq_head) {
			memmove(rt->cq, rt->cq + rt->cq_head,
				rt->cq_n * sizeof(*rt->cq));
			rt->cq_head = 0;
		} else {
			n = realloc(rt->cq, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			rt->cq = n;
			rt->cq_cap = cap;
		}
	}
	if (rt->clock == SUSHI_RT_REPLAY && rt->submitted >= rt->oc_cap) {
		size_t cap = rt->oc_cap ? 2 * rt->oc_cap : 1024;
		struct rt_outcome *n = realloc(rt->oc, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		rt->oc = n;
		rt->oc_cap = cap;
	}
	return 0;
}

/* LIVE: the router's view of the devices' real queues (locked) */
static uint32_t route_live(struct sushi_rt *rt, const struct sushi_query *q)
{
	struct fleet_view v[SUSHI_FLEET_MAX_DEVICES];

	for (uint32_t k = 0; k < rt->n; k++) {
		v[k].held = rt->dev[k].st.held;
		v[k].wait_ns = (uint64_t)v[k].held * rt->dev[k].ewma_ns;
		v[k].free_at = v[k].wait_ns;
	}
	return fleet_route(&rt->f, q, v);
}

static int check_request(const struct sushi_rt *rt,
			 const struct sushi_rt_request *r)
{
	if (r->flags || !r->input || r->in_len != rt->in_bytes ||
	    !(r->acc_floor >= 0 && r->acc_floor <= 1))
		return -EINVAL;
	if (rt->clock == SUSHI_RT_LIVE && r->arrival_ns)
		return -EINVAL;
	return 0;
}

/* accept @job (locked): route, and REPLAY decide; the device or UINT32_MAX */
static int accept(struct sushi_rt *rt, struct rt_job *job, uint32_t *k)
{
	int ret = reserve(rt);

	if (ret)
		return ret;
	if (rt->clock == SUSHI_RT_LIVE) {
		job->q.arrival_ns = rt_now_ns();
		*k = route_live(rt, &job->q);
		job->pl.device = *k;
		if (*k == UINT32_MAX)
			job->pl.shed = FLEET_SHED_ADMISSION;
	} else {
		ret = fleet_place(&rt->f, &job->q, &job->pl);
		if (ret)
			return ret;
		job->decided = true;
		*k = job->pl.device;
		rt->oc[rt->submitted].q = job->q;
		rt->oc[rt->submitted].pl = job->pl;
		rt->oc[rt->submitted].done = false;
		rt->oc[rt->submitted].failed = false;
	}
	job->seq = rt->submitted++;
	rt->st.submitted++;
	rt->last_arrival = job->q.arrival_ns;
	return 0;
}

int sushi_rt_submit(struct sushi_rt *rt, const struct sushi_rt_request *req)
{
	struct sushi_rt_request r;
	struct sushi_rt_completion c;
	struct rt_job *job;
	uint32_t k;
	int ret;

	if (!rt || !req || abi_copy_in(&r, sizeof(r), req, req->size, sizeof(r)))
		return -EINVAL;
	ret = check_request(rt, &r);
	if (ret)
		return ret;
	job = calloc(1, sizeof(*job) + rt->in_bytes);
	if (!job)
		return -ENOMEM;
	memcpy(job->in, r.input, rt->in_bytes);
	job->tag = r.tag;
	job->q.arrival_ns = r.arrival_ns;
	job->q.acc_floor = r.acc_floor;
	job->q.lat_ceiling_ns = r.lat_ceiling_ns;
	pthread_mutex_lock(&rt->lock);
	if (rt->stopping)
		ret = -ESHUTDOWN;
	else if (rt->clock == SUSHI_RT_REPLAY && r.arrival_ns < rt->last_arrival)
		ret = -EINVAL;
	else
		ret = accept(rt, job, &k);
	if (ret) {
		pthread_mutex_unlock(&rt->lock);
		free(job);
		return ret;
	}
	if (k != UINT32_MAX) {
		struct rt_dev *d = &rt->dev[k];

		if (d->tail)
			d->tail->next = job;
		else
			d->head = job;
		d->tail = job;
		d->st.held++;
		pthread_cond_signal(&d->cv);
		pthread_mutex_unlock(&rt->lock);
		return 0;
	}
	pthread_mutex_unlock(&rt->lock);
	memset(&c, 0, sizeof(c));	/* shed at admission */
	c.status = SUSHI_RT_SHED;
	c.tag = job->tag;
	c.device = UINT32_MAX;
	c.subnet = UINT32_MAX;
	c.arrival_ns = c.finish_ns = job->q.arrival_ns;
	rt_deliver(rt, NULL, job, &c);
	return 0;
}

/* the counters of one completion (locked) */
static void count(struct sushi_rt *rt, struct rt_dev *d,
		  const struct sushi_rt_completion *c)
{
	uint64_t *by[SUSHI_RT_STATUS_COUNT] = {
		&rt->st.served, &rt->st.late, &rt->st.shed, &rt->st.failed,
	};

	(*by[c->status])++;
	rt->st.completed++;
	if (!d) {
		rt->st.shed_admission++;
		return;
	}
	uint64_t *dby[SUSHI_RT_STATUS_COUNT] = {
		&d->st.served, &d->st.late, &d->st.shed, &d->st.failed,
	};
	(*dby[c->status])++;
	d->st.held--;
	d->st.pb_loads += c->pb.n_loads;
	d->st.pb_enospc_waits = d->pb.enospc_waits;
	if (c->subnet != UINT32_MAX) {
		d->st.pb_hit_bytes += c->run.pb_rd;
		d->st.weight_bytes += c->decision.cell.weights;
	}
}

void rt_deliver(struct sushi_rt *rt, struct rt_dev *d, struct rt_job *job,
		struct sushi_rt_completion *c)
{
	c->size = sizeof(*c);
	pthread_mutex_lock(&rt->lock);
	count(rt, d, c);
	if (rt->clock == SUSHI_RT_REPLAY) {
		rt->oc[job->seq].pl = job->pl;
		rt->oc[job->seq].failed = c->status == SUSHI_RT_FAILED;
		rt->oc[job->seq].done = true;
	}
	if (!rt->complete) {
		rt->cq[rt->cq_head + rt->cq_n++] = *c;	/* reserved */
		if (rt->cq_n == 1) {
			uint64_t one = 1;

			if (write(rt->efd, &one, sizeof(one)) < 0)
				(void)0;	/* the counter is already non-zero */
		}
	} else {
		pthread_mutex_unlock(&rt->lock);
		rt->complete(rt->complete_arg, c);
		pthread_mutex_lock(&rt->lock);
	}
	if (++rt->delivered == rt->submitted)
		pthread_cond_broadcast(&rt->idle_cv);
	pthread_mutex_unlock(&rt->lock);
	free(job);
}

int sushi_rt_fd(struct sushi_rt *rt)
{
	return rt && rt->efd >= 0 ? rt->efd : -EINVAL;
}

int sushi_rt_reap(struct sushi_rt *rt, struct sushi_rt_completion *out,
		  size_t max, size_t out_size)
{
	size_t n, sz;
	uint64_t v;

	if (!rt || rt->complete || (max && !out) ||
	    out_size < offsetof(struct sushi_rt_completion, decision))
		return -EINVAL;
	sz = out_size < sizeof(*out) ? out_size : sizeof(*out);
	pthread_mutex_lock(&rt->lock);
	n = max < rt->cq_n ? max : rt->cq_n;
	if (n > INT32_MAX)
		n = INT32_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char *o = (unsigned char *)out + i * out_size;

		memcpy(o, &rt->cq[rt->cq_head + i], sz);
		memset(o + sz, 0, out_size - sz);
	}
	rt->cq_head += n;
	rt->cq_n -= n;
	if (!rt->cq_n) {
		rt->cq_head = 0;
		if (read(rt->efd, &v, sizeof(v)) < 0)
			(void)0;	/* already zero */
	}
	pthread_mutex_unlock(&rt->lock);
	return (int)n;
}

int sushi_rt_drain(struct sushi_rt *rt, int64_t timeout_ns)
{
	struct timespec dl;
	int ret = 0;

	if (!rt)
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &dl);
	if (timeout_ns >= 0) {
		dl.tv_sec += timeout_ns / 1000000000;
		dl.tv_nsec += timeout_ns % 1000000000;
		if (dl.tv_nsec >= 1000000000) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&rt->lock);
	while (!ret && rt->delivered < rt->submitted) {
		if (timeout_ns < 0)
			pthread_cond_wait(&rt->idle_cv, &rt->lock);
		else if (pthread_cond_timedwait(&rt->idle_cv, &rt->lock, &dl))
			ret = rt->delivered < rt->submitted ? -ETIME : 0;
	}
	pthread_mutex_unlock(&rt->lock);
	return ret;
}

/* REPLAY: the evaluator's metrics of the completed queries (locked) */
static int replay_metrics(struct sushi_rt *rt, struct sushi_eval_stats *ev)
{
	struct eval_acc a;
	int ret = eval_acc_init(&a, rt->submitted);

	for (size_t i = 0; !ret && i < rt->submitted; i++)
		if (rt->oc[i].done && !rt->oc[i].failed)
			ret = eval_acc_add(&a, rt->sp, &rt->oc[i].q,
					   &rt->oc[i].pl, NULL);
	if (!ret)
		eval_acc_finish(&a, ev);
	eval_acc_fini(&a);
	return ret;
}

int sushi_rt_stats(struct sushi_rt *rt, struct sushi_rt_stats *st)
{
	struct sushi_rt_stats s;
	size_t sz;
	int ret = 0;

	if (!rt || !st ||
	    st->size < offsetof(struct sushi_rt_stats, service_mismatches))
		return -EINVAL;
	sz = st->size < sizeof(s) ? st->size : sizeof(s);
	pthread_mutex_lock(&rt->lock);
	s = rt->st;
	for (uint32_t k = 0; k < rt->n; k++)
		s.dev[k] = rt->dev[k].st;
	if (rt->clock == SUSHI_RT_REPLAY)
		ret = replay_metrics(rt, &s.eval);
	pthread_mutex_unlock(&rt->lock);
	s.size = st->size;
	memcpy(st, &s, sz);
	return ret;
}

const struct sushi_sched_space *sushi_rt_space(const struct sushi_rt *rt)
{
	return rt ? rt->sp : NULL;
}

size_t sushi_rt_input_bytes(const struct sushi_rt *rt)
{
	return rt ? rt->in_bytes : 0;
}

static void stop_workers(struct sushi_rt *rt)
{
	pthread_mutex_lock(&rt->lock);
	rt->exiting = true;
	for (uint32_t k = 0; k < rt->n; k++)
		pthread_cond_signal(&rt->dev[k].cv);
	pthread_mutex_unlock(&rt->lock);
	for (uint32_t k = 0; k < rt->n; k++)
		if (rt->dev[k].started)
			pthread_join(rt->dev[k].th, NULL);
}

void sushi_rt_destroy(struct sushi_rt *rt)
{
	if (!rt)
		return;
	pthread_mutex_lock(&rt->lock);
	rt->stopping = true;
	pthread_mutex_unlock(&rt->lock);
	sushi_rt_drain(rt, -1);
	if (rt->dev) {
		stop_workers(rt);
		for (uint32_t k = 0; k < rt->n; k++) {
			rt_pb_release(&rt->dev[k].pb);
			sushi_netdev_destroy(rt->dev[k].nd);
			free(rt->dev[k].out);
			pthread_cond_destroy(&rt->dev[k].cv);
		}
	}
	fleet_fini(&rt->f);
	sushi_sched_space_free(rt->sp);
	if (rt->efd >= 0)
		close(rt->efd);
	free(rt->cq);
	free(rt->oc);
	free(rt->dev);
	pthread_cond_destroy(&rt->idle_cv);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

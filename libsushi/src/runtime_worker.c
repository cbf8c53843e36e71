// SPDX-License-Identifier: MIT
/*
 * runtime_worker.c - a device's worker thread in the serving runtime: it
 * takes the device's queries in order; LIVE, its SushiSched decides with
 * the wait the query really had; it switches the Persistent Buffer
 * SubGraph when the decision changes it (ordered by the driver after the
 * launches still in flight), starts the SubNet in a free activation arena
 * so that up to `inflight` launches are queued on the device, finishes
 * them in order, checks the device's figures against the scheduler's
 * prediction, times each query on the runtime's clock and delivers its
 * completion.  A device error fails
 * the query (never silently); one that may have wiped the PB (a reset, a
 * stale pin set, a timeout) also drops the PB content, so the next query
 * pins its SubGraph again.
 */
#include <errno.h>
#include <string.h>

#include "runtime_internal.h"

static uint32_t argmax(const int8_t *s, uint64_t n)
{
	uint32_t best = 0;

	for (uint32_t i = 1; i < n; i++)
		if (s[i] > s[best])
			best = i;
	return best;
}

static bool cell_eq(const struct sushi_model_config *cfg,
		    const struct sushi_job_stats *js,
		    const struct sushi_sched_cell *c)
{
	return sushi_model_cycles_to_ns(cfg, js->cycles) == c->ns &&
	       js->dram_rd + js->dram_wr == c->dram && js->pb_rd == c->pb &&
	       js->energy_fj == c->energy_fj && js->offchip_fj == c->offchip_fj;
}

static bool jobs_eq(const struct sushi_rt_pb_jobs *j,
		    const struct sushi_decision *d)
{
	return j->ns == d->load_ns && j->dram == d->load_dram &&
	       j->energy_fj == d->load_energy_fj &&
	       j->offchip_fj == d->load_offchip_fj && j->n_loads == d->n_loads;
}

/* errors after which the PB may no longer hold what the runtime pinned */
static bool pb_maybe_lost(int err)
{
	return err == -ESTALE || err == -ECANCELED || err == -ETIMEDOUT ||
	       err == -ETIME || err == -EIO || err == -ENODEV;
}

/*
 * Switch the PB if the decision needs another SubGraph (the pins wait for
 * their loads, which the driver orders after the launches still in
 * flight), then start the launch in @slot.  0: launched; else the error.
 */
static int start_job(struct rt_dev *d, struct rt_job *job, uint32_t slot,
		     struct sushi_rt_completion *c)
{
	struct sushi_rt *rt = d->rt;
	const struct sushi_decision *dec = &job->pl.d;
	int ret = 0;

	if (dec->subgraph != d->cur) {
		ret = rt_pb_switch(&d->pb,
				   sushi_sched_space_subgraph(rt->sp, dec->subgraph),
				   &c->pb);
		d->cur = ret ? UINT32_MAX : dec->subgraph;
	}
	if (ret || job->pl.shed)
		return ret;
	return sushi_netdev_submit(d->nd, slot, dec->subnet,
				   rt_pb_any_set(&d->pb), job->in, rt->in_bytes);
}

/* wait for the launch in @slot; the device's figures and class in @c */
static int finish_job(struct rt_dev *d, struct rt_job *job, uint32_t slot,
		      struct sushi_rt_completion *c)
{
	struct sushi_rt *rt = d->rt;
	uint32_t s = job->pl.d.subnet;
	struct sushi_subnet_io io;
	int ret = sushi_netdev_finish(d->nd, slot, d->out, rt->out_bytes,
				      &c->run);

	if (!ret)
		ret = sushi_netdev_io(d->nd, s, &io);
	if (ret)
		return ret;
	c->subnet = s;
	c->prediction = argmax(d->out, io.out_bytes);
	c->accuracy = sushi_sched_space_accuracy(rt->sp, s);
	return 0;
}

/*
 * REPLAY: the query on the virtual clock, from the device's figures; the
 * outcome the metrics sum gets the measured costs
 */
static void replay_times(struct rt_dev *d, struct rt_job *job,
			 struct sushi_rt_completion *c)
{
	const struct sushi_model_config *cfg = &d->rt->cfg;
	struct fleet_place *pl = &job->pl;
	uint64_t run_ns = 0;

	if (c->subnet != UINT32_MAX) {
		run_ns = sushi_model_cycles_to_ns(cfg, c->run.cycles);
		pl->d.cell.ns = run_ns;
		pl->d.cell.dram = c->run.dram_rd + c->run.dram_wr;
		pl->d.cell.pb = c->run.pb_rd;
		pl->d.cell.energy_fj = c->run.energy_fj;
		pl->d.cell.offchip_fj = c->run.offchip_fj;
	}
	pl->d.load_ns = c->pb.ns;
	pl->d.load_dram = c->pb.dram;
	pl->d.load_energy_fj = c->pb.energy_fj;
	pl->d.load_offchip_fj = c->pb.offchip_fj;
	pl->d.n_loads = c->pb.n_loads;
	pl->finish = pl->start + c->pb.ns + run_ns;
	c->queue_ns = pl->start - job->q.arrival_ns;
	c->service_ns = c->pb.ns + run_ns;
}

/* LIVE: the query on CLOCK_MONOTONIC */
static void live_times(const struct rt_job *job, struct sushi_rt_completion *c)
{
	uint64_t end = rt_now_ns();

	c->queue_ns = job->pl.start - job->q.arrival_ns;
	c->service_ns = end - job->pl.start;
}

/* the completion's fixed part, before the device runs anything */
static void begin(struct rt_dev *d, const struct rt_job *job,
		  struct sushi_rt_completion *c)
{
	memset(c, 0, sizeof(*c));
	c->tag = job->tag;
	c->device = d->k;
	c->subnet = UINT32_MAX;
	c->arrival_ns = job->q.arrival_ns;
	c->decision = job->pl.d;
}

/* the query's times, status and cost checks once the device is done (@ret) */
static void end(struct rt_dev *d, struct rt_job *job,
		struct sushi_rt_completion *c, int ret)
{
	struct sushi_rt *rt = d->rt;
	bool mis_run = false, mis_load = false, lost = ret && pb_maybe_lost(ret);

	if (lost) {
		rt_pb_forget(&d->pb);
		d->cur = UINT32_MAX;
	}
	if (!ret) {
		mis_load = !jobs_eq(&c->pb, &job->pl.d);
		mis_run = c->subnet != UINT32_MAX &&
			  !cell_eq(&rt->cfg, &c->run, &job->pl.d.cell);
	}
	if (ret)
		c->subnet = UINT32_MAX;
	if (rt->clock == SUSHI_RT_REPLAY)
		replay_times(d, job, c);
	else
		live_times(job, c);
	c->finish_ns = c->arrival_ns + c->queue_ns + c->service_ns;
	if (ret) {
		c->status = SUSHI_RT_FAILED;
		c->error = ret;
	} else if (job->pl.shed) {
		c->status = SUSHI_RT_SHED;
	} else {
		c->status = c->finish_ns - c->arrival_ns <= job->q.lat_ceiling_ns ?
			    SUSHI_RT_SERVED : SUSHI_RT_LATE;
	}
	pthread_mutex_lock(&rt->lock);	/* what submitters and stats read */
	rt->st.service_mismatches += mis_run;
	rt->st.load_mismatches += mis_load;
	d->st.pb_resets += lost;
	if (rt->clock == SUSHI_RT_LIVE)	/* the router's recent service time */
		d->ewma_ns = d->ewma_ns ? d->ewma_ns - d->ewma_ns / 8 +
					  c->service_ns / 8 : c->service_ns;
	pthread_mutex_unlock(&rt->lock);
	rt_deliver(rt, d, job, c);
}

/* LIVE: the device's SushiSched decides now, after the real wait (locked) */
static int decide_live(struct rt_dev *d, struct rt_job *job)
{
	uint64_t now = rt_now_ns();

	job->pl.device = d->k;
	job->pl.start = now;
	return fleet_decide(&d->rt->f, d->k, &job->q, now - job->q.arrival_ns,
			    &job->pl.d, &job->pl.shed);
}

/* take the next queued query and start it (unlocks and relocks) */
static void take(struct rt_dev *d)
{
	struct sushi_rt *rt = d->rt;
	uint32_t i = (d->fl_head + d->fl_n) % d->depth;
	struct rt_flight *f = &d->fl[i];
	struct rt_job *job = d->head;
	int ret = 0;

	d->head = job->next;
	if (!d->head)
		d->tail = NULL;
	if (!job->decided)
		ret = decide_live(d, job);
	pthread_mutex_unlock(&rt->lock);
	begin(d, job, &f->c);
	if (!ret)
		ret = start_job(d, job, i, &f->c);
	if (ret || job->pl.shed) {
		end(d, job, &f->c, ret);	/* nothing in flight */
	} else {
		f->job = job;
		d->fl_n++;
	}
	pthread_mutex_lock(&rt->lock);
	if (d->fl_n > d->st.inflight_max)
		d->st.inflight_max = d->fl_n;
}

/* finish the oldest launch in flight (unlocks and relocks) */
static void retire(struct rt_dev *d)
{
	struct sushi_rt *rt = d->rt;
	struct rt_flight *f = &d->fl[d->fl_head];
	int ret;

	d->fl_head = (d->fl_head + 1) % d->depth;
	d->fl_n--;
	pthread_mutex_unlock(&rt->lock);
	ret = finish_job(d, f->job, (uint32_t)(f - d->fl), &f->c);
	end(d, f->job, &f->c, ret);
	pthread_mutex_lock(&rt->lock);
}

/*
 * The worker: keep up to depth launches in flight, starting queued queries
 * while there is room and finishing the oldest otherwise.  The in-flight
 * ring is the worker's own; only the queue is shared (under the lock).
 */
void *rt_worker(void *arg)
{
	struct rt_dev *d = arg;
	struct sushi_rt *rt = d->rt;

	pthread_mutex_lock(&rt->lock);
	for (;;) {
		while (!d->head && !d->fl_n && !rt->exiting)
			pthread_cond_wait(&d->cv, &rt->lock);
		if (d->head && d->fl_n < d->depth)
			take(d);
		else if (d->fl_n)
			retire(d);
		else
			break;	/* exiting: nothing queued or in flight */
	}
	pthread_mutex_unlock(&rt->lock);
	return NULL;
}

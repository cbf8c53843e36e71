// SPDX-License-Identifier: MIT
/*
 * runtime_worker.c - a device's worker thread in the serving runtime: it
 * takes the device's queries in order; LIVE, its SushiSched decides with
 * the wait the query really had; it switches the Persistent Buffer
 * SubGraph when the decision changes it, runs the SubNet, checks the
 * device's figures against the scheduler's prediction, times the query on
 * the runtime's clock and delivers its completion.  A device error fails
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

/* switch the PB if needed and run the query; the device's figures in @c */
static int run_job(struct rt_dev *d, struct rt_job *job,
		   struct sushi_rt_completion *c)
{
	struct sushi_rt *rt = d->rt;
	const struct sushi_decision *dec = &job->pl.d;
	struct sushi_subnet_io io;
	int ret = 0;

	if (dec->subgraph != d->cur) {
		ret = rt_pb_switch(&d->pb,
				   sushi_sched_space_subgraph(rt->sp, dec->subgraph),
				   &c->pb);
		d->cur = ret ? UINT32_MAX : dec->subgraph;
	}
	if (ret || job->pl.shed)
		return ret;
	ret = sushi_netdev_io(d->nd, dec->subnet, &io);
	if (!ret)
		ret = sushi_netdev_run(d->nd, dec->subnet, rt_pb_any_set(&d->pb),
				       job->in, rt->in_bytes, d->out,
				       rt->out_bytes, &c->run);
	if (ret)
		return ret;
	c->subnet = dec->subnet;
	c->prediction = argmax(d->out, io.out_bytes);
	c->accuracy = sushi_sched_space_accuracy(rt->sp, dec->subnet);
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

/* LIVE: the query on CLOCK_MONOTONIC; the service time feeds the router */
static void live_times(struct rt_dev *d, struct rt_job *job,
		       struct sushi_rt_completion *c)
{
	uint64_t end = rt_now_ns();

	c->queue_ns = job->pl.start - job->q.arrival_ns;
	c->service_ns = end - job->pl.start;
	d->ewma_ns = d->ewma_ns ? d->ewma_ns - d->ewma_ns / 8 + c->service_ns / 8 :
				  c->service_ns;
}

static void serve(struct rt_dev *d, struct rt_job *job,
		  struct sushi_rt_completion *c, uint64_t *mis_run,
		  uint64_t *mis_load)
{
	struct sushi_rt *rt = d->rt;
	int ret;

	memset(c, 0, sizeof(*c));
	c->tag = job->tag;
	c->device = d->k;
	c->subnet = UINT32_MAX;
	c->arrival_ns = job->q.arrival_ns;
	c->decision = job->pl.d;
	ret = run_job(d, job, c);
	if (ret && pb_maybe_lost(ret)) {
		rt_pb_forget(&d->pb);
		d->cur = UINT32_MAX;
		d->st.pb_resets++;
	}
	if (!ret) {
		*mis_load = !jobs_eq(&c->pb, &job->pl.d);
		*mis_run = c->subnet != UINT32_MAX &&
			   !cell_eq(&rt->cfg, &c->run, &job->pl.d.cell);
	}
	if (rt->clock == SUSHI_RT_REPLAY)
		replay_times(d, job, c);
	else
		live_times(d, job, c);
	c->finish_ns = c->arrival_ns + c->queue_ns + c->service_ns;
	if (ret) {
		c->status = SUSHI_RT_FAILED;
		c->error = ret;
		c->subnet = UINT32_MAX;
	} else if (job->pl.shed) {
		c->status = SUSHI_RT_SHED;
	} else {
		c->status = c->finish_ns - c->arrival_ns <= job->q.lat_ceiling_ns ?
			    SUSHI_RT_SERVED : SUSHI_RT_LATE;
	}
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

void *rt_worker(void *arg)
{
	struct rt_dev *d = arg;
	struct sushi_rt *rt = d->rt;
	struct sushi_rt_completion c;

	pthread_mutex_lock(&rt->lock);
	for (;;) {
		uint64_t mis_run = 0, mis_load = 0;
		struct rt_job *job;
		int ret = 0;

		while (!d->head && !rt->exiting)
			pthread_cond_wait(&d->cv, &rt->lock);
		job = d->head;
		if (!job)
			break;
		d->head = job->next;
		if (!d->head)
			d->tail = NULL;
		if (!job->decided)
			ret = decide_live(d, job);
		pthread_mutex_unlock(&rt->lock);
		if (ret) {
			memset(&c, 0, sizeof(c));
			c.status = SUSHI_RT_FAILED;
			c.error = ret;
			c.tag = job->tag;
			c.device = d->k;
			c.subnet = UINT32_MAX;
			c.arrival_ns = c.finish_ns = job->q.arrival_ns;
		} else {
			serve(d, job, &c, &mis_run, &mis_load);
		}
		pthread_mutex_lock(&rt->lock);
		rt->st.service_mismatches += mis_run;
		rt->st.load_mismatches += mis_load;
		pthread_mutex_unlock(&rt->lock);
		rt_deliver(rt, d, job, &c);
		pthread_mutex_lock(&rt->lock);
	}
	pthread_mutex_unlock(&rt->lock);
	return NULL;
}

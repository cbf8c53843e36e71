// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_sched.c - the drm_sched scheduler that feeds the device's ring: the
 * backend ops (prepare_job, run_job, timedout_job, free_job), the hardware
 * fences signalled in ring order from the job interrupt with the device's
 * per-job status as the fence error, recovery (timeouts checked against the
 * PROGRESS register, device reset through drm_sched_stop/drm_sched_start,
 * DRM_IOCTL_SUSHI_RESET, debugfs force_reset), the device-wide counters,
 * failing every job at unplug, and the scheduler's teardown after the last
 * file is closed.
 */

#include <linux/dma-fence.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "sushi_compat.h"
#include "sushi_drv.h"

static unsigned int sushi_job_timeout_ms = 2000;
module_param_named(job_timeout_ms, sushi_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "Reset the device when a job makes no progress for this long (default 2000)");

static struct sushi_job *to_sushi_job(struct drm_sched_job *job)
{
	return container_of(job, struct sushi_job, base);
}

/* ------------------------------------------------------ hardware fences */

static const char *sushi_fence_driver_name(struct dma_fence *fence)
{
	return SUSHI_DRIVER_NAME;
}

static const char *sushi_fence_timeline_name(struct dma_fence *fence)
{
	return "sushi-ring";
}

static const struct dma_fence_ops sushi_fence_ops = {
	.get_driver_name = sushi_fence_driver_name,
	.get_timeline_name = sushi_fence_timeline_name,
};

/* The errno a job's fence carries for each device status. */
static int sushi_status_errno(u32 status)
{
	switch (status) {
	case SUSHI_HW_ST_OK:
		return 0;
	case SUSHI_HW_ST_BAD_LAYER:
		return -EINVAL;
	case SUSHI_HW_ST_PAGE_FAULT:
		return -EFAULT;
	case SUSHI_HW_ST_PB_NO_SPACE:
		return -ENOSPC;
	case SUSHI_HW_ST_PB_OVERLAP:
		return -EEXIST;
	case SUSHI_HW_ST_PB_TABLE_FULL:
		return -ENFILE;
	case SUSHI_HW_ST_STALE_PB:
		return -ESTALE;
	case SUSHI_HW_ST_ABORTED:
		return -ECANCELED;
	case SUSHI_HW_ST_OVER_BUDGET:
		return -E2BIG;
	default:	/* BAD_OPCODE, BAD_ENTRY, DMA_ERROR, BAD_RING */
		return -EIO;
	}
}

/* Add a retiring entry to the device-wide counters (inflight_lock held). */
static void sushi_job_count(struct sushi_device *sdev, struct sushi_job *job,
			    const struct sushi_hw_completion *c, u32 status,
			    int err)
{
	struct drm_sushi_counters *n = &sdev->counters;

	switch (le32_to_cpu(job->entry.opcode)) {
	case SUSHI_CMD_LAUNCH:
		n->launches++;
		n->launches_failed += !!err;
		break;
	case SUSHI_CMD_PB_LOAD:
		n->pb_loads++;
		break;
	case SUSHI_CMD_PB_INVALIDATE:
		n->pb_invalidations++;
		break;
	}
	n->timeouts += status == DRM_SUSHI_JOB_TIMEOUT;
	if (!c)
		return;
	n->cycles += le64_to_cpu(c->cycles);
	n->macs += le64_to_cpu(c->macs);
	n->dram_rd += le64_to_cpu(c->dram_rd);
	n->dram_wr += le64_to_cpu(c->dram_wr);
	n->pb_rd += le64_to_cpu(c->pb_rd);
	n->energy_fj += le64_to_cpu(c->energy_fj);
	n->offchip_fj += le64_to_cpu(c->offchip_fj);
	if (job->usage)
		atomic64_add(le64_to_cpu(c->cycles), &job->usage->cycles);
}

/*
 * Retire the oldest in-flight job: copy its completion record (or, with
 * @c NULL, report it lost with @status/@err), set the fence error and
 * signal.  Called with inflight_lock held, in ring order, only once the
 * device can no longer touch the job's buffers.
 */
static void sushi_job_retire(struct sushi_job *job,
			     const struct sushi_hw_completion *c,
			     u32 status, int err)
{
	struct drm_sushi_job_stats *st = &job->rec->stats;

	/* A record may collect several entries (a pin set's loads). */
	if (c) {
		status = le32_to_cpu(c->status);
		err = sushi_status_errno(status);
		if (!st->error)
			st->layer = le32_to_cpu(c->layer);
		st->pb_gen = le32_to_cpu(c->pb_gen);
		st->cycles += le64_to_cpu(c->cycles);
		st->macs += le64_to_cpu(c->macs);
		st->dram_rd += le64_to_cpu(c->dram_rd);
		st->dram_wr += le64_to_cpu(c->dram_wr);
		st->pb_rd += le64_to_cpu(c->pb_rd);
		st->energy_fj += le64_to_cpu(c->energy_fj);
		st->offchip_fj += le64_to_cpu(c->offchip_fj);
	}
	if (!st->error) {
		st->status = status;
		st->error = err;
	}
	sushi_job_count(job->sdev, job, c, status, err);
	list_del_init(&job->node);
	if (err)
		dma_fence_set_error(job->hw_fence, err);
	dma_fence_signal(job->hw_fence);
}

static bool sushi_job_completed(struct sushi_device *sdev,
				struct sushi_job *job)
{
	struct sushi_hw_completion *c = &sdev->ring.compl[job->slot];

	return le64_to_cpu(READ_ONCE(c->seqno)) == job->seqno;
}

/* Job interrupt: retire every completed job, oldest first. */
void sushi_job_irq(struct sushi_device *sdev)
{
	struct sushi_job *job, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&sdev->inflight_lock, flags);
	list_for_each_entry_safe(job, tmp, &sdev->inflight, node) {
		if (!sushi_job_completed(sdev, job))
			break;
		dma_rmb();
		sushi_job_retire(job, &sdev->ring.compl[job->slot], 0, 0);
	}
	/* What the timeout handler compares with: seen progress. */
	WRITE_ONCE(sdev->last_progress, sushi_read(sdev, SUSHI_REG_PROGRESS));
	spin_unlock_irqrestore(&sdev->inflight_lock, flags);
}

/* Every job the device had ends with @err (unplug: the device is stopped). */
void sushi_sched_unplug(struct sushi_device *sdev)
{
	struct sushi_job *job, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&sdev->inflight_lock, flags);
	list_for_each_entry_safe(job, tmp, &sdev->inflight, node)
		sushi_job_retire(job, NULL, DRM_SUSHI_JOB_CANCELED, -ENODEV);
	spin_unlock_irqrestore(&sdev->inflight_lock, flags);
	complete_all(&sdev->removed);
}

/* ------------------------------------------------------ scheduler ops */

/* An invalidation first waits for the file's last job (set at unpin). */
static struct dma_fence *sushi_job_prepare(struct drm_sched_job *sched_job,
					   struct drm_sched_entity *entity)
{
	struct sushi_job *job = to_sushi_job(sched_job);

	/* the scheduler takes over the reference */
	return xchg(&job->wait, NULL);
}

/* The first error among the launch's in-syncobj fences (all signalled). */
static int sushi_job_in_error(struct sushi_job *job)
{
	u32 i;
	int err;

	for (i = 0; i < job->n_in_fences; i++) {
		err = dma_fence_get_status(job->in_fences[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

static struct dma_fence *sushi_job_cancel(struct sushi_job *job, int err)
{
	job->rec->stats.status = DRM_SUSHI_JOB_CANCELED;
	job->rec->stats.error = err;
	return ERR_PTR(err);
}

static struct dma_fence *sushi_job_run(struct drm_sched_job *sched_job)
{
	struct sushi_job *job = to_sushi_job(sched_job);
	struct sushi_device *sdev = job->sdev;
	struct sushi_ring *ring = &sdev->ring;
	struct sushi_hw_ring_entry e = job->entry;
	u32 opcode = le32_to_cpu(e.opcode);
	int err = sched_job->s_fence->finished.error;
	int idx;

	/*
	 * A killed entity or a failed in-fence: the job never runs and its
	 * fence carries that error.  An invalidation always runs: the device
	 * must forget the pins.
	 */
	if (!err)
		err = sushi_job_in_error(job);
	if (err && opcode != SUSHI_CMD_PB_INVALIDATE)
		return sushi_job_cancel(job, err);
	if (!drm_dev_enter(&sdev->drm, &idx))
		return sushi_job_cancel(job, -ENODEV);

	mutex_lock(&ring->lock);
	/* Pins are loaded under the generation current when they run... */
	if (opcode == SUSHI_CMD_PB_LOAD)
		WRITE_ONCE(job->pins->gen,
			   sushi_read(sdev, SUSHI_REG_PB_GENERATION));
	/* ...and a launch expecting them fails if a reset wiped them since. */
	if (opcode == SUSHI_CMD_LAUNCH && job->pins) {
		e.flags = cpu_to_le32(SUSHI_CMD_F_CHECK_PB_GEN);
		e.arg.launch.pb_gen = cpu_to_le32(READ_ONCE(job->pins->gen));
	}
	job->slot = ring->tail;
	job->seqno = ++ring->seqno;
	/* allocated with the job: nothing allocates on this path */
	dma_fence_init(job->hw_fence, &sushi_fence_ops, &sdev->fence_lock,
		       sdev->fence_ctx, job->seqno);
	job->hw_fence_live = true;
	memset(&ring->compl[job->slot], 0, sizeof(ring->compl[0]));
	e.seqno = cpu_to_le64(job->seqno);
	e.compl_addr = cpu_to_le64(ring->compl_dma +
				   job->slot * sizeof(ring->compl[0]));
	ring->entries[job->slot] = e;
	ring->tail = (job->slot + 1) & (ring->size - 1);
	spin_lock_irq(&sdev->inflight_lock);
	list_add_tail(&job->node, &sdev->inflight);
	spin_unlock_irq(&sdev->inflight_lock);
	/* writel() orders the entry before the doorbell. */
	sushi_write(sdev, SUSHI_REG_RING_TAIL, ring->tail);
	mutex_unlock(&ring->lock);
	drm_dev_exit(idx);
	/* one reference for the job, one for the scheduler */
	return dma_fence_get(job->hw_fence);
}

/*
 * Reset the device and bring the ring back: every job still on the ring is
 * retired, with its completion record when the device wrote one (ABORTED
 * for the job a reset stopped), otherwise as lost: @bad with
 * DRM_SUSHI_JOB_TIMEOUT, the others with DRM_SUSHI_JOB_CANCELED.  The
 * retired fences signal through the scheduler's callbacks (so each job's
 * finished fence carries its own error); drm_sched_stop() then gives @bad
 * back to the scheduler and frees the jobs the reset ended, and
 * drm_sched_start() restarts submission.  The device's reset wipes the
 * Persistent Buffer and bumps its generation.  Runs on the ordered tdr_wq
 * (timeouts and forced resets never overlap), inside drm_dev_enter().
 */
static void sushi_job_reset(struct sushi_device *sdev, struct sushi_job *bad)
{
	struct sushi_job *job, *tmp;
	unsigned long flags;

	mutex_lock(&sdev->reset_lock);
	drm_sched_wqueue_stop(&sdev->sched);
	mutex_lock(&sdev->ring.lock);
	sushi_write(sdev, SUSHI_REG_INT_MASK, 0);
	if (sushi_hw_reset(sdev))
		drm_err(&sdev->drm, "device reset failed\n");
	sushi_write(sdev, SUSHI_REG_INT_STATUS, ~0u);
	sushi_ring_program(sdev);
	mutex_unlock(&sdev->ring.lock);
	/* counted before any job it ended can be seen complete */
	atomic_inc(&sdev->reset_count);

	spin_lock_irqsave(&sdev->inflight_lock, flags);
	list_for_each_entry_safe(job, tmp, &sdev->inflight, node) {
		struct sushi_hw_completion *c = &sdev->ring.compl[job->slot];
		bool done = sushi_job_completed(sdev, job);

		if (done)
			dma_rmb();
		/* The job the reset stopped reports why it was stopped. */
		if (job == bad &&
		    (!done || le32_to_cpu(c->status) == SUSHI_HW_ST_ABORTED))
			sushi_job_retire(job, NULL, DRM_SUSHI_JOB_TIMEOUT,
					 -ETIMEDOUT);
		else if (done)
			sushi_job_retire(job, c, 0, 0);
		else
			sushi_job_retire(job, NULL, DRM_SUSHI_JOB_CANCELED,
					 -ECANCELED);
	}
	sdev->last_progress = sushi_read(sdev, SUSHI_REG_PROGRESS);
	spin_unlock_irqrestore(&sdev->inflight_lock, flags);
	sushi_pb_generation(sdev);

	drm_sched_stop(&sdev->sched, bad ? &bad->base : NULL);
	drm_sched_start(&sdev->sched);
	mutex_unlock(&sdev->reset_lock);
	dev_info_ratelimited(sdev->drm.dev, "device reset (%d so far)\n",
			     atomic_read(&sdev->reset_count));
}

/* Has the job's hardware fence signalled, its callbacks included? */
static bool sushi_job_hw_done(struct sushi_job *job)
{
	unsigned long flags;
	bool done;

	if (!job->hw_fence_live)
		return true;	/* canceled before it reached the ring */
	spin_lock_irqsave(job->hw_fence->lock, flags);
	done = dma_fence_is_signaled_locked(job->hw_fence);
	spin_unlock_irqrestore(job->hw_fence->lock, flags);
	return done;
}

/*
 * The scheduler took @sched_job off its pending list before calling this;
 * the job is ours until drm_sched_stop() gives it back.
 */
static enum drm_gpu_sched_stat
sushi_job_timedout(struct drm_sched_job *sched_job)
{
	struct sushi_job *job = to_sushi_job(sched_job);
	struct sushi_device *sdev = job->sdev;
	int idx;

	if (!drm_dev_enter(&sdev->drm, &idx)) {
		/*
		 * Unplugged: remove() stops the device and fails every job
		 * on the ring; once it has, hand the job back.
		 */
		wait_for_completion(&sdev->removed);
		drm_sched_stop(&sdev->sched, sched_job);
		drm_sched_start(&sdev->sched);
		return DRM_GPU_SCHED_STAT_ENODEV;
	}
	/*
	 * The device may have completed entries the interrupt thread has not
	 * retired yet: a late interrupt, not a hang.  The job is done (its
	 * fence callbacks have run): free it, as the scheduler would have.
	 */
	sushi_job_irq(sdev);
	if (sushi_job_hw_done(job)) {
		atomic_inc(&sdev->late_irqs);
		drm_dev_exit(idx);
		/* the scheduler's completion (run_job_work or callback) ends */
		dma_fence_wait(&sched_job->s_fence->finished, false);
		sushi_job_free(sched_job);
		return DRM_GPU_SCHED_STAT_NOMINAL;
	}
	/* a user's long job can cause this: not an error of the driver */
	dev_info_ratelimited(sdev->drm.dev,
			     "job %llu made no progress in %u ms, resetting the device\n",
			     job->seqno, sushi_job_timeout_ms);
	sushi_job_reset(sdev, job);
	drm_dev_exit(idx);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static const struct drm_sched_backend_ops sushi_sched_ops = {
	.prepare_job = sushi_job_prepare,
	.run_job = sushi_job_run,
	.timedout_job = sushi_job_timedout,
	.free_job = sushi_job_free,
};

struct sushi_reset_work {
	struct work_struct work;
	struct sushi_device *sdev;
};

static void sushi_force_reset_work(struct work_struct *work)
{
	struct sushi_reset_work *rw = container_of(work, struct sushi_reset_work,
						   work);
	int idx;

	if (!drm_dev_enter(&rw->sdev->drm, &idx))
		return;
	sushi_job_reset(rw->sdev, NULL);
	drm_dev_exit(idx);
}

/* Reset now (ioctl, debugfs), ordered with the timeout handler. */
void sushi_device_reset(struct sushi_device *sdev)
{
	struct sushi_reset_work rw = { .sdev = sdev };

	INIT_WORK_ONSTACK(&rw.work, sushi_force_reset_work);
	queue_work(sdev->tdr_wq, &rw.work);
	flush_work(&rw.work);
	destroy_work_on_stack(&rw.work);
}

/* DRM_IOCTL_SUSHI_RESET (DRM_ROOT_ONLY: the core refuses other callers). */
int sushi_ioctl_reset(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	struct sushi_device *sdev = to_sushi_device(drm);
	struct drm_sushi_reset *args = data;

	if (args->flags || args->pb_gen)
		return sushi_reject(drm, -EINVAL, "flags %#x pb_gen %u\n",
				    args->flags, args->pb_gen);
	sushi_device_reset(sdev);
	args->pb_gen = sushi_pb_generation(sdev);
	return 0;
}

/* A snapshot of the device-wide counters. */
void sushi_counters_read(struct sushi_device *sdev,
			 struct drm_sushi_counters *out)
{
	unsigned long flags;

	spin_lock_irqsave(&sdev->inflight_lock, flags);
	*out = sdev->counters;
	spin_unlock_irqrestore(&sdev->inflight_lock, flags);
	out->resets = atomic_read(&sdev->reset_count);
	out->irqs = atomic64_read(&sdev->irq_count);
	out->device_errors = atomic64_read(&sdev->error_count);
	out->pb_gen = sushi_pb_generation(sdev);
}

/* ------------------------------------------------------ set-up, teardown */

static void sushi_sched_wq_release(struct drm_device *drm, void *arg)
{
	destroy_workqueue(arg);
}

/*
 * The last file is closed and the device unbound: every job is failed or
 * done.  Let the driver's entity drain, wait until the scheduler has freed
 * every job (6.12's drm_sched_fini() would leave them), then stop it.
 */
static void sushi_sched_release(struct drm_device *drm, void *arg)
{
	struct sushi_device *sdev = to_sushi_device(drm);

	drm_sched_entity_destroy(&sdev->kentity);
	wait_event(sdev->jobs_wq, !atomic_read(&sdev->jobs_alive));
	drm_sched_fini(&sdev->sched);
}

int sushi_sched_init(struct sushi_device *sdev)
{
	struct drm_gpu_scheduler *sched = &sdev->sched;
	int ret;

	ret = drmm_mutex_init(&sdev->drm, &sdev->reset_lock);
	if (ret)
		return ret;
	init_waitqueue_head(&sdev->jobs_wq);
	sdev->fence_ctx = dma_fence_context_alloc(1);
	sdev->tdr_wq = alloc_ordered_workqueue("sushi-tdr", 0);
	if (!sdev->tdr_wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(&sdev->drm, sushi_sched_wq_release,
				       sdev->tdr_wq);
	if (ret)
		return ret;
	sdev->last_progress = sushi_read(sdev, SUSHI_REG_PROGRESS);
	/* One credit per job; a full ring keeps one slot empty. */
	ret = sushi_compat_sched_init(sched, &sushi_sched_ops, sdev->tdr_wq,
				      sdev->ring.size - 1,
				      msecs_to_jiffies(sushi_job_timeout_ms),
				      SUSHI_DRIVER_NAME, sdev->drm.dev);
	if (ret)
		return ret;
	/* The driver's own entity: PB invalidations that must always run. */
	ret = drm_sched_entity_init(&sdev->kentity, DRM_SCHED_PRIORITY_KERNEL,
				    &sched, 1, NULL);
	if (ret) {
		drm_sched_fini(sched);
		return ret;
	}
	return drmm_add_action_or_reset(&sdev->drm, sushi_sched_release, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_job.c - launches: the drm_sched scheduler that feeds the device's
 * ring (one entity per open file), DRM_IOCTL_SUSHI_LAUNCH (in-syncobjs,
 * implicit sync through the BOs' dma_resv, out-syncobj), the hardware
 * fences signalled in ring order from the job interrupt with the device's
 * per-job status as the fence error, per-job statistics and
 * DRM_IOCTL_SUSHI_JOB_WAIT, and recovery: timeouts checked against the
 * PROGRESS register, device reset (also forced through debugfs).
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>

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

static void sushi_record_free(struct kref *ref)
{
	struct sushi_job_record *rec = container_of(ref, struct sushi_job_record,
						    refcount);

	dma_fence_put(rec->done);
	kfree(rec);
}

void sushi_record_put(struct sushi_job_record *rec)
{
	kref_put(&rec->refcount, sushi_record_free);
}

struct sushi_job_record *sushi_record_new(void)
{
	struct sushi_job_record *rec = kzalloc(sizeof(*rec), GFP_KERNEL);

	if (rec) {
		kref_init(&rec->refcount);
		rec->stats.status = DRM_SUSHI_JOB_PENDING;
	}
	return rec;
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
}

/*
 * Retire the oldest in-flight job: copy its completion record (or, with
 * @c NULL, report it lost with @status/@err), set the fence error and
 * signal.  Called with inflight_lock held, in ring order.
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

/* ------------------------------------------------------ scheduler ops */

static struct dma_fence *sushi_job_run(struct drm_sched_job *sched_job)
{
	struct sushi_job *job = to_sushi_job(sched_job);
	struct sushi_device *sdev = job->sdev;
	struct sushi_ring *ring = &sdev->ring;
	struct sushi_hw_ring_entry e = job->entry;
	u32 opcode = le32_to_cpu(e.opcode);
	int err = sched_job->s_fence->finished.error;
	struct dma_fence *fence;

	/*
	 * A failed dependency or a killed entity: do not run it.  An
	 * invalidation always runs: the device must forget the pins.
	 */
	if (err && opcode != SUSHI_CMD_PB_INVALIDATE) {
		job->rec->stats.status = DRM_SUSHI_JOB_CANCELED;
		job->rec->stats.error = err;
		return ERR_PTR(err);
	}
	fence = kzalloc(sizeof(*fence), GFP_KERNEL | __GFP_NOFAIL);

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
	dma_fence_init(fence, &sushi_fence_ops, &sdev->fence_lock,
		       sdev->fence_ctx, job->seqno);
	job->hw_fence = dma_fence_get(fence);
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
	return fence;
}

/*
 * Reset the device and bring the ring back: every job still on the ring is
 * retired, with its completion record when the device wrote one (ABORTED
 * for the job a reset stopped), otherwise as lost: @bad with
 * DRM_SUSHI_JOB_TIMEOUT, the others with DRM_SUSHI_JOB_CANCELED.  The
 * device's reset wipes the Persistent Buffer and bumps its generation.
 * Runs on the ordered tdr_wq (timeouts and forced resets never overlap).
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
	spin_unlock_irqrestore(&sdev->inflight_lock, flags);
	sdev->last_progress = sushi_read(sdev, SUSHI_REG_PROGRESS);
	drm_sched_wqueue_start(&sdev->sched);
	mutex_unlock(&sdev->reset_lock);
	drm_info(&sdev->drm, "device reset (%d so far)\n",
		 atomic_read(&sdev->reset_count));
}

static enum drm_gpu_sched_stat
sushi_job_timedout(struct drm_sched_job *sched_job)
{
	struct sushi_job *job = to_sushi_job(sched_job);
	struct sushi_device *sdev = job->sdev;
	u32 progress;

	/*
	 * The scheduler took the job off its pending list; put it back so
	 * that it is freed normally once its fence signals (we do not use
	 * drm_sched_stop(), which would cancel every queued job).
	 */
	spin_lock(&sdev->sched.job_list_lock);
	list_add(&sched_job->list, &sdev->sched.pending_list);
	spin_unlock(&sdev->sched.job_list_lock);

	if (!job->hw_fence || dma_fence_is_signaled(job->hw_fence))
		return DRM_GPU_SCHED_STAT_NOMINAL;
	/*
	 * The device completed entries the interrupt has not reported yet:
	 * it is alive, give the job another period.
	 */
	progress = sushi_read(sdev, SUSHI_REG_PROGRESS);
	if (progress != READ_ONCE(sdev->last_progress)) {
		WRITE_ONCE(sdev->last_progress, progress);
		return DRM_GPU_SCHED_STAT_NOMINAL;
	}
	drm_err(&sdev->drm, "job %llu timed out, resetting the device\n",
		job->seqno);
	sushi_job_reset(sdev, job);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void sushi_job_put_refs(struct sushi_job *job)
{
	dma_fence_put(job->hw_fence);
	if (job->prog)
		sushi_program_put(job->prog);
	if (job->pins)
		sushi_pin_set_put(job->pins);
	sushi_record_put(job->rec);
	kfree(job);
}

static void sushi_job_free(struct drm_sched_job *sched_job)
{
	struct sushi_job *job = to_sushi_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	sushi_job_put_refs(job);
}

static const struct drm_sched_backend_ops sushi_sched_ops = {
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

	sushi_job_reset(rw->sdev, NULL);
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
		return -EINVAL;
	sushi_device_reset(sdev);
	args->pb_gen = sushi_read(sdev, SUSHI_REG_PB_GENERATION);
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
	out->pb_gen = sushi_read(sdev, SUSHI_REG_PB_GENERATION);
}

/* ------------------------------------------------------ set-up */

static void sushi_sched_wq_release(struct drm_device *drm, void *arg)
{
	destroy_workqueue(arg);
}

int sushi_sched_init(struct sushi_device *sdev)
{
	struct drm_gpu_scheduler *sched = &sdev->sched;
	int ret;

	ret = drmm_mutex_init(&sdev->drm, &sdev->reset_lock);
	if (ret)
		return ret;
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
	if (ret)
		drm_sched_fini(sched);
	return ret;
}

/*
 * The device is stopped (sushi_hw_fini()): retire what it will never
 * complete, then stop the scheduler.
 */
void sushi_sched_fini(struct sushi_device *sdev)
{
	struct sushi_job *job, *tmp;
	unsigned long flags;

	drm_sched_entity_destroy(&sdev->kentity);
	drm_sched_wqueue_stop(&sdev->sched);
	spin_lock_irqsave(&sdev->inflight_lock, flags);
	list_for_each_entry_safe(job, tmp, &sdev->inflight, node)
		sushi_job_retire(job, NULL, DRM_SUSHI_JOB_CANCELED, -ENODEV);
	spin_unlock_irqrestore(&sdev->inflight_lock, flags);
	drm_sched_fini(&sdev->sched);
}

int sushi_file_sched_init(struct sushi_file *sfile)
{
	struct drm_gpu_scheduler *sched = &sfile->sdev->sched;

	xa_init(&sfile->jobs);
	return drm_sched_entity_init(&sfile->entity, DRM_SCHED_PRIORITY_NORMAL,
				     &sched, 1, NULL);
}

/* The file is closing: finish (or kill) its queued jobs, drop records. */
void sushi_file_sched_fini(struct sushi_file *sfile)
{
	struct sushi_job_record *rec;
	unsigned long id;

	drm_sched_entity_destroy(&sfile->entity);
	xa_for_each(&sfile->jobs, id, rec)
		sushi_record_put(rec);
	xa_destroy(&sfile->jobs);
	dma_fence_put(sfile->last);
	sfile->last = NULL;
	dma_fence_put(sfile->unpinned);
	sfile->unpinned = NULL;
}

/* ------------------------------------------------------ building jobs */

/*
 * A job for @entity (a file's, or the driver's with @sfile NULL) that
 * reports into @rec.  Returns the job or an ERR_PTR.
 */
struct sushi_job *sushi_job_new(struct sushi_device *sdev,
				struct sushi_file *sfile, struct drm_file *file,
				struct sushi_job_record *rec, u32 opcode)
{
	struct drm_sched_entity *entity = sfile ? &sfile->entity :
						  &sdev->kentity;
	struct sushi_job *job = kzalloc(sizeof(*job), GFP_KERNEL);
	int ret;

	if (!job)
		return ERR_PTR(-ENOMEM);
	job->sdev = sdev;
	job->entry.opcode = cpu_to_le32(opcode);
	INIT_LIST_HEAD(&job->node);
	ret = sushi_compat_job_init(&job->base, entity, sfile ? sfile : NULL,
				    file ? file->client_id : 0);
	if (ret) {
		kfree(job);
		return ERR_PTR(ret);
	}
	kref_get(&rec->refcount);
	job->rec = rec;
	return job;
}

/* Drop a job that was never armed. */
void sushi_job_abort(struct sushi_job *job)
{
	drm_sched_job_cleanup(&job->base);
	sushi_job_put_refs(job);
}

/*
 * Arm a job of @sfile (lock held) or of the driver (NULL) and return its
 * finished fence.  The caller may use the fence (e.g. add it to a
 * reservation) until it pushes the job with drm_sched_entity_push_job():
 * after the push the job, and with it this borrowed pointer, may be gone.
 */
struct dma_fence *sushi_job_arm(struct sushi_file *sfile, struct sushi_job *job)
{
	struct dma_fence *done;

	drm_sched_job_arm(&job->base);
	done = &job->base.s_fence->finished;
	if (sfile) {
		lockdep_assert_held(&sfile->lock);
		dma_fence_put(sfile->last);
		sfile->last = dma_fence_get(done);
	}
	return done;
}

/* Reserve the next job id of @sfile (lock held). */
int sushi_file_reserve_id(struct sushi_file *sfile, u64 *id)
{
	lockdep_assert_held(&sfile->lock);
	*id = sfile->next_job_id + 1;
	return xa_reserve(&sfile->jobs, *id, GFP_KERNEL);
}

/*
 * Publish @rec under the reserved @id (lock held), retiring the record
 * that falls out of the window.  @done is the fence of its last job.
 */
void sushi_file_publish(struct sushi_file *sfile, u64 id,
			struct sushi_job_record *rec, struct dma_fence *done)
{
	struct sushi_job_record *old;

	lockdep_assert_held(&sfile->lock);
	rec->done = dma_fence_get(done);
	sfile->next_job_id = id;
	kref_get(&rec->refcount);
	/* The slot is reserved: this store allocates nothing. */
	xa_store(&sfile->jobs, id, rec, GFP_KERNEL);
	if (id > DRM_SUSHI_JOBS_KEPT) {
		old = xa_erase(&sfile->jobs, id - DRM_SUSHI_JOBS_KEPT);
		if (old)
			sushi_record_put(old);
	}
}

/* ------------------------------------------------------ ioctls */

/* Lock the program's BOs, add implicit dependencies and reserve slots. */
static int sushi_job_prepare_resv(struct sushi_job *job,
				  struct ww_acquire_ctx *ctx)
{
	struct sushi_program *prog = job->prog;
	u32 i;
	int ret;

	ret = drm_gem_lock_reservations(prog->bos, prog->n_bos, ctx);
	if (ret)
		return ret;
	for (i = 0; i < prog->n_bos; i++) {
		ret = dma_resv_reserve_fences(prog->bos[i]->resv, 1);
		if (!ret)
			ret = drm_sched_job_add_implicit_dependencies(&job->base,
								      prog->bos[i],
								      prog->bo_write[i]);
		if (ret) {
			drm_gem_unlock_reservations(prog->bos, prog->n_bos,
						    ctx);
			return ret;
		}
	}
	return 0;
}

static int sushi_job_add_in_syncobjs(struct sushi_job *job,
				     struct drm_file *file,
				     const struct drm_sushi_launch *args)
{
	u32 __user *uh = u64_to_user_ptr(args->in_syncobjs);
	u32 i, h;
	int ret;

	for (i = 0; i < args->in_syncobj_count; i++) {
		if (get_user(h, uh + i))
			return -EFAULT;
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file,
							   h, 0);
		if (ret)
			return ret;
	}
	return 0;
}

static struct sushi_program *sushi_program_lookup(struct sushi_file *sfile,
						  u32 handle)
{
	struct sushi_program *prog;

	xa_lock(&sfile->programs);
	prog = xa_load(&sfile->programs, handle);
	if (prog)
		kref_get(&prog->refcount);
	xa_unlock(&sfile->programs);
	return prog;
}

int sushi_ioctl_launch(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct sushi_device *sdev = to_sushi_device(drm);
	struct sushi_file *sfile = to_sushi_file(file);
	struct drm_sushi_launch *args = data;
	struct drm_syncobj *out_sync = NULL;
	struct sushi_program *prog = NULL;
	struct sushi_pin_set *pins = NULL;
	struct sushi_job_record *rec;
	struct ww_acquire_ctx ctx;
	struct sushi_job *job;
	struct dma_fence *done;
	u64 id;
	u32 i;
	int ret;

	if (args->flags || args->pad ||
	    args->in_syncobj_count > DRM_SUSHI_MAX_IN_SYNCOBJS)
		return -EINVAL;
	rec = sushi_record_new();
	if (!rec)
		return -ENOMEM;
	ret = -ENOENT;
	prog = sushi_program_lookup(sfile, args->program);
	if (!prog)
		goto err_rec;
	if (args->pin_set) {
		pins = sushi_pin_set_lookup(sfile, args->pin_set);
		if (!pins)
			goto err_rec;
	}
	if (args->out_syncobj) {
		out_sync = drm_syncobj_find(file, args->out_syncobj);
		if (!out_sync)
			goto err_rec;
	}
	job = sushi_job_new(sdev, sfile, file, rec, SUSHI_CMD_LAUNCH);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto err_rec;
	}
	job->prog = prog;
	job->pins = pins;
	prog = NULL;
	pins = NULL;
	job->entry.arg.launch.layers = cpu_to_le64(job->prog->desc_dva);
	job->entry.arg.launch.n_layers = cpu_to_le32(job->prog->n_layers);
	ret = sushi_job_add_in_syncobjs(job, file, args);
	if (ret)
		goto err_job;

	mutex_lock(&sfile->lock);
	ret = sushi_file_reserve_id(sfile, &id);
	if (ret)
		goto err_unlock;
	ret = sushi_job_prepare_resv(job, &ctx);
	if (ret) {
		xa_release(&sfile->jobs, id);
		goto err_unlock;
	}
	done = sushi_job_arm(sfile, job);
	for (i = 0; i < job->prog->n_bos; i++)
		dma_resv_add_fence(job->prog->bos[i]->resv, done,
				   job->prog->bo_write[i] ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
	drm_gem_unlock_reservations(job->prog->bos, job->prog->n_bos, &ctx);
	if (out_sync)
		drm_syncobj_replace_fence(out_sync, done);
	sushi_file_publish(sfile, id, rec, done);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&sfile->lock);
	args->job_id = id;
	if (out_sync)
		drm_syncobj_put(out_sync);
	sushi_record_put(rec);
	return 0;

err_unlock:
	mutex_unlock(&sfile->lock);
err_job:
	sushi_job_abort(job);
err_rec:
	if (out_sync)
		drm_syncobj_put(out_sync);
	if (pins)
		sushi_pin_set_put(pins);
	if (prog)
		sushi_program_put(prog);
	sushi_record_put(rec);
	return ret;
}

int sushi_ioctl_job_wait(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct sushi_file *sfile = to_sushi_file(file);
	struct drm_sushi_job_wait *args = data;
	struct drm_sushi_job_stats st;
	struct sushi_job_record *rec;
	long timeout, ret;

	if (args->flags)
		return -EINVAL;
	if (args->stats ? args->stats_size != sizeof(st) : args->stats_size)
		return -EINVAL;
	xa_lock(&sfile->jobs);
	rec = xa_load(&sfile->jobs, args->job_id);
	if (rec)
		kref_get(&rec->refcount);
	xa_unlock(&sfile->jobs);
	if (!rec)
		return -ENOENT;

	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	ret = dma_fence_wait_timeout(rec->done, true, timeout);
	if (ret < 0)
		goto out;
	if (dma_fence_is_signaled(rec->done)) {
		st = rec->stats;
		/* The fence has the last word (e.g. a failed dependency). */
		st.error = dma_fence_get_status(rec->done);
		if (st.error > 0)
			st.error = 0;
		if (st.error && st.status == DRM_SUSHI_JOB_PENDING)
			st.status = DRM_SUSHI_JOB_CANCELED;
		ret = 0;
	} else {
		memset(&st, 0, sizeof(st));
		st.status = DRM_SUSHI_JOB_PENDING;
		ret = -ETIME;
	}
	if (args->stats &&
	    copy_to_user(u64_to_user_ptr(args->stats), &st, sizeof(st)))
		ret = -EFAULT;
out:
	sushi_record_put(rec);
	return ret;
}

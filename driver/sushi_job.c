// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_job.c - jobs and launches: building a job for a file's scheduler
 * entity (or the driver's), its statistics record, the per-file job ids,
 * DRM_IOCTL_SUSHI_LAUNCH (in-syncobjs whose errors fail the launch,
 * implicit sync through the BOs' dma_resv, out-syncobj) and
 * DRM_IOCTL_SUSHI_JOB_WAIT.  The scheduler itself is sushi_sched.c.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>

#include "sushi_compat.h"
#include "sushi_drv.h"

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
 * reports into @rec.  Everything the job needs until it is freed is
 * allocated here, its hardware fence included: run_job, which runs in the
 * fence-signalling path, allocates nothing.  Returns the job or an
 * ERR_PTR.
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
	job->hw_fence = kzalloc(sizeof(*job->hw_fence), GFP_KERNEL);
	if (!job->hw_fence) {
		kfree(job);
		return ERR_PTR(-ENOMEM);
	}
	job->sdev = sdev;
	job->entry.opcode = cpu_to_le32(opcode);
	INIT_LIST_HEAD(&job->node);
	ret = sushi_compat_job_init(&job->base, entity, sfile ? sfile : NULL,
				    file ? file->client_id : 0);
	if (ret) {
		kfree(job->hw_fence);
		kfree(job);
		return ERR_PTR(ret);
	}
	atomic_inc(&sdev->jobs_alive);
	kref_get(&rec->refcount);
	job->rec = rec;
	if (sfile) {
		kref_get(&sfile->usage->refcount);
		job->usage = sfile->usage;
	}
	return job;
}

static void sushi_job_put_refs(struct sushi_job *job)
{
	struct sushi_device *sdev = job->sdev;
	u32 i;

	if (job->hw_fence_live)
		dma_fence_put(job->hw_fence);
	else
		kfree(job->hw_fence);
	for (i = 0; i < job->n_in_fences; i++)
		dma_fence_put(job->in_fences[i]);
	kfree(job->in_fences);
	dma_fence_put(job->wait);
	if (job->prog)
		sushi_program_put(job->prog);
	if (job->pins)
		sushi_pin_set_put(job->pins);
	if (job->usage)
		sushi_usage_put(job->usage);
	sushi_record_put(job->rec);
	kfree(job);
	/* last: the scheduler is torn down once no job holds anything */
	if (atomic_dec_and_test(&sdev->jobs_alive))
		wake_up_all(&sdev->jobs_wq);
}

/* drm_sched_backend_ops.free_job: the job's finished fence has signalled */
void sushi_job_free(struct drm_sched_job *sched_job)
{
	struct sushi_job *job = container_of(sched_job, struct sushi_job, base);

	drm_sched_job_cleanup(sched_job);
	sushi_job_put_refs(job);
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

/*
 * The in-syncobjs' fences become dependencies, and the job keeps them to
 * check their errors when it runs: a launch whose in-fence failed fails
 * with that error and never reaches the device (6.12's scheduler does not
 * pass dependency errors on).  Implicit dependencies only order.
 */
static int sushi_job_add_in_syncobjs(struct sushi_job *job,
				     struct drm_file *file,
				     const struct drm_sushi_launch *args)
{
	u32 __user *uh = u64_to_user_ptr(args->in_syncobjs);
	struct dma_fence *fence;
	u32 i, h;
	int ret;

	if (!args->in_syncobj_count)
		return 0;
	job->in_fences = kcalloc(args->in_syncobj_count,
				 sizeof(*job->in_fences), GFP_KERNEL);
	if (!job->in_fences)
		return -ENOMEM;
	for (i = 0; i < args->in_syncobj_count; i++) {
		if (get_user(h, uh + i))
			return -EFAULT;
		ret = drm_syncobj_find_fence(file, h, 0, 0, &fence);
		if (ret)
			return sushi_reject(file->minor->dev, ret,
					    "in-syncobj %u: %d\n", h, ret);
		job->in_fences[job->n_in_fences++] = dma_fence_get(fence);
		/* consumes the reference drm_syncobj_find_fence() took */
		ret = drm_sched_job_add_dependency(&job->base, fence);
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

	if (args->flags || args->pad)
		return sushi_reject(drm, -EINVAL, "flags %#x pad %#x\n",
				    args->flags, args->pad);
	if (args->in_syncobj_count > DRM_SUSHI_MAX_IN_SYNCOBJS)
		return sushi_reject(drm, -EINVAL, "%u in-syncobjs\n",
				    args->in_syncobj_count);
	rec = sushi_record_new();
	if (!rec)
		return -ENOMEM;
	ret = -ENOENT;
	prog = sushi_program_lookup(sfile, args->program);
	if (!prog) {
		sushi_reject(drm, 0, "no program %u\n", args->program);
		goto err_rec;
	}
	if (args->pin_set) {
		pins = sushi_pin_set_lookup(sfile, args->pin_set);
		if (!pins) {
			sushi_reject(drm, 0, "no pin set %u\n", args->pin_set);
			goto err_rec;
		}
	}
	if (args->out_syncobj) {
		out_sync = drm_syncobj_find(file, args->out_syncobj);
		if (!out_sync) {
			sushi_reject(drm, 0, "no out-syncobj %u\n",
				     args->out_syncobj);
			goto err_rec;
		}
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
		return sushi_reject(drm, -EINVAL, "flags %#x\n", args->flags);
	if (args->stats ? args->stats_size < sizeof(st) : args->stats_size)
		return sushi_reject(drm, -EINVAL, "stats_size %u\n",
				    args->stats_size);
	xa_lock(&sfile->jobs);
	rec = xa_load(&sfile->jobs, args->job_id);
	if (rec)
		kref_get(&rec->refcount);
	xa_unlock(&sfile->jobs);
	if (!rec)
		return sushi_reject(drm, -ENOENT, "no job %llu\n",
				    args->job_id);

	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	ret = dma_fence_wait_timeout(rec->done, true, timeout);
	if (ret < 0)
		goto out;
	if (dma_fence_is_signaled(rec->done)) {
		st = rec->stats;
		/*
		 * A job that never reached run_job (its file's entity was
		 * killed) has only its fence's error.
		 */
		if (st.status == DRM_SUSHI_JOB_PENDING) {
			st.error = min(dma_fence_get_status(rec->done), 0);
			st.status = st.error ? DRM_SUSHI_JOB_CANCELED :
					       DRM_SUSHI_JOB_OK;
		}
		ret = 0;
	} else {
		memset(&st, 0, sizeof(st));
		st.status = DRM_SUSHI_JOB_PENDING;
		ret = -ETIME;
	}
	if (args->stats &&
	    sushi_struct_to_user(args->stats, args->stats_size, &st,
				 sizeof(st)))
		ret = -EFAULT;
out:
	sushi_record_put(rec);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_pb.c - Persistent Buffer pin sets (SubGraph Stationary pinning):
 * the PB byte allocator shared by all files, DRM_IOCTL_SUSHI_PB_PIN (PB_LOAD
 * entries queued on the file's entity, ordered with its launches; the
 * set's handle appears only once its loads are queued),
 * DRM_IOCTL_SUSHI_PB_UNPIN and file close (PB_INVALIDATE entries on the
 * driver's own entity, after the file's last job; they are allocated at
 * PB_PIN, so an unpin or a close never allocates and never fails; the PB
 * space and the BO references, hence the BOs' device addresses, are
 * released only when the device has forgotten the ranges, which signals
 * the unpin's out-syncobj), and DRM_IOCTL_SUSHI_PB_QUERY.
 */

#include <linux/dma-resv.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_syncobj.h>

#include "sushi_drv.h"

static void sushi_pb_release(struct drm_device *drm, void *arg)
{
	struct sushi_device *sdev = to_sushi_device(drm);

	if (sdev->caps.pb_bytes)
		drm_mm_takedown(&sdev->pb_mm);
}

int sushi_pb_init(struct sushi_device *sdev)
{
	int ret;

	ret = drmm_mutex_init(&sdev->drm, &sdev->pb_lock);
	if (!ret)
		ret = drmm_mutex_init(&sdev->drm, &sdev->klock);
	if (ret)
		return ret;
	INIT_LIST_HEAD(&sdev->pb_ranges);
	if (sdev->caps.pb_bytes)
		drm_mm_init(&sdev->pb_mm, 0, sdev->caps.pb_bytes);
	return drmm_add_action_or_reset(&sdev->drm, sushi_pb_release, NULL);
}

/*
 * A set's "PB space is free" fence: its lock lives with it, since a syncobj
 * may hold the fence after the set is gone (dma_fence_free() frees it).
 */
struct sushi_pb_fence {
	struct dma_fence base;
	spinlock_t lock; /* the fence's */
};

static const char *sushi_pb_fence_driver_name(struct dma_fence *fence)
{
	return SUSHI_DRIVER_NAME;
}

static const char *sushi_pb_fence_timeline_name(struct dma_fence *fence)
{
	return "sushi-pb-free";
}

static const struct dma_fence_ops sushi_pb_fence_ops = {
	.get_driver_name = sushi_pb_fence_driver_name,
	.get_timeline_name = sushi_pb_fence_timeline_name,
};

static struct dma_fence *sushi_pb_fence_new(void)
{
	struct sushi_pb_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &sushi_pb_fence_ops, &f->lock,
		       dma_fence_context_alloc(1), 1);
	return &f->base;
}

/*
 * The device has forgotten the ranges (or never loaded them): give back
 * the PB space, then signal that it is free.
 */
static void sushi_pin_set_free(struct kref *ref)
{
	struct sushi_pin_set *pins = container_of(ref, struct sushi_pin_set,
						  refcount);
	struct sushi_device *sdev = pins->sdev;
	u32 i;

	mutex_lock(&sdev->pb_lock);
	for (i = 0; i < pins->n; i++) {
		struct sushi_pin_range *r = &pins->r[i];

		if (!drm_mm_node_allocated(&r->node))
			continue;
		sdev->pb_used -= r->node.size;
		sdev->pb_entries_used--;
		drm_mm_remove_node(&r->node);
		list_del_init(&r->link);
	}
	mutex_unlock(&sdev->pb_lock);
	for (i = 0; i < pins->n; i++) {
		if (pins->r[i].obj)
			drm_gem_object_put(pins->r[i].obj);
		/* invalidations never queued: the set was never published */
		if (pins->inval && pins->inval[i])
			sushi_job_abort(pins->inval[i]);
	}
	kfree(pins->inval);
	if (pins->inval_rec)
		sushi_record_put(pins->inval_rec);
	if (pins->freed) {
		dma_fence_signal(pins->freed);
		dma_fence_put(pins->freed);
	}
	kfree(pins);
}

void sushi_pin_set_put(struct sushi_pin_set *pins)
{
	kref_put(&pins->refcount, sushi_pin_set_free);
}

struct sushi_pin_set *sushi_pin_set_lookup(struct sushi_file *sfile,
					   u32 handle)
{
	struct sushi_pin_set *pins;

	xa_lock(&sfile->pin_sets);
	pins = xa_load(&sfile->pin_sets, handle);
	if (pins)
		kref_get(&pins->refcount);
	xa_unlock(&sfile->pin_sets);
	return pins;
}

static bool sushi_span_overlap(u64 a, u64 a_len, u64 b, u64 b_len)
{
	return a < b + b_len && b < a + a_len;
}

/* Check one user range and resolve it; -EINVAL/-EOVERFLOW/-ENOENT/-ERANGE */
static int sushi_pin_range_init(struct sushi_device *sdev,
				struct drm_file *file, u32 index,
				const struct drm_sushi_pb_range *u,
				struct sushi_pin_range *r)
{
	struct drm_device *drm = &sdev->drm;
	struct drm_gem_object *obj;

	if (u->pad || !u->rows || !u->row_bytes)
		return sushi_reject(drm, -EINVAL,
				    "range %u: pad %#x rows %u row_bytes %u\n",
				    index, u->pad, u->rows, u->row_bytes);
	if (u->rows > 1 && u->row_stride < u->row_bytes)
		return sushi_reject(drm, -EINVAL,
				    "range %u: rows overlap (stride %llu)\n",
				    index, u->row_stride);
	r->rows = u->rows;
	r->row_bytes = u->row_bytes;
	r->row_stride = u->rows > 1 ? u->row_stride : u->row_bytes;
	if (check_mul_overflow((u64)(u->rows - 1), r->row_stride, &r->span) ||
	    check_add_overflow(r->span, (u64)u->row_bytes, &r->span))
		return sushi_reject(drm, -EOVERFLOW,
				    "range %u: span overflows\n", index);
	obj = drm_gem_object_lookup(file, u->handle);
	if (!obj)
		return sushi_reject(drm, -ENOENT, "range %u: no BO %u\n",
				    index, u->handle);
	r->obj = obj;
	if (u->offset > obj->size || r->span > obj->size - u->offset)
		return sushi_reject(drm, -ERANGE,
				    "range %u: [%llu, +%llu) outside a %zu-byte BO\n",
				    index, u->offset, r->span, obj->size);
	r->dva = u->offset;	/* a device address once the BO is mapped */
	return 0;
}

/* Reserve PB bytes and table entries for every range; -EEXIST/-ENOSPC. */
static int sushi_pin_set_alloc(struct sushi_device *sdev,
			       struct sushi_pin_set *pins)
{
	struct sushi_pin_range *r, *o;
	u32 i, j;
	int ret = 0;

	for (i = 0; i < pins->n; i++)
		for (j = 0; j < i; j++)
			if (sushi_span_overlap(pins->r[i].dva, pins->r[i].span,
					       pins->r[j].dva, pins->r[j].span))
				return sushi_reject(&sdev->drm, -EEXIST,
						    "ranges %u and %u overlap\n",
						    j, i);
	if (!sdev->caps.pb_bytes)
		return sushi_reject(&sdev->drm, -ENOSPC, "no PB\n");
	mutex_lock(&sdev->pb_lock);
	for (i = 0; i < pins->n && !ret; i++) {
		r = &pins->r[i];
		list_for_each_entry(o, &sdev->pb_ranges, link)
			if (sushi_span_overlap(r->dva, r->span, o->dva,
					       o->span))
				ret = -EEXIST;
	}
	if (!ret && sdev->pb_entries_used + pins->n > sdev->caps.pb_entries)
		ret = -ENOSPC;
	for (i = 0; i < pins->n && !ret; i++) {
		r = &pins->r[i];
		ret = drm_mm_insert_node(&sdev->pb_mm, &r->node,
					 (u64)r->rows * r->row_bytes);
		if (ret)
			break;
		list_add_tail(&r->link, &sdev->pb_ranges);
		sdev->pb_used += r->node.size;
		sdev->pb_entries_used++;
		pins->bytes += r->node.size;
	}
	mutex_unlock(&sdev->pb_lock);
	return ret;
}

/*
 * Queue the invalidation of every range on the driver's entity (never
 * killed, unlike a closing file's), the first one waiting for @last (the
 * owner's last job, may be NULL); the jobs hold the set until the device
 * is done, so its PB space and BOs (and their device addresses) are
 * released only then.  The ranges stop counting as pinned for overlap
 * checks at once: the owner's next loads wait for the returned fence (the
 * last invalidation).  The jobs were allocated at PB_PIN: nothing here can
 * fail.
 */
static struct dma_fence *sushi_pin_set_unpin(struct sushi_device *sdev,
					     struct sushi_pin_set *pins,
					     struct dma_fence *last)
{
	struct dma_fence *done = NULL;
	u32 i;

	mutex_lock(&sdev->pb_lock);
	for (i = 0; i < pins->n; i++)
		list_del_init(&pins->r[i].link);
	mutex_unlock(&sdev->pb_lock);

	mutex_lock(&sdev->klock);
	for (i = 0; i < pins->n; i++) {
		struct sushi_job *job = pins->inval[i];
		struct dma_fence *f;

		pins->inval[i] = NULL;
		kref_get(&pins->refcount);
		job->pins = pins;
		if (!i && last)
			job->wait = dma_fence_get(last);
		f = sushi_job_arm(NULL, job);
		if (i == pins->n - 1)
			done = dma_fence_get(f);
		drm_sched_entity_push_job(&job->base);
	}
	mutex_unlock(&sdev->klock);
	return done;
}

/* File close: every pin set of the file is dropped from the device. */
void sushi_pin_sets_release(struct sushi_file *sfile)
{
	struct sushi_pin_set *pins;
	unsigned long id;

	xa_for_each(&sfile->pin_sets, id, pins) {
		dma_fence_put(sushi_pin_set_unpin(sfile->sdev, pins,
						  sfile->last));
		sushi_pin_set_put(pins);
	}
	xa_destroy(&sfile->pin_sets);
}

/* Distinct BOs of the set, for locking their reservations. */
static u32 sushi_pin_set_objs(struct sushi_pin_set *pins,
			      struct drm_gem_object **objs)
{
	u32 i, j, n = 0;

	for (i = 0; i < pins->n; i++) {
		for (j = 0; j < n; j++)
			if (objs[j] == pins->r[i].obj)
				break;
		if (j == n)
			objs[n++] = pins->r[i].obj;
	}
	return n;
}

/* Create one PB_LOAD job per range. */
static int sushi_pin_set_jobs(struct sushi_device *sdev,
			      struct sushi_file *sfile, struct drm_file *file,
			      struct sushi_pin_set *pins,
			      struct sushi_job_record *rec,
			      struct sushi_job **jobs)
{
	u32 i;

	for (i = 0; i < pins->n; i++) {
		struct sushi_pin_range *r = &pins->r[i];
		struct sushi_job *job;

		job = sushi_job_new(sdev, sfile, file, rec, SUSHI_CMD_PB_LOAD);
		if (IS_ERR(job)) {
			while (i--)
				sushi_job_abort(jobs[i]);
			return PTR_ERR(job);
		}
		kref_get(&pins->refcount);
		job->pins = pins;
		job->entry.arg.pb_load.src = cpu_to_le64(r->dva);
		job->entry.arg.pb_load.row_stride = cpu_to_le64(r->row_stride);
		job->entry.arg.pb_load.row_bytes = cpu_to_le32(r->row_bytes);
		job->entry.arg.pb_load.rows = cpu_to_le32(r->rows);
		job->entry.arg.pb_load.pb_offset = cpu_to_le64(r->node.start);
		jobs[i] = job;
	}
	return 0;
}

/*
 * Lock the BOs, make every load wait for the BO's writers, then arm and
 * push the loads in order (sfile->lock held).
 */
static int sushi_pin_set_submit(struct sushi_file *sfile,
				struct sushi_pin_set *pins,
				struct sushi_job **jobs,
				struct drm_gem_object **objs,
				struct dma_fence **done)
{
	struct ww_acquire_ctx ctx;
	u32 i, n = sushi_pin_set_objs(pins, objs);
	int ret;

	/* after the file's earlier unpins reached the device */
	for (i = 0; i < pins->n && sfile->unpinned; i++) {
		ret = drm_sched_job_add_dependency(&jobs[i]->base,
						   dma_fence_get(sfile->unpinned));
		if (ret)
			return ret;
	}
	ret = drm_gem_lock_reservations(objs, n, &ctx);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++)
		ret = dma_resv_reserve_fences(objs[i]->resv, pins->n);
	for (i = 0; i < pins->n && !ret; i++)
		ret = drm_sched_job_add_implicit_dependencies(&jobs[i]->base,
							      pins->r[i].obj,
							      false);
	if (ret) {
		drm_gem_unlock_reservations(objs, n, &ctx);
		return ret;
	}
	for (i = 0; i < pins->n; i++) {
		dma_resv_add_fence(pins->r[i].obj->resv,
				   sushi_job_arm(sfile, jobs[i]),
				   DMA_RESV_USAGE_READ);
		drm_sched_entity_push_job(&jobs[i]->base);
	}
	*done = sfile->last;
	drm_gem_unlock_reservations(objs, n, &ctx);
	return 0;
}

/* Map every range's BO and turn its offset into a device address. */
static int sushi_pin_set_map(struct sushi_device *sdev,
			     struct sushi_pin_set *pins)
{
	u32 i;
	int ret;

	for (i = 0; i < pins->n; i++) {
		struct sushi_bo *bo = to_sushi_bo(pins->r[i].obj);

		ret = sushi_mmu_map_bo(sdev, bo);
		if (ret)
			return ret;
		pins->r[i].dva += sushi_bo_dva(bo);
	}
	return 0;
}

/*
 * What an unpin or a file close will need, allocated now: one invalidation
 * job per range (with its record) and the "space is free" fence.
 */
static int sushi_pin_set_prealloc(struct sushi_device *sdev,
				  struct sushi_pin_set *pins)
{
	u32 i;

	pins->inval = kcalloc(pins->n, sizeof(*pins->inval), GFP_KERNEL);
	pins->inval_rec = sushi_record_new();
	pins->freed = sushi_pb_fence_new();
	if (!pins->inval || !pins->inval_rec || !pins->freed)
		return -ENOMEM;
	for (i = 0; i < pins->n; i++) {
		struct sushi_pin_range *r = &pins->r[i];
		struct sushi_job *job;

		job = sushi_job_new(sdev, NULL, NULL, pins->inval_rec,
				    SUSHI_CMD_PB_INVALIDATE);
		if (IS_ERR(job))
			return PTR_ERR(job);
		job->entry.arg.pb_inval.dva = cpu_to_le64(r->dva);
		job->entry.arg.pb_inval.len = cpu_to_le64(r->span);
		pins->inval[i] = job;
	}
	return 0;
}

static int sushi_pin_set_create(struct sushi_device *sdev,
				struct drm_file *file,
				const struct drm_sushi_pb_range *ur, u32 count,
				struct sushi_pin_set **out)
{
	struct sushi_pin_set *pins;
	u32 i;
	int ret = 0;

	pins = kzalloc(struct_size(pins, r, count), GFP_KERNEL);
	if (!pins)
		return -ENOMEM;
	kref_init(&pins->refcount);
	pins->sdev = sdev;
	pins->n = count;
	for (i = 0; i < count; i++)
		INIT_LIST_HEAD(&pins->r[i].link);
	for (i = 0; i < count && !ret; i++)
		ret = sushi_pin_range_init(sdev, file, i, &ur[i], &pins->r[i]);
	if (!ret)
		ret = sushi_pin_set_map(sdev, pins);
	if (!ret)
		ret = sushi_pin_set_alloc(sdev, pins);
	if (!ret)
		ret = sushi_pin_set_prealloc(sdev, pins);
	if (ret) {
		sushi_pin_set_put(pins);
		return ret;
	}
	*out = pins;
	return 0;
}

int sushi_ioctl_pb_pin(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct sushi_device *sdev = to_sushi_device(drm);
	struct sushi_file *sfile = to_sushi_file(file);
	struct drm_sushi_pb_pin *args = data;
	struct drm_sushi_pb_range *ur;
	struct sushi_job_record *rec = NULL;
	struct drm_gem_object **objs = NULL;
	struct sushi_job **jobs = NULL;
	struct sushi_pin_set *pins = NULL;
	struct dma_fence *done;
	u32 handle, i;
	u64 id;
	int ret;

	if (args->flags || !args->count)
		return sushi_reject(drm, -EINVAL, "flags %#x count %u\n",
				    args->flags, args->count);
	if (args->count > DRM_SUSHI_PB_MAX_RANGES)
		return sushi_reject(drm, -E2BIG, "%u ranges\n", args->count);
	ur = sushi_array_from_user(drm, args->ranges, args->count,
				   args->range_size, sizeof(*ur));
	if (IS_ERR(ur))
		return PTR_ERR(ur);
	ret = sushi_pin_set_create(sdev, file, ur, args->count, &pins);
	kvfree(ur);
	if (ret)
		return ret;

	ret = -ENOMEM;
	rec = sushi_record_new();
	jobs = kcalloc(pins->n, sizeof(*jobs), GFP_KERNEL);
	objs = kcalloc(pins->n, sizeof(*objs), GFP_KERNEL);
	if (!rec || !jobs || !objs)
		goto err;
	ret = sushi_pin_set_jobs(sdev, sfile, file, pins, rec, jobs);
	if (ret)
		goto err;

	mutex_lock(&sfile->lock);
	/* a reserved handle: lookups find nothing until the loads are queued */
	ret = xa_alloc(&sfile->pin_sets, &handle, NULL, xa_limit_32b,
		       GFP_KERNEL);
	if (ret)
		goto err_jobs;
	ret = sushi_file_reserve_id(sfile, &id);
	if (ret)
		goto err_handle;
	ret = sushi_pin_set_submit(sfile, pins, jobs, objs, &done);
	if (ret) {
		xa_release(&sfile->jobs, id);
		goto err_handle;
	}
	/* the slot is reserved: this store allocates nothing */
	xa_store(&sfile->pin_sets, handle, pins, GFP_KERNEL);
	sushi_file_publish(sfile, id, rec, done);
	mutex_unlock(&sfile->lock);
	args->handle = handle;
	args->job_id = id;
	kfree(objs);
	kfree(jobs);
	sushi_record_put(rec);
	return 0;

err_handle:
	xa_release(&sfile->pin_sets, handle);
err_jobs:
	mutex_unlock(&sfile->lock);
	for (i = 0; i < pins->n; i++)
		sushi_job_abort(jobs[i]);
err:
	kfree(objs);
	kfree(jobs);
	if (rec)
		sushi_record_put(rec);
	sushi_pin_set_put(pins);
	return ret;
}

int sushi_ioctl_pb_unpin(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct sushi_file *sfile = to_sushi_file(file);
	struct drm_sushi_pb_unpin *args = data;
	struct drm_syncobj *out_sync = NULL;
	struct sushi_pin_set *pins;

	if (args->flags || args->pad)
		return sushi_reject(drm, -EINVAL, "flags %#x pad %#x\n",
				    args->flags, args->pad);
	if (args->out_syncobj) {
		out_sync = drm_syncobj_find(file, args->out_syncobj);
		if (!out_sync)
			return sushi_reject(drm, -ENOENT, "no syncobj %u\n",
					    args->out_syncobj);
	}
	mutex_lock(&sfile->lock);
	/* never 0 (0 is "no pin set"; see sushi_ioctl_program_destroy()) */
	pins = args->handle ? xa_erase(&sfile->pin_sets, args->handle) : NULL;
	if (pins) {
		dma_fence_put(sfile->unpinned);
		sfile->unpinned = sushi_pin_set_unpin(sfile->sdev, pins,
						      sfile->last);
		if (out_sync)
			drm_syncobj_replace_fence(out_sync, pins->freed);
	}
	mutex_unlock(&sfile->lock);
	if (out_sync)
		drm_syncobj_put(out_sync);
	if (!pins)
		return sushi_reject(drm, -ENOENT, "no pin set %u\n",
				    args->handle);
	sushi_pin_set_put(pins);
	return 0;
}

int sushi_ioctl_pb_query(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct sushi_device *sdev = to_sushi_device(drm);
	struct sushi_file *sfile = to_sushi_file(file);
	struct drm_sushi_pb_query *args = data;
	struct drm_sushi_pb_set_info info;
	struct sushi_pin_set *pins;
	unsigned long id;
	u32 n = 0;
	int ret = 0;

	if (args->flags || args->pad)
		return sushi_reject(drm, -EINVAL, "flags %#x pad %#x\n",
				    args->flags, args->pad);
	if (args->count && args->set_size < sizeof(info))
		return sushi_reject(drm, -EINVAL, "set_size %u\n",
				    args->set_size);
	mutex_lock(&sdev->pb_lock);
	args->capacity = sdev->caps.pb_bytes;
	args->used = sdev->pb_used;
	args->entries_used = sdev->pb_entries_used;
	mutex_unlock(&sdev->pb_lock);
	args->generation = sushi_pb_generation(sdev);

	mutex_lock(&sfile->lock);
	xa_for_each(&sfile->pin_sets, id, pins) {
		if (n < args->count) {
			memset(&info, 0, sizeof(info));
			info.handle = id;
			info.ranges = pins->n;
			info.bytes = pins->bytes;
			info.generation = READ_ONCE(pins->gen);
			ret = sushi_array_to_user(args->sets, n, args->set_size,
						  &info, sizeof(info));
			if (ret)
				break;
		}
		n++;
	}
	mutex_unlock(&sfile->lock);
	args->count = n;
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * device_job.c - libsushi programs (layer lists -> DRM_SUSHI_PROGRAM_CREATE),
 * launches, job waits with statistics, and DRM syncobj helpers.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>

#include "sushi_accel.h"
#include "device_internal.h"

_Static_assert(SUSHI_LAYER_IN_SRAM == DRM_SUSHI_LAYER_IN_SRAM &&
	       SUSHI_LAYER_IN2_SRAM == DRM_SUSHI_LAYER_IN2_SRAM &&
	       SUSHI_LAYER_OUT_SRAM == DRM_SUSHI_LAYER_OUT_SRAM,
	       "libsushi's layer flags are the uAPI's");

/*
 * A uAPI BO reference (an SRAM offset when @sram); -EINVAL for a BO of
 * another device handle, or a BO on an SRAM tensor.
 */
static int bo_ref(const struct sushi_device *dev, const struct sushi_bo_ref *r,
		  bool sram, struct drm_sushi_bo_ref *u)
{
	memset(u, 0, sizeof(*u));
	if (sram) {
		u->offset = r->offset;
		return r->bo ? -EINVAL : 0;
	}
	if (!r->bo)
		return r->offset ? -EINVAL : 0;
	if (r->bo->dev != dev)
		return -EINVAL;
	u->handle = r->bo->handle;
	u->offset = r->offset;
	return 0;
}

static int layer_to_uapi(const struct sushi_device *dev,
			 const struct sushi_layer *l, struct drm_sushi_layer *u)
{
	int ret;

	memset(u, 0, sizeof(*u));
	u->op = l->op;
	u->in_c = l->in_c;
	u->in_h = l->in_h;
	u->in_w = l->in_w;
	u->out_c = l->out_c;
	u->out_h = l->out_h;
	u->out_w = l->out_w;
	u->kernel = l->kernel;
	u->stride = l->stride;
	u->padding = l->padding;
	u->groups = l->groups;
	u->in_zp = l->in_zp;
	u->in2_zp = l->in2_zp;
	u->out_zp = l->out_zp;
	u->act_min = l->act_min;
	u->act_max = l->act_max;
	u->add_shift = l->add_shift;
	u->add_mult_a = l->add_mult_a;
	u->add_mult_b = l->add_mult_b;
	u->w_stride = l->w_stride;
	u->flags = l->flags;
	ret = bo_ref(dev, &l->in, l->flags & SUSHI_LAYER_IN_SRAM, &u->in);
	if (!ret)
		ret = bo_ref(dev, &l->in2, l->flags & SUSHI_LAYER_IN2_SRAM,
			     &u->in2);
	if (!ret)
		ret = bo_ref(dev, &l->out, l->flags & SUSHI_LAYER_OUT_SRAM,
			     &u->out);
	if (!ret)
		ret = bo_ref(dev, &l->w, false, &u->w);
	if (!ret)
		ret = bo_ref(dev, &l->epi, false, &u->epi);
	return ret;
}

int sushi_program_create(struct sushi_device *dev,
			 const struct sushi_layer *layers, uint32_t n,
			 uint32_t *program)
{
	struct drm_sushi_program_create c = { 0 };
	struct drm_sushi_layer *u;
	uint32_t i;
	int ret = 0;

	if (!dev || !layers || !program || !n)
		return -EINVAL;
	if (n > dev->caps.max_layers)
		return -E2BIG;
	u = calloc(n, sizeof(*u));
	if (!u)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++)
		ret = layer_to_uapi(dev, &layers[i], &u[i]);
	if (!ret) {
		c.layers = (uintptr_t)u;
		c.n_layers = n;
		c.layer_size = sizeof(*u);
		ret = sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_PROGRAM_CREATE, &c);
	}
	free(u);
	if (!ret)
		*program = c.handle;
	return ret;
}

int sushi_program_destroy(struct sushi_device *dev, uint32_t program)
{
	struct drm_sushi_program_destroy d = { .handle = program };

	if (!dev)
		return -EINVAL;
	return sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_PROGRAM_DESTROY, &d);
}

int sushi_launch(struct sushi_device *dev, uint32_t program,
		 const struct sushi_launch_opts *opts, uint64_t *job_id)
{
	struct drm_sushi_launch l = { .program = program };
	int ret;

	if (!dev || !job_id)
		return -EINVAL;
	if (opts) {
		if (opts->in_syncobj_count && !opts->in_syncobjs)
			return -EINVAL;
		l.in_syncobjs = (uintptr_t)opts->in_syncobjs;
		l.in_syncobj_count = opts->in_syncobj_count;
		l.out_syncobj = opts->out_syncobj;
		l.pin_set = opts->pin_set;
	}
	ret = sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_LAUNCH, &l);
	if (!ret)
		*job_id = l.job_id;
	return ret;
}

const char *sushi_job_status_name(uint32_t status)
{
	switch (status) {
	case DRM_SUSHI_JOB_OK: return "ok";
	case DRM_SUSHI_JOB_BAD_OPCODE: return "bad-opcode";
	case DRM_SUSHI_JOB_BAD_ENTRY: return "bad-entry";
	case DRM_SUSHI_JOB_BAD_LAYER: return "bad-layer";
	case DRM_SUSHI_JOB_PAGE_FAULT: return "page-fault";
	case DRM_SUSHI_JOB_DMA_ERROR: return "dma-error";
	case DRM_SUSHI_JOB_PB_NO_SPACE: return "pb-no-space";
	case DRM_SUSHI_JOB_PB_OVERLAP: return "pb-overlap";
	case DRM_SUSHI_JOB_PB_TABLE_FULL: return "pb-table-full";
	case DRM_SUSHI_JOB_STALE_PB: return "stale-pb";
	case DRM_SUSHI_JOB_ABORTED: return "aborted";
	case DRM_SUSHI_JOB_TIMEOUT: return "timeout";
	case DRM_SUSHI_JOB_CANCELED: return "canceled";
	case DRM_SUSHI_JOB_PENDING: return "pending";
	}
	return "unknown";
}

int sushi_job_wait(struct sushi_device *dev, uint64_t job_id,
		   int64_t timeout_ns, struct sushi_job_stats *stats)
{
	struct drm_sushi_job_stats s;
	struct drm_sushi_job_wait w = {
		.job_id = job_id,
		.stats = (uintptr_t)&s,
		.stats_size = sizeof(s),
	};
	int ret;

	if (!dev)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	w.timeout_ns = timeout_ns ? sushi_dev_deadline(timeout_ns) : 0;
	ret = sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_JOB_WAIT, &w);
	if (ret && ret != -ETIME)
		return ret;
	if (stats) {
		stats->status = s.status;
		stats->error = s.error;
		stats->layer = s.layer;
		stats->pb_gen = s.pb_gen;
		stats->cycles = s.cycles;
		stats->macs = s.macs;
		stats->dram_rd = s.dram_rd;
		stats->dram_wr = s.dram_wr;
		stats->pb_rd = s.pb_rd;
		stats->energy_fj = s.energy_fj;
		stats->offchip_fj = s.offchip_fj;
	}
	if (ret)
		return ret;
	if (s.status != DRM_SUSHI_JOB_OK)
		return s.error < 0 ? s.error : -EIO;
	return 0;
}

int sushi_syncobj_create(struct sushi_device *dev, uint32_t *syncobj)
{
	struct drm_syncobj_create c = { 0 };
	int ret;

	if (!dev || !syncobj)
		return -EINVAL;
	ret = sushi_dev_ioctl(dev, DRM_IOCTL_SYNCOBJ_CREATE, &c);
	if (!ret)
		*syncobj = c.handle;
	return ret;
}

int sushi_syncobj_destroy(struct sushi_device *dev, uint32_t syncobj)
{
	struct drm_syncobj_destroy d = { .handle = syncobj };

	if (!dev)
		return -EINVAL;
	return sushi_dev_ioctl(dev, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

int sushi_syncobj_wait(struct sushi_device *dev, uint32_t syncobj,
		       int64_t timeout_ns)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&syncobj,
		.count_handles = 1,
	};

	if (!dev)
		return -EINVAL;
	w.timeout_nsec = timeout_ns ? sushi_dev_deadline(timeout_ns) : 0;
	return sushi_dev_ioctl(dev, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

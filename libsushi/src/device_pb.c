/* SPDX-License-Identifier: MIT */
/*
 * device_pb.c - libsushi Persistent Buffer pin sets: pin, unpin, query.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>

#include "sushi_accel.h"
#include "device_internal.h"

int sushi_pin_set_create(struct sushi_device *dev,
			 const struct sushi_pin_range *ranges, uint32_t n,
			 uint32_t *pin_set, uint64_t *load_job)
{
	struct drm_sushi_pb_pin p = { 0 };
	struct drm_sushi_pb_range *u;
	uint32_t i;
	int ret = 0;

	if (!dev || !ranges || !pin_set || !n)
		return -EINVAL;
	if (n > DRM_SUSHI_PB_MAX_RANGES)
		return -E2BIG;
	u = calloc(n, sizeof(*u));
	if (!u)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!ranges[i].bo || ranges[i].bo->dev != dev) {
			ret = -EINVAL;
			break;
		}
		u[i].handle = ranges[i].bo->handle;
		u[i].rows = ranges[i].rows;
		u[i].offset = ranges[i].offset;
		u[i].row_stride = ranges[i].row_stride;
		u[i].row_bytes = ranges[i].row_bytes;
	}
	if (!ret) {
		p.ranges = (uintptr_t)u;
		p.count = n;
		p.range_size = sizeof(*u);
		ret = sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_PB_PIN, &p);
	}
	free(u);
	if (!ret) {
		*pin_set = p.handle;
		if (load_job)
			*load_job = p.job_id;
	}
	return ret;
}

int sushi_pin_set_destroy_signal(struct sushi_device *dev, uint32_t pin_set,
				 uint32_t out_syncobj)
{
	struct drm_sushi_pb_unpin u = {
		.handle = pin_set, .out_syncobj = out_syncobj,
	};

	if (!dev)
		return -EINVAL;
	return sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_PB_UNPIN, &u);
}

int sushi_pin_set_destroy(struct sushi_device *dev, uint32_t pin_set)
{
	return sushi_pin_set_destroy_signal(dev, pin_set, 0);
}

int sushi_pb_query(struct sushi_device *dev, struct sushi_pb_info *info,
		   struct sushi_pin_set_info *sets, uint32_t max_sets)
{
	struct drm_sushi_pb_query q = { 0 };
	struct drm_sushi_pb_set_info *u = NULL;
	uint32_t i, n;
	int ret;

	if (!dev || !info || (max_sets && !sets))
		return -EINVAL;
	if (max_sets) {
		u = calloc(max_sets, sizeof(*u));
		if (!u)
			return -ENOMEM;
		q.sets = (uintptr_t)u;
		q.count = max_sets;
		q.set_size = sizeof(*u);
	}
	ret = sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_PB_QUERY, &q);
	if (!ret) {
		memset(info, 0, sizeof(*info));
		info->capacity = q.capacity;
		info->used = q.used;
		info->generation = q.generation;
		info->entries_used = q.entries_used;
		info->n_sets = q.count;
		n = q.count < max_sets ? q.count : max_sets;
		for (i = 0; i < n; i++) {
			sets[i].handle = u[i].handle;
			sets[i].ranges = u[i].ranges;
			sets[i].bytes = u[i].bytes;
			sets[i].generation = u[i].generation;
		}
	}
	free(u);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * device_bo.c - libsushi buffer objects: create, CPU mapping, wait, free.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <xf86drm.h>

#include "sushi_accel.h"
#include "device_internal.h"

int sushi_bo_create(struct sushi_device *dev, uint64_t size, uint32_t flags,
		    struct sushi_bo **out)
{
	struct drm_sushi_bo_create c = { .size = size, .flags = flags };
	struct sushi_bo *bo;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	*out = NULL;
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;
	ret = sushi_dev_ioctl(dev, DRM_IOCTL_SUSHI_BO_CREATE, &c);
	if (ret) {
		free(bo);
		return ret;
	}
	bo->dev = dev;
	bo->handle = c.handle;
	bo->size = c.size;
	*out = bo;
	return 0;
}

uint64_t sushi_bo_size(const struct sushi_bo *bo)
{
	return bo ? bo->size : 0;
}

uint32_t sushi_bo_handle(const struct sushi_bo *bo)
{
	return bo ? bo->handle : 0;
}

int sushi_bo_map(struct sushi_bo *bo, void **ptr)
{
	struct drm_sushi_bo_mmap_offset m = { 0 };
	void *p;
	int ret;

	if (!bo || !ptr)
		return -EINVAL;
	if (!bo->map) {
		if (bo->size > SIZE_MAX)
			return -EOVERFLOW;
		m.handle = bo->handle;
		ret = sushi_dev_ioctl(bo->dev, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET,
				      &m);
		if (ret)
			return ret;
		p = mmap(NULL, (size_t)bo->size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, bo->dev->fd, (off_t)m.offset);
		if (p == MAP_FAILED)
			return -errno;
		bo->map = p;
	}
	*ptr = bo->map;
	return 0;
}

int sushi_bo_unmap(struct sushi_bo *bo)
{
	if (!bo || !bo->map)
		return -EINVAL;
	if (munmap(bo->map, (size_t)bo->size))
		return -errno;
	bo->map = NULL;
	return 0;
}

int sushi_bo_wait(struct sushi_bo *bo, uint32_t flags, int64_t timeout_ns)
{
	struct drm_sushi_bo_wait w = { .flags = flags };

	if (!bo)
		return -EINVAL;
	w.handle = bo->handle;
	w.timeout_ns = timeout_ns ? sushi_dev_deadline(timeout_ns) : 0;
	return sushi_dev_ioctl(bo->dev, DRM_IOCTL_SUSHI_BO_WAIT, &w);
}

int sushi_bo_free(struct sushi_bo *bo)
{
	struct drm_gem_close c = { 0 };
	int ret;

	if (!bo)
		return -EINVAL;
	if (bo->map)
		munmap(bo->map, (size_t)bo->size);
	c.handle = bo->handle;
	ret = sushi_dev_ioctl(bo->dev, DRM_IOCTL_GEM_CLOSE, &c);
	free(bo);
	return ret;
}

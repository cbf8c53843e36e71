// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_gem.c - buffer objects: GEM shmem objects with the driver's flags
 * and device address (sushi_mmu.c), kernel-owned BOs, and
 * DRM_IOCTL_SUSHI_BO_CREATE, DRM_IOCTL_SUSHI_BO_MMAP_OFFSET and
 * DRM_IOCTL_SUSHI_BO_WAIT.
 */

#include <linux/dma-resv.h>
#include <linux/hashtable.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_utils.h>
#include <drm/drm_vma_manager.h>

#include "sushi_drv.h"

static void sushi_bo_release(struct sushi_bo *bo)
{
	sushi_mmu_unmap_bo(to_sushi_device(bo->base.base.dev), bo);
	mutex_destroy(&bo->map_lock);
	drm_gem_shmem_free(&bo->base);
}

/* The last reference is gone: no job uses the BO any more. */
static void sushi_gem_free(struct drm_gem_object *obj)
{
	struct sushi_bo *bo = to_sushi_bo(obj);

	if (hash_hashed(&bo->import_node))
		sushi_prime_free(to_sushi_device(obj->dev), bo,
				 sushi_bo_release);
	else
		sushi_bo_release(bo);
}

static const struct drm_gem_object_funcs sushi_gem_funcs = {
	.free = sushi_gem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *sushi_gem_create_object(struct drm_device *drm,
					       size_t size)
{
	struct sushi_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &sushi_gem_funcs;
	mutex_init(&bo->map_lock);
	INIT_LIST_HEAD(&bo->link);
	INIT_HLIST_NODE(&bo->import_node);
	return &bo->base.base;
}

/*
 * drm_gem_shmem_create() with the errno the uAPI documents: the shmem file
 * behind a BO reports a failed inode allocation as -ENOSPC (its internal
 * mount has no size limit, so that is the only way to get it), which is
 * out of memory to the caller.
 */
static struct drm_gem_shmem_object *
sushi_shmem_create(struct drm_device *drm, size_t size)
{
	struct drm_gem_shmem_object *shmem = drm_gem_shmem_create(drm, size);

	if (IS_ERR(shmem) && PTR_ERR(shmem) == -ENOSPC)
		return ERR_PTR(-ENOMEM);
	return shmem;
}

/* A BO without handle that only the device reads (program descriptors). */
struct sushi_bo *sushi_bo_create_kernel(struct sushi_device *sdev,
					size_t size)
{
	struct drm_gem_shmem_object *shmem;
	struct sushi_bo *bo;

	shmem = sushi_shmem_create(&sdev->drm, size);
	if (IS_ERR(shmem))
		return ERR_CAST(shmem);
	bo = to_sushi_bo(&shmem->base);
	bo->flags = DRM_SUSHI_BO_DEVICE_READ_ONLY;
	bo->kernel = true;
	return bo;
}

int sushi_ioctl_bo_create(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct sushi_device *sdev = to_sushi_device(drm);
	struct drm_sushi_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (args->flags & ~DRM_SUSHI_BO_DEVICE_READ_ONLY)
		return sushi_reject(drm, -EINVAL, "flags %#x\n", args->flags);
	if (!args->size || args->size > sdev->caps.max_bo_size)
		return sushi_reject(drm, -EINVAL, "size %llu\n", args->size);

	shmem = sushi_shmem_create(drm, args->size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	to_sushi_bo(&shmem->base)->flags = args->flags;

	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	if (!ret)
		args->size = shmem->base.size;
	/* The handle holds the reference now (or the object goes away). */
	drm_gem_object_put(&shmem->base);
	return ret;
}

int sushi_ioctl_bo_mmap_offset(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct drm_sushi_bo_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags)
		return sushi_reject(drm, -EINVAL, "flags %#x\n", args->flags);
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return sushi_reject(drm, -ENOENT, "no BO %u\n", args->handle);
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}

int sushi_ioctl_bo_wait(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct drm_sushi_bo_wait *args = data;
	enum dma_resv_usage usage = DMA_RESV_USAGE_READ;
	struct drm_gem_object *obj;
	long timeout, ret;

	if (args->flags & ~DRM_SUSHI_BO_WAIT_WRITERS)
		return sushi_reject(drm, -EINVAL, "flags %#x\n", args->flags);
	if (args->flags & DRM_SUSHI_BO_WAIT_WRITERS)
		usage = DMA_RESV_USAGE_WRITE;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return sushi_reject(drm, -ENOENT, "no BO %u\n", args->handle);
	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	ret = dma_resv_wait_timeout(obj->resv, usage, true, timeout);
	drm_gem_object_put(obj);
	if (ret < 0)
		return ret;
	return ret ? 0 : -ETIME;
}

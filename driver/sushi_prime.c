// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_prime.c - PRIME import of foreign dma-bufs: one GEM object, one
 * attachment and one DMA mapping per dma-buf per device, whichever file
 * imports it and however often.
 *
 * DRM core deduplicates an import only per file (and for the driver's own
 * exports).  Two files importing one foreign dma-buf would otherwise get
 * two attachments, each mapping the same pages for the same device in both
 * directions: overlapping streaming mappings, which the DMA API does not
 * support (CONFIG_DMA_API_DEBUG reports them) and which would give the
 * buffer two device addresses.  An import is therefore looked up by its
 * dma-buf first; the entry leaves the table only when the object is freed,
 * after its attachment is unmapped, so that a new import never overlaps a
 * dying one.
 */

#include <linux/dma-buf.h>
#include <linux/hashtable.h>
#include <linux/wait.h>

#include <drm/drm_managed.h>
#include <drm/drm_prime.h>

#include "sushi_drv.h"

int sushi_prime_init(struct sushi_device *sdev)
{
	hash_init(sdev->imports);
	init_waitqueue_head(&sdev->import_wq);
	return drmm_mutex_init(&sdev->drm, &sdev->import_lock);
}

/*
 * The live import of @dma_buf with a new reference, NULL if there is none,
 * or ERR_PTR(-EAGAIN) if it is being freed.  Called with import_lock held.
 */
static struct drm_gem_object *sushi_prime_find(struct sushi_device *sdev,
					       struct dma_buf *dma_buf)
{
	struct sushi_bo *bo;

	hash_for_each_possible(sdev->imports, bo, import_node,
			       (unsigned long)dma_buf) {
		struct drm_gem_object *obj = &bo->base.base;

		if (obj->import_attach->dmabuf != dma_buf)
			continue;
		if (!kref_get_unless_zero(&obj->refcount))
			return ERR_PTR(-EAGAIN);
		return obj;
	}
	return NULL;
}

/* &drm_driver.gem_prime_import */
struct drm_gem_object *sushi_gem_prime_import(struct drm_device *drm,
					      struct dma_buf *dma_buf)
{
	struct sushi_device *sdev = to_sushi_device(drm);
	struct drm_gem_object *obj;
	unsigned int gen;

	for (;;) {
		mutex_lock(&sdev->import_lock);
		obj = sushi_prime_find(sdev, dma_buf);
		if (obj != ERR_PTR(-EAGAIN))
			break;
		/* its free is waiting for the lock: let it finish */
		gen = sdev->import_gen;
		mutex_unlock(&sdev->import_lock);
		wait_event(sdev->import_wq, READ_ONCE(sdev->import_gen) != gen);
	}
	if (!obj) {
		/* our own export comes back as itself, unattached */
		obj = drm_gem_prime_import(drm, dma_buf);
		if (!IS_ERR(obj) && obj->import_attach)
			hash_add(sdev->imports, &to_sushi_bo(obj)->import_node,
				 (unsigned long)dma_buf);
	}
	mutex_unlock(&sdev->import_lock);
	return obj;
}

/*
 * Free an imported BO: out of the table, its device mapping and its
 * attachment released, under import_lock (see the top of the file).
 */
void sushi_prime_free(struct sushi_device *sdev, struct sushi_bo *bo,
		      void (*release)(struct sushi_bo *bo))
{
	mutex_lock(&sdev->import_lock);
	hash_del(&bo->import_node);
	release(bo);
	WRITE_ONCE(sdev->import_gen, sdev->import_gen + 1);
	mutex_unlock(&sdev->import_lock);
	wake_up_all(&sdev->import_wq);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_mmu.c - the device MMU: the two-level page table the device walks
 * on every access (driver-owned, coherent DMA memory, no TLB), the drm_mm
 * allocator of device virtual addresses (DVAs), and mapping a BO's shmem
 * pages at a DVA.  Userspace never sees a DVA.  A BO keeps its DVA until it
 * is freed; its page table entries are cleared before the range can be
 * handed out again.  The page at DVA 0 is never mapped, and every BO is
 * followed by an unmapped guard page.  The tables are device-managed memory
 * (freed at unbind, after remove() stopped the device) and are written only
 * inside drm_dev_enter(); the address space itself lives until the last
 * file is closed.
 */

#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "sushi_drv.h"

#define SUSHI_DVA_START		((u64)SUSHI_MMU_PAGE_SIZE)
#define SUSHI_DVA_END		BIT_ULL(SUSHI_MMU_VA_BITS)
#define SUSHI_DVA_GUARD		((u64)SUSHI_MMU_PAGE_SIZE)

static unsigned int sushi_l1_index(u64 dva)
{
	return (dva >> SUSHI_MMU_L1_SHIFT) & SUSHI_MMU_IDX_MASK;
}

static unsigned int sushi_l2_index(u64 dva)
{
	return (dva >> SUSHI_MMU_L2_SHIFT) & SUSHI_MMU_IDX_MASK;
}

static void sushi_mmu_release(struct drm_device *drm, void *arg)
{
	struct sushi_device *sdev = to_sushi_device(drm);

	drm_mm_takedown(&sdev->mmu.mm);
}

int sushi_mmu_init(struct sushi_device *sdev)
{
	struct sushi_mmu *mmu = &sdev->mmu;
	int ret;

	BUILD_BUG_ON(PAGE_SIZE != SUSHI_MMU_PAGE_SIZE);
	mmu->l1 = dmam_alloc_coherent(&sdev->pdev->dev, SUSHI_MMU_PAGE_SIZE,
				      &mmu->l1_dma, GFP_KERNEL);
	if (!mmu->l1)
		return -ENOMEM;
	ret = drmm_mutex_init(&sdev->drm, &mmu->lock);
	if (ret)
		return ret;
	INIT_LIST_HEAD(&mmu->bos);
	drm_mm_init(&mmu->mm, SUSHI_DVA_START, SUSHI_DVA_END - SUSHI_DVA_START);
	/* sushi_ring_program() writes PT_ROOT */
	return drmm_add_action_or_reset(&sdev->drm, sushi_mmu_release, NULL);
}

/* The L2 table covering @dva, allocated on first use. */
static __le64 *sushi_mmu_l2(struct sushi_device *sdev, u64 dva)
{
	struct sushi_mmu *mmu = &sdev->mmu;
	unsigned int i = sushi_l1_index(dva);

	lockdep_assert_held(&mmu->lock);
	if (!mmu->l2[i]) {
		mmu->l2[i] = dmam_alloc_coherent(&sdev->pdev->dev,
						 SUSHI_MMU_PAGE_SIZE,
						 &mmu->l2_dma[i], GFP_KERNEL);
		if (!mmu->l2[i])
			return NULL;
		WRITE_ONCE(mmu->l1[i], cpu_to_le64((mmu->l2_dma[i] &
						    SUSHI_MMU_PTE_ADDR_MASK) |
						   SUSHI_MMU_PTE_VALID));
	}
	return mmu->l2[i];
}

static void sushi_mmu_clear(struct sushi_device *sdev, u64 dva, u64 size)
{
	struct sushi_mmu *mmu = &sdev->mmu;
	u64 end = dva + size;

	lockdep_assert_held(&mmu->lock);
	for (; dva < end; dva += SUSHI_MMU_PAGE_SIZE) {
		__le64 *l2 = mmu->l2[sushi_l1_index(dva)];

		if (l2)
			WRITE_ONCE(l2[sushi_l2_index(dva)], 0);
	}
}

static int sushi_mmu_map_sgt(struct sushi_device *sdev, u64 dva,
			     struct sg_table *sgt, u64 size, bool writable)
{
	u64 flags = SUSHI_MMU_PTE_VALID | (writable ? SUSHI_MMU_PTE_WRITE : 0);
	struct sg_dma_page_iter it;
	u64 va = dva, end = dva + size;

	for_each_sgtable_dma_page(sgt, &it, 0) {
		dma_addr_t pa = sg_page_iter_dma_address(&it);
		__le64 *l2;

		if (va >= end)
			break;
		/* dma_set_mask() keeps bus addresses within the PTE field */
		if (pa & ~(dma_addr_t)(SUSHI_MMU_PTE_ADDR_MASK |
				       (SUSHI_MMU_PAGE_SIZE - 1))) {
			sushi_mmu_clear(sdev, dva, va - dva);
			return -EFAULT;
		}
		l2 = sushi_mmu_l2(sdev, va);
		if (!l2) {
			sushi_mmu_clear(sdev, dva, va - dva);
			return -ENOMEM;
		}
		WRITE_ONCE(l2[sushi_l2_index(va)],
			   cpu_to_le64((pa & SUSHI_MMU_PTE_ADDR_MASK) | flags));
		va += SUSHI_MMU_PAGE_SIZE;
	}
	if (va != end) {
		sushi_mmu_clear(sdev, dva, va - dva);
		return -EFAULT;
	}
	return 0;
}

/*
 * The BO's pages pinned and DMA-mapped for the device.  The driver keeps
 * its own mapping (not the shmem helper's), so that remove() can release
 * it while the BO lives on in an open file; an imported dma-buf comes
 * mapped by its attachment, which owns that mapping.
 */
static struct sg_table *sushi_bo_dma_map(struct sushi_device *sdev,
					 struct sushi_bo *bo)
{
	struct drm_gem_shmem_object *shmem = &bo->base;
	struct sg_table *sgt;
	int ret;

	if (shmem->base.import_attach)
		return shmem->sgt;
	ret = drm_gem_shmem_pin(shmem);
	if (ret)
		return ERR_PTR(ret);
	sgt = drm_gem_shmem_get_sg_table(shmem);
	if (IS_ERR(sgt)) {
		drm_gem_shmem_unpin(shmem);
		return sgt;
	}
	ret = dma_map_sgtable(sdev->drm.dev, sgt, DMA_BIDIRECTIONAL, 0);
	if (ret) {
		sg_free_table(sgt);
		kfree(sgt);
		drm_gem_shmem_unpin(shmem);
		return ERR_PTR(ret);
	}
	bo->sgt = sgt;
	return sgt;
}

/* Release what sushi_bo_dma_map() did (nothing for an import). */
static void sushi_bo_dma_unmap(struct sushi_device *sdev, struct sushi_bo *bo)
{
	if (!bo->sgt)
		return;
	dma_unmap_sgtable(sdev->drm.dev, bo->sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(bo->sgt);
	kfree(bo->sgt);
	bo->sgt = NULL;
	drm_gem_shmem_unpin(&bo->base);
}

/*
 * Give @bo a device address and map its pages (pinned until the BO is
 * freed or the device removed).  Idempotent.  Returns 0, -ENOSPC when the
 * device address space is full, -ENOMEM, -ENODEV once the device is
 * unplugged.
 */
int sushi_mmu_map_bo(struct sushi_device *sdev, struct sushi_bo *bo)
{
	struct sushi_mmu *mmu = &sdev->mmu;
	u64 size = bo->base.base.size;
	struct sg_table *sgt;
	int idx, ret = 0;

	mutex_lock(&bo->map_lock);
	if (drm_mm_node_allocated(&bo->dva_node))
		goto out;
	if (!drm_dev_enter(&sdev->drm, &idx)) {
		ret = -ENODEV;
		goto out;
	}
	sgt = sushi_bo_dma_map(sdev, bo);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out_exit;
	}
	mutex_lock(&mmu->lock);
	ret = drm_mm_insert_node_in_range(&mmu->mm, &bo->dva_node,
					  size + SUSHI_DVA_GUARD,
					  SUSHI_MMU_PAGE_SIZE, 0,
					  SUSHI_DVA_START, SUSHI_DVA_END,
					  DRM_MM_INSERT_BEST);
	if (!ret) {
		ret = sushi_mmu_map_sgt(sdev, bo->dva_node.start, sgt, size,
					!(bo->flags &
					  DRM_SUSHI_BO_DEVICE_READ_ONLY));
		if (ret)
			drm_mm_remove_node(&bo->dva_node);
		else
			list_add_tail(&bo->link, &mmu->bos);
	}
	if (ret)
		sushi_bo_dma_unmap(sdev, bo);
	mutex_unlock(&mmu->lock);
out_exit:
	drm_dev_exit(idx);
out:
	mutex_unlock(&bo->map_lock);
	return ret;
}

/*
 * Unmap a BO that is being freed: no job uses it any more (jobs hold
 * references), and its page table entries are gone before its device
 * addresses can be allocated again.
 */
void sushi_mmu_unmap_bo(struct sushi_device *sdev, struct sushi_bo *bo)
{
	struct sushi_mmu *mmu = &sdev->mmu;
	int idx;

	if (!drm_mm_node_allocated(&bo->dva_node))
		return;
	mutex_lock(&mmu->lock);
	/* after unplug the tables are gone with the device */
	if (drm_dev_enter(&sdev->drm, &idx)) {
		sushi_mmu_clear(sdev, bo->dva_node.start, bo->base.base.size);
		drm_dev_exit(idx);
	}
	list_del(&bo->link);
	drm_mm_remove_node(&bo->dva_node);
	sushi_bo_dma_unmap(sdev, bo);
	mutex_unlock(&mmu->lock);
}

/*
 * The device is stopped and every job failed: release every BO's DMA
 * mapping and page pins now, while the device is still bound (the BOs
 * themselves, and their device addresses, live until their last user).
 */
void sushi_mmu_unplug(struct sushi_device *sdev)
{
	struct sushi_mmu *mmu = &sdev->mmu;
	struct sushi_bo *bo;

	mutex_lock(&mmu->lock);
	list_for_each_entry(bo, &mmu->bos, link)
		sushi_bo_dma_unmap(sdev, bo);
	mutex_unlock(&mmu->lock);
}
